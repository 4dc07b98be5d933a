"""Search's own bookkeeping. The index itself is not a Django model: it is an FTS5 table
(SQLite) or a tsvector table (PostgreSQL) that database triggers keep in step with the posts;
see hearth/search/backends/.
"""

from django.conf import settings
from django.db import models


class IndexRebuild(models.Model):
    """One run of `hearth reindex`: how far it got, so an interrupted run can resume."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    vendor = models.CharField(max_length=20)
    batch_size = models.PositiveIntegerField()
    # The posts the run covers; posts written after it started are indexed by the triggers.
    first_post_id = models.BigIntegerField()
    last_post_id = models.BigIntegerField()
    # Where the next batch starts: every post below it has been reindexed.
    next_post_id = models.BigIntegerField()
    total_posts = models.PositiveBigIntegerField()
    done_posts = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        state = "finished" if self.finished_at else f"at post {self.next_post_id}"
        return f"Reindex {self.started_at:%Y-%m-%d %H:%M} ({state})"

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None


class QuestionEmbedding(models.Model):
    """A question's meaning as a vector, for the semantic ranker of similar questions.

    `vector` is the model's output for the question's title and the start of its opening
    post: float32, little-endian, unit length, so a dot product is the cosine. Vectors of
    another `model` are not comparable and are ignored (and redone by `hearth embed`).
    """

    topic = models.OneToOneField(
        "community.Topic", on_delete=models.CASCADE, related_name="embedding"
    )
    model = models.CharField(max_length=200)
    dimensions = models.PositiveSmallIntegerField()
    vector = models.BinaryField()
    # What was embedded, hashed: an edit that changes nothing of it is not embedded again.
    source_hash = models.CharField(max_length=64)
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [
            # Loading a model's vectors, and noticing which changed since the last load.
            models.Index(fields=["model", "updated_at"], name="question_embedding_model"),
        ]

    def __str__(self) -> str:
        return f"{self.topic_id} ({self.model})"


class SuggestionOpening(models.Model):
    """A member opened a similar question that the composer suggested while they wrote one.

    `draft` is the composer's submit key: the topic posted from that composer carries it
    too, which is how `settle_suggestion_openings` tells a member who asked anyway from one
    the suggestion helped (a deflection).
    """

    class Outcome(models.TextChoices):
        PENDING = "pending", "Waiting to see whether they post"
        POSTED = "posted", "Posted their question anyway"
        DEFLECTED = "deflected", "Left without posting"

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    draft = models.CharField(max_length=64)
    topic = models.ForeignKey("community.Topic", on_delete=models.CASCADE, related_name="+")
    opened_at = models.DateTimeField()
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.PENDING)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "draft", "topic"], name="suggestion_opened_once"
            ),
        ]
        indexes = [
            # The periodic job's scan: pending openings, oldest first.
            models.Index(
                fields=["opened_at"],
                name="suggestion_opening_pending",
                condition=models.Q(outcome="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} opened {self.topic_id} ({self.outcome})"
