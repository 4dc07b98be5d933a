"""The append-only activity log and the daily visit record every later capability reads."""

from django.conf import settings
from django.db import models


class ActivityQuerySet(models.QuerySet):
    """Bulk changes are refused too; deleting a member still nulls `actor` (Django's
    collector updates rows without going through this queryset)."""

    def update(self, **kwargs):
        raise ValueError("The activity log is append-only.")

    def delete(self):
        raise ValueError("The activity log is append-only.")


class Activity(models.Model):
    """One thing that happened: who did what to which object, and when.

    Rows are only ever inserted. Notifications, the member timeline and health analytics
    all read from here, so every service that changes something writes exactly one row in
    its own transaction.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    verb = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64)
    target_id = models.BigIntegerField(null=True, blank=True)
    space_id = models.BigIntegerField(null=True, blank=True)
    occurred_at = models.DateTimeField(db_default=models.functions.Now())
    payload = models.JSONField(default=dict, blank=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "activities"
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["actor", "occurred_at"], name="activity_actor_time"),
            models.Index(fields=["target_type", "target_id"], name="activity_target"),
            models.Index(fields=["occurred_at"], name="activity_time"),
            models.Index(fields=["verb", "occurred_at"], name="activity_verb_time"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.verb} {self.target_type}#{self.target_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("The activity log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The activity log is append-only.")


class VisitDay(models.Model):
    """A member was here on this day (one row a member a day): retention reads this."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="visit_days"
    )
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "day"], name="visit_day_once"),
        ]
        indexes = [models.Index(fields=["day"], name="visit_day_day")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.day}"
