"""Search's own bookkeeping. The index itself is not a Django model: it is an FTS5 table
(SQLite) or a tsvector table (PostgreSQL) that database triggers keep in step with the posts;
see hearth/search/backends/.
"""

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
