"""GET /api/v1/search/similar: the composer's suggestions for API clients, same visibility."""

import pytest
from django.core.cache import cache
from django.test import Client

from hearth.accounts import services as account_services
from hearth.community import services
from hearth.community.models import Topic

pytestmark = pytest.mark.django_db

URL = "/api/v1/search/similar"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def ask(author, space, title, body="Any ideas?"):
    return services.create_topic(
        author=author, space=space, title=title, body=body, kind=Topic.Kind.QUESTION
    )


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
def questions(customer, other_customer, employee, public_space, employee_space):
    unsolved = ask(customer, public_space, "Priming sugar for a wheat beer")
    solved = ask(other_customer, public_space, "How much priming sugar per litre?")
    answer = services.create_reply(author=customer, topic=solved, body="About 6 grams.")
    services.accept_answer(actor=other_customer, post=answer)
    hidden = ask(employee, employee_space, "Priming sugar supplier contract")
    return {"unsolved": unsolved, "solved": solved, "hidden": hidden}


def test_similar_questions_solved_first(client, questions):
    response = client.get(URL, {"title": "  Priming   sugar amount?"})

    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Priming sugar amount?"
    assert body["ranker"] == "lexical"
    solved, unsolved = questions["solved"], questions["unsolved"]
    assert [r["topic_id"] for r in body["results"]] == [solved.pk, unsolved.pk]
    first = body["results"][0]
    assert first["title"] == solved.title
    assert first["url"] == solved.get_absolute_url()
    assert (first["is_solved"], first["reply_count"]) == (True, 1)
    assert first["space"] == {"slug": solved.space.slug, "name": solved.space.name}
    assert first["score"] > 0
    assert body["results"][1]["is_solved"] is False


@pytest.mark.parametrize("who", ["anonymous", "customer", "employee"])
def test_questions_in_spaces_the_caller_may_not_see_never_show(who, questions, customer, employee):
    client = {
        "anonymous": Client(),
        "customer": token_client(customer),
        "employee": token_client(employee),
    }[who]

    ids = {r["topic_id"] for r in client.get(URL, {"title": "priming sugar"}).json()["results"]}

    expected = {questions["solved"].pk, questions["unsolved"].pk}
    if who == "employee":
        expected.add(questions["hidden"].pk)
    assert ids == expected


def test_space_narrows_and_a_hidden_or_unknown_space_is_refused(
    client, questions, employee, employee_space, public_space
):
    narrowed = client.get(URL, {"title": "priming sugar", "space": public_space.slug}).json()
    assert len(narrowed["results"]) == 2

    error(
        client.get(URL, {"title": "priming sugar", "space": employee_space.slug}),
        400,
        "unknown_space",
    )
    error(client.get(URL, {"title": "priming sugar", "space": "nowhere"}), 400, "unknown_space")
    staff = token_client(employee).get(URL, {"title": "sugar", "space": employee_space.slug})
    assert [r["topic_id"] for r in staff.json()["results"]] == [questions["hidden"].pk]


@pytest.mark.parametrize("title", ["", " ", "a", "How do I do it?", "¿¡!?"])
def test_a_title_without_a_meaningful_word_gives_no_results(client, questions, title):
    response = client.get(URL, {"title": title})

    assert response.status_code == 200
    assert response.json()["results"] == []


def test_bad_input_is_a_clear_400(client, questions):
    error(client.get(URL), 400, "invalid")
    error(client.get(URL, {"title": "sugar " * 400}), 400, "invalid")
    error(client.get(URL, {"title": "sugar", "limit": 0}), 400, "invalid")
    error(client.get(URL, {"title": "sugar", "limit": 11}), 400, "invalid")
    error(client.get(URL, {"title": "sugar", "limit": "many"}), 400, "invalid")
    assert client.get(URL, {"title": "sugar\x00 AND NEAR(", "limit": 1}).status_code == 200


def test_limit(client, customer, public_space):
    for n in range(8):
        ask(customer, public_space, f"Bottle conditioning time {n}")

    assert len(client.get(URL, {"title": "bottle conditioning"}).json()["results"]) == 5
    assert len(client.get(URL, {"title": "bottle conditioning", "limit": 2}).json()["results"]) == 2


def test_query_count_does_not_grow_with_the_questions(
    customer, public_space, django_assert_max_num_queries
):
    client = token_client(customer)
    ask(customer, public_space, "Dry hopping length")
    client.get(URL, {"title": "warm up"})
    with django_assert_max_num_queries(5):  # token, member, spaces, ranking, topics
        assert len(client.get(URL, {"title": "dry hopping"}).json()["results"]) == 1
    for n in range(10):
        ask(customer, public_space, f"Dry hopping temperature {n}")
    with django_assert_max_num_queries(5):
        assert len(client.get(URL, {"title": "dry hopping"}).json()["results"]) == 5


def test_the_schema_is_documented(client):
    schema = client.get("/api/v1/openapi.json").json()

    operation = schema["paths"]["/api/v1/search/similar"]["get"]
    assert operation["summary"] == "Questions like the one being asked"
    assert {p["name"] for p in operation["parameters"]} == {"title", "space", "limit"}
