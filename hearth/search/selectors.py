"""Search reads: the posts a member may see that match a query, best first, with snippets.

Views and the API share `search_filters` (what a member typed in the filters, checked and
looked up) and `search` (the results page).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.safestring import SafeString

from hearth.accounts.models import Affiliation, Member
from hearth.community.models import Post, Space, State, Tag, Topic
from hearth.community.permissions import can_view_space
from hearth.community.selectors import visible_spaces
from hearth.core.errors import ValidationFailed
from hearth.search import semantic
from hearth.search.backends import backend_for
from hearth.search.backends.base import (
    CANDIDATES,
    SearchFilters,
    normalize_query,
    parse_query,
    similar_terms,
)

logger = logging.getLogger(__name__)

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

    Deleted posts and topics never match, nor ones held or hidden by moderation (whoever
    asks); spaces `member` may not see never show, whatever `space` says. `since` and
    `until` are days (both included). `solved` narrows to questions with (True) or without
    (False) an accepted answer. Three queries: the visible spaces (none when `spaces` is
    given), the search, and the posts with their topics.
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
        # The backends' query leaves out deleted, held and hidden posts and topics, and the
        # index follows the tables within each transaction; this second look only matters
        # if someone changed rows with the triggers off, or between the two queries.
        if (
            post is None
            or post.is_deleted
            or post.topic.is_deleted
            or post.topic.space_id not in allowed
            # Held or hidden by moderation: out of search for everyone.
            or not post.is_published
            or not post.topic.is_published
        ):
            continue
        page.results.append(
            SearchResult(
                post=post, title_html=hit.title_html, snippet_html=hit.snippet_html, rank=hit.rank
            )
        )
    page.has_next = hits.has_next
    return page


# --- Similar questions ------------------------------------------------------------------------

SIMILAR_LIMIT = 5
MAX_SIMILAR_LIMIT = 10
# Each ranker's best this-many questions are fused into one list, and all of them are
# checked against the tables: both rankers leave out deleted, held and hidden questions
# already, but the semantic one works from vectors loaded up to semantic.RELOAD_SECONDS
# ago, so a question deleted, held or moved since can still be among its best. Far more
# than MAX_SIMILAR_LIMIT, so such questions cannot leave a member short of suggestions.
SIMILAR_POOL = 50
# Combined ranking: SEMANTIC_WEIGHT x cosine similarity + the rest x the lexical score over
# the best lexical score. Meaning finds rephrased duplicates that share no word; words keep
# exact names (products, error codes) up. Chosen on the Beer Stack Exchange duplicates
# (bench/similar.py).
SEMANTIC_WEIGHT = 0.7
RANKERS = ("auto", "lexical", "semantic", "combined")

SIMILAR_FIELDS = (
    "space_id",
    "kind",
    "title",
    "slug",
    "created_at",
    "reply_count",
    "accepted_post_id",
    "deleted_at",
    "space__name",
    "space__slug",
)


@dataclass
class SimilarQuestion:
    """A question like the one being asked, with where each ranker placed it (1 = best)."""

    topic: Topic
    score: float
    lexical_rank: int | None = None
    semantic_rank: int | None = None

    @property
    def is_solved(self) -> bool:
        return self.topic.accepted_post_id is not None


def similar_ranker(ranker: str = "auto") -> str:
    """The ranker `auto` stands for here: `combined` when the semantic model is available,
    else `lexical`. Asking for `semantic` or `combined` without it raises ValidationFailed."""
    if ranker not in RANKERS:
        raise ValidationFailed("Unknown ranker.", code="invalid_ranker", field="ranker")
    available = semantic.is_available()
    if ranker == "auto":
        return "combined" if available else "lexical"
    if ranker != "lexical" and not available:
        raise ValidationFailed(
            "Ranking by meaning is not set up here.", code="semantic_unavailable", field="ranker"
        )
    return ranker


def _fuse(
    lexical: list[tuple[int, float]] | None, meaning: list[tuple[int, float]] | None
) -> list[tuple[int, float, int | None, int | None]]:
    """(topic id, score, lexical rank, semantic rank), best first, from either ranking or
    both (see SEMANTIC_WEIGHT)."""
    lexical_weight = 1.0 - SEMANTIC_WEIGHT if meaning is not None else 1.0
    semantic_weight = SEMANTIC_WEIGHT if lexical is not None else 1.0
    scores: dict[int, float] = {}
    ranks: dict[int, list[int | None]] = {}
    best = max((score for _topic_id, score in lexical or ()), default=0.0)
    for rank, (topic_id, score) in enumerate(lexical or (), start=1):
        normalised = score / best if best > 0 else 0.0
        scores[topic_id] = scores.get(topic_id, 0.0) + lexical_weight * normalised
        ranks.setdefault(topic_id, [None, None])[0] = rank
    for rank, (topic_id, similarity) in enumerate(meaning or (), start=1):
        scores[topic_id] = scores.get(topic_id, 0.0) + semantic_weight * similarity
        ranks.setdefault(topic_id, [None, None])[1] = rank
    ordered = sorted(scores.items(), key=lambda item: (-item[1], -item[0]))
    return [(topic_id, score, *ranks[topic_id]) for topic_id, score in ordered]


def similar_questions(
    member,
    title: str,
    *,
    space: Space | None = None,
    limit: int = SIMILAR_LIMIT,
    exclude: tuple[int, ...] = (),
    spaces: list[Space] | None = None,
    ranker: str = "auto",
) -> list[SimilarQuestion]:
    """Questions `member` may see that look like one titled `title`: solved ones first.

    The best `limit` by relevance, then the solved among them ahead of the others (each
    group still best first). Relevance is lexical (bm25 / ts_rank_cd over the search index,
    any meaningful word of the title matching) and, with the semantic model available,
    closeness in meaning too (see SEMANTIC_WEIGHT). A title with no meaningful word (empty,
    short, only common words) gives an empty list. `exclude` leaves topics out (the
    question being edited). Spaces `member` may not see never show. Queries: the visible
    spaces (none when `spaces` is given), one a ranker, and the topics.
    """
    ranker = similar_ranker(ranker)
    limit = max(1, min(limit, MAX_SIMILAR_LIMIT))
    text = normalize_query(title)
    terms = similar_terms(text)
    if not terms:
        return []
    if spaces is None:
        spaces = visible_spaces(member)
    allowed = {s.pk for s in spaces if can_view_space(member, s)}
    if space is not None:
        allowed &= {space.pk}
    if not allowed:
        return []
    space_ids = tuple(sorted(allowed))
    exclude = tuple(sorted({int(pk) for pk in exclude}))
    pool = SIMILAR_POOL
    lexical = meaning = None
    # The title's vector is computed while the database ranks by words.
    encoding = semantic.start_encoding(text) if ranker != "lexical" else None
    if ranker in ("lexical", "combined"):
        lexical = backend_for().similar_topics(terms, space_ids, limit=pool, exclude_ids=exclude)
    if encoding is not None:
        try:
            vector = encoding.result()
        except Exception:
            # A broken model must not take the composer down: words alone still rank.
            logger.exception("Could not compute the vector of a title; ranking by words")
            lexical = lexical if lexical is not None else []
        else:
            meaning = semantic.nearest(
                text, space_ids, limit=pool, exclude_ids=exclude, vector=vector
            )
    fused = _fuse(lexical, meaning)
    if not fused:
        return []
    # The whole pool, not just `limit`: a question deleted, held or moved since its vector
    # was loaded drops out here, and the next ones take its place.
    topics = (
        Topic.objects.filter(
            pk__in=[row[0] for row in fused],
            kind=Topic.Kind.QUESTION,
            deleted_at__isnull=True,
            state=State.PUBLISHED,
            space_id__in=space_ids,
        )
        .select_related("space")
        .only(*SIMILAR_FIELDS)
        .in_bulk()
    )
    results = []
    for topic_id, score, lexical_rank, semantic_rank in fused:
        topic = topics.get(topic_id)
        if topic is None:
            continue
        results.append(SimilarQuestion(topic, score, lexical_rank, semantic_rank))
        if len(results) == limit:
            break
    results.sort(key=lambda result: not result.is_solved)
    return results
