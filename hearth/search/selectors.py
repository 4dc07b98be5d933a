"""Search reads: the posts a member may see that match a query, best first, with snippets.

Views and the API share `search_filters` (what a member typed in the filters, checked and
looked up) and `search` (the results page).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.safestring import SafeString

from hearth.accounts.models import Affiliation, Member
from hearth.community.models import Post, Space, Tag, Topic
from hearth.community.permissions import can_view_space
from hearth.community.selectors import visible_spaces
from hearth.core.errors import ValidationFailed
from hearth.search.backends import backend_for
from hearth.search.backends.base import CANDIDATES, SearchFilters, normalize_query, parse_query

PER_PAGE = 20
MAX_LIMIT = 50
# Deeper than this there is nothing: only the CANDIDATES newest matches are ranked.
MAX_OFFSET = CANDIDATES

EMPTY_QUERY = "Type a word or two to search for."
ONLY_COMMON_WORDS = "Those words are too common to search for: add a more specific one."

_YES = {"yes", "true", "1", "on", "solved"}
_NO = {"no", "false", "0", "off", "unsolved"}


@dataclass
class SearchResult:
    """One matching post (the best of its topic), with its highlighted title and snippet."""

    post: Post
    title_html: SafeString
    snippet_html: SafeString
    rank: float

    @property
    def topic(self) -> Topic:
        return self.post.topic

    @property
    def is_solved(self) -> bool:
        return self.topic.kind == Topic.Kind.QUESTION and self.topic.accepted_post_id is not None

    @property
    def is_accepted_answer(self) -> bool:
        return self.topic.accepted_post_id == self.post.pk


@dataclass
class SearchPage:
    query: str
    results: list[SearchResult] = field(default_factory=list)
    has_next: bool = False
    offset: int = 0
    limit: int = PER_PAGE
    # Why nothing was searched (an empty query, only very common words), to show instead.
    notice: str = ""


def _parse_date(value, name: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationFailed(
            "Give dates as YYYY-MM-DD.", code="invalid_date", field=name
        ) from None


def _parse_solved(value) -> bool | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValidationFailed("Choose solved or unsolved.", code="invalid_solved", field="solved")


def search_filters(
    member,
    *,
    spaces: list[Space] | None = None,
    tags: list[Tag] | None = None,
    space: str | None = "",
    tag: str | None = "",
    solved: str | bool | None = "",
    author: str | None = "",
    affiliation: str | None = "",
    since: str | datetime.date | None = "",
    until: str | datetime.date | None = "",
) -> dict:
    """Check the filters a member gave and look them up: keyword arguments for `search`.

    Raises ValidationFailed (with the field) for a space they may not see or that does not
    exist (the same answer for both), an unknown tag or author, or a malformed value.
    `spaces` and `tags` save a query each when the caller has them already.
    """
    chosen: dict = {}
    if space:
        spaces = visible_spaces(member) if spaces is None else spaces
        found = next((s for s in spaces if s.slug == space), None)
        if found is None or not can_view_space(member, found):
            raise ValidationFailed("No such space.", code="unknown_space", field="space")
        chosen["space"] = found
    if tag:
        if tags is not None:
            found_tag = next((t for t in tags if t.slug == tag), None)
        else:
            found_tag = Tag.objects.filter(slug=tag).first()
        if found_tag is None:
            raise ValidationFailed("No such tag.", code="unknown_tag", field="tag")
        chosen["tag"] = found_tag
    chosen["solved"] = _parse_solved(solved)
    if author:
        username = str(author).strip().removeprefix("@")
        found_author = Member.objects.filter(username__iexact=username).first()
        if found_author is None:
            raise ValidationFailed(
                "No member with that username.", code="unknown_author", field="author"
            )
        chosen["author"] = found_author
    if affiliation:
        if affiliation not in Affiliation.values:
            raise ValidationFailed(
                "Unknown affiliation.", code="invalid_affiliation", field="affiliation"
            )
        chosen["affiliation"] = affiliation
    chosen["since"] = _parse_date(since, "since")
    chosen["until"] = _parse_date(until, "until")
    if chosen["since"] and chosen["until"] and chosen["since"] > chosen["until"]:
        raise ValidationFailed(
            "The start date comes after the end date.", code="invalid_date_range", field="since"
        )
    return chosen


def _start_of(day: datetime.date | None) -> datetime.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def search(
    member,
    query: str,
    *,
    space: Space | None = None,
    tag: Tag | None = None,
    solved: bool | None = None,
    author: Member | None = None,
    affiliation: str | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    limit: int = PER_PAGE,
    offset: int = 0,
    spaces: list[Space] | None = None,
) -> SearchPage:
    """Posts `member` may see that match `query`, best first, one a topic.

    Deleted posts and topics never match; spaces `member` may not see never show, whatever
    `space` says. `since` and `until` are days (both included). `solved` narrows to
    questions with (True) or without (False) an accepted answer. Three queries: the visible
    spaces (none when `spaces` is given), the search, and the posts with their topics.
    """
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, min(offset, MAX_OFFSET))
    text = normalize_query(query)
    parsed = parse_query(text)
    page = SearchPage(query=text, offset=offset, limit=limit)
    if parsed.is_empty:
        page.notice = ONLY_COMMON_WORDS if parsed.only_stop_words else EMPTY_QUERY
        return page
    if spaces is None:
        spaces = visible_spaces(member)
    allowed = {s.pk for s in spaces if can_view_space(member, s)}
    if space is not None:
        allowed &= {space.pk}
    filters = SearchFilters(
        space_ids=tuple(sorted(allowed)),
        tag_id=tag.pk if tag is not None else None,
        solved=solved,
        author_id=author.pk if author is not None else None,
        affiliation=affiliation or None,
        since=_start_of(since),
        until=_start_of(until + datetime.timedelta(days=1)) if until else None,
    )
    hits = backend_for().search(parsed, filters, limit=limit, offset=offset)
    if not hits.hits:
        return page
    posts = (
        Post.objects.select_related("topic__space", "author")
        .prefetch_related("topic__tags")
        .in_bulk([hit.post_id for hit in hits.hits])
    )
    for hit in hits.hits:
        post = posts.get(hit.post_id)
        # The index follows the tables within each transaction; this second look only
        # matters if someone changed rows with the triggers off.
        if (
            post is None
            or post.is_deleted
            or post.topic.is_deleted
            or post.topic.space_id not in allowed
        ):
            continue
        page.results.append(
            SearchResult(
                post=post, title_html=hit.title_html, snippet_html=hit.snippet_html, rank=hit.rank
            )
        )
    page.has_next = hits.has_next
    return page
