"""Moderation API: flag (members), the queue and decisions (moderators), the log (staff)."""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Path, Query, Router

from hearth.accounts.api_auth import MEMBER, require_write
from hearth.accounts.models import Member
from hearth.accounts.selectors import access_member
from hearth.community.selectors import access_post, access_space
from hearth.core.errors import ValidationFailed
from hearth.core.pagination import MAX_LIMIT, Key, keyset_page
from hearth.core.schemas import ERRORS
from hearth.moderation import selectors, services
from hearth.moderation.models import ModerationAction
from hearth.moderation.schemas import (
    ActionOut,
    ActionPage,
    FlagIn,
    FlagOut,
    MemberActionIn,
    ReviewActionIn,
    ReviewPage,
    UndoIn,
)

router = Router(tags=["moderation"])

ID = Path(..., ge=1, le=2**63 - 1)
LIMIT = Query(30, ge=1, le=MAX_LIMIT, description=f"Items a page, at most {MAX_LIMIT}")
CURSOR = Query(None, max_length=200, description="`next_cursor` of the previous page")
QUEUE_KEYS = (Key("created_at", is_datetime=True), Key("id"))
LOG_KEYS = (Key("created_at", descending=True, is_datetime=True), Key("id", descending=True))


@router.post(
    "/moderation/flags",
    response={201: FlagOut, **ERRORS},
    auth=MEMBER,
    summary="Flag a post or a member",
)
def create_flag(request: HttpRequest, payload: FlagIn):
    require_write(request)
    if (payload.post_id is None) == (payload.username is None):
        raise ValidationFailed("Give either post_id or username.", code="flag_target")
    if payload.post_id is not None:
        post = access_post(request.user, payload.post_id)
        flag = services.flag_post(
            flagger=request.user, post=post, reason=payload.reason, note=payload.note
        )
    else:
        member = access_member(payload.username)
        flag = services.flag_member(
            flagger=request.user, member=member, reason=payload.reason, note=payload.note
        )
    return 201, flag


@router.get(
    "/moderation/queue",
    response={200: ReviewPage, **ERRORS},
    auth=MEMBER,
    summary="What waits for review, oldest first (moderators)",
)
def list_queue(
    request: HttpRequest,
    show: str = Query("all", max_length=16, description="all, flagged, held or members"),
    limit: int = LIMIT,
    cursor: str | None = CURSOR,
):
    if show not in selectors.QUEUE_FILTERS:
        raise ValidationFailed(
            "Show all, flagged, held or members.", code="invalid_filter", field="show"
        )
    page = keyset_page(
        selectors.review_queue(request.user, show=show), keys=QUEUE_KEYS, limit=limit, cursor=cursor
    )
    page["results"] = selectors.with_context(page["results"])
    return page


@router.post(
    "/moderation/queue/{item_id}/actions",
    response={201: ActionOut, **ERRORS},
    auth=MEMBER,
    summary="Decide on a waiting item (moderators)",
)
def act_on_item(request: HttpRequest, payload: ReviewActionIn, item_id: int = ID):
    require_write(request)
    item = selectors.access_review(request.user, item_id)
    space = access_space(request.user, payload.space) if payload.space else None
    action = services.act_on_review(
        actor=request.user,
        review=item,
        action=payload.action,
        reason=payload.reason,
        days=payload.days,
        space=space,
        body=payload.body,
    )
    return 201, action


@router.post(
    "/moderation/members/{username}/actions",
    response={201: ActionOut, **ERRORS},
    auth=MEMBER,
    summary="Warn, silence, suspend or ban a member (moderators)",
)
def act_on_member(
    request: HttpRequest, payload: MemberActionIn, username: str = Path(..., max_length=150)
):
    require_write(request)
    selectors.require_moderator(request.user)
    member = get_object_or_404(Member, username__iexact=username)
    action = services.act_on_member(
        actor=request.user,
        member=member,
        action=payload.action,
        reason=payload.reason,
        days=payload.days,
    )
    return 201, action


@router.post(
    "/moderation/log/{action_id}/undo",
    response={201: ActionOut, **ERRORS},
    auth=MEMBER,
    summary="Undo a decision (moderators)",
)
def undo_action(request: HttpRequest, payload: UndoIn, action_id: int = ID):
    require_write(request)
    action = selectors.access_action(request.user, action_id)
    return 201, services.undo_action(actor=request.user, action=action, reason=payload.reason)


@router.get(
    "/moderation/log",
    response={200: ActionPage, **ERRORS},
    auth=MEMBER,
    summary="The moderation log, newest first (staff)",
)
def list_log(
    request: HttpRequest,
    kind: str = Query("", max_length=16, description="only decisions of this kind"),
    limit: int = LIMIT,
    cursor: str | None = CURSOR,
):
    if kind and kind not in ModerationAction.Kind.values:
        raise ValidationFailed("Unknown kind of decision.", code="invalid_kind", field="kind")
    return keyset_page(
        selectors.audit_log(request.user, kind=kind), keys=LOG_KEYS, limit=limit, cursor=cursor
    )
