"""Idea pages and API answers run a small, constant number of queries, however many ideas,
votes, comments, organizations and status changes there are.

Each page is measured with a little data and again with much more: the counts must be the same
and within the page's budget. Clients open the home page once first, so the day's visit is
recorded before measuring.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hearth.accounts import services as account_services
from hearth.accounts.models import Affiliation, Role
from hearth.api.tests.conftest import bearer, url
from hearth.ideas import services
from hearth.ideas.models import IdeaBoard, IdeaStatus
from hearth.ideas.tests.conftest import make_board, make_idea

pytestmark = pytest.mark.django_db

VIEWERS = ["anonymous", "member", "staff"]
PAGES = [
    "/ideas/",
    "/ideas/?sort=trending",
    "/ideas/?sort=newest&status=planned",
    "/ideas/?sort=updated&area=mobile-app",
    "/ideas/b/product-ideas/",
    "/ideas/roadmap/",
    "/ideas/{idea}/",
    "/ideas/similar/?title=dashboards+export",
    "/api/v1/ideas",
    "/api/v1/ideas?sort=trending",
    "/api/v1/ideas/{idea}",
    "/api/v1/ideas/similar?title=dashboards",
]
BUDGET = {
    # member, boards, statuses, areas, count, rows, my votes, and for staff the scores
    "list": 8,
    # member, idea, my vote, comments (count and rows), history, merged, following; for staff
    # the statuses, the breakdown (two) and the latest votes
    "idea": 12,
    # member, boards, statuses, areas, the roadmap's columns and counts; similar; the API
    "other": 6,
}


def budget(path: str) -> int:
    if path.startswith("/ideas/{idea}"):
        return BUDGET["idea"]
    if path.startswith("/ideas/") and "similar" not in path and "roadmap" not in path:
        return BUDGET["list"]
    return BUDGET["other"]


@pytest.fixture
def people(make_member):
    orgs = [
        account_services.create_organization(
            actor=None, name=f"Org {n}", kind="customer", annual_value=Decimal(1000 * n)
        )
        for n in range(4)
    ]
    kinds = [Affiliation.CUSTOMER, Affiliation.PROSPECT, Affiliation.PARTNER, Affiliation.EMPLOYEE]
    return [
        make_member(
            username=f"person{n}",
            affiliation=kinds[n % len(kinds)],
            organization=orgs[n % len(orgs)] if n % 3 else None,
        )
        for n in range(12)
    ]


def grow(board, area, people, moderator, statuses, *, ideas: int, start: int):
    """`ideas` more ideas with votes, comments, proxy votes and status changes."""
    made = []
    slugs = ["new", "under-review", "planned", "in-progress", "shipped"]
    for n in range(start, start + ideas):
        author = people[n % len(people)]
        idea = make_idea(
            author=author,
            board=board,
            title=f"Dashboards export number {n}",
            area=area if n % 2 else None,
        )
        for voter in people[: (n % len(people)) + 1]:
            if voter.affiliation == Affiliation.PROSPECT and n % 4 == 0:
                services.record_proxy_vote(actor=moderator, idea=idea, voter=voter, channel="phone")
            else:
                services.add_idea_vote(member=voter, idea=idea)
        services.add_idea_comment(author=people[(n + 1) % len(people)], idea=idea, body="+1")
        slug = slugs[n % len(slugs)]
        if slug != "new":
            services.change_idea_status(
                actor=moderator, idea=idea, status=statuses[slug], note="Moving on."
            )
        made.append(idea)
    return made


def count(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(queries.captured_queries)


@pytest.fixture
def viewer(client_for, make_member):
    def build(kind: str):
        member = {
            "anonymous": lambda: None,
            "member": lambda: make_member(username="viewer"),
            "staff": lambda: make_member(username="viewer-staff", role=Role.MODERATOR),
        }[kind]()
        client = client_for(member)
        assert client.get("/").status_code == 200
        return client

    return build


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("kind", VIEWERS)
def test_pages_run_constant_queries(
    viewer,
    kind,
    path,
    board,
    area,
    people,
    moderator,
    statuses,
    django_assert_max_num_queries,
):
    ideas = grow(board, area, people, moderator, statuses, ideas=3, start=0)
    most = budget(path)
    path = path.replace("{idea}", str(ideas[-1].pk))
    client = viewer(kind)
    small = count(client, path)

    grow(board, area, people, moderator, statuses, ideas=12, start=3)
    with django_assert_max_num_queries(most):
        response = client.get(path)
    assert response.status_code == 200
    assert count(client, path) == small


def test_the_csv_export_runs_constant_queries(
    viewer, board, area, people, moderator, statuses, django_assert_max_num_queries
):
    grow(board, area, people, moderator, statuses, ideas=3, start=0)
    client = viewer("staff")

    def export() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/ideas/export.csv")
            b"".join(response.streaming_content)
        return len(queries.captured_queries)

    small = export()
    grow(board, area, people, moderator, statuses, ideas=12, start=3)
    # session, member, boards, statuses, areas, ideas, votes by affiliation, by organization
    with django_assert_max_num_queries(9):
        b"".join(client.get("/ideas/export.csv").streaming_content)
    assert export() == small


# --- The API's lists of boards and statuses ---------------------------------------------------

# the caller (token or session's member), the boards or the statuses
LIST_BUDGET = {"anonymous": 1, "member": 2, "staff": 2, "token": 2}
VISIBILITIES = [
    {"visibility": IdeaBoard.Visibility.PUBLIC},
    {"visibility": IdeaBoard.Visibility.MEMBERS},
    {
        "visibility": IdeaBoard.Visibility.AFFILIATIONS,
        "allowed_affiliations": [Affiliation.PARTNER, Affiliation.EMPLOYEE],
    },
    {
        "visibility": IdeaBoard.Visibility.AFFILIATIONS,
        "allowed_affiliations": [Affiliation.EMPLOYEE],
    },
]
# Which of VISIBILITIES each caller sees: "token" is a partner's token.
SEES = {"anonymous": {0}, "member": {0, 1}, "token": {0, 1, 2}, "staff": {0, 1, 2, 3}}


@pytest.fixture
def api_viewer(viewer, make_member):
    """A client of this kind that has called the API once (a token's first use is noted)."""

    def build(kind: str):
        if kind == "token":
            partner = make_member(username="viewer-partner", affiliation=Affiliation.PARTNER)
            _, secret = account_services.create_api_token(
                member=partner, name="Counting", scope="read"
            )
            client = Client(**bearer(secret))
        else:
            client = viewer(kind)
        assert client.get(url("/idea-statuses")).status_code == 200
        return client

    return build


def count_list(client, path: str, most: int, django_assert_max_num_queries) -> tuple[int, list]:
    with django_assert_max_num_queries(most) as captured:
        response = client.get(url(path))
    assert response.status_code == 200, (path, response.status_code, response.content[:500])
    return len(captured), response.json()


@pytest.mark.parametrize("kind", [*VIEWERS, "token"])
def test_the_board_list_runs_the_same_queries_for_4_or_40_boards(
    api_viewer, kind, people, django_assert_max_num_queries
):
    client = api_viewer(kind)
    made = []
    author = people[3]  # an employee: may post on every board

    def add(count: int) -> None:
        for _ in range(count):
            n = len(made)
            board = make_board(
                name=f"Counted board {n}", position=n % 5, **VISIBILITIES[n % len(VISIBILITIES)]
            )
            for _ in range(n % 3):
                make_idea(author=author, board=board)
            made.append(n % len(VISIBILITIES))

    def count() -> int:
        queries, boards = count_list(
            client, "/idea-boards", LIST_BUDGET[kind], django_assert_max_num_queries
        )
        assert len(boards) == sum(1 for v in made if v in SEES[kind])
        return queries

    add(4)
    few = count()
    add(36)

    assert count() == few


@pytest.mark.parametrize("kind", [*VIEWERS, "token"])
def test_the_status_list_runs_the_same_queries_for_6_or_30_statuses(
    api_viewer, kind, statuses, django_assert_max_num_queries
):
    client = api_viewer(kind)
    colours, meanings = IdeaStatus.Colour.values, IdeaStatus.Meaning.values

    def count() -> int:
        queries, listed = count_list(
            client, "/idea-statuses", LIST_BUDGET[kind], django_assert_max_num_queries
        )
        assert len(listed) == IdeaStatus.objects.count()
        return queries

    few = count()
    # Staff add statuses in the admin; there is no service for it.
    IdeaStatus.objects.bulk_create(
        IdeaStatus(
            name=f"Step {n}",
            slug=f"step-{n}",
            colour=colours[n % len(colours)],
            meaning=meanings[n % len(meanings)],
            on_roadmap=bool(n % 2),
            position=100 + n,
        )
        for n in range(24)
    )
    assert IdeaStatus.objects.count() == len(statuses) + 24

    assert count() == few
