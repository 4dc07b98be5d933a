"""API for search: the same selector, filters and visibility as the search page."""

import datetime

from django.http import HttpRequest
from ninja import Query, Router

from hearth.accounts.api_auth import ANYONE
from hearth.community.selectors import visible_spaces
from hearth.core.errors import ValidationFailed
from hearth.core.schemas import ERRORS
from hearth.search import selectors
from hearth.search.backends.base import MAX_QUERY_LENGTH, normalize_query
from hearth.search.schemas import SearchPageOut, SimilarPageOut

router = Router(tags=["search"])

TEXT = Query(..., max_length=1000, description="What to look for")
SPACE = Query(None, max_length=80, description="A space's slug")
TAG = Query(None, max_length=50, description="A tag's slug")
SOLVED = Query(None, description="Only questions with (true) or without (false) an answer")
AUTHOR = Query(None, max_length=150, description="The author's username")
AFFILIATION = Query(None, max_length=20, description="The author's affiliation")
SINCE = Query(None, description="Posted on or after this day (YYYY-MM-DD)")
UNTIL = Query(None, description="Posted on or before this day (YYYY-MM-DD)")
LIMIT = Query(selectors.PER_PAGE, ge=1, le=selectors.MAX_LIMIT, description="Results a page")
CURSOR = Query(None, max_length=20, description="`next_cursor` of the previous page")


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    if not cursor.isdigit() or int(cursor) > selectors.MAX_OFFSET:
        raise ValidationFailed(
            "That cursor is not one this API gave out.", code="invalid_cursor", field="cursor"
        )
    return int(cursor)


@router.get(
    "/search",
    response={200: SearchPageOut, **ERRORS},
    auth=ANYONE,
    summary="Search the posts you may see",
    description=(
        'All words must match; `"exact phrase"`, `-word` to leave out, `a or b` for either. '
        "Results are posts, best first, one a topic, with the matched words in `<mark>`."
    ),
)
def search(
    request: HttpRequest,
    q: str = TEXT,
    space: str | None = SPACE,
    tag: str | None = TAG,
    solved: bool | None = SOLVED,
    author: str | None = AUTHOR,
    affiliation: str | None = AFFILIATION,
    since: datetime.date | None = SINCE,
    until: datetime.date | None = UNTIL,
    limit: int = LIMIT,
    cursor: str | None = CURSOR,
):
    offset = _offset(cursor)
    # A space filter needs the visible spaces: read them once, for it and for the search.
    spaces = visible_spaces(request.user) if space else None
    filters = selectors.search_filters(
        request.user,
        spaces=spaces,
        space=space,
        tag=tag,
        solved=solved,
        author=author,
        affiliation=affiliation,
        since=since,
        until=until,
    )
    page = selectors.search(request.user, q, limit=limit, offset=offset, spaces=spaces, **filters)
    return {
        "query": page.query,
        "results": page.results,
        "next_cursor": str(offset + limit) if page.has_next else None,
        "notice": page.notice or None,
    }


TITLE = Query(..., max_length=MAX_QUERY_LENGTH, description="The title of the question being asked")
SIMILAR_LIMIT = Query(
    selectors.SIMILAR_LIMIT,
    ge=1,
    le=selectors.MAX_SIMILAR_LIMIT,
    description="How many questions at most",
)


@router.get(
    "/search/similar",
    response={200: SimilarPageOut, **ERRORS},
    auth=ANYONE,
    summary="Questions like the one being asked",
    description=(
        "Existing questions you may see that look like a question with this title, the "
        "solved ones first: what the composer suggests while a question's title is typed. "
        "A title without a meaningful word (empty, very short, only common words) gives no "
        "results."
    ),
)
def similar(
    request: HttpRequest,
    title: str = TITLE,
    space: str | None = SPACE,
    limit: int = SIMILAR_LIMIT,
):
    spaces = visible_spaces(request.user)
    chosen = selectors.search_filters(request.user, spaces=spaces, space=space)
    results = selectors.similar_questions(
        request.user, title, space=chosen.get("space"), limit=limit, spaces=spaces
    )
    return {
        "title": normalize_query(title),
        "ranker": selectors.similar_ranker(),
        "results": results,
    }
