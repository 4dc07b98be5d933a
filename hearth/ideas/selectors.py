"""Reads of ideas with visibility applied: lists, the roadmap, similar ideas, breakdowns, export.

Views, the API and the CSV export share them, so each shows the same ideas in the same order.
"""

import datetime
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import Coalesce, RowNumber
from django.http import Http404
from django.utils import timezone

from hearth.accounts.models import Affiliation, Member
from hearth.core.errors import ValidationFailed
from hearth.ideas.models import (
    LISTED,
    Idea,
    IdeaBoard,
    IdeaComment,
    IdeaFollow,
    IdeaStatus,
    IdeaStatusChange,
    IdeaVote,
    ProductArea,
)
from hearth.ideas.permissions import can_view_board, can_view_idea

# Trending: votes cast in this many most recent days.
TRENDING_DAYS = 14
SORTS = {
    "votes": "Most votes",
    "trending": "Trending",
    "newest": "Newest",
    "updated": "Recently updated",
}
DEFAULT_SORT = "votes"
ROADMAP_LIMIT = 30
SIMILAR_LIMIT = 5
EXPORT_BATCH = 500


def visible_boards(member) -> list[IdeaBoard]:
    """The boards `member` may see, in display order (one query; boards are few)."""
    return [board for board in IdeaBoard.objects.all() if can_view_board(member, board)]


def access_board(member, slug: str) -> IdeaBoard:
    """The board, or Http404 when it does not exist or `member` may not see it."""
    # A NUL character names no board (and PostgreSQL refuses it in a query).
    board = IdeaBoard.objects.filter(slug=slug).first() if "\x00" not in slug else None
    if board is None or not can_view_board(member, board):
        raise Http404("No such idea board.")
    return board


def access_idea(member, idea_id: int) -> Idea:
    """The idea (merged ones too: pages redirect them), or Http404 when missing or hidden."""
    idea = (
        Idea.objects.select_related("board", "status", "area", "author__organization")
        .filter(pk=idea_id)
        .first()
    )
    if idea is None or not can_view_idea(member, idea):
        raise Http404("No such idea.")
    return idea


def access_comment(member, comment_id: int) -> IdeaComment:
    comment = IdeaComment.objects.select_related("idea__board").filter(pk=comment_id).first()
    if comment is None or not can_view_idea(member, comment.idea):
        raise Http404("No such comment.")
    return comment


def status_list() -> list[IdeaStatus]:
    return list(IdeaStatus.objects.all())


def area_list() -> list[ProductArea]:
    return list(ProductArea.objects.all())


def find_status(slug: str, statuses: list[IdeaStatus] | None = None) -> IdeaStatus:
    """The status with this slug, or ValidationFailed naming the field."""
    statuses = status_list() if statuses is None else statuses
    found = next((s for s in statuses if s.slug == slug), None)
    if found is None:
        raise ValidationFailed(
            "Choose a status from the list.", code="unknown_status", field="status"
        )
    return found


def find_area(slug: str, areas: list[ProductArea] | None = None) -> ProductArea:
    areas = area_list() if areas is None else areas
    found = next((a for a in areas if a.slug == slug), None)
    if found is None:
        raise ValidationFailed(
            "Choose a product area from the list.", code="unknown_area", field="area"
        )
    return found


def find_member(username: str) -> Member:
    """An active member by username (ignoring case), or ValidationFailed on `voter`."""
    username = (username or "").strip().lstrip("@")
    member = (
        Member.objects.filter(username__iexact=username, is_active=True).first()
        if username and len(username) <= 150 and "\x00" not in username
        else None
    )
    if member is None:
        raise ValidationFailed("No member has that username.", code="unknown_member", field="voter")
    return member


def submitted_idea(member, submit_key: str) -> Idea | None:
    """The idea an earlier submit of this composer (its submit key) created, if any."""
    submit_key = (submit_key or "").strip()[:64]
    if not submit_key or "\x00" in submit_key or not member.is_authenticated:
        return None
    return Idea.objects.filter(author=member, submit_key=submit_key).first()


# What a row of an idea list (page, API, roadmap) shows.
MEMBER_REF_FIELDS = ("username", "display_name", "avatar", "affiliation", "role")
IDEA_ROW_FIELDS = (
    "board_id",
    "title",
    "slug",
    "area_id",
    "status_id",
    "vote_count",
    "comment_count",
    "created_at",
    "updated_at",
    "merged_into_id",
    "board__name",
    "board__slug",
    "board__visibility",
    "board__allowed_affiliations",
    "status__name",
    "status__slug",
    "status__colour",
    "status__meaning",
    "status__position",
    "area__name",
    "area__slug",
    *(f"author__{name}" for name in MEMBER_REF_FIELDS),
)


def _recent_votes(since: datetime.datetime) -> Coalesce:
    recent = (
        IdeaVote.objects.filter(idea=OuterRef("pk"), created_at__gte=since)
        .order_by()
        .values("idea")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(recent, output_field=IntegerField()), 0)


SORT_ORDER = {
    "votes": ("-vote_count", "-id"),
    "trending": ("-recent_votes", "-vote_count", "-id"),
    "newest": ("-created_at", "-id"),
    "updated": ("-updated_at", "-id"),
}


def idea_list(
    member,
    *,
    boards: list[IdeaBoard] | None = None,
    status: IdeaStatus | None = None,
    area: ProductArea | None = None,
    sort: str = DEFAULT_SORT,
) -> QuerySet:
    """Listed ideas on `boards` (by default every board `member` may see), in `sort` order.

    Trending ranks by votes cast in the last TRENDING_DAYS days (`recent_votes`).
    """
    if sort not in SORT_ORDER:
        raise ValidationFailed("Sort by votes, trending, newest or updated.", field="sort")
    if boards is None:
        boards = visible_boards(member)
    ideas = (
        Idea.objects.filter(LISTED, board__in=[b.pk for b in boards])
        .select_related("board", "status", "area", "author")
        .only(*IDEA_ROW_FIELDS)
    )
    if status is not None:
        ideas = ideas.filter(status=status)
    if area is not None:
        ideas = ideas.filter(area=area)
    if sort == "trending":
        since = timezone.now() - datetime.timedelta(days=TRENDING_DAYS)
        ideas = ideas.annotate(recent_votes=_recent_votes(since))
    return ideas.order_by(*SORT_ORDER[sort])


def voted_ids(member, ideas) -> set[int]:
    """Which of `ideas` `member` voted for (one query)."""
    if not member.is_authenticated:
        return set()
    ids = [idea.pk for idea in ideas]
    if not ids:
        return set()
    return set(
        IdeaVote.objects.filter(voter=member, idea_id__in=ids).values_list("idea_id", flat=True)
    )


def is_following(member, idea: Idea) -> bool:
    if not member.is_authenticated:
        return False
    return IdeaFollow.objects.filter(idea=idea, member=member).exists()


@dataclass
class RoadmapColumn:
    status: IdeaStatus
    ideas: list[Idea] = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.ideas)


def roadmap(
    member,
    *,
    boards: list[IdeaBoard] | None = None,
    area: ProductArea | None = None,
    statuses: list[IdeaStatus] | None = None,
    limit: int = ROADMAP_LIMIT,
) -> list[RoadmapColumn]:
    """The roadmap statuses in order, each with its most-voted `limit` ideas and its total.

    Three queries whatever the number of ideas: the statuses, the top of each column (a
    window function), and the counts.
    """
    statuses = status_list() if statuses is None else statuses
    columns = {s.pk: RoadmapColumn(status=s) for s in statuses if s.on_roadmap}
    if not columns:
        return []
    ideas = idea_list(member, boards=boards, area=area).filter(status__in=list(columns))
    ranked = ideas.annotate(
        rank=Window(
            RowNumber(),
            partition_by=F("status_id"),
            order_by=[F("vote_count").desc(), F("id").desc()],
        )
    ).filter(rank__lte=limit)
    for idea in ranked.order_by("status__position", "-vote_count", "-id"):
        columns[idea.status_id].ideas.append(idea)
    totals = ideas.order_by().values_list("status_id").annotate(n=Count("id"))
    for status_id, total in totals:
        columns[status_id].total = total
    return list(columns.values())


# --- Similar ideas ----------------------------------------------------------------------------

# Words too common to tell ideas apart (English stop words and idea-board filler).
_STOP_WORDS = """a about after all also an and any are as at be been but by can could do does
    for from get had has have how i if in into is it its let like make me more my new no not of
    on or our please should so some than that the their them then there these they this to too
    up us use via want was we were what when where which while who why will with would you
    your able add allow better feature idea ideas option support"""
STOP_WORDS = frozenset(_STOP_WORDS.split())
MIN_WORD_LENGTH = 3
MAX_SIMILAR_WORDS = 10
SIMILAR_CANDIDATES = 200
_WORD = re.compile(r"[^\W_]+")


def similar_words(title: str) -> list[str]:
    """The words of `title` worth matching other ideas on, lower-cased, each once."""
    text = unicodedata.normalize("NFKC", title or "")[:1000].lower()
    words: list[str] = []
    for word in _WORD.findall(text):
        if word in STOP_WORDS or word in words:
            continue
        if len(word) < MIN_WORD_LENGTH and not any(c.isdigit() for c in word):
            continue
        words.append(word[:50])
        if len(words) == MAX_SIMILAR_WORDS:
            break
    return words


def _overlap(words: list[str], title: str) -> int:
    """How many of `words` start a word of `title` ("export" matches "exports")."""
    tokens = _WORD.findall(unicodedata.normalize("NFKC", title).lower())
    return sum(1 for word in words if any(token.startswith(word) for token in tokens))


def similar_ideas(
    member,
    title: str,
    *,
    boards: list[IdeaBoard] | None = None,
    exclude_id: int | None = None,
    limit: int = SIMILAR_LIMIT,
) -> list[Idea]:
    """Listed ideas `member` may see whose titles share words with `title`, best first.

    A title match ranked by word overlap (then votes): ideas sit beside the search app rather
    than on it, and boards hold far fewer ideas than conversations hold posts. With three or
    more meaningful words, an idea must share two of them; one common word is not enough.
    """
    words = similar_words(title)
    if not words:
        return []
    if boards is None:
        boards = visible_boards(member)
    matches = Q()
    for word in words:
        matches |= Q(title__icontains=word)
    candidates = list(
        idea_list(member, boards=boards)
        .filter(matches)
        .exclude(pk=exclude_id or 0)[:SIMILAR_CANDIDATES]
    )
    needed = 2 if len(words) >= 3 else 1
    scored = [(_overlap(words, idea.title), idea) for idea in candidates]
    scored = [(score, idea) for score, idea in scored if score >= needed]
    scored.sort(key=lambda pair: (-pair[0], -pair[1].vote_count, -pair[1].pk))
    return [idea for _, idea in scored[:limit]]


# --- The idea page ----------------------------------------------------------------------------


def status_history(idea: Idea) -> list[IdeaStatusChange]:
    return list(
        IdeaStatusChange.objects.filter(idea=idea)
        .select_related("from_status", "to_status", "changed_by")
        .order_by("created_at", "id")
    )


def comment_list(idea: Idea) -> QuerySet:
    return (
        IdeaComment.objects.filter(idea=idea)
        .select_related("author__organization")
        .order_by("created_at", "id")
    )


def merged_ideas(idea: Idea) -> list[Idea]:
    """The duplicates merged into `idea`."""
    return list(
        Idea.objects.filter(merged_into=idea)
        .only("title", "slug", "merged_at")
        .order_by("-merged_at")
    )


# --- For staff: who voted ---------------------------------------------------------------------


@dataclass
class OrganizationVotes:
    name: str
    annual_value: Decimal | None
    votes: int


@dataclass
class Breakdown:
    """Who voted for an idea: by affiliation, by organization, and the value-weighted score."""

    total: int
    by_affiliation: list[tuple[str, str, int]]
    by_organization: list[OrganizationVotes]
    without_organization: int
    weighted_score: Decimal
    proxy_votes: int


def vote_breakdown(idea: Idea) -> Breakdown:
    """Two queries. The weighted score adds up the value of each organization whose members
    voted, once per organization however many of its members did."""
    rows = (
        IdeaVote.objects.filter(idea=idea)
        .order_by()
        .values_list("voter__affiliation")
        .annotate(n=Count("id"), proxy=Count("id", filter=~Q(channel="")))
    )
    counts = {affiliation: (n, proxy) for affiliation, n, proxy in rows}
    by_affiliation = [
        (value, label, counts[value][0]) for value, label in Affiliation.choices if value in counts
    ]
    organizations = (
        IdeaVote.objects.filter(idea=idea)
        .order_by()
        .values_list(
            "voter__organization_id",
            "voter__organization__name",
            "voter__organization__annual_value",
        )
        .annotate(n=Count("id"))
    )
    by_organization = []
    without = 0
    for org_id, name, value, n in organizations:
        if org_id is None:
            without += n
        else:
            by_organization.append(OrganizationVotes(name=name, annual_value=value, votes=n))
    by_organization.sort(key=lambda o: (-(o.annual_value or 0), -o.votes, o.name))
    return Breakdown(
        total=sum(n for n, _ in counts.values()),
        by_affiliation=by_affiliation,
        by_organization=by_organization,
        without_organization=without,
        weighted_score=sum((o.annual_value or Decimal(0) for o in by_organization), Decimal(0)),
        proxy_votes=sum(proxy for _, proxy in counts.values()),
    )


def weighted_scores(ideas) -> dict[int, Decimal]:
    """Each idea's value-weighted score (one query for all of them)."""
    ids = [idea.pk for idea in ideas]
    scores = dict.fromkeys(ids, Decimal(0))
    if not ids:
        return scores
    rows = (
        IdeaVote.objects.filter(idea_id__in=ids, voter__organization__annual_value__isnull=False)
        .order_by()
        .values_list("idea_id", "voter__organization_id", "voter__organization__annual_value")
        .distinct()
    )
    for idea_id, _, value in rows:
        scores[idea_id] += value
    return scores


def recent_votes(idea: Idea, *, limit: int = 20) -> list[IdeaVote]:
    return list(
        IdeaVote.objects.filter(idea=idea)
        .select_related("voter__organization", "recorded_by")
        .order_by("-created_at", "-id")[:limit]
    )


# --- CSV export -------------------------------------------------------------------------------

EXPORT_AFFILIATIONS = (
    Affiliation.CUSTOMER,
    Affiliation.PROSPECT,
    Affiliation.PARTNER,
    Affiliation.EMPLOYEE,
)
EXPORT_HEADER = [
    "id",
    "title",
    "board",
    "status",
    "product_area",
    "author",
    "created_at",
    "votes",
    "weighted_score",
    "customer_votes",
    "prospect_votes",
    "partner_votes",
    "employee_votes",
    "other_votes",
    "proxy_votes",
    "voter_organizations",
    "tracker_ref",
    "url",
]


def export_rows(
    member,
    *,
    boards: list[IdeaBoard] | None = None,
    status: IdeaStatus | None = None,
    area: ProductArea | None = None,
    sort: str = DEFAULT_SORT,
) -> Iterator[list]:
    """The CSV export's rows (header first), read in batches as they are written out.

    The order is fixed once, up front, by reading the ids in `sort` order: the sorts are on
    values that change while the export streams (votes, activity), so paging with OFFSET
    would skip or repeat ideas. Each batch then loads its ideas by id, in that order; one
    merged away meanwhile is left out, never written twice.
    """
    yield EXPORT_HEADER
    ideas = idea_list(member, boards=boards, status=status, area=area, sort=sort)
    ids = list(ideas.values_list("pk", flat=True))
    # Visibility and filters came with the ids; the batches only load the rows (still listed).
    rows = Idea.objects.filter(LISTED).select_related("board", "status", "area", "author")
    rows = rows.only(*IDEA_ROW_FIELDS, "tracker_ref")
    for start in range(0, len(ids), EXPORT_BATCH):
        chunk = ids[start : start + EXPORT_BATCH]
        by_id = {idea.pk: idea for idea in rows.filter(pk__in=chunk)}
        yield from _export_batch([by_id[pk] for pk in chunk if pk in by_id])


def _export_batch(ideas: list[Idea]) -> Iterator[list]:
    ids = [idea.pk for idea in ideas]
    by_affiliation: dict[int, dict[str, int]] = {i: {} for i in ids}
    proxies: dict[int, int] = dict.fromkeys(ids, 0)
    rows = (
        IdeaVote.objects.filter(idea_id__in=ids)
        .order_by()
        .values_list("idea_id", "voter__affiliation")
        .annotate(n=Count("id"), proxy=Count("id", filter=~Q(channel="")))
    )
    for idea_id, affiliation, n, proxy in rows:
        by_affiliation[idea_id][affiliation] = n
        proxies[idea_id] += proxy
    organizations: dict[int, list[tuple[str, Decimal | None, int]]] = {i: [] for i in ids}
    rows = (
        IdeaVote.objects.filter(idea_id__in=ids, voter__organization__isnull=False)
        .order_by()
        .values_list("idea_id", "voter__organization__name", "voter__organization__annual_value")
        .annotate(n=Count("id"))
    )
    for idea_id, name, value, n in rows:
        organizations[idea_id].append((name, value, n))
    for idea in ideas:
        counts = by_affiliation[idea.pk]
        orgs = sorted(organizations[idea.pk], key=lambda o: (-o[2], o[0]))
        score = sum((value or Decimal(0) for _, value, _ in orgs), Decimal(0))
        yield [
            idea.pk,
            idea.title,
            idea.board.name,
            idea.status.name,
            idea.area.name if idea.area else "",
            idea.author.username,
            idea.created_at.isoformat(),
            idea.vote_count,
            f"{score:.2f}",
            *(counts.get(a, 0) for a in EXPORT_AFFILIATIONS),
            sum(n for a, n in counts.items() if a not in EXPORT_AFFILIATIONS),
            proxies[idea.pk],
            "; ".join(f"{name} ({n})" for name, _, n in orgs),
            idea.tracker_ref,
            idea.get_absolute_url(),
        ]
