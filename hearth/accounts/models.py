"""Members, their affiliation and role, organizations, and the code of conduct."""

import datetime

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from hearth.core.links import fast_reverse


class Affiliation(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    PROSPECT = "prospect", "Prospect"
    EMPLOYEE = "employee", "Employee"
    PARTNER = "partner", "Partner"
    JOURNALIST = "journalist", "Journalist"
    SUPPLIER = "supplier", "Supplier"
    ADVISOR = "advisor", "Advisor"
    OTHER = "other", "Other"


# Affiliations that open restricted spaces are granted by a community manager, never
# self-declared at sign-up.
GRANTED_AFFILIATIONS = frozenset({Affiliation.EMPLOYEE, Affiliation.PARTNER})
SELF_DECLARED_AFFILIATIONS = [
    (value, label) for value, label in Affiliation.choices if value not in GRANTED_AFFILIATIONS
]


class Role(models.TextChoices):
    MEMBER = "member", "Member"
    EXPERT = "expert", "Employee expert"
    MODERATOR = "moderator", "Moderator"
    MANAGER = "manager", "Community manager"


class JourneyStage(models.TextChoices):
    KNOW = "know", "Know"
    LIKE = "like", "Like"
    TRUST = "trust", "Trust"
    TRY = "try", "Try"
    BUY = "buy", "Buy"
    REPEAT = "repeat", "Repeat"
    REFER = "refer", "Refer"


class Organization(models.Model):
    class Kind(models.TextChoices):
        CUSTOMER = "customer", "Customer account"
        PARTNER = "partner", "Partner"
        SUPPLIER = "supplier", "Supplier"
        MEDIA = "media", "Media"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.OTHER)
    website = models.URLField(blank=True)
    # What the account is worth to the business (e.g. annual revenue, in one currency for
    # all): ideas weigh their voters' organizations by it. Empty when unknown.
    annual_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["kind", "name"], name="org_kind_name")]

    def __str__(self) -> str:
        return self.name


class ExpertiseTag(models.Model):
    name = models.CharField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# A ban is a suspension that does not end.
BANNED_UNTIL = datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC)


class MemberManager(UserManager):
    def get_by_natural_key(self, username):
        # Usernames are unique ignoring case, so "Cara" logs in as cara.
        return self.get(username__iexact=username)

    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # An administrator created from the command line is a community manager.
        extra_fields.setdefault("role", Role.MANAGER)
        extra_fields.setdefault("affiliation", Affiliation.EMPLOYEE)
        return super().create_superuser(username, email, password, **extra_fields)


class Member(AbstractUser):
    """A person in the community. Staff-ness follows the role, never set by hand."""

    display_name = models.CharField(max_length=80, blank=True)
    bio = models.TextField(max_length=2000, blank=True)
    bio_html = models.TextField(blank=True, editable=False)
    avatar = models.ImageField(upload_to="avatars/%Y/%m/", blank=True)
    affiliation = models.CharField(
        max_length=16, choices=Affiliation.choices, default=Affiliation.CUSTOMER
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    journey_stage = models.CharField(
        max_length=16, choices=JourneyStage.choices, default=JourneyStage.KNOW
    )
    expertise = models.ManyToManyField(ExpertiseTag, blank=True, related_name="members")
    post_count = models.PositiveIntegerField(default=0)
    conduct_version_accepted = models.PositiveIntegerField(default=0)
    # Kept by the notification services so every page can show the badge without a query.
    unread_notifications = models.PositiveIntegerField(default=0)
    # Trust (0 new .. 4 leader) is computed nightly from activity unless staff locked it; it
    # unlocks abilities. Silences and suspensions are set only by moderation's services:
    # silenced members read but cannot post or flag, suspended members cannot log in.
    trust_level = models.PositiveSmallIntegerField(default=0)
    trust_level_locked = models.BooleanField(default=False)
    silenced_until = models.DateTimeField(null=True, blank=True)
    suspended_until = models.DateTimeField(null=True, blank=True)
    # Posts shown to the member on topic pages: what trust levels count as "posts read".
    posts_read = models.PositiveIntegerField(default=0)

    objects = MemberManager()

    class Meta:
        indexes = [
            models.Index(fields=["affiliation"], name="member_affiliation"),
            models.Index(fields=["role"], name="member_role"),
            # Mentions and profile links find members by username ignoring case.
            models.Index(Lower("username"), name="member_username_lower"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.display_name or self.username

    @property
    def initials(self) -> str:
        parts = self.name.split()
        letters = "".join(p[0] for p in parts[:2]) if parts else self.username[:1]
        return letters.upper() or "?"

    @property
    def is_moderator(self) -> bool:
        return self.role in (Role.MODERATOR, Role.MANAGER)

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER

    @property
    def is_employee(self) -> bool:
        return self.affiliation == Affiliation.EMPLOYEE

    @property
    def is_suspended(self) -> bool:
        return self.suspended_until is not None and self.suspended_until > timezone.now()

    @property
    def is_banned(self) -> bool:
        return self.suspended_until is not None and self.suspended_until >= BANNED_UNTIL

    @property
    def is_silenced(self) -> bool:
        return self.silenced_until is not None and self.silenced_until > timezone.now()

    def get_absolute_url(self) -> str:
        return fast_reverse("community:profile", self.username)


class CodeOfConduct(models.Model):
    """One published version of the code of conduct; the newest is in force."""

    version = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=200, default="Code of conduct")
    body = models.TextField()
    body_html = models.TextField(editable=False)
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-version"]
        verbose_name = "code of conduct"
        verbose_name_plural = "code of conduct versions"

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class ConductAcceptance(models.Model):
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="conduct_acceptances")
    conduct = models.ForeignKey(CodeOfConduct, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "conduct"], name="conduct_accepted_once")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} accepted v{self.conduct_id}"


class ApiToken(models.Model):
    """A personal API token. Only a hash of the secret is stored; the member sees it once."""

    class Scope(models.TextChoices):
        READ = "read", "Read"
        WRITE = "write", "Read and write"

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    # The public part of the token, used to find it; the secret is compared by hash.
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    scope = models.CharField(max_length=8, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["member", "-created_at"], name="apitoken_member")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.WRITE
