"""Writes to the search index. Posts reach it by themselves (database triggers); what is here
is the rebuild from the tables (`hearth reindex`), putting lost triggers back, the questions'
vectors for the semantic ranker (`hearth embed`), and the suggestions members open from the
composer, settled later as asked-anyway or deflected.
"""

import datetime
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connections, transaction
from django.db.models import Count, Max, Min
from django.utils import timezone

from hearth.community.models import Post, Topic
from hearth.community.permissions import can_view_topic
from hearth.core.errors import NotFound
from hearth.core.services import record_activity
from hearth.search import semantic
from hearth.search.backends import BACKENDS, backend_for
from hearth.search.models import IndexRebuild, QuestionEmbedding, SuggestionOpening

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
        questions = backend.reindex_questions()
        run.finished_at = timezone.now()
        run.save(update_fields=["finished_at"])
        record_activity(
            actor=None,
            verb="search.reindexed",
            target=run,
            payload={"posts": run.done_posts, "questions": questions, "backend": backend.vendor},
        )
    backend.finish_reindex()
    return run


# --- Question vectors (the semantic ranker) --------------------------------------------------

DEFAULT_EMBED_BATCH = 64


def schedule_question_embedding(topic_id: int) -> None:
    """Compute the question's vector in the background once the transaction commits.

    Called by the services that create or edit a question; nothing happens unless a
    semantic model is configured.
    """
    if not semantic.is_enabled():
        return
    from hearth.search.tasks import embed_question

    transaction.on_commit(lambda: embed_question.enqueue(topic_id))


def embed_questions(topic_ids: list[int], *, force: bool = False, touch: bool = False) -> int:
    """Store the vectors of these questions; returns how many were computed.

    A question whose title and opening post are what its vector was made from (with the
    same model) is skipped unless `force`; with `touch`, its vector is marked as written now
    all the same, so that the processes holding vectors in memory read it again (they leave
    out unpublished questions, and take in only what was written since they loaded: a
    question published from the moderation queue needs this). Deleted topics and
    discussions are skipped.
    """
    if not topic_ids or not semantic.is_available():
        return 0
    model = semantic.model_name()
    openings = (
        Post.objects.filter(
            topic_id__in=topic_ids,
            position=1,
            topic__kind=Topic.Kind.QUESTION,
            topic__deleted_at__isnull=True,
        )
        .select_related("topic")
        .only("body", "topic__title")
    )
    texts = {
        post.topic_id: semantic.question_text(post.topic.title, post.body) for post in openings
    }
    if not force:
        stored = dict(
            QuestionEmbedding.objects.filter(topic_id__in=texts, model=model).values_list(
                "topic_id", "source_hash"
            )
        )
        unchanged = {
            topic_id
            for topic_id, text in texts.items()
            if stored.get(topic_id) == semantic.source_hash(text)
        }
        if touch and unchanged:
            QuestionEmbedding.objects.filter(topic_id__in=unchanged, model=model).update(
                updated_at=timezone.now()
            )
        texts = {topic_id: text for topic_id, text in texts.items() if topic_id not in unchanged}
    if not texts:
        return 0
    ids = sorted(texts)
    vectors = semantic.encode([texts[topic_id] for topic_id in ids])
    now = timezone.now()
    QuestionEmbedding.objects.bulk_create(
        [
            QuestionEmbedding(
                topic_id=topic_id,
                model=model,
                dimensions=len(vector),
                vector=semantic.to_bytes(vector),
                source_hash=semantic.source_hash(texts[topic_id]),
                updated_at=now,
            )
            for topic_id, vector in zip(ids, vectors, strict=True)
        ],
        update_conflicts=True,
        unique_fields=["topic"],
        update_fields=["model", "dimensions", "vector", "source_hash", "updated_at"],
    )
    return len(ids)


@dataclass
class EmbedProgress:
    total: int
    done: int = 0
    computed: int = 0
    resumed: bool = False


def embed_all_questions(
    *,
    batch_size: int = DEFAULT_EMBED_BATCH,
    force: bool = False,
    progress: Callable[[EmbedProgress], None] | None = None,
) -> EmbedProgress:
    """Compute the vector of every live question that has none from the current model.

    Runs in batches of `batch_size`, each stored before the next starts, so an interrupted
    run loses one batch at most and running it again goes on from there. `force` computes
    every question again (after changing what a vector is made of).
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1.")
    reason = semantic.unavailable_reason()
    if reason:
        raise ImproperlyConfigured(reason)
    model = semantic.model_name()
    questions = Topic.objects.filter(kind=Topic.Kind.QUESTION, deleted_at__isnull=True)
    pending = questions if force else questions.exclude(embedding__model=model)
    report = EmbedProgress(total=pending.count())
    report.resumed = not force and QuestionEmbedding.objects.filter(model=model).exists()
    if progress:
        progress(report)
    after = 0
    with semantic.all_cores():
        while True:
            ids = list(
                pending.filter(pk__gt=after)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                break
            report.computed += embed_questions(ids, force=force)
            report.done += len(ids)
            after = ids[-1]
            if progress:
                progress(report)
    record_activity(
        actor=None,
        verb="search.embedded",
        target_type="questionembedding",
        payload={"model": model, "questions": report.done, "computed": report.computed},
    )
    return report


# --- Suggestions opened from the composer (deflection) ---------------------------------------

_DRAFT = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
SETTLE_BATCH = 500


def deflection_window() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.HEARTH_DEFLECTION_WINDOW_HOURS)


@transaction.atomic
def record_suggestion_opened(
    *, member, topic: Topic, draft: str, ref: str = "composer"
) -> SuggestionOpening | None:
    """Note that `member`, writing a question in the composer `draft`, opened `topic`,
    which the composer suggested. Opening the same suggestion again records nothing more;
    returns the new opening, or None.

    `draft` is the composer's submit key: a question posted from that composer carries it.
    Only a published, live question can have been suggested: opening any other topic (a
    discussion, or a question deleted, held or hidden, which its author and moderators may
    still open) records nothing.
    """
    if not member.is_authenticated or not _DRAFT.match(draft or ""):
        return None
    if not can_view_topic(member, topic):
        raise NotFound("No such topic.")
    if topic.kind != Topic.Kind.QUESTION or topic.is_deleted or not topic.is_published:
        return None
    now = timezone.now()
    settled = (
        SuggestionOpening.objects.filter(member=member, draft=draft)
        .exclude(outcome=SuggestionOpening.Outcome.PENDING)
        .first()
    )
    try:
        with transaction.atomic():
            opening = SuggestionOpening.objects.create(
                member=member,
                draft=draft,
                topic=topic,
                opened_at=now,
                # A draft already settled stays settled: one outcome a composer.
                outcome=settled.outcome if settled else SuggestionOpening.Outcome.PENDING,
                settled_at=now if settled else None,
            )
    except IntegrityError:
        return None
    record_activity(
        actor=member,
        verb="question.suggestion_opened",
        target=topic,
        space_id=topic.space_id,
        payload={"draft": draft, "ref": ref, "solved": topic.accepted_post_id is not None},
    )
    return opening


def settle_suggestion_openings(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Settle the composers whose suggestions were opened more than the window ago.

    A member who posted a topic from that composer (same draft) asked anyway; one who did
    not was deflected: their question was answered before they asked it, and one
    `question.deflected` row goes to the activity log for that composer, however many
    suggestions they opened. Each composer is settled exactly once, whoever runs this and
    however often.
    """
    now = now or timezone.now()
    cutoff = now - deflection_window()
    due = (
        SuggestionOpening.objects.filter(outcome=SuggestionOpening.Outcome.PENDING)
        .values("member_id", "draft")
        .annotate(last_opened=Max("opened_at"))
        .filter(last_opened__lte=cutoff)
        .order_by("last_opened")[:SETTLE_BATCH]
    )
    due = list(due)
    counts = {"deflected": 0, "posted": 0}
    if not due:
        return counts
    posted = set(
        Post.objects.filter(
            position=1,
            submit_key__in={row["draft"] for row in due},
            author_id__in={row["member_id"] for row in due},
        ).values_list("author_id", "submit_key")
    )
    for row in due:
        member_id, draft = row["member_id"], row["draft"]
        outcome = (
            SuggestionOpening.Outcome.POSTED
            if (member_id, draft) in posted
            else SuggestionOpening.Outcome.DEFLECTED
        )
        with transaction.atomic():
            openings = list(
                SuggestionOpening.objects.select_for_update()
                .filter(member_id=member_id, draft=draft, outcome=SuggestionOpening.Outcome.PENDING)
                .select_related("topic", "member")
                .order_by("opened_at", "pk")
            )
            if not openings:
                continue  # Settled by another run meanwhile.
            SuggestionOpening.objects.filter(pk__in=[o.pk for o in openings]).update(
                outcome=outcome, settled_at=now
            )
            counts[outcome] += 1
            if outcome != SuggestionOpening.Outcome.DEFLECTED:
                continue
            # The suggestion they read last is the one most likely to have answered them.
            last = openings[-1]
            record_activity(
                actor=last.member,
                verb="question.deflected",
                target=last.topic,
                space_id=last.topic.space_id,
                payload={
                    "draft": draft,
                    "opened": [o.topic_id for o in openings],
                    "first_opened_at": openings[0].opened_at.isoformat(),
                },
            )
    return counts
