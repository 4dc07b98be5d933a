"""The search page and the composer's similar questions: parse, call the selector, render."""

from django.core import signing
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from hearth.accounts.models import Affiliation
from hearth.community.models import Topic
from hearth.community.selectors import access_topic, tag_list, visible_spaces
from hearth.core.errors import ValidationFailed
from hearth.search import selectors, services
from hearth.search.backends.base import MAX_QUERY_LENGTH

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


# Suggestion links carry the composer's draft (its submit key) signed for the member it was
# shown to, so a link passed on or opened signed out records nothing.
_DRAFT_SALT = "hearth.search.composer-draft"


def _draft_token(member, submit_key: str) -> str:
    if not member.is_authenticated or not submit_key:
        return ""
    return signing.Signer(salt=_DRAFT_SALT).sign(f"{member.pk}:{submit_key[:64]}")


def _draft_of(member, token: str) -> str:
    """The draft a suggestion link was made for, if it was made for `member`; else ""."""
    if not member.is_authenticated or not token:
        return ""
    try:
        value = signing.Signer(salt=_DRAFT_SALT).unsign(token[:200])
    except signing.BadSignature:
        return ""
    member_id, _, draft = value.partition(":")
    return draft if member_id == str(member.pk) else ""


@require_GET
def similar(request):
    """The composer's suggestions for the title being typed (an htmx partial)."""
    results = []
    if request.GET.get("kind", Topic.Kind.QUESTION) == Topic.Kind.QUESTION:
        title = request.GET.get("title", "")[:MAX_QUERY_LENGTH]
        results = selectors.similar_questions(request.user, title)
    return render(
        request,
        "search/partials/similar.html",
        {
            "results": results,
            "draft": _draft_token(request.user, request.GET.get("submit_key", "")),
        },
    )


@require_GET
def open_suggestion(request, topic_id: int):
    """Open a question the composer suggested: note it (for deflection), then go there."""
    topic = access_topic(request.user, topic_id)
    draft = _draft_of(request.user, request.GET.get("draft", ""))
    ref = request.GET.get("ref", "")
    if draft and ref == "composer":
        services.record_suggestion_opened(member=request.user, topic=topic, draft=draft, ref=ref)
    return redirect(topic)
