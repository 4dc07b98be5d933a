"""Flags, the review queue, the moderators' audit log and the screening word list."""

from django.conf import settings
from django.db import models


class Reason(models.TextChoices):
    PERSONAL_ATTACK = "personal_attack", "Personal attack"
    HARASSMENT = "harassment", "Harassment"
    SPAM = "spam", "Spam"
    OFF_TOPIC = "off_topic", "Off-topic"
    ILLEGAL = "illegal", "Illegal content"
    OTHER = "other", "Something else"


class ReviewItem(models.Model):
    """One post or member waiting for a moderator's decision, with why it is waiting.

    A post comes here when screening holds it, when a new member's post waits for
    pre-moderation, or when members flag it; a member when members flag them. Flags on the
    same target gather on its one pending item.
    """

    class Kind(models.TextChoices):
        POST = "post", "Post"
        MEMBER = "member", "Member"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        RESOLVED = "resolved", "Decided"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    post = models.ForeignKey(
        "community.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The post's author, or the flagged member.
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_items"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    held = models.BooleanField(default=False)
    held_reason = models.CharField(max_length=500, blank=True)
    flag_count = models.PositiveIntegerField(default=0)
    flag_weight = models.FloatField(default=0.0)
    first_flagged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision = models.CharField(max_length=16, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["post"],
                condition=models.Q(status="pending", post__isnull=False),
                name="review_one_pending_post",
            ),
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(status="pending", kind="member"),
                name="review_one_pending_member",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at", "id"], name="review_queue"),
            models.Index(fields=["member", "status"], name="review_member"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.post_id or self.member_id} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING


class Flag(models.Model):
    """A member's report of a post or of another member: one a member a target."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        UPHELD = "upheld", "Upheld"
        DISMISSED = "dismissed", "Dismissed"

    flagger = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flags_raised"
    )
    post = models.ForeignKey(
        "community.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Whom the flag is against: the post's author, or the flagged member.
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flags_received"
    )
    review = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, related_name="flags")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    note = models.CharField(max_length=1000, blank=True)
    # The flagger's weight when they flagged (by trust level; staff weigh the most).
    weight = models.FloatField(default=1.0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["flagger", "post"],
                condition=models.Q(post__isnull=False),
                name="flag_post_once",
            ),
            models.UniqueConstraint(
                fields=["flagger", "member"],
                condition=models.Q(post__isnull=True),
                name="flag_member_once",
            ),
        ]
        indexes = [
            models.Index(fields=["member", "status"], name="flag_against"),
            models.Index(fields=["flagger", "created_at"], name="flag_flagger"),
        ]

    def __str__(self) -> str:
        return f"{self.flagger_id} flagged {self.post_id or self.member_id}: {self.reason}"


class ModerationActionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValueError("The moderation log is append-only.")

    def delete(self):
        raise ValueError("The moderation log is append-only.")


class ModerationAction(models.Model):
    """One moderation decision, with its reason: the audit log staff read. Append-only.

    An undo is a new row pointing at the one it reverses (`reverts`); nothing is changed.
    `actor` None is the system (screening, the flag threshold).
    """

    class Kind(models.TextChoices):
        HOLD = "hold", "Held for review"
        APPROVE = "approve", "Approved"
        HIDE = "hide", "Hidden"
        EDIT = "edit", "Edited"
        MOVE = "move", "Moved"
        DELETE = "delete", "Deleted"
        WARN = "warn", "Warned"
        SILENCE = "silence", "Silenced"
        SUSPEND = "suspend", "Suspended"
        BAN = "ban", "Banned"
        TRUST = "trust", "Trust level set"
        UNDO = "undo", "Undone"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    reason = models.TextField()
    post = models.ForeignKey(
        "community.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="moderation_actions",
    )
    review = models.ForeignKey(
        ReviewItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    reverts = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reverted_by"
    )
    # What the decision changed: until when, from which space, the revision kept, ...
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    objects = ModerationActionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="modaction_time"),
            models.Index(fields=["member", "-created_at"], name="modaction_member"),
            models.Index(fields=["kind", "-created_at"], name="modaction_kind"),
            models.Index(fields=["post"], name="modaction_post"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} by {self.actor_id} on {self.post_id or self.member_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("The moderation log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The moderation log is append-only.")


class ScreeningWord(models.Model):
    """A word or phrase staff want held for review wherever it appears (case-insensitive)."""

    word = models.CharField(max_length=100, unique=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["word"]

    def __str__(self) -> str:
        return self.word
