"""Every write about members, organizations and the code of conduct."""

import datetime
import hashlib
import hmac
import secrets
from decimal import Decimal, InvalidOperation

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, UnidentifiedImageError

from hearth.accounts.models import (
    GRANTED_AFFILIATIONS,
    Affiliation,
    ApiToken,
    CodeOfConduct,
    ConductAcceptance,
    ExpertiseTag,
    Member,
    Organization,
    Role,
)
from hearth.accounts.permissions import can_change_role, can_edit_code_of_conduct, can_edit_profile
from hearth.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from hearth.core.markdown import render_markdown
from hearth.core.services import record_activity

AVATAR_MAX_BYTES = 2 * 1024 * 1024
AVATAR_FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}
AVATAR_MAX_PIXELS = 4096 * 4096
MAX_EXPERTISE_TAGS = 10


def current_code_of_conduct() -> CodeOfConduct | None:
    return CodeOfConduct.objects.order_by("-version").first()


def conduct_is_current(member: Member) -> bool:
    """Whether `member` accepted the code of conduct in force (one query); posting needs it.

    A new version re-prompts everyone: until they accept it they can read but not post.
    """
    if not member.is_authenticated:
        return False
    latest = CodeOfConduct.objects.order_by("-version").values_list("version", flat=True).first()
    return latest is None or member.conduct_version_accepted >= latest


# The refusals every app that lets members write (community, ideas) gives, with the same codes
# and messages everywhere. They live here, beneath both, because ideas may not import
# community; community's `_require_current_conduct` / `_require_unrestricted` are these.


def require_current_conduct(member: Member) -> None:
    """Reading needs nothing; posting needs the code of conduct in force accepted."""
    if not conduct_is_current(member):
        raise NotAllowed(
            "The code of conduct has changed: please read and accept the new version "
            "(Code of conduct, in the menu) before you post.",
            code="conduct_not_accepted",
        )


def require_unrestricted(member: Member) -> None:
    """Moderators may silence (read only) or suspend a member: say so, and until when."""
    if member.is_suspended:
        raise NotAllowed("Your account is suspended.", code="account_suspended")
    if member.is_silenced:
        until = timezone.localtime(member.silenced_until)
        raise NotAllowed(
            f"You are silenced until {until:%d %B %Y, %H:%M %Z}: you can read, but not post "
            "or react. See the code of conduct.",
            code="silenced",
        )


@transaction.atomic
def publish_code_of_conduct(*, actor: Member | None, body: str, title: str = "") -> CodeOfConduct:
    """Publish a new version of the code of conduct; earlier versions stay on record."""
    if actor is not None and not can_edit_code_of_conduct(actor):
        raise NotAllowed("Only community managers can change the code of conduct.")
    body = body.strip()
    if not body:
        raise ValidationFailed("The code of conduct cannot be empty.", field="body")
    latest = current_code_of_conduct()
    conduct = CodeOfConduct.objects.create(
        version=(latest.version + 1) if latest else 1,
        title=title.strip() or "Code of conduct",
        body=body,
        body_html=render_markdown(body).html,
        published_by=actor,
    )
    record_activity(
        actor=actor, verb="conduct.published", target=conduct, payload={"version": conduct.version}
    )
    return conduct


@transaction.atomic
def accept_code_of_conduct(*, member: Member, conduct: CodeOfConduct) -> ConductAcceptance:
    acceptance, created = ConductAcceptance.objects.get_or_create(member=member, conduct=conduct)
    if created:
        Member.objects.filter(pk=member.pk).update(conduct_version_accepted=conduct.version)
        member.conduct_version_accepted = conduct.version
        record_activity(
            actor=member,
            verb="conduct.accepted",
            target=conduct,
            payload={"version": conduct.version},
        )
    return acceptance


def _clean_display_name(display_name: str) -> str:
    display_name = " ".join((display_name or "").split())
    if len(display_name) > 80:
        raise ValidationFailed("Display names can be at most 80 characters.", field="display_name")
    return display_name


def _validate_username(username: str) -> str:
    username = username.strip()
    field = Member._meta.get_field("username")
    try:
        field.run_validators(username)
    except ValidationError as error:
        raise ValidationFailed(" ".join(error.messages), field="username") from error
    if not username:
        raise ValidationFailed("Choose a username.", field="username")
    if Member.objects.filter(username__iexact=username).exists():
        raise ValidationFailed("That username is taken.", code="username_taken", field="username")
    return username


@transaction.atomic
def create_member(
    *,
    username: str,
    email: str,
    password: str,
    display_name: str = "",
    affiliation: str = Affiliation.CUSTOMER,
    organization: Organization | None = None,
    role: str = Role.MEMBER,
    accepted_conduct: bool,
    bio: str = "",
    affiliation_verified: bool = False,
) -> Member:
    """Sign a new member up. They must accept the code of conduct in force.

    Employee and partner affiliations open restricted spaces, so they are taken only when
    `affiliation_verified` (an import, or a manager adding the member); sign-up offers the rest.
    """
    conduct = current_code_of_conduct()
    if conduct is not None and not accepted_conduct:
        raise ValidationFailed(
            "Please read and accept the code of conduct to join.",
            code="conduct_not_accepted",
            field="accept_conduct",
        )
    username = _validate_username(username)
    if affiliation not in Affiliation.values:
        raise ValidationFailed("Choose an affiliation from the list.", field="affiliation")
    if affiliation in GRANTED_AFFILIATIONS and not affiliation_verified:
        raise ValidationFailed(
            "Employee and partner accounts are set up by the community team.",
            code="affiliation_locked",
            field="affiliation",
        )
    if role not in Role.values:
        raise ValidationFailed("Unknown role.", field="role")
    email = Member.objects.normalize_email(email.strip())
    if email and Member.objects.filter(email__iexact=email).exists():
        raise ValidationFailed(
            "An account with that e-mail address exists already.", code="email_taken", field="email"
        )
    member = Member(
        username=username,
        email=email,
        display_name=_clean_display_name(display_name),
        affiliation=affiliation,
        organization=organization,
        bio=bio.strip(),
        bio_html=render_markdown(bio.strip()).html if bio.strip() else "",
    )
    try:
        validate_password(password, member)
    except ValidationError as error:
        raise ValidationFailed(" ".join(error.messages), field="password") from error
    member.set_password(password)
    _apply_role(member, role)
    member.save()
    record_activity(
        actor=member, verb="member.joined", target=member, payload={"affiliation": affiliation}
    )
    if conduct is not None:
        accept_code_of_conduct(member=member, conduct=conduct)
    return member


def _apply_role(member: Member, role: str) -> None:
    member.role = role
    member.is_staff = role == Role.MANAGER
    member.is_superuser = role == Role.MANAGER


@transaction.atomic
def change_member_role(*, actor: Member, member: Member, role: str) -> Member:
    if not can_change_role(actor):
        raise NotAllowed("Only community managers can change roles.")
    if role not in Role.values:
        raise ValidationFailed("Unknown role.", field="role")
    previous = member.role
    _apply_role(member, role)
    member.save(update_fields=["role", "is_staff", "is_superuser"])
    record_activity(
        actor=actor,
        verb="member.role_changed",
        target=member,
        payload={"from": previous, "to": role},
    )
    return member


def validate_avatar(upload: UploadedFile) -> str:
    """Check an uploaded avatar's size and that it really is an image; returns its extension."""
    if upload.size > AVATAR_MAX_BYTES:
        raise ValidationFailed(
            "Avatars can be at most 2 MB.", code="avatar_too_large", field="avatar"
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as error:
        raise ValidationFailed(
            "That file is not an image we can use (PNG, JPEG, GIF or WebP).",
            code="avatar_invalid",
            field="avatar",
        ) from error
    finally:
        upload.seek(0)
    if image_format not in AVATAR_FORMATS:
        raise ValidationFailed(
            "Avatars must be PNG, JPEG, GIF or WebP images.", code="avatar_invalid", field="avatar"
        )
    if width * height > AVATAR_MAX_PIXELS:
        raise ValidationFailed("That image is too large.", code="avatar_too_large", field="avatar")
    return AVATAR_FORMATS[image_format]


def _parse_expertise(text: str) -> list[str]:
    names = []
    for raw in text.split(","):
        name = slugify(raw.strip())[:50]
        if name and name not in names:
            names.append(name)
    if len(names) > MAX_EXPERTISE_TAGS:
        raise ValidationFailed(f"At most {MAX_EXPERTISE_TAGS} expertise tags.", field="expertise")
    return names


@transaction.atomic
def update_profile(
    *,
    actor: Member,
    member: Member,
    display_name: str,
    bio: str,
    affiliation: str | None = None,
    organization: Organization | None = None,
    expertise: str | None = None,
    avatar: UploadedFile | None = None,
    remove_avatar: bool = False,
) -> Member:
    """Change what a member shows about themselves."""
    if not can_edit_profile(actor, member):
        raise NotAllowed("You can only edit your own profile.")
    display_name = _clean_display_name(display_name)
    bio = bio.strip()
    if len(bio) > 2000:
        raise ValidationFailed("Bios can be at most 2,000 characters.", field="bio")
    member.display_name = display_name
    member.bio = bio
    member.bio_html = render_markdown(bio).html if bio else ""
    if affiliation is not None:
        if affiliation not in Affiliation.values:
            raise ValidationFailed("Choose an affiliation from the list.", field="affiliation")
        # Employee and partner affiliations open restricted spaces: only a manager grants
        # or removes them.
        granted = {affiliation, member.affiliation} & GRANTED_AFFILIATIONS
        if affiliation != member.affiliation and granted and not actor.is_manager:
            raise NotAllowed(
                "Only a community manager can change an employee or partner affiliation.",
                code="affiliation_locked",
            )
        member.affiliation = affiliation
    if (
        organization is not None
        and organization.pk != member.organization_id
        and organization.kind == Organization.Kind.PARTNER
        and member.affiliation != Affiliation.PARTNER
        and not actor.is_manager
    ):
        raise NotAllowed(
            "Only partners belong to a partner organization; ask the community team.",
            code="organization_locked",
        )
    member.organization = organization
    if avatar is not None:
        extension = validate_avatar(avatar)
        avatar.name = f"{member.pk}.{extension}"
        member.avatar = avatar
    elif remove_avatar:
        member.avatar = ""
    member.save()
    if expertise is not None:
        names = _parse_expertise(expertise)
        existing = {tag.name: tag for tag in ExpertiseTag.objects.filter(name__in=names)}
        missing = [ExpertiseTag(name=n) for n in names if n not in existing]
        ExpertiseTag.objects.bulk_create(missing, ignore_conflicts=True)
        member.expertise.set(ExpertiseTag.objects.filter(name__in=names))
    record_activity(actor=actor, verb="member.profile_updated", target=member)
    return member


@transaction.atomic
def create_organization(
    *,
    actor: Member | None,
    name: str,
    kind: str,
    website: str = "",
    annual_value: Decimal | None = None,
) -> Organization:
    name = name.strip()
    if not name or len(name) > 200:
        raise ValidationFailed(
            "Give the organization a name of up to 200 characters.", field="name"
        )
    if kind not in Organization.Kind.values:
        raise ValidationFailed("Unknown kind of organization.", field="kind")
    annual_value = _clean_annual_value(annual_value)
    organization, created = Organization.objects.get_or_create(
        name=name, defaults={"kind": kind, "website": website, "annual_value": annual_value}
    )
    if created:
        record_activity(actor=actor, verb="organization.created", target=organization)
    return organization


MAX_ANNUAL_VALUE = Decimal("999999999999.99")


def _clean_annual_value(value: Decimal | int | str | None) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        value = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as error:
        raise ValidationFailed("Give the value as a number.", field="annual_value") from error
    if not value.is_finite() or not Decimal(0) <= value <= MAX_ANNUAL_VALUE:
        raise ValidationFailed("Give a value from 0 to 999,999,999,999.99.", field="annual_value")
    return value


@transaction.atomic
def set_organization_value(
    *, actor: Member | None, organization: Organization, annual_value: Decimal | None
) -> Organization:
    """Set what an organization is worth (e.g. annual revenue); None when unknown.

    Ideas weigh votes by it, so only community managers change it.
    """
    if actor is not None and not (actor.is_authenticated and actor.is_manager):
        raise NotAllowed("Only community managers can change what an organization is worth.")
    annual_value = _clean_annual_value(annual_value)
    previous = organization.annual_value
    organization.annual_value = annual_value
    organization.save(update_fields=["annual_value"])
    record_activity(
        actor=actor,
        verb="organization.value_changed",
        target=organization,
        payload={
            "from": None if previous is None else str(previous),
            "to": None if annual_value is None else str(annual_value),
        },
    )
    return organization


TOKEN_PREFIX = "hth_"
MAX_ACTIVE_TOKENS = 20


def _hash_secret(secret: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is safe; a slow one would tax every call.
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_api_token(*, member: Member, name: str, scope: str) -> tuple[ApiToken, str]:
    """Issue a personal token; returns it with the full secret, which is never shown again."""
    name = " ".join((name or "").split())
    if not name or len(name) > 80:
        raise ValidationFailed("Name the token (up to 80 characters).", field="name")
    if scope not in ApiToken.Scope.values:
        raise ValidationFailed("Choose read or write.", field="scope")
    if member.api_tokens.filter(revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
        raise Conflict(
            f"You have {MAX_ACTIVE_TOKENS} active tokens; revoke one first.", code="too_many_tokens"
        )
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        member=member, name=name, prefix=prefix, secret_hash=_hash_secret(secret), scope=scope
    )
    record_activity(actor=member, verb="api_token.created", target=token, payload={"scope": scope})
    return token, f"{TOKEN_PREFIX}{prefix}_{secret}"


@transaction.atomic
def revoke_api_token(*, actor: Member, token: ApiToken) -> ApiToken:
    if token.member_id != actor.pk and not actor.is_manager:
        raise NotFound("No such token.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_activity(actor=actor, verb="api_token.revoked", target=token)
    return token


def authenticate_api_token(raw: str) -> ApiToken | None:
    """The active token `raw` names, with its member, or None. Notes its use once a minute."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    prefix, _, secret = raw[len(TOKEN_PREFIX) :].partition("_")
    if not prefix or not secret:
        return None
    token = (
        ApiToken.objects.select_related("member")
        .filter(prefix=prefix, revoked_at__isnull=True, member__is_active=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.secret_hash, _hash_secret(secret)):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
