"""Spaces, topics, posts, their revisions and reactions."""

from django.conf import settings
from django.db import models

from hearth.accounts.models import Affiliation
from hearth.core.links import fast_reverse

TITLE_MIN_LENGTH = 5
TITLE_MAX_LENGTH = 200
BODY_MAX_LENGTH = 50_000
STATE_REASON_MAX_LENGTH = 500


class State(models.TextChoices):
    """Where a post (and a topic, following its opening post) stands with moderation.

    Held and hidden posts are seen only by their author (with the reason) and moderators:
    never in lists, counts, search, notifications or the API for anyone else.
    """

    PUBLISHED = "published", "Published"
    HELD = "held", "Held for review"
    HIDDEN = "hidden", "Hidden by moderators"


class Space(models.Model):
    """A category of conversation, with who may see it and who may start topics in it."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Everyone, signed in or not"
        MEMBERS = "members", "Signed-in members"
        AFFILIATIONS = "affiliations", "Only chosen affiliations"

    class TopicStarters(models.TextChoices):
        MEMBERS = "members", "Any member who can see the space"
        EMPLOYEES = "employees", "Employees and staff"
        STAFF = "staff", "Moderators and community managers"

    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(max_length=500, blank=True)
    position = models.PositiveIntegerField(default=0)
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    # The affiliations (Affiliation values) that may see an AFFILIATIONS space.
    allowed_affiliations = models.JSONField(default=list, blank=True)
    topic_starters = models.CharField(
        max_length=16, choices=TopicStarters.choices, default=TopicStarters.MEMBERS
    )
    # Questions nobody but the asker answered within this many hours go to employee experts,
    # and after as many hours again to the community manager. Empty: never routed.
    routing_hours = models.PositiveIntegerField(null=True, blank=True, default=24)
    topic_count = models.PositiveIntegerField(default=0)
    post_count = models.PositiveIntegerField(default=0)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return fast_reverse("community:space", self.slug)

    @property
    def allowed_affiliation_labels(self) -> list[str]:
        labels = dict(Affiliation.choices)
        return [labels.get(value, value) for value in self.allowed_affiliations]


class Topic(models.Model):
    class Kind(models.TextChoices):
        DISCUSSION = "discussion", "Discussion"
        QUESTION = "question", "Question"

    space = models.ForeignKey(Space, on_delete=models.PROTECT, related_name="topics")
    # Indexed by topic_author_created, whose first column is the author.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="topics", db_index=False
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.DISCUSSION)
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    # Only decorates the URL: topics are found by id.
    slug = models.SlugField(max_length=80, allow_unicode=False, db_index=False)
    created_at = models.DateTimeField()
    last_activity_at = models.DateTimeField()
    last_poster = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reply_count = models.PositiveIntegerField(default=0)
    # Posts are numbered 1..last_position with no gaps (deleted ones stay as placeholders),
    # so this is also how many rows the topic page pages through.
    last_position = models.PositiveIntegerField(default=1)
    view_count = models.PositiveIntegerField(default=0)
    like_count = models.PositiveIntegerField(default=0)
    is_pinned = models.BooleanField(default=False)
    is_locked = models.BooleanField(default=False)
    tags = models.ManyToManyField("Tag", blank=True, related_name="topics")
    # Questions: the accepted answer, when it was accepted, and when someone other than the
    # asker first replied (what responsiveness is measured by).
    accepted_post = models.ForeignKey(
        "Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    solved_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    routed_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    accept_reminded_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # The state of the opening post: a held or hidden topic is out of every list.
    state = models.CharField(max_length=16, choices=State.choices, default=State.PUBLISHED)

    class Meta:
        indexes = [
            # The "latest" list and a space's list: pinned first, then by last activity.
            models.Index(
                fields=["space", "-is_pinned", "-last_activity_at", "-id"],
                name="topic_space_activity",
                condition=models.Q(deleted_at__isnull=True),
            ),
            models.Index(
                fields=["-last_activity_at", "-id"],
                name="topic_activity",
                condition=models.Q(deleted_at__isnull=True),
            ),
            models.Index(fields=["author", "-created_at"], name="topic_author_created"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return fast_reverse("community:topic", self.slug or "topic", self.pk)

    @property
    def unwritten_views_key(self) -> str:
        """The cache key of the views not yet added to `view_count` (`record_topic_view`)."""
        return f"hearth:topic-views:{self.pk}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_published(self) -> bool:
        return self.state == State.PUBLISHED


class Post(models.Model):
    """The opening post (position 1) or a reply. Body is stored as Markdown and as HTML."""

    # Both indexed as the first column of a composite index (post_position_unique,
    # post_author_created); a single-column index on either would only slow writes down.
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="posts", db_index=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="posts", db_index=False
    )
    position = models.PositiveIntegerField()
    body = models.TextField(max_length=BODY_MAX_LENGTH)
    body_html = models.TextField()
    created_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)
    revision_count = models.PositiveIntegerField(default=0)
    like_count = models.PositiveIntegerField(default=0)
    helpful_count = models.PositiveIntegerField(default=0)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A key the composer sends with each submit, so a double submit posts once.
    submit_key = models.CharField(max_length=64, blank=True, default="")
    # Imported posts keep their origin for attribution: who wrote it there, and where.
    source_url = models.URLField(max_length=500, blank=True)
    source_author = models.CharField(max_length=150, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PUBLISHED)
    # Why a post is held or hidden, as its author is told.
    state_reason = models.CharField(max_length=STATE_REASON_MAX_LENGTH, blank=True)
    # A wiki post may be edited by every member trusted enough (HEARTH_TRUST_WIKI_EDIT_LEVEL)
    # who may reply in its topic, not only by its author and the moderators.
    is_wiki = models.BooleanField(default=False)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "position"], name="post_position_unique"),
            models.UniqueConstraint(
                fields=["author", "submit_key"],
                condition=~models.Q(submit_key=""),
                name="post_submit_once",
            ),
        ]
        indexes = [
            models.Index(fields=["author", "-created_at"], name="post_author_created"),
            # The moderation queue's held and hidden posts: a small slice of the table.
            models.Index(
                fields=["state", "created_at"],
                name="post_not_published",
                condition=~models.Q(state="published"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic_id}#{self.position}"

    def get_absolute_url(self) -> str:
        return fast_reverse("community:post", self.pk)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_opening(self) -> bool:
        return self.position == 1

    @property
    def is_published(self) -> bool:
        return self.state == State.PUBLISHED

    @property
    def is_held(self) -> bool:
        return self.state == State.HELD

    @property
    def is_hidden(self) -> bool:
        return self.state == State.HIDDEN


class PostRevision(models.Model):
    """What a post said before an edit; revision 1 is the original."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=TITLE_MAX_LENGTH, blank=True)
    body = models.TextField()
    body_html = models.TextField()
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["post", "number"], name="revision_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.post_id} r{self.number}"


class Reaction(models.Model):
    class Kind(models.TextChoices):
        LIKE = "like", "Like"
        HELPFUL = "helpful", "Helpful"

    # Indexed as the first column of reaction_once and reaction_member_post.
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="reactions", db_index=False
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reactions", db_index=False
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "member", "kind"], name="reaction_once")
        ]
        indexes = [models.Index(fields=["member", "post"], name="reaction_member_post")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.kind} {self.post_id}"


class Tag(models.Model):
    """A label on topics, from a list staff keep; members pick from it."""

    name = models.CharField(max_length=50, unique=True)
    slug = models.SlugField(max_length=50, unique=True)
    description = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
