"""Every write about ideas: submitting, voting, following, statuses, merges, comments.

Each function is one business action in one transaction, checks permission itself, and
appends its row to the activity log. Submitting, voting and commenting refuse silenced and
suspended members and members who have not accepted the code of conduct in force, with the
same codes and messages as posting (`accounts.services.require_*`). Vote counts move with
F() in the same transaction as the vote row, behind the (idea, voter) unique constraint, so
they always equal the rows. Telling followers (voters follow until they stop) about a change
runs after the commit, in the background (`tasks.notify_idea_followers`).
"""

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from hearth.accounts.models import Member
from hearth.accounts.services import require_current_conduct, require_unrestricted
from hearth.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from hearth.core.markdown import render_markdown
from hearth.core.services import record_activity
from hearth.core.templatetags.hearth import plain_text
from hearth.ideas.models import (
    ANNOUNCEMENT_TITLE_MAX_LENGTH,
    COMMENT_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    PROXY_NOTE_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    TITLE_MIN_LENGTH,
    TRACKER_REF_MAX_LENGTH,
    URL_MAX_LENGTH,
    Idea,
    IdeaBoard,
    IdeaComment,
    IdeaFollow,
    IdeaStatus,
    IdeaStatusChange,
    IdeaVote,
    ProductArea,
    VoteChannel,
)
from hearth.ideas.permissions import (
    can_attach_announcement,
    can_be_proxy_voter,
    can_change_status,
    can_comment,
    can_delete_comment,
    can_follow,
    can_link_tracker,
    can_merge,
    can_record_proxy_vote,
    can_submit_idea,
    can_view_board,
    can_view_idea,
    can_vote,
    can_withdraw_vote,
    is_idea_staff,
)
from hearth.notifications.services import notify

# The notification verbs ideas send (phrases in hearth.notifications.models.VERB_PHRASES).
VERB_STATUS_CHANGED = "idea_status_changed"
VERB_SHIPPED = "idea_shipped"
VERB_ANNOUNCED = "idea_announced"
VERB_MERGED = "idea_merged"
VERB_COMMENTED = "idea_commented"
VERB_VOTE_RECORDED = "idea_vote_recorded"

EXCERPT_LENGTH = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_LENGTH else text[: EXCERPT_LENGTH - 1].rstrip() + "…"


def _storable(text: str, field: str) -> str:
    """Refuse NUL characters: no database column stores them (PostgreSQL refuses them)."""
    if "\x00" in text:
        raise ValidationFailed(
            "That text holds characters we cannot store.", code="invalid_characters", field=field
        )
    return text


def _clean_title(title: str) -> str:
    title = _storable(" ".join((title or "").split()), "title")
    if len(title) < TITLE_MIN_LENGTH:
        raise ValidationFailed(
            f"Titles need at least {TITLE_MIN_LENGTH} characters.",
            code="title_too_short",
            field="title",
        )
    if len(title) > TITLE_MAX_LENGTH:
        raise ValidationFailed(
            f"Titles can be at most {TITLE_MAX_LENGTH} characters.",
            code="title_too_long",
            field="title",
        )
    return title


def _clean_text(text: str, *, limit: int, field: str, what: str, required: bool) -> str:
    text = _storable((text or "").strip(), field)
    if required and not text:
        raise ValidationFailed(f"Write {what} first.", code=f"{field}_empty", field=field)
    if len(text) > limit:
        raise ValidationFailed(
            f"{what[0].upper()}{what[1:]} can be at most {limit:,} characters.",
            code=f"{field}_too_long",
            field=field,
        )
    return text


def _clean_url(url: str, *, field: str) -> str:
    """An http(s) link, or an address on this site ("/t/launch/42/"); "" for none."""
    url = _storable((url or "").strip(), field)
    if not url:
        return ""
    if len(url) > URL_MAX_LENGTH:
        raise ValidationFailed(
            f"Links can be at most {URL_MAX_LENGTH} characters.", code="url_too_long", field=field
        )
    if url.startswith("/") and not url.startswith("//"):
        if _CONTROL.search(url) or "\\" in url or " " in url:
            raise ValidationFailed("That is not an address we can link to.", field=field)
        return url
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as error:
        raise ValidationFailed(
            "Give a link starting with https:// or an address on this site starting with /.",
            code="invalid_url",
            field=field,
        ) from error
    if not urlsplit(url).hostname:
        raise ValidationFailed("That is not an address we can link to.", field=field)
    return url


def _slug(title: str) -> str:
    return slugify(title)[:80].strip("-") or "idea"


def _locked(idea: Idea) -> Idea:
    """The idea, re-read with its board and status and locked for this transaction."""
    return (
        Idea.objects.select_for_update(of=("self",))
        .select_related("board", "status")
        .get(pk=idea.pk)
    )


def _visible_or_404(member, idea: Idea) -> None:
    if not can_view_idea(member, idea):
        raise NotFound("No such idea.")


def _not_merged(idea: Idea) -> None:
    if idea.is_merged:
        raise Conflict("This idea was merged into another one; carry on there.", code="idea_merged")


def _staff_only(
    allowed: bool, message: str = "Only moderators and community managers can do that."
):
    if not allowed:
        raise NotAllowed(message, code="staff_only")


def _follow(idea: Idea, member_id: int) -> bool:
    """Make `member_id` follow `idea`; True when they did not already."""
    _, created = IdeaFollow.objects.get_or_create(idea_id=idea.pk, member_id=member_id)
    return created


def _notify_followers_on_commit(
    idea: Idea,
    *,
    verb: str,
    actor: Member | None,
    excerpt: str,
    recipient_ids: list[int] | None = None,
) -> None:
    """Tell the idea's followers (or `recipient_ids`) once the change commits."""
    from hearth.ideas.tasks import notify_idea_followers

    actor_id = actor.pk if actor is not None else None
    transaction.on_commit(
        lambda: notify_idea_followers.enqueue(
            idea.pk, verb, actor_id, excerpt, sorted(recipient_ids) if recipient_ids else None
        )
    )


# --- Boards and product areas ---------------------------------------------------------------


def _manager_only(actor) -> None:
    if actor is not None and not (actor.is_authenticated and actor.is_manager):
        raise NotAllowed("Only community managers can set up idea boards.", code="manager_only")


@transaction.atomic
def create_board(
    *,
    actor: Member | None,
    name: str,
    slug: str = "",
    description: str = "",
    visibility: str = IdeaBoard.Visibility.PUBLIC,
    allowed_affiliations: list[str] | None = None,
    position: int = 0,
) -> IdeaBoard:
    """Open a board for ideas, visible to everyone, members, or chosen affiliations."""
    _manager_only(actor)
    name = _storable(" ".join((name or "").split()), "name")
    if not name or len(name) > 80:
        raise ValidationFailed("Give the board a name of up to 80 characters.", field="name")
    slug = slugify(slug or name)[:80]
    if not slug:
        raise ValidationFailed("The board needs a web address made of letters.", field="slug")
    if IdeaBoard.objects.filter(slug=slug).exists():
        raise ValidationFailed("A board with that address exists.", code="slug_taken", field="slug")
    if visibility not in IdeaBoard.Visibility.values:
        raise ValidationFailed("Unknown visibility.", field="visibility")
    allowed = sorted(set(allowed_affiliations or []))
    if visibility == IdeaBoard.Visibility.AFFILIATIONS and not allowed:
        raise ValidationFailed(
            "Choose at least one affiliation that may see this board.",
            field="allowed_affiliations",
        )
    board = IdeaBoard.objects.create(
        name=name,
        slug=slug,
        description=(description or "").strip()[:500],
        visibility=visibility,
        allowed_affiliations=allowed if visibility == IdeaBoard.Visibility.AFFILIATIONS else [],
        position=position,
    )
    record_activity(actor=actor, verb="idea_board.created", target=board)
    return board


@transaction.atomic
def create_product_area(
    *, actor: Member | None, name: str, slug: str = "", position: int = 0
) -> ProductArea:
    _manager_only(actor)
    name = _storable(" ".join((name or "").split()), "name")
    if not name or len(name) > 80:
        raise ValidationFailed("Give the area a name of up to 80 characters.", field="name")
    slug = slugify(slug or name)[:80]
    if not slug:
        raise ValidationFailed("The area needs a web address made of letters.", field="slug")
    if (
        ProductArea.objects.filter(slug=slug).exists()
        or ProductArea.objects.filter(name=name).exists()
    ):
        raise ValidationFailed("That product area exists.", code="area_exists", field="name")
    area = ProductArea.objects.create(name=name, slug=slug, position=position)
    record_activity(actor=actor, verb="product_area.created", target=area)
    return area


def default_status() -> IdeaStatus:
    status = IdeaStatus.objects.filter(is_default=True).first()
    if status is None:
        raise Conflict(
            "No idea status is marked as the one new ideas start in; ask a community manager.",
            code="no_default_status",
        )
    return status


# --- Submitting -----------------------------------------------------------------------------


def _existing_submission(author: Member, submit_key: str) -> Idea | None:
    if not submit_key:
        return None
    idea = Idea.objects.filter(author=author, submit_key=submit_key).first()
    if idea is not None:
        idea.is_repeat_submit = True
    return idea


@transaction.atomic
def create_idea(
    *,
    author: Member,
    board: IdeaBoard,
    title: str,
    description: str,
    area: ProductArea | None = None,
    submit_key: str = "",
) -> Idea:
    """Submit an idea to `board`. The author follows it, to hear how it goes.

    A second submit with the same `submit_key` returns the idea the first one created.
    """
    if not can_view_board(author, board):
        raise NotFound("No such idea board.")
    require_unrestricted(author)
    if not can_submit_idea(author, board):
        raise NotAllowed("Accept the code of conduct to submit ideas.", code="cannot_submit_idea")
    title = _clean_title(title)
    description = _clean_text(
        description,
        limit=DESCRIPTION_MAX_LENGTH,
        field="description",
        what="a description",
        required=True,
    )
    submit_key = _storable((submit_key or "").strip()[:64], "submit_key")
    if existing := _existing_submission(author, submit_key):
        return existing
    require_current_conduct(author)
    status = default_status()
    now = timezone.now()
    try:
        with transaction.atomic():
            idea = Idea.objects.create(
                board=board,
                author=author,
                title=title,
                slug=_slug(title),
                description=description,
                description_html=render_markdown(description).html,
                area=area,
                status=status,
                created_at=now,
                updated_at=now,
                submit_key=submit_key,
            )
    except IntegrityError:
        # Two submits with one key raced: the other one won; return its idea.
        if existing := _existing_submission(author, submit_key):
            return existing
        raise
    IdeaBoard.objects.filter(pk=board.pk).update(idea_count=F("idea_count") + 1)
    _follow(idea, author.pk)
    record_activity(
        actor=author,
        verb="idea.created",
        target=idea,
        payload={
            "board_id": board.pk,
            "area_id": area.pk if area else None,
            "status": status.slug,
        },
    )
    return idea


# --- Votes ----------------------------------------------------------------------------------


def _insert_vote(
    idea: Idea,
    *,
    voter: Member,
    recorded_by: Member | None = None,
    channel: str = "",
    note: str = "",
) -> IdeaVote | None:
    """Add the vote row and count it; None when the voter had voted already."""
    try:
        with transaction.atomic():
            vote = IdeaVote.objects.create(
                idea=idea,
                voter=voter,
                created_at=timezone.now(),
                recorded_by=recorded_by,
                channel=channel,
                note=note,
            )
    except IntegrityError:
        return None
    Idea.objects.filter(pk=idea.pk).update(vote_count=F("vote_count") + 1)
    _follow(idea, voter.pk)
    # A vote staff record is their action, on the customer's behalf: staff are the actor.
    record_activity(
        actor=recorded_by or voter,
        verb="idea.voted",
        target=idea,
        payload={
            "board_id": idea.board_id,
            "voter": voter.pk,
            "status": idea.status.slug,
            "recorded_by": recorded_by.pk if recorded_by else None,
            "channel": channel,
        },
    )
    return vote


@transaction.atomic
def add_idea_vote(*, member: Member, idea: Idea) -> bool:
    """Vote for an idea (and follow it). Voting again changes nothing; returns True."""
    idea = _locked(idea)
    _visible_or_404(member, idea)
    _not_merged(idea)
    if not idea.status.is_open:
        raise Conflict(
            f"This idea is {idea.status.name.lower()}: it takes no more votes.",
            code="idea_closed",
        )
    require_unrestricted(member)
    if not can_vote(member, idea):
        raise NotAllowed("Accept the code of conduct to vote.", code="cannot_vote")
    require_current_conduct(member)
    _insert_vote(idea, voter=member)
    return True


@transaction.atomic
def withdraw_idea_vote(*, member: Member, idea: Idea) -> bool:
    """Take one's vote back (one keeps following). Without a vote, changes nothing.

    Returns False: the member no longer votes for the idea.
    """
    idea = _locked(idea)
    _visible_or_404(member, idea)
    _not_merged(idea)
    if not can_withdraw_vote(member, idea):
        raise NotAllowed("You cannot change votes here.", code="cannot_vote")
    deleted, _ = IdeaVote.objects.filter(idea=idea, voter=member).delete()
    if deleted:
        Idea.objects.filter(pk=idea.pk, vote_count__gt=0).update(vote_count=F("vote_count") - 1)
        record_activity(
            actor=member,
            verb="idea.unvoted",
            target=idea,
            payload={"board_id": idea.board_id, "status": idea.status.slug},
        )
    return False


@transaction.atomic
def record_proxy_vote(
    *, actor: Member, idea: Idea, voter: Member, channel: str, note: str = ""
) -> IdeaVote:
    """Staff record the vote of a customer or prospect who asked by phone, e-mail, at an
    event, on a sales call or in a support ticket. The vote is theirs (they follow the idea
    and hear how it goes) and shows who recorded it and where it came from."""
    idea = _locked(idea)
    _visible_or_404(actor, idea)
    _staff_only(
        can_record_proxy_vote(actor, idea),
        "Only moderators and community managers can record votes for others.",
    )
    _not_merged(idea)
    if channel not in VoteChannel.values:
        raise ValidationFailed("Choose where the vote came from.", field="channel")
    note = _clean_text(
        note, limit=PROXY_NOTE_MAX_LENGTH, field="note", what="the note", required=False
    )
    if voter.pk == actor.pk:
        raise ValidationFailed(
            "Vote for yourself with the vote button.", code="proxy_self", field="voter"
        )
    if not can_be_proxy_voter(voter, idea):
        raise ValidationFailed(
            "Votes can be recorded only for active customers and prospects who can see this idea.",
            code="proxy_voter_not_allowed",
            field="voter",
        )
    if not idea.status.is_open:
        raise Conflict(
            f"This idea is {idea.status.name.lower()}: it takes no more votes.",
            code="idea_closed",
        )
    vote = _insert_vote(idea, voter=voter, recorded_by=actor, channel=channel, note=note)
    if vote is None:
        raise Conflict(f"{voter.name} has voted for this idea already.", code="already_voted")
    notify(
        recipient=voter,
        trigger=VERB_VOTE_RECORDED,
        target=idea,
        actor=actor,
        title=idea.title,
        url=idea.get_absolute_url(),
        excerpt=f"Recorded from: {VoteChannel(channel).label.lower()}. You will hear how it goes.",
    )
    return vote


# --- Following ------------------------------------------------------------------------------


@transaction.atomic
def set_idea_follow(*, member: Member, idea: Idea, following: bool) -> bool:
    """Follow an idea (hear about every change) or stop; returns whether one now follows."""
    idea = Idea.objects.select_related("board").get(pk=idea.pk)
    _visible_or_404(member, idea)
    _not_merged(idea)
    if not can_follow(member, idea):
        raise NotAllowed("Log in to follow ideas.", code="cannot_follow")
    if following:
        changed = _follow(idea, member.pk)
    else:
        changed = IdeaFollow.objects.filter(idea=idea, member=member).delete()[0] > 0
    if changed:
        record_activity(
            actor=member,
            verb="idea.followed" if following else "idea.unfollowed",
            target=idea,
            payload={"board_id": idea.board_id},
        )
    return following


# --- Staff: status, tracker, announcement, merge ---------------------------------------------


@transaction.atomic
def change_idea_status(
    *,
    actor: Member,
    idea: Idea,
    status: IdeaStatus,
    note: str = "",
    announcement_url: str = "",
    announcement_title: str = "",
) -> IdeaStatusChange:
    """Move an idea to `status` with a public note, kept in the idea's history, and tell
    every follower ("closing the loop"; voters follow unless they stopped). Shipping may
    carry the announcement (a topic's address here, or a link) that voters receive."""
    idea = _locked(idea)
    _visible_or_404(actor, idea)
    _staff_only(
        can_change_status(actor, idea),
        "Only moderators and community managers can change an idea's status.",
    )
    _not_merged(idea)
    if status.pk == idea.status_id:
        raise ValidationFailed(
            f"The idea is {status.name.lower()} already.", code="status_unchanged", field="status"
        )
    note = _clean_text(note, limit=NOTE_MAX_LENGTH, field="note", what="the note", required=False)
    announcement_url = _clean_url(announcement_url, field="announcement_url")
    announcement_title = _clean_text(
        announcement_title,
        limit=ANNOUNCEMENT_TITLE_MAX_LENGTH,
        field="announcement_title",
        what="the announcement's title",
        required=False,
    )
    if (announcement_url or announcement_title) and not status.is_shipped:
        raise ValidationFailed(
            "Announcements go with shipped ideas.",
            code="announcement_not_shipped",
            field="announcement_url",
        )
    if announcement_title and not announcement_url:
        raise ValidationFailed(
            "Give the announcement's link too.",
            code="announcement_url_missing",
            field="announcement_url",
        )
    now = timezone.now()
    previous = idea.status
    change = IdeaStatusChange.objects.create(
        idea=idea,
        from_status=previous,
        to_status=status,
        note=note,
        note_html=render_markdown(note).html if note else "",
        changed_by=actor,
        created_at=now,
    )
    fields = {"status": status, "status_changed_at": now, "updated_at": now}
    if announcement_url:
        fields |= {"announcement_url": announcement_url, "announcement_title": announcement_title}
    Idea.objects.filter(pk=idea.pk).update(**fields)
    for name, value in fields.items():
        setattr(idea, name, value)
    seconds = int((now - idea.created_at).total_seconds())
    record_activity(
        actor=actor,
        # Shipping is the status change analytics count the idea loop by.
        verb="idea.shipped" if status.is_shipped else "idea.status_changed",
        target=idea,
        payload={
            "board_id": idea.board_id,
            "from": previous.slug,
            "to": status.slug,
            "seconds_since_created": seconds,
            "change_id": change.pk,
            "announcement_url": announcement_url,
        },
    )
    excerpt = f"{status.name}" + (f": {plain_text(change.note_html)}" if note else ".")
    if status.is_shipped and announcement_url:
        excerpt += f" Announcement: {announcement_title or announcement_url}"
    _notify_followers_on_commit(
        idea,
        verb=VERB_SHIPPED if status.is_shipped else VERB_STATUS_CHANGED,
        actor=actor,
        excerpt=_excerpt(excerpt),
    )
    return change


@transaction.atomic
def attach_idea_announcement(*, actor: Member, idea: Idea, url: str, title: str = "") -> Idea:
    """Attach (or replace) the announcement of a shipped idea and send it to its voters."""
    idea = _locked(idea)
    _visible_or_404(actor, idea)
    _staff_only(can_attach_announcement(actor, idea))
    _not_merged(idea)
    if not idea.status.is_shipped:
        raise Conflict(
            "Announcements go with shipped ideas: ship it first.", code="announcement_not_shipped"
        )
    url = _clean_url(url, field="url")
    if not url:
        raise ValidationFailed("Give the announcement's link.", code="url_empty", field="url")
    title = _clean_text(
        title,
        limit=ANNOUNCEMENT_TITLE_MAX_LENGTH,
        field="title",
        what="the title",
        required=False,
    )
    now = timezone.now()
    Idea.objects.filter(pk=idea.pk).update(
        announcement_url=url, announcement_title=title, updated_at=now
    )
    idea.announcement_url, idea.announcement_title, idea.updated_at = url, title, now
    record_activity(
        actor=actor,
        verb="idea.announcement_attached",
        target=idea,
        payload={"board_id": idea.board_id, "url": url},
    )
    _notify_followers_on_commit(
        idea,
        verb=VERB_ANNOUNCED,
        actor=actor,
        excerpt=_excerpt(f"Read all about it: {title or url}"),
    )
    return idea


@transaction.atomic
def link_idea_tracker(*, actor: Member, idea: Idea, tracker_ref: str) -> Idea:
    """Note where the team tracks the work (an issue key or a URL); "" removes it."""
    idea = _locked(idea)
    _visible_or_404(actor, idea)
    if not can_link_tracker(actor, idea):
        raise NotAllowed("Only employees can link ideas to the tracker.", code="employees_only")
    _not_merged(idea)
    tracker_ref = _storable(" ".join((tracker_ref or "").split()), "tracker_ref")
    if len(tracker_ref) > TRACKER_REF_MAX_LENGTH:
        raise ValidationFailed(
            f"Tracker references can be at most {TRACKER_REF_MAX_LENGTH} characters.",
            code="tracker_ref_too_long",
            field="tracker_ref",
        )
    if tracker_ref != idea.tracker_ref:
        Idea.objects.filter(pk=idea.pk).update(tracker_ref=tracker_ref)
        idea.tracker_ref = tracker_ref
        record_activity(
            actor=actor,
            verb="idea.tracker_linked",
            target=idea,
            payload={"board_id": idea.board_id, "tracker_ref": tracker_ref},
        )
    return idea


@transaction.atomic
def merge_ideas(*, actor: Member, source: Idea, target: Idea) -> Idea:
    """Merge the duplicate `source` into `target`; returns the surviving `target`.

    Votes, followers and comments move over; a member who voted for both counts once. The
    source then redirects to the target, and its voters and followers are told.
    """
    if source.pk == target.pk:
        raise ValidationFailed(
            "An idea cannot be merged into itself.", code="merge_into_itself", field="into"
        )
    # Both rows locked, in id order (two merges of the same pair cannot deadlock).
    locked = {
        idea.pk: idea
        for idea in Idea.objects.select_for_update(of=("self",))
        .select_related("board", "status")
        .filter(pk__in=[source.pk, target.pk])
        .order_by("pk")
    }
    if source.pk not in locked or target.pk not in locked:
        raise NotFound("No such idea.")
    source, target = locked[source.pk], locked[target.pk]
    _visible_or_404(actor, source)
    _staff_only(can_merge(actor, source), "Only moderators and community managers can merge ideas.")
    if not can_view_idea(actor, target):
        raise NotFound("No such idea to merge into.")
    if source.is_merged:
        raise Conflict("That idea was merged already.", code="idea_merged")
    if target.is_merged:
        raise Conflict(
            "The idea to merge into was itself merged into another; merge into that one.",
            code="target_merged",
        )
    if source.board_id != target.board_id:
        raise ValidationFailed(
            "Only ideas on the same board can be merged.", code="different_boards", field="into"
        )
    source_voters = set(IdeaVote.objects.filter(idea=source).values_list("voter_id", flat=True))
    source_followers = set(
        IdeaFollow.objects.filter(idea=source).values_list("member_id", flat=True)
    )
    both = IdeaVote.objects.filter(idea=target, voter_id__in=source_voters)
    counted_twice = set(both.values_list("voter_id", flat=True))
    IdeaVote.objects.filter(idea=source, voter_id__in=counted_twice).delete()
    moved_votes = IdeaVote.objects.filter(idea=source).update(idea=target)
    already_following = IdeaFollow.objects.filter(idea=target, member_id__in=source_followers)
    IdeaFollow.objects.filter(
        idea=source, member_id__in=list(already_following.values_list("member_id", flat=True))
    ).delete()
    IdeaFollow.objects.filter(idea=source).update(idea=target)
    moved_comments = IdeaComment.objects.filter(idea=source).update(idea=target)
    now = timezone.now()
    # Recounted from the rows, under both locks: exact whatever happened before.
    vote_count = IdeaVote.objects.filter(idea=target).count()
    comment_count = IdeaComment.objects.filter(idea=target, deleted_at__isnull=True).count()
    Idea.objects.filter(pk=target.pk).update(
        vote_count=vote_count, comment_count=comment_count, updated_at=now
    )
    Idea.objects.filter(pk=source.pk).update(
        merged_into=target, merged_at=now, vote_count=0, comment_count=0, updated_at=now
    )
    IdeaBoard.objects.filter(pk=source.board_id, idea_count__gt=0).update(
        idea_count=F("idea_count") - 1
    )
    target.vote_count, target.comment_count, target.updated_at = vote_count, comment_count, now
    record_activity(
        actor=actor,
        verb="idea.merged",
        target=source,
        payload={
            "board_id": source.board_id,
            "into": target.pk,
            "moved_votes": moved_votes,
            "votes_counted_once": len(counted_twice),
            "moved_comments": moved_comments,
        },
    )
    recipients = (source_voters | source_followers) - {actor.pk}
    if recipients:
        _notify_followers_on_commit(
            target,
            verb=VERB_MERGED,
            actor=actor,
            excerpt=_excerpt(
                f"“{source.title}” is now part of this idea; your vote and follow moved with it."
            ),
            recipient_ids=list(recipients),
        )
    return target


# --- Comments -------------------------------------------------------------------------------


@transaction.atomic
def add_idea_comment(*, author: Member, idea: Idea, body: str) -> IdeaComment:
    """Comment on an idea (and follow it); its followers hear about it."""
    idea = _locked(idea)
    _visible_or_404(author, idea)
    _not_merged(idea)
    require_unrestricted(author)
    if not can_comment(author, idea):
        raise NotAllowed("Accept the code of conduct to comment.", code="cannot_comment")
    body = _clean_text(
        body, limit=COMMENT_MAX_LENGTH, field="body", what="a comment", required=True
    )
    require_current_conduct(author)
    now = timezone.now()
    comment = IdeaComment.objects.create(
        idea=idea,
        author=author,
        body=body,
        body_html=render_markdown(body).html,
        created_at=now,
    )
    Idea.objects.filter(pk=idea.pk).update(comment_count=F("comment_count") + 1, updated_at=now)
    _follow(idea, author.pk)
    record_activity(
        actor=author,
        verb="idea.commented",
        target=idea,
        payload={"board_id": idea.board_id, "comment_id": comment.pk},
    )
    _notify_followers_on_commit(
        idea,
        verb=VERB_COMMENTED,
        actor=author,
        excerpt=_excerpt(plain_text(comment.body_html)),
        recipient_ids=list(
            IdeaFollow.objects.filter(idea=idea).values_list("member_id", flat=True)
        ),
    )
    return comment


@transaction.atomic
def delete_idea_comment(*, actor: Member, comment: IdeaComment) -> IdeaComment:
    comment = IdeaComment.objects.select_related("idea__board").get(pk=comment.pk)
    _visible_or_404(actor, comment.idea)
    if not can_delete_comment(actor, comment):
        if comment.is_deleted:
            return comment
        raise NotAllowed("You can only delete your own comments.", code="cannot_delete")
    now = timezone.now()
    # Only the delete that flips the row counts: two at once must not lower the count twice.
    deleted = IdeaComment.objects.filter(pk=comment.pk, deleted_at__isnull=True).update(
        deleted_at=now, deleted_by=actor
    )
    if not deleted:
        comment.refresh_from_db(fields=["deleted_at", "deleted_by"])
        return comment
    comment.deleted_at, comment.deleted_by = now, actor
    Idea.objects.filter(pk=comment.idea_id, comment_count__gt=0).update(
        comment_count=F("comment_count") - 1
    )
    record_activity(
        actor=actor,
        verb="idea.comment_deleted",
        target=comment.idea,
        payload={
            "comment_id": comment.pk,
            "by_staff": is_idea_staff(actor) and actor.pk != comment.author_id,
        },
    )
    return comment
