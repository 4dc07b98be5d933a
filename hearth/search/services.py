"""Writes to the search index. Posts reach it by themselves (database triggers); what is here
is the rebuild from the tables (`hearth reindex`) and putting lost triggers back.
"""

import logging
from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, transaction
from django.db.models import Count, Max, Min
from django.utils import timezone

from hearth.community.models import Post
from hearth.core.services import record_activity
from hearth.search.backends import BACKENDS, backend_for
from hearth.search.models import IndexRebuild

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 5_000


def restore_index_triggers(*, using: str = "default", verbosity: int = 1, **kwargs) -> list[str]:
    """Re-create any index trigger that is missing; returns the names put back.

    Runs after every `migrate` (see apps.py): on SQLite, Django alters a table by copying it
    to a new one, which drops the old table's triggers, and the index would silently stop
    following the posts. Nothing is written between that copy and this, so the index is
    still right once the triggers are back.
    """
    connection = connections[using]
    if connection.vendor not in BACKENDS:
        return []
    backend = backend_for(connection)
    if not backend.is_installed():
        return []
    restored = backend.restore_triggers()
    if restored:
        logger.warning("Search index triggers were missing and are back: %s", ", ".join(restored))
    return restored


def _start_rebuild(backend, *, batch_size: int) -> IndexRebuild:
    span = Post.objects.aggregate(first=Min("id"), last=Max("id"), total=Count("id"))
    first = span["first"] or 1
    last = span["last"] or 0
    with transaction.atomic():
        # A run given up on (`--restart`) is of no use any more.
        IndexRebuild.objects.filter(finished_at__isnull=True).delete()
        run = IndexRebuild.objects.create(
            started_at=timezone.now(),
            vendor=backend.vendor,
            batch_size=batch_size,
            first_post_id=first,
            last_post_id=last,
            next_post_id=first,
            total_posts=span["total"],
        )
        # Rows below the first post belong to posts that are gone.
        backend.drop_below(first if last else 2**62)
    return run


def rebuild_search_index(
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    restart: bool = False,
    progress: Callable[[IndexRebuild], None] | None = None,
) -> IndexRebuild:
    """Rebuild the index from the posts, `batch_size` posts a transaction.

    Resumes the last unfinished run unless `restart`. The site stays up meanwhile: the
    triggers keep indexing what is written, and each batch replaces its posts' rows in one
    transaction, so a search never sees a half-built batch. `progress` is called with the
    run after each batch.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1.")
    backend = backend_for()
    if not backend.is_installed():
        raise ImproperlyConfigured("The search index is not there yet: run `hearth migrate`.")
    backend.restore_triggers()
    run = None
    if not restart:
        run = IndexRebuild.objects.filter(finished_at__isnull=True, vendor=backend.vendor).first()
    if run is None:
        run = _start_rebuild(backend, batch_size=batch_size)
        run.is_resumed = False
    else:
        run.batch_size = batch_size
        run.is_resumed = True
    if progress:
        progress(run)
    while run.next_post_id <= run.last_post_id:
        ids = list(
            Post.objects.filter(id__gte=run.next_post_id, id__lte=run.last_post_id)
            .order_by("id")
            .values_list("id", flat=True)[:batch_size]
        )
        end = ids[-1] if len(ids) == batch_size else run.last_post_id
        with transaction.atomic():
            backend.reindex_range(run.next_post_id, end)
            run.next_post_id = end + 1
            run.done_posts += len(ids)
            run.save(update_fields=["next_post_id", "done_posts", "batch_size"])
        if progress:
            progress(run)
    with transaction.atomic():
        # Posts written since the run started were indexed by the triggers; this also drops
        # any row above the range whose post is gone.
        backend.reindex_range(run.last_post_id + 1, 2**62)
        run.finished_at = timezone.now()
        run.save(update_fields=["finished_at"])
        record_activity(
            actor=None,
            verb="search.reindexed",
            target=run,
            payload={"posts": run.done_posts, "backend": backend.vendor},
        )
    backend.finish_reindex()
    return run
