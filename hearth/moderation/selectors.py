"""Reads for moderators: the queue with its context, the audit log, a member's record."""

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from hearth.accounts.models import Member
from hearth.community.models import Post, Space
from hearth.community.selectors import visible_spaces
from hearth.core.errors import NotAllowed
from hearth.moderation.models import Flag, ModerationAction, ReviewItem, ScreeningWord
from hearth.moderation.permissions import can_moderate, can_view_audit_log

QUEUE_FILTERS = {
    "all": "Everything waiting",
    "flagged": "Flagged",
    "held": "Held by screening",
    "members": "Flagged members",
}
HISTORY_LENGTH = 5


def require_moderator(member) -> None:
    if not can_moderate(member):
        raise NotAllowed("Only moderators and community managers can see this.", code="staff_only")


def review_queue(member, *, show: str = "all") -> QuerySet:
    """Items waiting for a decision, oldest first."""
    require_moderator(member)
    # A post its author deleted while it waited needs no decision any more.
    items = ReviewItem.objects.filter(status=ReviewItem.Status.PENDING).exclude(
        post__deleted_at__isnull=False
    )
    if show == "flagged":
        items = items.filter(flag_count__gt=0, kind=ReviewItem.Kind.POST)
    elif show == "held":
        items = items.filter(held=True)
    elif show == "members":
        items = items.filter(kind=ReviewItem.Kind.MEMBER)
    return items.select_related("post__topic__space", "post__author", "member").order_by(
        "created_at", "id"
    )


def with_context(items) -> list[ReviewItem]:
    """The page's items, each with `flag_list`, `previous_post` (the post before it in the
    thread), `history` (the member's latest decisions) and `member_flags_upheld`.

    A fixed number of queries whatever the page holds.
    """
    items = list(items)
    if not items:
        return items
    by_id = {item.pk: item for item in items}
    for item in items:
        item.flag_list = []
        item.previous_post = None
        item.history = []
    for flag in (
        Flag.objects.filter(review_id__in=by_id)
        .select_related("flagger")
        .order_by("created_at", "id")
    ):
        by_id[flag.review_id].flag_list.append(flag)
    wanted = Q(pk__in=[])
    for item in items:
        if item.post is not None and item.post.position > 1:
            wanted |= Q(topic_id=item.post.topic_id, position=item.post.position - 1)
    previous = {
        (post.topic_id, post.position): post
        for post in Post.objects.filter(wanted).select_related("author")
    }
    for item in items:
        if item.post is not None:
            item.previous_post = previous.get((item.post.topic_id, item.post.position - 1))
    member_ids = {item.member_id for item in items}
    history: dict[int, list[ModerationAction]] = {pk: [] for pk in member_ids}
    actions = (
        ModerationAction.objects.filter(member_id__in=member_ids)
        .exclude(kind=ModerationAction.Kind.HOLD)
        .select_related("actor")
        .order_by("-created_at", "-id")[: HISTORY_LENGTH * len(member_ids) * 3]
    )
    for action in actions:
        if len(history[action.member_id]) < HISTORY_LENGTH:
            history[action.member_id].append(action)
    upheld = dict(
        Flag.objects.filter(member_id__in=member_ids, status=Flag.Status.UPHELD)
        .values("member_id")
        .annotate(n=Count("id"))
        .values_list("member_id", "n")
    )
    for item in items:
        item.history = history[item.member_id]
        item.member_flags_upheld = upheld.get(item.member_id, 0)
    return items


def access_review(member, review_id: int) -> ReviewItem:
    require_moderator(member)
    review = (
        ReviewItem.objects.select_related("post__topic__space", "post__author", "member")
        .filter(pk=review_id)
        .first()
    )
    if review is None:
        raise Http404("No such item.")
    return review


def audit_log(member, *, kind: str = "", subject: Member | None = None) -> QuerySet:
    """Every moderation decision, newest first (staff only)."""
    if not can_view_audit_log(member):
        raise NotAllowed(
            "Only moderators and community managers can read the moderation log.", code="staff_only"
        )
    actions = ModerationAction.objects.select_related("actor", "member", "post__topic", "reverts")
    if kind:
        actions = actions.filter(kind=kind)
    if subject is not None:
        actions = actions.filter(member=subject)
    return actions.order_by("-created_at", "-id")


def access_action(member, action_id: int) -> ModerationAction:
    require_moderator(member)
    action = (
        ModerationAction.objects.select_related("post__topic__space", "member", "actor")
        .filter(pk=action_id)
        .first()
    )
    if action is None:
        raise Http404("No such decision.")
    return action


def undone_ids(actions) -> set[int]:
    """Which of `actions` have been undone (one query)."""
    ids = [action.pk for action in actions]
    return set(
        ModerationAction.objects.filter(reverts_id__in=ids).values_list("reverts_id", flat=True)
    )


def access_member_record(member, username: str) -> Member:
    require_moderator(member)
    found = Member.objects.filter(username__iexact=username).first()
    if found is None:
        raise Http404("No such member.")
    return found


def flags_against(subject: Member) -> QuerySet:
    return (
        Flag.objects.filter(member=subject)
        .select_related("flagger", "post__topic")
        .order_by("-created_at", "-id")
    )


def moveable_spaces(member) -> list[Space]:
    return visible_spaces(member)


def screening_words() -> list[ScreeningWord]:
    return list(ScreeningWord.objects.select_related("added_by"))


def access_screening_word(member, word_id: int) -> ScreeningWord:
    require_moderator(member)
    entry = ScreeningWord.objects.filter(pk=word_id).first()
    if entry is None:
        raise Http404("No such word.")
    return entry
