"""The ideas API: lists with sorts, filters and cursors; submitting; votes; the staff's
status changes and merges; and bad input answered with 4xx in the error shape, never 500."""

import base64
import json

import pytest
from django.test import Client

from hearth.accounts import services as account_services
from hearth.api.tests.conftest import assert_error, bearer, url
from hearth.ideas import services
from hearth.ideas.models import Idea, IdeaVote
from hearth.ideas.tests.conftest import make_idea

pytestmark = pytest.mark.django_db


def client_of(member, scope: str = "write") -> Client:
    _, secret = account_services.create_api_token(member=member, name="Tests", scope=scope)
    return Client(raise_request_exception=False, **bearer(secret))


def send(client, method: str, path: str, payload=None):
    if payload is None:
        return getattr(client, method)(url(path))
    return getattr(client, method)(url(path), json.dumps(payload), content_type="application/json")


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


@pytest.fixture
def anonymous():
    return Client(raise_request_exception=False)


def test_boards_and_statuses(anonymous, board, employee_board):
    boards = send(anonymous, "get", "/idea-boards").json()
    statuses = send(anonymous, "get", "/idea-statuses").json()

    assert [b["slug"] for b in boards] == [board.slug]
    assert [s["slug"] for s in statuses] == [
        "new",
        "under-review",
        "planned",
        "in-progress",
        "shipped",
        "declined",
    ]
    assert statuses[0] == {
        "slug": "new",
        "name": "New",
        "description": "Just suggested; the team has not looked at it yet.",
        "colour": "slate",
        "meaning": "open",
        "on_roadmap": False,
        "is_default": True,
    }


def test_a_member_submits_and_votes_through_the_api(customer, other_customer, board, area):
    response = send(
        client_of(customer),
        "post",
        "/ideas",
        {
            "board": board.slug,
            "title": "Webhooks for status changes",
            "description": "So our tools hear about it.",
            "area": area.slug,
            "submit_key": "k1",
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    idea = Idea.objects.get()
    assert body["id"] == idea.pk
    assert body["board"] == {"slug": board.slug, "name": board.name}
    assert body["status"] == {"slug": "new", "name": "New", "colour": "slate", "meaning": "open"}
    assert body["area"] == {"slug": area.slug, "name": "Mobile app"}
    assert body["author"]["username"] == "cara"
    assert body["vote_count"] == 0
    assert body["voted"] is False
    assert body["merged_into"] is None
    assert body["url"] == idea.get_absolute_url()
    assert body["description_html"] == "<p>So our tools hear about it.</p>\n"

    again = send(
        client_of(customer),
        "post",
        "/ideas",
        {"board": board.slug, "title": "Webhooks", "description": "x", "submit_key": "k1"},
    )
    assert again.status_code == 200
    assert again.json()["id"] == idea.pk

    voter = client_of(other_customer)
    assert send(voter, "put", f"/ideas/{idea.pk}/vote").json() == {"voted": True, "vote_count": 1}
    assert send(voter, "put", f"/ideas/{idea.pk}/vote").json() == {"voted": True, "vote_count": 1}
    assert send(voter, "get", f"/ideas/{idea.pk}").json()["voted"] is True
    assert send(voter, "delete", f"/ideas/{idea.pk}/vote").json() == {
        "voted": False,
        "vote_count": 0,
    }


def test_the_list_sorts_filters_and_pages_with_cursors(
    anonymous, customer, make_member, moderator, board, statuses
):
    ideas = [make_idea(author=customer, board=board, title=f"Idea number {n}") for n in range(5)]
    for n, idea in enumerate(ideas):
        for _ in range(n):
            services.add_idea_vote(member=make_member(), idea=idea)
    services.change_idea_status(actor=moderator, idea=ideas[1], status=statuses["planned"])

    first = send(anonymous, "get", "/ideas?limit=2").json()
    second = send(anonymous, "get", f"/ideas?limit=2&cursor={first['next_cursor']}").json()
    third = send(anonymous, "get", f"/ideas?limit=2&cursor={second['next_cursor']}").json()

    order = [r["title"] for page in (first, second, third) for r in page["results"]]
    assert order == [f"Idea number {n}" for n in (4, 3, 2, 1, 0)]
    assert third["next_cursor"] is None
    newest = send(anonymous, "get", "/ideas?sort=newest&limit=10").json()
    assert [r["title"] for r in newest["results"]] == [f"Idea number {n}" for n in range(4, -1, -1)]
    trending = send(anonymous, "get", "/ideas?sort=trending&limit=3").json()
    assert [r["title"] for r in trending["results"]] == [
        "Idea number 4",
        "Idea number 3",
        "Idea number 2",
    ]
    more = send(anonymous, "get", f"/ideas?sort=trending&limit=3&cursor={trending['next_cursor']}")
    assert [r["title"] for r in more.json()["results"]] == ["Idea number 1", "Idea number 0"]
    updated = send(anonymous, "get", "/ideas?sort=updated&limit=1").json()
    assert updated["results"][0]["title"] == "Idea number 1"
    planned = send(anonymous, "get", "/ideas?status=planned").json()
    assert [r["title"] for r in planned["results"]] == ["Idea number 1"]
    assert send(anonymous, "get", f"/ideas?board={board.slug}").status_code == 200


def test_similar_ideas_before_submitting(anonymous, customer, board):
    make_idea(author=customer, board=board, title="Export reports as CSV")

    body = send(anonymous, "get", "/ideas/similar?title=csv%20exports").json()

    assert [r["title"] for r in body["results"]] == ["Export reports as CSV"]


def test_staff_change_the_status_and_voters_hear(
    customer, other_customer, moderator, idea, django_capture_on_commit_callbacks
):
    services.add_idea_vote(member=other_customer, idea=idea)

    with django_capture_on_commit_callbacks(execute=True):
        response = send(
            client_of(moderator),
            "post",
            f"/ideas/{idea.pk}/status",
            {"status": "planned", "note": "For May."},
        )

    assert response.status_code == 200, response.content
    assert response.json()["status"]["slug"] == "planned"
    assert other_customer.notifications.get().verb == "idea_status_changed"


def test_staff_merge_through_the_api(customer, other_customer, moderator, board, idea):
    duplicate = make_idea(author=customer, board=board, title="Night theme")
    services.add_idea_vote(member=other_customer, idea=duplicate)
    services.add_idea_vote(member=other_customer, idea=idea)

    response = send(client_of(moderator), "post", f"/ideas/{duplicate.pk}/merge", {"into": idea.pk})

    assert response.status_code == 200, response.content
    assert response.json()["id"] == idea.pk
    assert response.json()["vote_count"] == 1
    merged = send(client_of(customer), "get", f"/ideas/{duplicate.pk}").json()
    assert merged["merged_into"] == idea.pk
    assert_error(
        send(client_of(other_customer), "put", f"/ideas/{duplicate.pk}/vote"), 409, "idea_merged"
    )


@pytest.mark.parametrize("who", ["customer", "other_customer", "employee", "partner"])
def test_members_may_not_change_statuses_or_merge(request, who, board, idea):
    member = request.getfixturevalue(who)
    other = make_idea(author=idea.author, board=board, title="Another idea")
    client = client_of(member)

    assert_error(
        send(client, "post", f"/ideas/{idea.pk}/status", {"status": "planned"}), 403, "staff_only"
    )
    assert_error(
        send(client, "post", f"/ideas/{other.pk}/merge", {"into": idea.pk}), 403, "staff_only"
    )
    assert fresh(idea).status.slug == "new"
    assert fresh(other).merged_into is None


def test_visitors_and_read_tokens_may_not_write(anonymous, customer, board, idea):
    assert_error(send(anonymous, "put", f"/ideas/{idea.pk}/vote"), 401, "unauthenticated")
    assert_error(
        send(
            anonymous, "post", "/ideas", {"board": board.slug, "title": "Hello", "description": "x"}
        ),
        401,
    )
    reader = client_of(customer, scope="read")
    assert_error(send(reader, "put", f"/ideas/{idea.pk}/vote"), 403, "token_read_only")
    assert not IdeaVote.objects.exists()


def test_hidden_boards_and_ideas_are_404(customer, make_member, employee_board):
    from hearth.accounts.models import Affiliation

    employee = make_member(affiliation=Affiliation.EMPLOYEE)
    hidden = make_idea(author=employee, board=employee_board)
    client = client_of(customer)

    for method, path, payload in [
        ("get", f"/ideas/{hidden.pk}", None),
        ("get", f"/ideas?board={employee_board.slug}", None),
        ("get", f"/ideas/similar?title=idea&board={employee_board.slug}", None),
        ("put", f"/ideas/{hidden.pk}/vote", None),
        ("delete", f"/ideas/{hidden.pk}/vote", None),
        ("post", "/ideas", {"board": employee_board.slug, "title": "Sneaky", "description": "x"}),
    ]:
        assert_error(send(client, method, path, payload), 404, "not_found")
    assert all(hidden.pk != r["id"] for r in send(client, "get", "/ideas").json()["results"])


BAD_INPUT = [
    (
        "post",
        "/ideas",
        {"board": "product-ideas", "title": "Hm", "description": "x"},
        400,
        "title_too_short",
    ),
    (
        "post",
        "/ideas",
        {"board": "product-ideas", "title": "Good title", "description": " "},
        400,
        "description_empty",
    ),
    (
        "post",
        "/ideas",
        {"board": "product-ideas", "title": "Good title", "description": "x", "area": "nope"},
        400,
        "unknown_area",
    ),
    (
        "post",
        "/ideas",
        {"board": "nope", "title": "Good title", "description": "x"},
        404,
        "not_found",
    ),
    ("post", "/ideas", {"board": "product-ideas", "title": 5, "description": "x"}, 400, "invalid"),
    (
        "post",
        "/ideas",
        {"board": "product-ideas", "title": "x" * 401, "description": "x"},
        400,
        "invalid",
    ),
    ("post", "/ideas", {"title": "Good title"}, 400, "invalid"),
    ("get", "/ideas?sort=random", None, 400, "invalid"),
    ("get", "/ideas?status=nope", None, 400, "unknown_status"),
    ("get", "/ideas?area=nope", None, 400, "unknown_area"),
    ("get", "/ideas?limit=0", None, 400, "invalid"),
    ("get", "/ideas?limit=101", None, 400, "invalid"),
    ("get", "/ideas?cursor=garbage", None, 400, "invalid_cursor"),
    ("get", "/ideas/similar", None, 400, "invalid"),
    ("get", "/ideas/0", None, 400, "invalid"),
    ("get", "/ideas/abc", None, 400, "invalid"),
    ("get", "/ideas/999999", None, 404, "not_found"),
    ("get", "/ideas/99999999999999999999999", None, 400, "invalid"),
    ("put", "/ideas/999999/vote", None, 404, "not_found"),
    ("post", "/ideas/{idea}/status", {"status": "nope"}, 400, "unknown_status"),
    ("post", "/ideas/{idea}/status", {"status": "new"}, 400, "status_unchanged"),
    (
        "post",
        "/ideas/{idea}/status",
        {"status": "planned", "note": "x" * 2001},
        400,
        "note_too_long",
    ),
    (
        "post",
        "/ideas/{idea}/status",
        {"status": "shipped", "announcement_url": "javascript:x"},
        400,
        "invalid_url",
    ),
    ("post", "/ideas/{idea}/status", {}, 400, "invalid"),
    ("post", "/ideas/{idea}/merge", {"into": "{idea}"}, 400, "merge_into_itself"),
    ("post", "/ideas/{idea}/merge", {"into": 999999}, 404, "not_found"),
    ("post", "/ideas/{idea}/merge", {"into": 0}, 400, "invalid"),
    ("post", "/ideas/{idea}/merge", {"into": "abc"}, 400, "invalid"),
    # NUL characters: no column can store them, and PostgreSQL refuses them even in a query.
    (
        "post",
        "/ideas",
        {"board": "a\x00b", "title": "Good title", "description": "x"},
        404,
        "not_found",
    ),
    (
        "post",
        "/ideas",
        {"board": "product-ideas", "title": "Good\x00title", "description": "x"},
        400,
        "invalid_characters",
    ),
    (
        "post",
        "/ideas",
        {"board": "product-ideas", "title": "Good title", "description": "x\x00"},
        400,
        "invalid_characters",
    ),
    (
        "post",
        "/ideas",
        {"board": "product-ideas", "title": "Good title", "description": "x", "submit_key": "\x00"},
        400,
        "invalid_characters",
    ),
    ("get", "/ideas?board=a%00b", None, 404, "not_found"),
    ("get", "/ideas?status=a%00b", None, 400, "unknown_status"),
    (
        "post",
        "/ideas/{idea}/status",
        {"status": "planned", "note": "\x00"},
        400,
        "invalid_characters",
    ),
    (
        "post",
        "/ideas/{idea}/status",
        {"status": "shipped", "announcement_url": "/t/\x00/"},
        400,
        "invalid_characters",
    ),
]


@pytest.mark.parametrize(("method", "path", "payload", "status", "code"), BAD_INPUT)
def test_bad_input_is_a_4xx_with_a_code(moderator, idea, method, path, payload, status, code):
    path = path.replace("{idea}", str(idea.pk))
    if payload is not None:
        payload = json.loads(json.dumps(payload).replace('"{idea}"', str(idea.pk)))

    response = send(client_of(moderator), method, path, payload)

    assert_error(response, status, code)


def test_a_closed_idea_refuses_votes_with_a_code(other_customer, moderator, idea, statuses):
    services.change_idea_status(actor=moderator, idea=idea, status=statuses["declined"])

    assert_error(
        send(client_of(other_customer), "put", f"/ideas/{idea.pk}/vote"), 409, "idea_closed"
    )


def test_a_forged_cursor_of_the_right_shape_is_refused(anonymous, customer, board):
    make_idea(author=customer, board=board)
    cursor = base64.urlsafe_b64encode(b'["x", 1]').decode().rstrip("=")

    assert_error(send(anonymous, "get", f"/ideas?cursor={cursor}"), 400, "invalid_cursor")


def test_the_openapi_document_lists_the_idea_operations(anonymous):
    paths = send(anonymous, "get", "/openapi.json").json()["paths"]

    assert {"get", "post"} <= set(paths["/api/v1/ideas"])
    assert {"put", "delete"} <= set(paths["/api/v1/ideas/{idea_id}/vote"])
    assert "post" in paths["/api/v1/ideas/{idea_id}/status"]
    assert "post" in paths["/api/v1/ideas/{idea_id}/merge"]
    assert "403" in paths["/api/v1/ideas/{idea_id}/merge"]["post"]["responses"]
