"""GET /api/v1/search: the same results, filters and visibility as the page."""

import pytest
from django.core.cache import cache
from django.test import Client

from hearth.accounts import services as account_services
from hearth.community import services
from hearth.community.models import Tag
from tests.conftest import load_xss_payloads

pytestmark = pytest.mark.django_db

URL = "/api/v1/search"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def token_client(member) -> Client:
    _, secret = account_services.create_api_token(member=member, name="Tests", scope="read")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:300]
    body = response.json()
    assert body["code"] == code, body
    assert body["message"]
    return body


@pytest.fixture
def lamps(make_topic, make_reply, customer, partner, public_space):
    tag = Tag.objects.create(name="Lighting", slug="lighting")
    question = services.create_topic(
        author=customer,
        space=public_space,
        title="Desk lamp flickers",
        body="Below ten percent.",
        kind="question",
        tags=[tag],
    )
    answer = make_reply(topic=question, author=partner, body="A trailing-edge dimmer fixes it.")
    services.accept_answer(actor=customer, post=answer)
    other = make_topic(author=customer, space=public_space, title="Floor lamp colours")
    return {"question": question, "answer": answer, "other": other, "tag": tag}


def test_search_returns_posts_with_marked_titles_and_snippets(client, lamps):
    response = client.get(URL, {"q": "trailing dimmer"})

    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "trailing dimmer"
    assert body["next_cursor"] is None and body["notice"] is None
    [hit] = body["results"]
    answer, question = lamps["answer"], lamps["question"]
    assert hit["post_id"] == answer.pk
    assert hit["topic_id"] == question.pk
    assert hit["topic_title"] == "Desk lamp flickers"
    assert hit["title_html"] == "Desk lamp flickers"
    assert "<mark>trailing</mark>" in hit["snippet_html"]
    assert hit["url"] == f"/p/{answer.pk}/"
    assert hit["topic_url"] == question.get_absolute_url()
    assert (hit["kind"], hit["is_solved"], hit["is_accepted_answer"]) == ("question", True, True)
    assert hit["is_opening_post"] is False
    assert hit["space"] == {"slug": question.space.slug, "name": question.space.name}
    assert hit["author"]["username"] == "pat"
    assert hit["rank"] > 0


def test_results_page_with_a_cursor(client, make_topic, customer, public_space):
    for n in range(5):
        make_topic(author=customer, space=public_space, title=f"Scene schedule {n}")

    first = client.get(URL, {"q": "scene", "limit": 2}).json()
    second = client.get(URL, {"q": "scene", "limit": 2, "cursor": first["next_cursor"]}).json()
    third = client.get(URL, {"q": "scene", "limit": 2, "cursor": second["next_cursor"]}).json()

    ids = [h["post_id"] for page in (first, second, third) for h in page["results"]]
    assert len(ids) == len(set(ids)) == 5
    assert third["next_cursor"] is None


def test_filters(client, lamps, partner):
    def ids(**params):
        response = client.get(URL, {"q": "lamp", **params})
        assert response.status_code == 200, response.content
        return {hit["topic_id"] for hit in response.json()["results"]}

    question, other = lamps["question"].pk, lamps["other"].pk
    assert ids() == {question, other}
    assert ids(tag="lighting") == {question}
    assert ids(solved="true") == {question}
    assert ids(solved="false") == set()
    assert ids(author="pat") == {question}
    assert ids(affiliation="partner") == {question}
    assert ids(space=lamps["other"].space.slug, since="2000-01-01", until="2999-12-31") == {
        question,
        other,
    }
    assert ids(until="2000-01-01") == set()


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"space": "nope"}, "unknown_space"),
        ({"space": "partner-lounge"}, "unknown_space"),
        ({"tag": "nope"}, "unknown_tag"),
        ({"author": "ghost"}, "unknown_author"),
        ({"affiliation": "pirate"}, "invalid_affiliation"),
        ({"since": "2024-03-02", "until": "2024-03-01"}, "invalid_date_range"),
        ({"since": "yesterday"}, "invalid"),
        ({"until": "2024-02-30"}, "invalid"),
        ({"solved": "maybe"}, "invalid"),
        ({"limit": "0"}, "invalid"),
        ({"limit": "51"}, "invalid"),
        ({"cursor": "abc"}, "invalid_cursor"),
        ({"cursor": "-1"}, "invalid_cursor"),
        ({"cursor": "999999"}, "invalid_cursor"),
        ({"q": "x" * 1001}, "invalid"),
    ],
)
def test_bad_filters_are_a_400_with_a_code(client, lamps, partner_space, params, code):
    error(client.get(URL, {"q": "lamp", **params}), 400, code)


def test_the_query_is_required(client):
    error(client.get(URL), 400, "invalid")


@pytest.mark.parametrize("query", ["", "   ", "the of and", '"', "NEAR(", "😀", "x" * 1000])
def test_empty_or_odd_queries_answer_200(client, lamps, query):
    response = client.get(URL, {"q": query})

    assert response.status_code == 200
    assert isinstance(response.json()["results"], list)


def test_an_empty_query_comes_with_a_notice(client):
    assert client.get(URL, {"q": ""}).json()["notice"] == "Type a word or two to search for."


@pytest.mark.parametrize(
    ("who", "sees"),
    [("anonymous", False), ("customer", False), ("partner", True), ("employee", True)],
)
def test_partner_only_posts_reach_only_those_who_may_see_them(
    make_topic, employee, partner_space, customer, partner, who, sees
):
    make_topic(author=employee, space=partner_space, title="Partner margin sheet")
    client = {
        "anonymous": Client,
        "customer": lambda: token_client(customer),
        "partner": lambda: token_client(partner),
        "employee": lambda: token_client(employee),
    }[who]()

    results = client.get(URL, {"q": "margin"}).json()["results"]

    assert bool(results) is sees


def test_session_callers_search_as_themselves(client_for, make_topic, employee, employee_space):
    make_topic(author=employee, space=employee_space, title="Team offsite agenda")

    assert client_for(employee).get(URL, {"q": "offsite"}).json()["results"]
    assert not Client().get(URL, {"q": "offsite"}).json()["results"]


def test_a_wrong_token_is_refused_not_treated_as_a_visitor(lamps):
    response = Client(HTTP_AUTHORIZATION="Bearer hth_nope_nope").get(URL, {"q": "lamp"})

    error(response, 401, "unauthenticated")


def test_xss_payloads_come_back_as_escaped_text(client, make_member, public_space):
    author = make_member(username="mallory")
    for payload in load_xss_payloads()[::30]:
        services.create_topic(
            author=author, space=public_space, title=f"Zebra {payload}"[:200], body=payload
        )

    results = client.get(URL, {"q": "zebra", "limit": 50}).json()["results"]

    assert results
    for hit in results:
        for field in ("title_html", "snippet_html"):
            assert "<" not in hit[field].replace("<mark>", "").replace("</mark>", "")
