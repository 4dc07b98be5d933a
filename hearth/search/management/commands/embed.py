"""`hearth embed`: compute the vector of every question for the semantic ranker of similar
questions, with a progress bar.

New and edited questions get theirs in the background as they are written; this is for the
questions there were before the model was set up (or imported in bulk), and after changing
the model. It can be interrupted and run again: it goes on with the questions still without
a vector.
"""

import time

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from hearth.search import semantic
from hearth.search.management.commands.reindex import progress_bar
from hearth.search.services import DEFAULT_EMBED_BATCH, EmbedProgress, embed_all_questions


class Command(BaseCommand):
    help = (
        "Compute the vectors of questions that have none from the configured model "
        "(HEARTH_SEMANTIC_MODEL_PATH); resumes where an interrupted run stopped."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_EMBED_BATCH,
            help=f"questions a batch (default {DEFAULT_EMBED_BATCH})",
        )
        parser.add_argument(
            "--all",
            action="store_true",
            dest="everything",
            help="compute every question again, not only new ones",
        )

    def handle(self, *args, batch_size: int, everything: bool, verbosity: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        reason = semantic.unavailable_reason()
        if reason:
            raise CommandError(reason)
        interactive = self.stdout.isatty()
        started = time.perf_counter()
        shown = {"percent": -1, "at": 0.0}

        def report(run: EmbedProgress) -> None:
            if verbosity < 1:
                return
            if shown["percent"] == -1:
                if run.resumed and run.total:
                    self.stdout.write(f"Going on with {run.total} questions still to do.")
                elif not run.total:
                    return
            percent = int(100 * run.done / run.total) if run.total else 100
            now = time.perf_counter()
            # A terminal gets one line redrawn; a log gets a line every 10% or so.
            due = percent >= shown["percent"] + (1 if interactive else 10) or (
                interactive and now - shown["at"] > 1.0
            )
            if not due and run.done < run.total:
                return
            if percent == shown["percent"]:
                return
            shown.update(percent=percent, at=now)
            line = progress_bar(run.done, run.total)
            self.stdout.write(("\r" + line) if interactive else line, ending="")
            if not interactive:
                self.stdout.write("")

        if verbosity >= 1:
            self.stdout.write(f"Computing question vectors with {semantic.model_name()}.")
        try:
            run = embed_all_questions(batch_size=batch_size, force=everything, progress=report)
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        if verbosity >= 1:
            if interactive and run.total:
                self.stdout.write("")
            seconds = time.perf_counter() - started
            self.stdout.write(
                self.style.SUCCESS(
                    f"Computed {run.computed} question vectors in {seconds:.1f} s"
                    f" ({run.done} questions looked at)."
                )
            )
