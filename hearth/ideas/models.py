"""Idea boards, product areas, statuses, ideas, votes, follows, status history and comments."""

from django.conf import settings
from django.db import models

from hearth.accounts.models import Affiliation
from hearth.core.links import fast_reverse

TITLE_MIN_LENGTH = 5
TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 20_000
NOTE_MAX_LENGTH = 2_000
COMMENT_MAX_LENGTH = 10_000
TRACKER_REF_MAX_LENGTH = 500
URL_MAX_LENGTH = 500
ANNOUNCEMENT_TITLE_MAX_LENGTH = 200
PROXY_NOTE_MAX_LENGTH = 500

# Ideas that are listed: a merged idea lives on only as a redirect to the one it joined.
LISTED = models.Q(merged_into__isnull=True)


class IdeaBoard(models.Model):
    """A place for ideas, with who may see it (and so submit, vote and comment there)."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Everyone, signed in or not"
        MEMBERS = "members", "Signed-in members"
        AFFILIATIONS = "affiliations", "Only chosen affiliations"

    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(max_length=500, blank=True)
    position = models.PositiveIntegerField(default=0)
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    # The affiliations (Affiliation values) that may see an AFFILIATIONS board.
    allowed_affiliations = models.JSONField(default=list, blank=True)
    # Listed (not merged) ideas on the board.
    idea_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return fast_reverse("ideas:board", self.slug)

    @property
    def allowed_affiliation_labels(self) -> list[str]:
        labels = dict(Affiliation.choices)
        return [labels.get(value, value) for value in self.allowed_affiliations]


class ProductArea(models.Model):
    """A part of the product an idea is about ("Mobile app", "Billing"); staff keep the list."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class IdeaStatus(models.Model):
    """One step of the list staff move ideas along: new, under review, planned, ...

    The list, names and colours are configurable; `meaning` tells the code what a status
    stands for (still open, shipped, declined), so renaming "Shipped" to "Done" changes nothing.
    """

    class Meaning(models.TextChoices):
        OPEN = "open", "Open: takes votes"
        SHIPPED = "shipped", "Shipped: done, takes no more votes"
        DECLINED = "declined", "Declined: closed without doing it, takes no more votes"

    class Colour(models.TextChoices):
        # Named colours of the theme, so each reads well in the light and the dark theme.
        SLATE = "slate", "Slate"
        BLUE = "blue", "Blue"
        INDIGO = "indigo", "Indigo"
        PURPLE = "purple", "Purple"
        TEAL = "teal", "Teal"
        GREEN = "green", "Green"
        AMBER = "amber", "Amber"
        PINK = "pink", "Pink"

    name = models.CharField(max_length=40)
    slug = models.SlugField(max_length=40, unique=True)
    description = models.CharField(max_length=300, blank=True)
    colour = models.CharField(max_length=16, choices=Colour.choices, default=Colour.SLATE)
    position = models.PositiveIntegerField(default=0)
    meaning = models.CharField(max_length=16, choices=Meaning.choices, default=Meaning.OPEN)
    on_roadmap = models.BooleanField(default=False, help_text="Shown as a column of the roadmap.")
    is_default = models.BooleanField(default=False, help_text="The status new ideas start in.")

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "idea statuses"
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="idea_status_one_default",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.meaning == self.Meaning.OPEN

    @property
    def is_shipped(self) -> bool:
        return self.meaning == self.Meaning.SHIPPED


class Idea(models.Model):
    # Indexed as the first column of idea_board_votes.
    board = models.ForeignKey(
        IdeaBoard, on_delete=models.PROTECT, related_name="ideas", db_index=False
    )
    # Indexed as the first column of idea_author_created.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ideas", db_index=False
    )
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    # Only decorates the URL: ideas are found by id.
    slug = models.SlugField(max_length=80, db_index=False)
    description = models.TextField(max_length=DESCRIPTION_MAX_LENGTH)
    description_html = models.TextField()
    # Indexed as the first column of idea_area_votes.
    area = models.ForeignKey(
        ProductArea,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ideas",
        db_index=False,
    )
    # Indexed as the first column of idea_status_votes.
    status = models.ForeignKey(
        IdeaStatus, on_delete=models.PROTECT, related_name="ideas", db_index=False
    )
    # Always equal to the idea's IdeaVote rows: changed with F() in the transaction that adds
    # or removes a row, and recounted from the rows when a merge moves them.
    vote_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    # Last change worth telling ("recently updated"): submitted, status, comment, merge.
    updated_at = models.DateTimeField()
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # Where the team tracks the work: an issue key or a URL (employees and staff only).
    tracker_ref = models.CharField(max_length=TRACKER_REF_MAX_LENGTH, blank=True)
    # What voters are pointed to once it ships: a topic's address here, or any link.
    announcement_url = models.CharField(max_length=URL_MAX_LENGTH, blank=True)
    announcement_title = models.CharField(max_length=ANNOUNCEMENT_TITLE_MAX_LENGTH, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_ideas"
    )
    merged_at = models.DateTimeField(null=True, blank=True)
    # A key the composer sends with each submit, so a double submit creates one idea.
    submit_key = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["author", "submit_key"],
                condition=~models.Q(submit_key=""),
                name="idea_submit_once",
            ),
            models.CheckConstraint(
                condition=~models.Q(merged_into=models.F("id")), name="idea_not_merged_into_itself"
            ),
        ]
        indexes = [
            # The lists, each sort with and without a board, status or area filter.
            models.Index(fields=["-vote_count", "-id"], name="idea_votes", condition=LISTED),
            models.Index(fields=["-created_at", "-id"], name="idea_newest", condition=LISTED),
            models.Index(fields=["-updated_at", "-id"], name="idea_updated", condition=LISTED),
            models.Index(
                fields=["board", "-vote_count", "-id"], name="idea_board_votes", condition=LISTED
            ),
            models.Index(
                fields=["status", "-vote_count", "-id"], name="idea_status_votes", condition=LISTED
            ),
            models.Index(
                fields=["area", "-vote_count", "-id"], name="idea_area_votes", condition=LISTED
            ),
            models.Index(fields=["author", "-created_at"], name="idea_author_created"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return fast_reverse("ideas:idea", self.pk)

    @property
    def is_merged(self) -> bool:
        return self.merged_into_id is not None

    @property
    def tracker_url(self) -> str:
        """The tracker reference when it is a link, else ""."""
        ref = self.tracker_ref
        return ref if ref.startswith(("https://", "http://")) and " " not in ref else ""


class VoteChannel(models.TextChoices):
    """Where a vote staff recorded for someone came from."""

    PHONE = "phone", "Phone call"
    EMAIL = "email", "E-mail"
    EVENT = "event", "Event"
    SALES_CALL = "sales_call", "Sales call"
    SUPPORT_TICKET = "support_ticket", "Support ticket"
    OTHER = "other", "Other"


class IdeaVote(models.Model):
    """One member's vote for one idea; staff may record it for a customer who asked elsewhere."""

    # Indexed as the first column of idea_vote_once and idea_vote_recent.
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="votes", db_index=False)
    # PROTECT: a vote goes away only through the service that also lowers the count.
    # Indexed as the first column of idea_vote_voter.
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="idea_votes",
        db_index=False,
    )
    created_at = models.DateTimeField()
    # Set when staff recorded the vote on the voter's behalf, with where it came from.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    channel = models.CharField(max_length=16, choices=VoteChannel.choices, blank=True)
    note = models.CharField(max_length=PROXY_NOTE_MAX_LENGTH, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["idea", "voter"], name="idea_vote_once")]
        indexes = [
            # Trending (votes in the last days) and the newest votes on an idea.
            models.Index(fields=["idea", "-created_at"], name="idea_vote_recent"),
            # "Which of these ideas did I vote for?" on every list.
            models.Index(fields=["voter", "idea"], name="idea_vote_voter"),
        ]

    def __str__(self) -> str:
        return f"{self.voter_id} votes {self.idea_id}"

    @property
    def is_proxy(self) -> bool:
        return bool(self.channel)


class IdeaFollow(models.Model):
    """A member hears about every change to the idea: voters, the author and those who chose to."""

    # Indexed as the first column of idea_follow_once.
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="follows", db_index=False)
    # Indexed as the first column of idea_follow_member.
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="idea_follows",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["idea", "member"], name="idea_follow_once")]
        indexes = [models.Index(fields=["member", "idea"], name="idea_follow_member")]

    def __str__(self) -> str:
        return f"{self.member_id} follows {self.idea_id}"


class IdeaStatusChange(models.Model):
    """A status change with its public note: the idea page shows them as its history."""

    # Indexed as the first column of idea_status_change_time.
    idea = models.ForeignKey(
        Idea, on_delete=models.CASCADE, related_name="status_changes", db_index=False
    )
    from_status = models.ForeignKey(
        IdeaStatus, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_status = models.ForeignKey(IdeaStatus, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(max_length=NOTE_MAX_LENGTH, blank=True)
    note_html = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["idea", "created_at"], name="idea_status_change_time")]

    def __str__(self) -> str:
        return f"{self.idea_id}: {self.from_status_id} → {self.to_status_id}"


class IdeaComment(models.Model):
    # Indexed as the first column of idea_comment_time.
    idea = models.ForeignKey(
        Idea, on_delete=models.CASCADE, related_name="comments", db_index=False
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="idea_comments"
    )
    body = models.TextField(max_length=COMMENT_MAX_LENGTH)
    body_html = models.TextField()
    created_at = models.DateTimeField()
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["idea", "created_at", "id"], name="idea_comment_time")]

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.idea_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None
