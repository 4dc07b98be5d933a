"""Every moderation write: flags, holds, decisions with reasons, undo, trust levels, words.

Each decision is one transaction that changes the post or member (through community's and
accounts' own services where they have one), writes a row to the append-only moderation log,
resolves the review item it answers, tells the author why through the notifications
service (with a link to the code of conduct) and appends to the activity log for analytics:
"moderation.<kind>" for decisions by kind, "moderation.decided" with the time from the
first flag (or hold) to the decision, "flag.raised" for flags.
"""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone

from hearth.accounts.models import BANNED_UNTIL, Member
from hearth.community import services as community
from hearth.community.models import Post, Reaction, Space, State, Topic
from hearth.community.permissions import can_view_post, can_view_space
from hearth.core import ratelimit
from hearth.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from hearth.core.links import fast_reverse
from hearth.core.models import VisitDay
from hearth.core.services import record_activity
from hearth.core.templatetags.hearth import plain_text
from hearth.moderation import trust
from hearth.moderation.models import Flag, ModerationAction, Reason, ReviewItem, ScreeningWord
from hearth.moderation.permissions import (
    can_act_on_member,
    can_act_on_post,
    can_edit_screening_words,
    can_flag,
    can_moderate,
)
from hearth.notifications.services import notify

Kind = ModerationAction.Kind
REASON_MAX_LENGTH = 1000
NOTE_MAX_LENGTH = 1000
MAX_DAYS = 3650
SYSTEM_HIDE_REASON = (
    "Hidden after members flagged it: the moderators will review it and publish it again "
    "if it keeps to the code of conduct."
)
UNDOABLE = (Kind.HIDE, Kind.EDIT, Kind.MOVE, Kind.SILENCE, Kind.SUSPEND, Kind.BAN)


def clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            "Give a reason: the member is told it.", code="reason_required", field="reason"
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationFailed(
            f"Keep the reason under {REASON_MAX_LENGTH:,} characters.",
            code="reason_too_long",
            field="reason",
        )
    return reason


def clean_days(days) -> int:
    try:
        days = int(days)
    except (TypeError, ValueError) as error:
        raise ValidationFailed(
            "Give a number of days.", code="invalid_days", field="days"
        ) from error
    if not 1 <= days <= MAX_DAYS:
        raise ValidationFailed(
            f"Give from 1 to {MAX_DAYS:,} days.", code="invalid_days", field="days"
        )
    return days


def _log(
    *,
    actor: Member | None,
    kind: str,
    reason: str,
    post: Post | None = None,
    member: Member | None = None,
    review: ReviewItem | None = None,
    reverts: ModerationAction | None = None,
    payload: dict | None = None,
) -> ModerationAction:
    action = ModerationAction.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        kind=kind,
        reason=reason,
        post=post,
        member=member,
        review=review,
        reverts=reverts,
        payload=payload or {},
        created_at=timezone.now(),
    )
    space_id = post.topic.space_id if post is not None else None
    record_activity(
        actor=actor,
        verb=f"moderation.{kind}",
        target=action,
        space_id=space_id,
        payload={
            "kind": kind,
            "post_id": post.pk if post is not None else None,
            "member_id": member.pk if member is not None else None,
            "review_id": review.pk if review is not None else None,
            "by_system": actor is None,
        },
    )
    return action


def _tell(member: Member, verb: str, *, target, title: str, url: str, reason: str) -> None:
    """Tell `member` about a decision and why; every message links the code of conduct.

    No topic or space goes with it: muting a conversation silences its news, not what the
    moderators decided about one's own post or account.
    """
    notify(
        recipient=member,
        trigger=verb,
        target=target,
        actor=None,
        title=title,
        url=url,
        excerpt=f"Reason: {reason}"[:300],
    )


def _resolve(
    review: ReviewItem | None, *, actor: Member | None, decision: str, upheld: bool
) -> None:
    """Close the review item a decision answers; its flags are upheld or dismissed."""
    if review is None or not review.is_pending:
        return
    now = timezone.now()
    review.status = ReviewItem.Status.RESOLVED
    review.resolved_at = now
    review.resolved_by = actor if actor is not None and actor.is_authenticated else None
    review.decision = decision
    review.save(update_fields=["status", "resolved_at", "resolved_by", "decision"])
    flags = Flag.objects.filter(review=review, status=Flag.Status.OPEN)
    flag_count = flags.update(
        status=Flag.Status.UPHELD if upheld else Flag.Status.DISMISSED, resolved_at=now
    )
    since = review.first_flagged_at or review.created_at
    record_activity(
        actor=actor,
        verb="moderation.decided",
        target=review,
        payload={
            "decision": decision,
            "upheld": upheld,
            "flags": flag_count,
            "held": review.held,
            "seconds_to_decision": int((now - since).total_seconds()),
            "seconds_since_flag": (
                int((now - review.first_flagged_at).total_seconds())
                if review.first_flagged_at
                else None
            ),
        },
    )


def _pending_review_for_post(post: Post) -> ReviewItem | None:
    return ReviewItem.objects.filter(post=post, status=ReviewItem.Status.PENDING).first()


def _pending_review_for_member(member: Member) -> ReviewItem | None:
    return ReviewItem.objects.filter(
        member=member, kind=ReviewItem.Kind.MEMBER, status=ReviewItem.Status.PENDING
    ).first()


def _live_post(post: Post) -> Post:
    post = Post.objects.select_related("topic__space", "author").filter(pk=post.pk).first()
    if post is None or post.is_deleted:
        raise NotFound("No such post.")
    return post


def _post_title(post: Post) -> str:
    return post.topic.title


# --- Holding (called by community when a check holds a post) ----------------------------------


def hold_for_review(post: Post, *, reason: str, codes: Iterable[str] = ()) -> ReviewItem:
    """Put a post screening held into the queue, log it, and tell its author why."""
    post = Post.objects.select_related("topic__space", "author").get(pk=post.pk)
    now = timezone.now()
    review = _pending_review_for_post(post)
    if review is None:
        review = ReviewItem.objects.create(
            kind=ReviewItem.Kind.POST,
            post=post,
            member=post.author,
            held=True,
            held_reason=reason[:500],
            created_at=now,
        )
    else:
        ReviewItem.objects.filter(pk=review.pk).update(held=True, held_reason=reason[:500])
    _log(
        actor=None,
        kind=Kind.HOLD,
        reason=reason,
        post=post,
        member=post.author,
        review=review,
        payload={"codes": list(codes)},
    )
    _tell(
        post.author,
        "moderation_held",
        target=post,
        title=_post_title(post),
        url=post.get_absolute_url(),
        reason=reason,
    )
    return review


# --- Flags ------------------------------------------------------------------------------------


def _clean_flag(reason: str, note: str) -> tuple[str, str]:
    if reason not in Reason.values:
        raise ValidationFailed(
            "Choose why you flag it from the list.", code="invalid_reason", field="reason"
        )
    note = " ".join((note or "").split())
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationFailed(
            f"Keep the note under {NOTE_MAX_LENGTH:,} characters.",
            code="note_too_long",
            field="note",
        )
    if reason == Reason.OTHER and not note:
        raise ValidationFailed("Say in a note what is wrong.", code="note_required", field="note")
    return reason, note


@transaction.atomic
def flag_post(*, flagger: Member, post: Post, reason: str, note: str = "") -> Flag:
    """Flag a post for the moderators. Enough weight of flags hides it pending review."""
    if not can_flag(flagger):
        raise NotAllowed("You cannot flag right now.", code="cannot_flag")
    post = _live_post(post)
    if not can_view_post(flagger, post) or not post.is_published:
        raise NotFound("No such post.")
    if post.author_id == flagger.pk:
        raise ValidationFailed("You cannot flag your own post.", code="own_post")
    reason, note = _clean_flag(reason, note)
    if Flag.objects.filter(flagger=flagger, post=post).exists():
        raise Conflict("You have flagged this post already.", code="already_flagged")
    ratelimit.hit(
        "flag",
        flagger.pk,
        ratelimit.Rate.parse(settings.HEARTH_RATE_FLAG),
        message="You have flagged a lot today.",
    )
    review = _flag_review(kind=ReviewItem.Kind.POST, post=post, member=post.author)
    flag = _create_flag(
        flagger=flagger, post=post, member=post.author, review=review, reason=reason, note=note
    )
    review.refresh_from_db()
    if (
        review.flag_weight >= settings.HEARTH_FLAG_HIDE_WEIGHT
        and post.is_published
        and not post.author.is_moderator
    ):
        community.set_post_state(
            actor=None, post=post, state=State.HIDDEN, reason=SYSTEM_HIDE_REASON
        )
        _log(
            actor=None,
            kind=Kind.HIDE,
            reason=SYSTEM_HIDE_REASON,
            post=post,
            member=post.author,
            review=review,
            payload={"flag_weight": review.flag_weight},
        )
        _tell(
            post.author,
            "moderation_hidden",
            target=post,
            title=_post_title(post),
            url=post.get_absolute_url(),
            reason=SYSTEM_HIDE_REASON,
        )
    record_activity(
        actor=flagger,
        verb="flag.raised",
        target=post,
        space_id=post.topic.space_id,
        payload={"reason": reason, "weight": flag.weight, "review_id": review.pk},
    )
    return flag


@transaction.atomic
def flag_member(*, flagger: Member, member: Member, reason: str, note: str = "") -> Flag:
    """Flag a member (for what they do across posts, or their profile)."""
    if not can_flag(flagger):
        raise NotAllowed("You cannot flag right now.", code="cannot_flag")
    if not member.is_active:
        raise NotFound("No such member.")
    if member.pk == flagger.pk:
        raise ValidationFailed("You cannot flag yourself.", code="own_account")
    reason, note = _clean_flag(reason, note)
    if Flag.objects.filter(flagger=flagger, member=member, post__isnull=True).exists():
        raise Conflict("You have flagged this member already.", code="already_flagged")
    ratelimit.hit(
        "flag",
        flagger.pk,
        ratelimit.Rate.parse(settings.HEARTH_RATE_FLAG),
        message="You have flagged a lot today.",
    )
    review = _flag_review(kind=ReviewItem.Kind.MEMBER, post=None, member=member)
    flag = _create_flag(
        flagger=flagger, post=None, member=member, review=review, reason=reason, note=note
    )
    record_activity(
        actor=flagger,
        verb="flag.raised",
        target=member,
        payload={"reason": reason, "weight": flag.weight, "review_id": review.pk},
    )
    return flag


def _flag_review(*, kind: str, post: Post | None, member: Member) -> ReviewItem:
    """The target's pending item, opened now if none waits."""

    def pending() -> ReviewItem | None:
        return (
            _pending_review_for_post(post)
            if post is not None
            else _pending_review_for_member(member)
        )

    review = pending()
    if review is None:
        now = timezone.now()
        try:
            # Two first flags at once both find no item; the one-pending constraint lets one
            # create it, and the other (its savepoint rolled back) joins that one.
            with transaction.atomic():
                return ReviewItem.objects.create(
                    kind=kind, post=post, member=member, created_at=now, first_flagged_at=now
                )
        except IntegrityError:
            review = pending()
            if review is None:
                raise
    if review.first_flagged_at is None:
        ReviewItem.objects.filter(pk=review.pk).update(first_flagged_at=timezone.now())
    return review


def _create_flag(*, flagger, post, member, review, reason, note) -> Flag:
    weight = trust.flag_weight(flagger)
    try:
        with transaction.atomic():
            flag = Flag.objects.create(
                flagger=flagger,
                post=post,
                member=member,
                review=review,
                reason=reason,
                note=note,
                weight=weight,
                created_at=timezone.now(),
            )
    except IntegrityError as error:
        raise Conflict("You have flagged this already.", code="already_flagged") from error
    ReviewItem.objects.filter(pk=review.pk).update(
        flag_count=F("flag_count") + 1, flag_weight=F("flag_weight") + weight
    )
    return flag


# --- Decisions on posts -----------------------------------------------------------------------


def _check_post_action(actor: Member, post: Post) -> None:
    if not can_moderate(actor):
        raise NotAllowed("Only moderators can do that.", code="staff_only")
    if not can_act_on_post(actor, post):
        raise NotAllowed(
            "Only a community manager can moderate a community manager's posts.",
            code="outranked",
        )


@transaction.atomic
def approve_post(
    *, actor: Member, post: Post, reason: str, review: ReviewItem | None = None
) -> ModerationAction:
    """The post keeps to the code of conduct: publish it (if held or hidden), dismiss flags."""
    post = _live_post(post)
    _check_post_action(actor, post)
    reason = clean_reason(reason)
    review = review or _pending_review_for_post(post)
    was = post.state
    if not post.is_published:
        community.set_post_state(actor=actor, post=post, state=State.PUBLISHED)
    action = _log(
        actor=actor,
        kind=Kind.APPROVE,
        reason=reason,
        post=post,
        member=post.author,
        review=review,
        payload={"from": was},
    )
    _resolve(review, actor=actor, decision=Kind.APPROVE, upheld=False)
    if was != State.PUBLISHED:
        _tell(
            post.author,
            "moderation_approved",
            target=post,
            title=_post_title(post),
            url=post.get_absolute_url(),
            reason=reason,
        )
    return action


@transaction.atomic
def hide_post(
    *, actor: Member, post: Post, reason: str, review: ReviewItem | None = None
) -> ModerationAction:
    """Take a post out of sight (its author still sees it, with the reason)."""
    post = _live_post(post)
    _check_post_action(actor, post)
    reason = clean_reason(reason)
    review = review or _pending_review_for_post(post)
    was = post.state
    community.set_post_state(actor=actor, post=post, state=State.HIDDEN, reason=reason[:500])
    action = _log(
        actor=actor,
        kind=Kind.HIDE,
        reason=reason,
        post=post,
        member=post.author,
        review=review,
        payload={"from": was},
    )
    _resolve(review, actor=actor, decision=Kind.HIDE, upheld=True)
    _tell(
        post.author,
        "moderation_hidden",
        target=post,
        title=_post_title(post),
        url=post.get_absolute_url(),
        reason=reason,
    )
    return action


@transaction.atomic
def edit_post(
    *, actor: Member, post: Post, body: str, reason: str, review: ReviewItem | None = None
) -> ModerationAction:
    """Edit a post for its author; the earlier text stays in its revision history."""
    post = _live_post(post)
    _check_post_action(actor, post)
    reason = clean_reason(reason)
    review = review or _pending_review_for_post(post)
    revision_before = max(post.revision_count, 1)
    previous_body = post.body
    community.edit_post(editor=actor, post=post, body=body)
    post.refresh_from_db(fields=["body", "revision_count", "state"])
    if post.body == previous_body:
        raise ValidationFailed("Change the text to edit it.", code="unchanged", field="body")
    if not post.is_published:
        # Edited into shape, it can be read again.
        community.set_post_state(actor=actor, post=post, state=State.PUBLISHED)
    action = _log(
        actor=actor,
        kind=Kind.EDIT,
        reason=reason,
        post=post,
        member=post.author,
        review=review,
        payload={"revision_before": revision_before, "revision": post.revision_count},
    )
    _resolve(review, actor=actor, decision=Kind.EDIT, upheld=True)
    _tell(
        post.author,
        "moderation_edited",
        target=post,
        title=_post_title(post),
        url=post.get_absolute_url(),
        reason=reason,
    )
    return action


@transaction.atomic
def move_topic(
    *, actor: Member, post: Post, space: Space, reason: str, review: ReviewItem | None = None
) -> ModerationAction:
    """Move the post's topic to a better place (off-topic flags)."""
    post = _live_post(post)
    _check_post_action(actor, post)
    reason = clean_reason(reason)
    if not can_view_space(actor, space):
        raise NotFound("No such space.")
    if space.pk == post.topic.space_id:
        raise ValidationFailed(
            "The topic is in that space already.", code="same_space", field="space"
        )
    review = review or _pending_review_for_post(post)
    source = post.topic.space
    topic = community.move_topic(actor=actor, topic=post.topic, space=space)
    action = _log(
        actor=actor,
        kind=Kind.MOVE,
        reason=reason,
        post=post,
        member=post.author,
        review=review,
        payload={"from_space": source.slug, "to_space": space.slug, "topic_id": topic.pk},
    )
    _resolve(review, actor=actor, decision=Kind.MOVE, upheld=True)
    _tell(
        post.author,
        "moderation_moved",
        target=post,
        title=topic.title,
        url=post.get_absolute_url(),
        reason=f"{reason} (now in {space.name})",
    )
    return action


@transaction.atomic
def delete_post(
    *, actor: Member, post: Post, reason: str, review: ReviewItem | None = None
) -> ModerationAction:
    """Delete a post (its opening post deletes the topic); moderators still see the text."""
    post = _live_post(post)
    _check_post_action(actor, post)
    reason = clean_reason(reason)
    review = review or _pending_review_for_post(post)
    community.delete_post(actor=actor, post=post)
    action = _log(
        actor=actor,
        kind=Kind.DELETE,
        reason=reason,
        post=post,
        member=post.author,
        review=review,
        payload={"opening": post.is_opening},
    )
    _resolve(review, actor=actor, decision=Kind.DELETE, upheld=True)
    _tell(
        post.author,
        "moderation_deleted",
        target=post,
        title=_post_title(post),
        url=fast_reverse("accounts:conduct"),
        reason=reason,
    )
    return action


# --- Decisions on members ---------------------------------------------------------------------


def _check_member_action(actor: Member, member: Member) -> None:
    if not can_moderate(actor):
        raise NotAllowed("Only moderators can do that.", code="staff_only")
    if not can_act_on_member(actor, member):
        raise NotAllowed(
            "You cannot do that to yourself or to staff of your rank or above.",
            code="outranked",
        )


def _member_review(member: Member, review: ReviewItem | None) -> ReviewItem | None:
    return review or _pending_review_for_member(member)


def _until_text(until: datetime.datetime) -> str:
    return f"{timezone.localtime(until):%d %b %Y, %H:%M %Z}"


@transaction.atomic
def warn_member(
    *,
    actor: Member,
    member: Member,
    reason: str,
    review: ReviewItem | None = None,
    post: Post | None = None,
) -> ModerationAction:
    """A formal warning: nothing changes but the record, and the member hears why."""
    _check_member_action(actor, member)
    reason = clean_reason(reason)
    review = _member_review(member, review)
    action = _log(
        actor=actor, kind=Kind.WARN, reason=reason, member=member, review=review, post=post
    )
    _resolve(review, actor=actor, decision=Kind.WARN, upheld=True)
    _tell(
        member,
        "moderation_warned",
        target=member,
        title="the code of conduct",
        url=fast_reverse("accounts:conduct"),
        reason=reason,
    )
    return action


def _restrict(actor, member, *, field, until, kind, verb, reason, review, title, post=None):
    previous = getattr(member, field)
    Member.objects.filter(pk=member.pk).update(**{field: until})
    setattr(member, field, until)
    action = _log(
        actor=actor,
        kind=kind,
        reason=reason,
        member=member,
        review=review,
        post=post,
        payload={
            "until": until.isoformat(),
            "previous": previous.isoformat() if previous else None,
        },
    )
    _resolve(review, actor=actor, decision=kind, upheld=True)
    _tell(
        member,
        verb,
        target=member,
        title=title,
        url=fast_reverse("accounts:conduct"),
        reason=reason,
    )
    return action


@transaction.atomic
def silence_member(
    *,
    actor: Member,
    member: Member,
    days: int,
    reason: str,
    review: ReviewItem | None = None,
    post: Post | None = None,
) -> ModerationAction:
    """For `days`, the member can read and log in but not post, react or flag."""
    _check_member_action(actor, member)
    reason = clean_reason(reason)
    until = timezone.now() + datetime.timedelta(days=clean_days(days))
    return _restrict(
        actor,
        member,
        field="silenced_until",
        until=until,
        kind=Kind.SILENCE,
        verb="moderation_silenced",
        reason=reason,
        review=_member_review(member, review),
        title=_until_text(until),
        post=post,
    )


@transaction.atomic
def suspend_member(
    *,
    actor: Member,
    member: Member,
    days: int,
    reason: str,
    review: ReviewItem | None = None,
    post: Post | None = None,
) -> ModerationAction:
    """For `days`, the member can neither log in nor post; open sessions end at once."""
    _check_member_action(actor, member)
    reason = clean_reason(reason)
    until = timezone.now() + datetime.timedelta(days=clean_days(days))
    return _restrict(
        actor,
        member,
        field="suspended_until",
        until=until,
        kind=Kind.SUSPEND,
        verb="moderation_suspended",
        reason=reason,
        review=_member_review(member, review),
        title=_until_text(until),
        post=post,
    )


@transaction.atomic
def ban_member(
    *,
    actor: Member,
    member: Member,
    reason: str,
    review: ReviewItem | None = None,
    post: Post | None = None,
) -> ModerationAction:
    """A suspension without end (undo lifts it)."""
    _check_member_action(actor, member)
    reason = clean_reason(reason)
    return _restrict(
        actor,
        member,
        field="suspended_until",
        until=BANNED_UNTIL,
        kind=Kind.BAN,
        verb="moderation_banned",
        reason=reason,
        review=_member_review(member, review),
        title="the community",
        post=post,
    )


@transaction.atomic
def dismiss_member_flags(
    *, actor: Member, member: Member, reason: str, review: ReviewItem | None = None
) -> ModerationAction:
    """The flags against a member do not hold: close them, nothing else changes.

    Any moderator may, whatever the member's rank: nothing is done to the member, and flags
    against a community manager would otherwise wait in the queue for ever. Only not on
    flags against oneself.
    """
    if not can_moderate(actor):
        raise NotAllowed("Only moderators can do that.", code="staff_only")
    if actor.pk == member.pk:
        raise NotAllowed("Another moderator must decide on flags against you.", code="own_account")
    reason = clean_reason(reason)
    review = _member_review(member, review)
    if review is None:
        raise NotFound("Nothing waits for review about this member.")
    action = _log(actor=actor, kind=Kind.APPROVE, reason=reason, member=member, review=review)
    _resolve(review, actor=actor, decision=Kind.APPROVE, upheld=False)
    return action


# --- Undo -------------------------------------------------------------------------------------


@transaction.atomic
def undo_action(*, actor: Member, action: ModerationAction, reason: str) -> ModerationAction:
    """Reverse a hide, edit, move, silence, suspension or ban; the log keeps both rows."""
    action = ModerationAction.objects.select_related("post__topic__space", "member").get(
        pk=action.pk
    )
    if not can_moderate(actor):
        raise NotAllowed("Only moderators can do that.", code="staff_only")
    if action.kind not in UNDOABLE:
        raise ValidationFailed(
            f"“{action.get_kind_display()}” cannot be undone.", code="not_undoable"
        )
    if ModerationAction.objects.filter(reverts=action).exists():
        raise Conflict("That decision is undone already.", code="already_undone")
    reason = clean_reason(reason)
    post, member = action.post, action.member
    payload = {"undid": action.kind}
    lifted = True
    if action.kind in (Kind.HIDE, Kind.EDIT, Kind.MOVE):
        if post is None or post.is_deleted:
            raise Conflict("The post is gone; there is nothing to undo.", code="post_deleted")
        _check_post_action(actor, post)
        verb = "moderation_restored"
        if action.kind == Kind.HIDE:
            if post.is_hidden:
                community.set_post_state(actor=actor, post=post, state=State.PUBLISHED)
        elif action.kind == Kind.EDIT:
            earlier = post.revisions.filter(number=action.payload.get("revision_before", 1)).first()
            if earlier is None:
                raise Conflict("The earlier text is not on record.", code="no_revision")
            community.edit_post(editor=actor, post=post, body=earlier.body)
        else:
            source = Space.objects.filter(slug=action.payload.get("from_space", "")).first()
            if source is None:
                raise Conflict("The space it came from is gone.", code="space_gone")
            community.move_topic(actor=actor, topic=post.topic, space=source)
        title, url = post.topic.title, post.get_absolute_url()
    else:
        if member is None:
            raise Conflict("The member is gone; there is nothing to undo.", code="member_gone")
        _check_member_action(actor, member)
        field = "silenced_until" if action.kind == Kind.SILENCE else "suspended_until"
        lifted = payload["lifted"] = _restriction_still_from(action, field)
        if lifted:
            Member.objects.filter(pk=member.pk).update(**{field: None})
            setattr(member, field, None)
        verb, title, url = "moderation_lifted", "your account", fast_reverse("accounts:conduct")
    undo = _log(
        actor=actor,
        kind=Kind.UNDO,
        reason=reason,
        post=post,
        member=member,
        reverts=action,
        payload=payload,
    )
    if lifted:
        # Otherwise a later silence, suspension or ban still holds: nothing changed for them.
        target = post if post is not None else member
        _tell(member or post.author, verb, target=target, title=title, url=url, reason=reason)
    return undo


def _restriction_still_from(action: ModerationAction, field: str) -> bool:
    """Whether the member's `field` is still the one `action` set, so undoing it may clear it.

    It is when the value is still the action's end, or when no later decision of the same
    kind (a suspension or ban for `suspended_until`) stands; otherwise a later decision set
    it, and undoing an old suspension must not lift a later ban.
    """
    current = (
        Member.objects.select_for_update()
        .filter(pk=action.member_id)
        .values_list(field, flat=True)
        .first()
    )
    until = action.payload.get("until")
    if current is not None and until and current == datetime.datetime.fromisoformat(until):
        return True
    kinds = [Kind.SILENCE] if field == "silenced_until" else [Kind.SUSPEND, Kind.BAN]
    return not (
        ModerationAction.objects.filter(
            member_id=action.member_id, kind__in=kinds, pk__gt=action.pk
        )
        .filter(reverted_by__isnull=True)
        .exists()
    )


# --- Acting on a queue item -------------------------------------------------------------------


def act_on_review(
    *,
    actor: Member,
    review: ReviewItem,
    action: str,
    reason: str,
    days: int | None = None,
    space: Space | None = None,
    body: str | None = None,
) -> ModerationAction:
    """Take one decision on a waiting item, as chosen on the queue page or in the API."""
    if not can_moderate(actor):
        raise NotAllowed("Only moderators can do that.", code="staff_only")
    with transaction.atomic():
        # Two moderators deciding at once: the second waits for the lock, then sees the first's
        # decision (the `review` passed in may have been read before either began).
        locked = ReviewItem.objects.select_for_update().filter(pk=review.pk).first()
        if locked is None:
            raise NotFound("Nothing waits for review here.")
        if not locked.is_pending:
            raise Conflict("Someone has decided on this already.", code="already_decided")
        return _decide(
            actor=actor,
            review=locked,
            action=action,
            reason=reason,
            days=days,
            space=space,
            body=body,
        )


def _decide(*, actor, review, action, reason, days, space, body) -> ModerationAction:
    if review.kind == ReviewItem.Kind.POST:
        post = review.post
        if action == Kind.APPROVE:
            return approve_post(actor=actor, post=post, reason=reason, review=review)
        if action == Kind.HIDE:
            return hide_post(actor=actor, post=post, reason=reason, review=review)
        if action == Kind.EDIT:
            if body is None:
                raise ValidationFailed("Give the new text.", code="body_required", field="body")
            return edit_post(actor=actor, post=post, body=body, reason=reason, review=review)
        if action == Kind.MOVE:
            if space is None:
                raise ValidationFailed("Choose a space.", code="space_required", field="space")
            return move_topic(actor=actor, post=post, space=space, reason=reason, review=review)
        if action == Kind.DELETE:
            return delete_post(actor=actor, post=post, reason=reason, review=review)
    elif action == Kind.APPROVE:
        return dismiss_member_flags(actor=actor, member=review.member, reason=reason, review=review)
    # A decision about the author of the post in question also settles the post's item.
    post = review.post
    member = review.member
    if action == Kind.WARN:
        return warn_member(actor=actor, member=member, reason=reason, review=review, post=post)
    if action == Kind.SILENCE:
        return silence_member(
            actor=actor, member=member, days=days, reason=reason, review=review, post=post
        )
    if action == Kind.SUSPEND:
        return suspend_member(
            actor=actor, member=member, days=days, reason=reason, review=review, post=post
        )
    if action == Kind.BAN:
        return ban_member(actor=actor, member=member, reason=reason, review=review, post=post)
    raise ValidationFailed("Choose an action from the list.", code="invalid_action", field="action")


def act_on_member(
    *, actor: Member, member: Member, action: str, reason: str, days: int | None = None
) -> ModerationAction:
    """Warn, silence, suspend or ban a member from their moderation page or the API."""
    if action == Kind.WARN:
        return warn_member(actor=actor, member=member, reason=reason)
    if action == Kind.SILENCE:
        return silence_member(actor=actor, member=member, days=days, reason=reason)
    if action == Kind.SUSPEND:
        return suspend_member(actor=actor, member=member, days=days, reason=reason)
    if action == Kind.BAN:
        return ban_member(actor=actor, member=member, reason=reason)
    raise ValidationFailed(
        "Choose warn, silence, suspend or ban.", code="invalid_action", field="action"
    )


# --- Trust levels -----------------------------------------------------------------------------


@transaction.atomic
def set_trust_level(
    *, actor: Member, member: Member, level: int, locked: bool, reason: str
) -> ModerationAction:
    """Set a member's trust level by hand; `locked` keeps the nightly count from changing it."""
    _check_member_action(actor, member)
    reason = clean_reason(reason)
    if level not in trust.LEVELS:
        raise ValidationFailed("Trust levels go from 0 to 4.", code="invalid_level", field="level")
    previous = (member.trust_level, member.trust_level_locked)
    Member.objects.filter(pk=member.pk).update(trust_level=level, trust_level_locked=locked)
    member.trust_level, member.trust_level_locked = level, locked
    record_activity(
        actor=actor,
        verb="member.trust_changed",
        target=member,
        payload={"from": previous[0], "to": level, "locked": locked, "by_hand": True},
    )
    return _log(
        actor=actor,
        kind=Kind.TRUST,
        reason=reason,
        member=member,
        payload={"from": previous[0], "to": level, "locked": locked},
    )


def member_stats(member_ids: list[int]) -> dict[int, trust.Stats]:
    """Each member's activity as trust levels count it (seven grouped queries)."""
    stats = {member_id: trust.Stats() for member_id in member_ids}

    def fill(name: str, rows) -> None:
        for member_id, count in rows:
            if member_id in stats:
                setattr(stats[member_id], name, count)

    fill(
        "days_visited",
        VisitDay.objects.filter(member_id__in=member_ids)
        .values("member_id")
        .annotate(n=Count("id"))
        .values_list("member_id", "n"),
    )
    fill("posts_read", Member.objects.filter(pk__in=member_ids).values_list("pk", "posts_read"))
    fill(
        "replies",
        Post.objects.filter(
            author_id__in=member_ids, position__gt=1, deleted_at__isnull=True, state=State.PUBLISHED
        )
        .values("author_id")
        .annotate(n=Count("id"))
        .values_list("author_id", "n"),
    )
    fill(
        "likes_given",
        Reaction.objects.filter(member_id__in=member_ids, kind=Reaction.Kind.LIKE)
        .values("member_id")
        .annotate(n=Count("id"))
        .values_list("member_id", "n"),
    )
    fill(
        "likes_received",
        Reaction.objects.filter(post__author_id__in=member_ids, kind=Reaction.Kind.LIKE)
        .values("post__author_id")
        .annotate(n=Count("id"))
        .values_list("post__author_id", "n"),
    )
    fill(
        "accepted_answers",
        Topic.objects.filter(accepted_post__author_id__in=member_ids, deleted_at__isnull=True)
        .values("accepted_post__author_id")
        .annotate(n=Count("id"))
        .values_list("accepted_post__author_id", "n"),
    )
    fill(
        "flags_upheld",
        Flag.objects.filter(member_id__in=member_ids, status=Flag.Status.UPHELD)
        .values("member_id")
        .annotate(n=Count("id"))
        .values_list("member_id", "n"),
    )
    return stats


TRUST_BATCH = 500


def recompute_trust_levels() -> dict[str, int]:
    """Recount every member's trust level from their activity (staff-locked levels stay).

    Batches of TRUST_BATCH members, each in its own transaction, so the nightly run can stop
    and start again anywhere. Returns how many were counted, raised and lowered.
    """
    counts = {"counted": 0, "raised": 0, "lowered": 0}
    last_id = 0
    while True:
        batch = list(
            Member.objects.filter(pk__gt=last_id, is_active=True, trust_level_locked=False)
            .order_by("pk")
            .values_list("pk", "trust_level")[:TRUST_BATCH]
        )
        if not batch:
            return counts
        last_id = batch[-1][0]
        stats = member_stats([pk for pk, _ in batch])
        with transaction.atomic():
            for pk, current in batch:
                level = trust.level_for(stats[pk])
                counts["counted"] += 1
                if level == current:
                    continue
                changed = Member.objects.filter(
                    pk=pk, trust_level=current, trust_level_locked=False
                ).update(trust_level=level)
                if not changed:
                    continue
                counts["raised" if level > current else "lowered"] += 1
                record_activity(
                    actor=None,
                    verb="member.trust_changed",
                    target_type="member",
                    target_id=pk,
                    payload={"from": current, "to": level, "by_hand": False},
                )


# --- Screening words --------------------------------------------------------------------------


@transaction.atomic
def add_screening_word(*, actor: Member, word: str) -> ScreeningWord:
    if not can_edit_screening_words(actor):
        raise NotAllowed("Only moderators can change the screening list.", code="staff_only")
    word = " ".join((word or "").split()).lower()
    if not word or len(word) > 100:
        raise ValidationFailed(
            "Give a word or phrase of up to 100 characters.", code="invalid_word", field="word"
        )
    entry, created = ScreeningWord.objects.get_or_create(word=word, defaults={"added_by": actor})
    if not created:
        raise Conflict("That word is on the list already.", code="word_listed")
    record_activity(actor=actor, verb="screening.word_added", target=entry, payload={"word": word})
    return entry


@transaction.atomic
def remove_screening_word(*, actor: Member, entry: ScreeningWord) -> None:
    if not can_edit_screening_words(actor):
        raise NotAllowed("Only moderators can change the screening list.", code="staff_only")
    record_activity(
        actor=actor, verb="screening.word_removed", target=entry, payload={"word": entry.word}
    )
    entry.delete()


def excerpt(post: Post, length: int = 280) -> str:
    text = plain_text(post.body_html)
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
