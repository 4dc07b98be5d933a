"""Notifications, what members watch, and how each member wants to hear from us."""

from django.conf import settings
from django.db import models


class Trigger(models.TextChoices):
    """Why a member hears about something. Later capabilities add their own."""

    REPLY = "reply", "A reply to my topic"
    QUOTE = "quote", "Someone quotes me"
    MENTION = "mention", "Someone @mentions me"
    REACTION = "reaction", "Reactions to my posts"
    NEW_TOPIC = "new_topic", "A new topic in a space I watch"
    TOPIC_ACTIVITY = "topic_activity", "New posts in a topic I watch"
    IDEA_UPDATES = "idea_updates", "News about ideas I follow"


class Channel(models.TextChoices):
    IN_APP = "in_app", "In the notification centre"
    EMAIL = "email", "Right away by e-mail (and in the centre)"
    DIGEST = "digest", "In my e-mail digest (and in the centre)"
    OFF = "off", "Not at all"


DEFAULT_CHANNELS = {
    Trigger.REPLY: Channel.EMAIL,
    Trigger.QUOTE: Channel.EMAIL,
    Trigger.MENTION: Channel.EMAIL,
    Trigger.REACTION: Channel.IN_APP,
    Trigger.NEW_TOPIC: Channel.DIGEST,
    Trigger.TOPIC_ACTIVITY: Channel.DIGEST,
    Trigger.IDEA_UPDATES: Channel.EMAIL,
}


# How each kind of notification reads: "<who> <phrase> <title>". Later triggers add theirs.
VERB_PHRASES = {
    Trigger.REPLY: "replied to",
    Trigger.QUOTE: "quoted you in",
    Trigger.MENTION: "mentioned you in",
    Trigger.REACTION: "reacted to your post in",
    Trigger.NEW_TOPIC: "started a new topic:",
    Trigger.TOPIC_ACTIVITY: "posted in",
    "accepted": "accepted your answer in",
    "routed": "needs an expert:",
    "escalated": "is still unanswered:",
    "accept_reminder": "got answers: accept the one that helped in",
    # Ideas: voters and followers hear how an idea moves along.
    "idea_status_changed": "changed the status of",
    "idea_shipped": "shipped",
    "idea_announced": "announced",
    "idea_merged": "merged an idea you follow into",
    "idea_commented": "commented on",
    "idea_vote_recorded": "recorded your vote for",
    # Moderation: every decision reaches its author with the reason (in the excerpt).
    "moderation_held": "are reviewing your post before it appears in",
    "moderation_approved": "published your post in",
    "moderation_hidden": "hid your post in",
    "moderation_edited": "edited your post in",
    "moderation_moved": "moved your topic",
    "moderation_deleted": "deleted your post in",
    "moderation_warned": "sent you a warning about",
    "moderation_silenced": "silenced your account until",
    "moderation_suspended": "suspended your account until",
    "moderation_banned": "banned your account from",
    "moderation_restored": "reversed their decision on",
    "moderation_lifted": "lifted the restriction on",
}
IDEA_PREFIX = "idea_"
MODERATION_PREFIX = "moderation_"
# Verbs that are not a trigger of their own and the setting that decides how they arrive:
# every idea notification (status changes, shipping, announcements, merges, comments, a vote
# staff recorded) follows "idea updates".
PREFERENCE_OF_VERB = {
    verb: Trigger.IDEA_UPDATES.value for verb in VERB_PHRASES if verb.startswith(IDEA_PREFIX)
}


def preference_for(verb: str) -> str:
    """The setting (a `Trigger` value) that decides how `verb` arrives; the verb itself when
    it has no setting (it then has a default channel, or arrives in the centre only)."""
    return PREFERENCE_OF_VERB.get(verb, verb)


# Moderation decisions are e-mailed right away by default: a suspended member cannot log in
# to read them.
DEFAULT_CHANNELS.update(
    {verb: Channel.EMAIL for verb in VERB_PHRASES if verb.startswith(MODERATION_PREFIX)}
)


class Notification(models.Model):
    class EmailState(models.TextChoices):
        NONE = "none", "No e-mail"
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent"
        RETRYING = "retrying", "Failed, will retry"
        FAILED = "failed", "Failed"
        DIGEST = "digest", "Waiting for the digest"
        DIGESTED = "digested", "Sent in a digest"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    verb = models.CharField(max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Names of the latest actors, newest first, for "Ana, Ben and 3 others liked ...".
    actor_names = models.JSONField(default=list, blank=True)
    actor_count = models.PositiveIntegerField(default=1)
    # Who has been folded in so far, so one person reacting twice is counted once.
    actor_ids = models.JSONField(default=list, blank=True)
    target_type = models.CharField(max_length=64)
    target_id = models.BigIntegerField()
    title = models.CharField(max_length=300)
    excerpt = models.CharField(max_length=300, blank=True)
    url = models.CharField(max_length=500)
    # Notifications with the same key fold into one while unread (reactions to one post).
    group_key = models.CharField(max_length=100, blank=True, default="")
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.IN_APP)
    email_state = models.CharField(
        max_length=16, choices=EmailState.choices, default=EmailState.NONE
    )
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-updated_at", "-id"], name="notification_inbox"),
            models.Index(
                fields=["recipient", "email_state"],
                name="notification_digest",
                condition=models.Q(email_state="digest"),
            ),
            models.Index(
                fields=["email_state", "updated_at"],
                name="notification_email_trouble",
                condition=models.Q(email_state__in=["retrying", "failed"]),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "group_key"],
                condition=models.Q(read_at__isnull=True) & ~models.Q(group_key=""),
                name="notification_one_unread_group",
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.verb} {self.title}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    def get_verb_phrase(self) -> str:
        return VERB_PHRASES.get(self.verb, "updated")

    @property
    def sentence(self) -> str:
        return f"{self.who} {self.get_verb_phrase()} {self.title}"

    @property
    def is_moderation(self) -> bool:
        """A moderation decision: its message links the code of conduct."""
        return self.verb.startswith(MODERATION_PREFIX)

    @property
    def who(self) -> str:
        """'Ana', 'Ana and Ben', or 'Ana, Ben and 3 others' ('A question' for the system)."""
        if self.is_moderation:
            return "The moderators"
        if not self.actor_names:
            if self.verb == "accept_reminder":
                return "Your question"
            return "A question" if self.target_type == "topic" else "Someone"
        names = list(self.actor_names[:2])
        others = self.actor_count - len(names)
        if others > 0:
            return f"{', '.join(names)} and {others} other{'s' if others > 1 else ''}"
        return " and ".join(names)


class Watch(models.Model):
    """How closely a member follows a space or a topic."""

    class Level(models.TextChoices):
        WATCHING = "watching", "Watching: every new post, by e-mail as I chose"
        TRACKING = "tracking", "Tracking: every new post, in the notification centre only"
        NORMAL = "normal", "Normal: only replies to me, mentions and quotes"
        MUTED = "muted", "Muted: nothing at all"

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watches"
    )
    space = models.ForeignKey(
        "community.Space", null=True, blank=True, on_delete=models.CASCADE, related_name="watches"
    )
    topic = models.ForeignKey(
        "community.Topic", null=True, blank=True, on_delete=models.CASCADE, related_name="watches"
    )
    level = models.CharField(max_length=16, choices=Level.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "space"],
                condition=models.Q(space__isnull=False),
                name="watch_space_once",
            ),
            models.UniqueConstraint(
                fields=["member", "topic"],
                condition=models.Q(topic__isnull=False),
                name="watch_topic_once",
            ),
            models.CheckConstraint(
                condition=models.Q(space__isnull=True) ^ models.Q(topic__isnull=True),
                name="watch_space_or_topic",
            ),
        ]
        indexes = [
            models.Index(fields=["space", "level"], name="watch_space_level"),
            models.Index(fields=["topic", "level"], name="watch_topic_level"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.level} {'space' if self.space_id else 'topic'}"


class Preferences(models.Model):
    """How a member wants to hear from us. A member without a row has the defaults."""

    class Digest(models.TextChoices):
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"
        NEVER = "never", "Never"

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    reply = models.CharField(max_length=16, choices=Channel.choices, default=Channel.EMAIL)
    quote = models.CharField(max_length=16, choices=Channel.choices, default=Channel.EMAIL)
    mention = models.CharField(max_length=16, choices=Channel.choices, default=Channel.EMAIL)
    reaction = models.CharField(max_length=16, choices=Channel.choices, default=Channel.IN_APP)
    new_topic = models.CharField(max_length=16, choices=Channel.choices, default=Channel.DIGEST)
    topic_activity = models.CharField(
        max_length=16, choices=Channel.choices, default=Channel.DIGEST
    )
    idea_updates = models.CharField(max_length=16, choices=Channel.choices, default=Channel.EMAIL)
    digest_frequency = models.CharField(max_length=8, choices=Digest.choices, default=Digest.DAILY)
    quiet_hours_start = models.TimeField(null=True, blank=True)
    quiet_hours_end = models.TimeField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    last_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "preferences"

    def __str__(self) -> str:
        return f"Preferences of {self.member_id}"

    def channel_for(self, trigger: str) -> str:
        """How a notification of `trigger` (a trigger, or a verb with a setting) arrives."""
        trigger = preference_for(trigger)
        if trigger in Trigger.values:
            return getattr(self, trigger)
        return DEFAULT_CHANNELS.get(trigger, Channel.IN_APP)
