"""The search page: parse the query and filters, call the selector, render."""

from django.shortcuts import render

from hearth.accounts.models import Affiliation
from hearth.community.selectors import tag_list, visible_spaces
from hearth.core.errors import ValidationFailed
from hearth.search import selectors

FILTERS = ("space", "tag", "solved", "author", "affiliation", "since", "until")
LAST_PAGE = selectors.MAX_OFFSET // selectors.PER_PAGE + 1


def _page_number(value: str | None) -> int:
    try:
        number = int(value or 1)
    except ValueError:
        return 1
    return max(1, min(number, LAST_PAGE))


def search(request):
    spaces = visible_spaces(request.user)
    tags = tag_list()
    query = request.GET.get("q", "")
    chosen = {name: request.GET.get(name, "").strip()[:200] for name in FILTERS}
    number = _page_number(request.GET.get("page"))
    results = None
    error = ""
    try:
        filters = selectors.search_filters(request.user, spaces=spaces, tags=tags, **chosen)
    except ValidationFailed as failure:
        error = failure.message
    else:
        if "q" in request.GET or any(chosen.values()):
            results = selectors.search(
                request.user,
                query,
                spaces=spaces,
                limit=selectors.PER_PAGE,
                offset=(number - 1) * selectors.PER_PAGE,
                **filters,
            )
    return render(
        request,
        "search/search.html",
        {
            "query": query,
            "results": results,
            "error": error,
            "chosen": chosen,
            "filtered": any(chosen.values()),
            "spaces": spaces,
            "tags": tags,
            "affiliations": Affiliation.choices,
            "page_number": number,
        },
    )
