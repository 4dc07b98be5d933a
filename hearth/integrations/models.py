"""What importers brought in, and from where: the key to re-running an import safely."""

from django.conf import settings
from django.db import models

from hearth.community.models import Post, Topic


class ImportedObject(models.Model):
    """One record of a source (a member, a question, an answer...) and the Hearth row it became.

    Importing the same source again looks its records up here, so it updates what it made
    before instead of making it twice.
    """

    class Kind(models.TextChoices):
        MEMBER = "member", "Member"
        # An author whose account was deleted at the source: known by name only.
        FORMER_MEMBER = "former_member", "Former member"
        TAG = "tag", "Tag"
        QUESTION = "question", "Question (topic)"
        QUESTION_POST = "question_post", "Question (opening post)"
        ANSWER = "answer", "Answer"
        COMMENT = "comment", "Comment"

    # Which importer and which site, e.g. "stackexchange:beer.stackexchange.com".
    source = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    external_id = models.CharField(max_length=200)
    object_id = models.BigIntegerField()
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "external_id"], name="imported_object_once"
            )
        ]
        indexes = [
            models.Index(fields=["kind", "object_id"], name="imported_object_target"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.kind} {self.external_id} -> {self.object_id}"


class ImportedVote(models.Model):
    """A vote cast at the source, kept with its day.

    Stack Exchange publishes votes without their voter (except favourites and bounties), so
    they cannot be Hearth reactions, which belong to a member. Up votes are counted into the
    post's like_count; every vote stays here, dated, for analytics.
    """

    class Type(models.IntegerChoices):
        # Stack Exchange's VoteTypeId codes.
        ACCEPTED = 1, "Accepted by the asker"
        UP = 2, "Up vote"
        DOWN = 3, "Down vote"
        OFFENSIVE = 4, "Offensive"
        FAVORITE = 5, "Favourite"
        CLOSE = 6, "Close"
        REOPEN = 7, "Reopen"
        BOUNTY_START = 8, "Bounty started"
        BOUNTY_CLOSE = 9, "Bounty awarded"
        DELETION = 10, "Deletion"
        UNDELETION = 11, "Undeletion"
        SPAM = 12, "Spam"
        MODERATOR_REVIEW = 15, "Moderator review"
        APPROVE_EDIT = 16, "Edit suggestion approved"

    source = models.CharField(max_length=200)
    external_id = models.CharField(max_length=200)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    vote_type = models.PositiveSmallIntegerField()
    # Only favourites and bounties name their voter.
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Stack Exchange gives the day only (midnight UTC).
    voted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="imported_vote_once")
        ]
        indexes = [models.Index(fields=["post", "vote_type"], name="imported_vote_post")]

    def __str__(self) -> str:
        return f"{self.source} vote {self.external_id} ({self.vote_type}) on {self.post_id}"


class ImportedLink(models.Model):
    """A link between two imported questions: a duplicate of an original, or a related one."""

    class Kind(models.TextChoices):
        DUPLICATE = "duplicate", "Duplicate of"
        RELATED = "related", "Related to"

    source = models.CharField(max_length=200)
    external_id = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # For a duplicate: `topic` is the duplicate question, `target` the original.
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="imported_link_once")
        ]
        indexes = [models.Index(fields=["kind", "topic"], name="imported_link_kind_topic")]

    def __str__(self) -> str:
        return f"{self.topic_id} {self.kind} {self.target_id}"
