"""Who sees which ideas, as a matrix of roles and boards, on every page, in the API and in
the CSV: a board one may not see is a 404 everywhere, and its ideas show nowhere."""

import pytest
from django.test import Client

from hearth.accounts import services as account_services
from hearth.accounts.models import Affiliation, Role
from hearth.api.tests.conftest import bearer
from hearth.ideas import services
from hearth.ideas.models import IdeaBoard
from hearth.ideas.tests.conftest import make_board, make_idea
from hearth.testing import make_member

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "customer", "prospect", "partner", "employee", "moderator", "manager"]
BOARDS = ["public", "members", "partners", "employees"]
KINDS = {
    "customer": (Affiliation.CUSTOMER, Role.MEMBER),
    "prospect": (Affiliation.PROSPECT, Role.MEMBER),
    "partner": (Affiliation.PARTNER, Role.MEMBER),
    "employee": (Affiliation.EMPLOYEE, Role.EXPERT),
    "moderator": (Affiliation.CUSTOMER, Role.MODERATOR),
    "manager": (Affiliation.EMPLOYEE, Role.MANAGER),
}
SEES = {
    "anonymous": {"public"},
    "customer": {"public", "members"},
    "prospect": {"public", "members"},
    "partner": {"public", "members", "partners"},
    "employee": {"public", "members", "partners", "employees"},
    "moderator": set(BOARDS),
    "manager": set(BOARDS),
}
MATRIX = [(role, board) for role in ROLES for board in BOARDS]


@pytest.fixture
def world(db):
    """A board of each kind with one idea titled after it, and a member of each role."""
    author = make_member(username="author", affiliation=Affiliation.EMPLOYEE)
    boards = {
        "public": make_board(name="Public board"),
        "members": make_board(name="Members board", visibility=IdeaBoard.Visibility.MEMBERS),
        "partners": make_board(
            name="Partners board",
            visibility=IdeaBoard.Visibility.AFFILIATIONS,
            allowed_affiliations=[Affiliation.PARTNER, Affiliation.EMPLOYEE],
        ),
        "employees": make_board(
            name="Employees board",
            visibility=IdeaBoard.Visibility.AFFILIATIONS,
            allowed_affiliations=[Affiliation.EMPLOYEE],
        ),
    }
    ideas = {
        kind: make_idea(author=author, board=board, title=f"Secret sauce for {kind}")
        for kind, board in boards.items()
    }
    members = {
        role: make_member(username=role, affiliation=affiliation, role=member_role)
        for role, (affiliation, member_role) in KINDS.items()
    }
    return boards, ideas, members


def page_client(members, role) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(members[role])
    return client


def api_client(members, role) -> Client:
    if role == "anonymous":
        return Client()
    _, secret = account_services.create_api_token(member=members[role], name="t", scope="write")
    return Client(**bearer(secret))


@pytest.mark.parametrize(("role", "board"), MATRIX)
def test_pages_are_200_or_404(world, role, board):
    boards, ideas, members = world
    client = page_client(members, role)
    expected = 200 if board in SEES[role] else 404
    slug = boards[board].slug

    assert client.get(ideas[board].get_absolute_url()).status_code == expected
    assert client.get(boards[board].get_absolute_url()).status_code == expected
    assert client.get(f"/ideas/?board={slug}").status_code == expected
    assert client.get(f"/ideas/roadmap/?board={slug}").status_code == expected
    if role != "anonymous":
        assert client.get(f"/ideas/new/?board={slug}").status_code == expected
        vote = client.post(f"/ideas/{ideas[board].pk}/vote/")
        assert vote.status_code == (302 if expected == 200 else 404)
        comment = client.post(f"/ideas/{ideas[board].pk}/comment/", {"body": "Hi"})
        assert comment.status_code == (302 if expected == 200 else 404)


@pytest.mark.parametrize(("role", "board"), MATRIX)
def test_the_api_is_200_or_404(world, role, board):
    boards, ideas, members = world
    client = api_client(members, role)
    expected = 200 if board in SEES[role] else 404
    idea = ideas[board]

    assert client.get(f"/api/v1/ideas/{idea.pk}").status_code == expected
    assert client.get(f"/api/v1/ideas?board={boards[board].slug}").status_code == expected
    if role != "anonymous":
        assert client.put(f"/api/v1/ideas/{idea.pk}/vote").status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_lists_roadmap_similar_and_api_hold_exactly_the_visible_ideas(world, role, statuses):
    _, ideas, members = world
    for idea in ideas.values():
        services.change_idea_status(actor=members["manager"], idea=idea, status=statuses["planned"])
    client = page_client(members, role)
    expected = sorted(f"Secret sauce for {kind}" for kind in SEES[role])

    listed = sorted(i.title for i in client.get("/ideas/").context["page"].object_list)
    similar = client.get("/ideas/similar/?title=secret sauce").context["similar"]
    columns = client.get("/ideas/roadmap/").context["columns"]
    planned = next(c for c in columns if c.status.slug == "planned")
    api = api_client(members, role).get("/api/v1/ideas?limit=100").json()["results"]
    api_similar = api_client(members, role).get("/api/v1/ideas/similar?title=secret").json()

    assert listed == expected
    assert sorted(i.title for i in similar) == expected
    assert sorted(i.title for i in planned.ideas) == expected
    assert planned.total == len(expected)
    assert sorted(r["title"] for r in api) == expected
    assert sorted(r["title"] for r in api_similar["results"]) == expected


@pytest.mark.parametrize("role", ["moderator", "manager"])
def test_staff_export_every_board(world, role):
    boards, _, members = world
    client = page_client(members, role)

    body = b"".join(client.get("/ideas/export.csv").streaming_content).decode()

    for kind in BOARDS:
        assert f"Secret sauce for {kind}" in body
    response = client.get(f"/ideas/export.csv?board={boards['employees'].slug}")
    assert response.status_code == 200
    assert client.get("/ideas/export.csv?board=missing").status_code == 404


@pytest.mark.parametrize("role", ["customer", "partner", "employee"])
def test_members_export_nothing(world, role):
    _, _, members = world

    assert page_client(members, role).get("/ideas/export.csv").status_code == 403
