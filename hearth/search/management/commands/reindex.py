"""`hearth reindex`: rebuild the search index from the posts, with a progress bar.

The triggers keep the index in step as posts are written, so this is for repairs, restores
and bulk loads. It can be interrupted and run again: it picks up where it stopped.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from hearth.search.backends import backend_for
from hearth.search.models import IndexRebuild
from hearth.search.services import DEFAULT_BATCH_SIZE, rebuild_search_index

BAR_WIDTH = 30


def progress_bar(done: int, total: int, width: int = BAR_WIDTH) -> str:
    """`[#####     ] 52% 520000/1000000`."""
    share = 1.0 if total <= 0 else min(done / total, 1.0)
    filled = int(share * width)
    return f"[{'#' * filled}{' ' * (width - filled)}] {int(share * 100):3d}% {done}/{total}"


class Command(BaseCommand):
    help = "Rebuild the search index from the posts; resumes an interrupted rebuild."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help=f"posts a transaction (default {DEFAULT_BATCH_SIZE})",
        )
        parser.add_argument("--restart", action="store_true", help="start over instead of resuming")

    def handle(self, *args, batch_size: int, restart: bool, verbosity: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        backend = backend_for()
        interactive = self.stdout.isatty()
        started = time.perf_counter()
        shown = {"percent": -1, "at": 0.0}

        def report(run: IndexRebuild) -> None:
            if verbosity < 1:
                return
            if shown["percent"] == -1 and run.is_resumed:
                self.stdout.write(f"Resuming from post {run.next_post_id}.")
            percent = int(100 * run.done_posts / run.total_posts) if run.total_posts else 100
            now = time.perf_counter()
            # A terminal gets one line redrawn; a log gets a line every 10% or so.
            due = percent >= shown["percent"] + (1 if interactive else 10) or (
                interactive and now - shown["at"] > 1.0
            )
            finished = run.next_post_id > run.last_post_id
            first = shown["percent"] == -1
            if not (due or finished or first) or (finished and percent == shown["percent"]):
                return
            shown.update(percent=percent, at=now)
            line = progress_bar(run.done_posts, run.total_posts)
            self.stdout.write(("\r" + line) if interactive else line, ending="")
            if not interactive:
                self.stdout.write("")

        if verbosity >= 1:
            self.stdout.write(f"Rebuilding the search index ({backend.label}).")
        run = rebuild_search_index(batch_size=batch_size, restart=restart, progress=report)
        if verbosity >= 1:
            if interactive:
                self.stdout.write("")
            seconds = time.perf_counter() - started
            self.stdout.write(
                self.style.SUCCESS(
                    f"Indexed {run.done_posts} posts in {seconds:.1f} s; "
                    f"{backend.indexed_count()} live posts are searchable."
                )
            )
