"""API for ideas: boards, statuses, lists, submitting, votes, and the staff's status and merge."""

from django.http import HttpRequest
from ninja import Path, Query, Router

from hearth.accounts.api_auth import ANYONE, MEMBER, require_write
from hearth.core.errors import NotAllowed
from hearth.core.pagination import MAX_LIMIT, Key, keyset_page
from hearth.core.schemas import ERRORS
from hearth.ideas import selectors, services
from hearth.ideas.permissions import can_change_status, can_merge
from hearth.ideas.schemas import (
    BoardOut,
    IdeaDetailOut,
    IdeaIn,
    IdeaPage,
    MergeIn,
    SimilarOut,
    SortValue,
    StatusChangeIn,
    StatusOut,
    VoteOut,
)

router = Router(tags=["ideas"])

ID = Path(..., ge=1, le=2**63 - 1)
LIMIT = Query(30, ge=1, le=MAX_LIMIT, description=f"Items a page, at most {MAX_LIMIT}")
CURSOR = Query(None, max_length=200, description="`next_cursor` of the previous page")
SLUG = Query(None, max_length=80)
SORT = Query("votes", description="votes, trending (votes of the last days), newest, updated")
STATUS = Query(None, max_length=40, description="Slug of a status")
KEYS = {
    "votes": (Key("vote_count", descending=True), Key("id", descending=True)),
    "trending": (
        Key("recent_votes", descending=True),
        Key("vote_count", descending=True),
        Key("id", descending=True),
    ),
    "newest": (Key("created_at", descending=True, is_datetime=True), Key("id", descending=True)),
    "updated": (Key("updated_at", descending=True, is_datetime=True), Key("id", descending=True)),
}


def _boards(request: HttpRequest, board: str | None):
    """The boards to read: the one named (404 when hidden or missing) or every visible one."""
    if board:
        return [selectors.access_board(request.user, board)]
    return selectors.visible_boards(request.user)


def _detail(request: HttpRequest, idea_id: int):
    idea = selectors.access_idea(request.user, idea_id)
    idea.voted = bool(selectors.voted_ids(request.user, [idea]))
    return idea


@router.get(
    "/idea-boards",
    response={200: list[BoardOut], **ERRORS},
    auth=ANYONE,
    summary="Idea boards you may see",
)
def list_boards(request: HttpRequest):
    return selectors.visible_boards(request.user)


@router.get(
    "/idea-statuses",
    response={200: list[StatusOut], **ERRORS},
    auth=ANYONE,
    summary="The statuses ideas move through, in order",
)
def list_statuses(request: HttpRequest):
    return selectors.status_list()


@router.get(
    "/ideas",
    response={200: IdeaPage, **ERRORS},
    auth=ANYONE,
    summary="Ideas you may see, sorted and filtered",
)
def list_ideas(
    request: HttpRequest,
    sort: SortValue = SORT,
    board: str | None = SLUG,
    status: str | None = STATUS,
    area: str | None = SLUG,
    limit: int = LIMIT,
    cursor: str | None = CURSOR,
):
    ideas = selectors.idea_list(
        request.user,
        boards=_boards(request, board),
        status=selectors.find_status(status) if status else None,
        area=selectors.find_area(area) if area else None,
        sort=sort,
    )
    return keyset_page(ideas, keys=KEYS[sort], limit=limit, cursor=cursor)


@router.post(
    "/ideas",
    response={201: IdeaDetailOut, 200: IdeaDetailOut, **ERRORS},
    auth=MEMBER,
    summary="Submit an idea",
)
def create_idea(request: HttpRequest, payload: IdeaIn):
    require_write(request)
    board = selectors.access_board(request.user, payload.board)
    idea = services.create_idea(
        author=request.user,
        board=board,
        title=payload.title,
        description=payload.description,
        area=selectors.find_area(payload.area) if payload.area else None,
        submit_key=payload.submit_key,
    )
    status = 200 if getattr(idea, "is_repeat_submit", False) else 201
    return status, _detail(request, idea.pk)


@router.get(
    "/ideas/similar",
    response={200: SimilarOut, **ERRORS},
    auth=ANYONE,
    summary="Ideas like a title, before submitting a duplicate",
)
def similar_ideas(
    request: HttpRequest,
    title: str = Query(..., max_length=1000),
    board: str | None = SLUG,
):
    return {"results": selectors.similar_ideas(request.user, title, boards=_boards(request, board))}


@router.get(
    "/ideas/{idea_id}", response={200: IdeaDetailOut, **ERRORS}, auth=ANYONE, summary="One idea"
)
def get_idea(request: HttpRequest, idea_id: int = ID):
    return _detail(request, idea_id)


def _vote_state(request: HttpRequest, idea_id: int) -> dict:
    idea = _detail(request, idea_id)
    return {"voted": idea.voted, "vote_count": idea.vote_count}


@router.put(
    "/ideas/{idea_id}/vote",
    response={200: VoteOut, **ERRORS},
    auth=MEMBER,
    summary="Vote for an idea (and follow it)",
)
def vote(request: HttpRequest, idea_id: int = ID):
    require_write(request)
    idea = selectors.access_idea(request.user, idea_id)
    services.add_idea_vote(member=request.user, idea=idea)
    return _vote_state(request, idea_id)


@router.delete(
    "/ideas/{idea_id}/vote",
    response={200: VoteOut, **ERRORS},
    auth=MEMBER,
    summary="Withdraw your vote",
)
def unvote(request: HttpRequest, idea_id: int = ID):
    require_write(request)
    idea = selectors.access_idea(request.user, idea_id)
    services.withdraw_idea_vote(member=request.user, idea=idea)
    return _vote_state(request, idea_id)


@router.post(
    "/ideas/{idea_id}/status",
    response={200: IdeaDetailOut, **ERRORS},
    auth=MEMBER,
    summary="Change an idea's status, with a public note (staff)",
)
def change_status(request: HttpRequest, payload: StatusChangeIn, idea_id: int = ID):
    require_write(request)
    idea = selectors.access_idea(request.user, idea_id)
    if not can_change_status(request.user, idea):
        raise NotAllowed(
            "Only moderators and community managers can change an idea's status.",
            code="staff_only",
        )
    services.change_idea_status(
        actor=request.user,
        idea=idea,
        status=selectors.find_status(payload.status),
        note=payload.note,
        announcement_url=payload.announcement_url,
        announcement_title=payload.announcement_title,
    )
    return _detail(request, idea_id)


@router.post(
    "/ideas/{idea_id}/merge",
    response={200: IdeaDetailOut, **ERRORS},
    auth=MEMBER,
    summary="Merge a duplicate into another idea; returns the one that survives (staff)",
)
def merge(request: HttpRequest, payload: MergeIn, idea_id: int = ID):
    require_write(request)
    idea = selectors.access_idea(request.user, idea_id)
    if not can_merge(request.user, idea):
        raise NotAllowed(
            "Only moderators and community managers can merge ideas.", code="staff_only"
        )
    target = selectors.access_idea(request.user, payload.into)
    survivor = services.merge_ideas(actor=request.user, source=idea, target=target)
    return _detail(request, survivor.pk)
