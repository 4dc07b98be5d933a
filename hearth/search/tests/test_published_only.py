"""Held and hidden posts (moderation) in search and similar questions, on SQLite and PostgreSQL.

They are left out by the database's own query, before the candidates are cut off, the best
post of each topic is chosen and a page is counted: a held reply never takes its published
topic's place, pages stay full, and the composer's suggestions are never short. Each test
first shows the post found while it is published, then gone once it is not.
"""

import pytest
from django.test import Client

from hearth.community import services
from hearth.community.models import State, Topic
from hearth.moderation import services as moderation
from hearth.search import selectors
from hearth.search.backends import backend_for
from hearth.search.backends.base import SearchFilters, parse_query, similar_terms

pytestmark = pytest.mark.django_db

SECRET = "Zanzibarquux"
KEGERATOR = "Kegerator compressor keeps clicking"


def ask(author, space, title, body="Any ideas?"):
    return services.create_topic(
        author=author, space=space, title=title, body=body, kind=Topic.Kind.QUESTION
    )


def opening(topic):
    return topic.posts.get(position=1)


def set_state(post, state, actor=None):
    reason = "" if state == State.PUBLISHED else "Waiting for a moderator."
    services.set_post_state(actor=actor, post=post, state=state, reason=reason)


def found_posts(member, query, **options) -> list[int]:
    return [r.post.pk for r in selectors.search(member, query, **options).results]


def backend_hits(query, space) -> list[int]:
    """The post ids the backend's own query returns, before the selector looks at them."""
    page = backend_for().search(
        parse_query(query), SearchFilters(space_ids=(space.pk,)), limit=50, offset=0
    )
    return [hit.post_id for hit in page.hits]


def suggested(member, title, **options) -> list[int]:
    options.setdefault("ranker", "lexical")
    return [r.topic.pk for r in selectors.similar_questions(member, title, **options)]


def backend_similar(title, space) -> list[int]:
    found = backend_for().similar_topics(similar_terms(title), (space.pk,), limit=50)
    return [topic_id for topic_id, _score in found]


@pytest.fixture
def filler(make_topic, other_customer, public_space):
    """Unrelated topics, so that the words searched for are rare, as in a real community."""
    for n in range(6):
        make_topic(
            author=other_customer,
            space=public_space,
            title=f"Unrelated conversation number {n}",
            body="Lunch plans, weather and the weekend.",
        )


# --- Search -----------------------------------------------------------------------------------


@pytest.mark.parametrize("state", [State.HELD, State.HIDDEN])
def test_a_held_or_hidden_reply_that_matches_best_leaves_its_topic_found(
    state, filler, make_topic, make_reply, customer, other_customer, moderator, public_space
):
    topic = make_topic(
        author=customer,
        space=public_space,
        title="Heating trouble",
        body="My thermostat ignores its schedule, whatever times I set for the mornings, the "
        "evenings and the weekend, in the app or on the wall.",
    )
    reply = make_reply(
        topic=topic,
        author=other_customer,
        body="Thermostat schedule: every thermostat schedule is broken since the update.",
    )
    assert found_posts(customer, "thermostat schedule") == [reply.pk]

    set_state(reply, state, actor=moderator)

    assert found_posts(customer, "thermostat schedule") == [opening(topic).pk]
    assert reply.pk not in backend_hits("thermostat schedule", public_space)


def test_a_held_topic_is_out_of_search_with_all_its_posts(
    filler, make_topic, make_reply, customer, other_customer, public_space
):
    topic = make_topic(author=customer, space=public_space, title="Thermostat schedule")
    reply = make_reply(topic=topic, author=other_customer, body="The thermostat app is down.")
    assert [r.topic.pk for r in selectors.search(customer, "thermostat").results] == [topic.pk]

    set_state(opening(topic), State.HELD)

    for viewer in (customer, topic.author, other_customer):
        assert found_posts(viewer, "thermostat") == []
    hits = backend_hits("thermostat", public_space)
    assert opening(topic).pk not in hits and reply.pk not in hits


def test_pages_stay_full_and_end_where_the_published_results_do(make_topic, customer, public_space):
    topics = [
        make_topic(author=customer, space=public_space, title=f"Dimmer question {n}")
        for n in range(14)
    ]
    before = selectors.search(customer, "dimmer", limit=5)
    assert [r.topic.pk for r in before.results] == [t.pk for t in reversed(topics[-5:])]

    # The newest: ahead of the others, which match just as well.
    for topic in topics[-4:]:
        set_state(opening(topic), State.HELD)

    pages = [selectors.search(customer, "dimmer", limit=5, offset=n) for n in (0, 5)]
    assert [len(page.results) for page in pages] == [5, 5]
    assert [page.has_next for page in pages] == [True, False]
    assert {r.topic.pk for page in pages for r in page.results} == {t.pk for t in topics[:10]}
    assert len(backend_hits("dimmer", public_space)) == 10


def test_hidden_posts_leave_search_and_similar_questions_for_everyone(
    make_topic, make_reply, make_member, customer, moderator, public_space
):
    """hearth/moderation/tests/test_visibility.py's test, first seeing the posts found."""
    topic = make_topic(author=customer, space=public_space, title="Dimmer pairing")
    hidden_reply = make_reply(
        topic=topic, author=make_member(username="hal"), body=f"{SECRET} is what I think of you."
    )
    question = make_topic(
        author=make_member(username="quentin"),
        space=public_space,
        kind="question",
        title=f"How do I pair the {SECRET} dimmer",
        body=f"{SECRET} question",
    )
    viewers = (customer, moderator, hidden_reply.author)
    for viewer in viewers:
        assert set(found_posts(viewer, SECRET)) == {hidden_reply.pk, opening(question).pk}
    assert suggested(customer, f"pair the {SECRET} dimmer") == [question.pk]

    moderation.hide_post(actor=moderator, post=hidden_reply, reason="Insulting another member.")
    moderation.hide_post(actor=moderator, post=opening(question), reason="Spam.")

    for viewer in viewers:
        assert selectors.search(viewer, SECRET).results == []
    assert suggested(customer, f"pair the {SECRET} dimmer") == []
    assert backend_hits(SECRET, public_space) == []
    assert backend_similar(f"pair the {SECRET} dimmer", public_space) == []


# --- Similar questions ----------------------------------------------------------------------


def test_held_hidden_and_deleted_questions_are_never_suggested(
    customer, other_customer, moderator, public_space
):
    question = ask(other_customer, public_space, KEGERATOR)
    assert suggested(customer, KEGERATOR) == [question.pk]

    set_state(opening(question), State.HELD)
    assert suggested(customer, KEGERATOR) == []
    assert backend_similar(KEGERATOR, public_space) == []

    set_state(opening(question), State.PUBLISHED, actor=moderator)
    assert suggested(customer, KEGERATOR) == [question.pk]
    assert backend_similar(KEGERATOR, public_space) == [question.pk]

    set_state(opening(question), State.HIDDEN, actor=moderator)
    assert suggested(customer, KEGERATOR) == []
    assert backend_similar(KEGERATOR, public_space) == []

    set_state(opening(question), State.PUBLISHED, actor=moderator)
    services.delete_post(actor=moderator, post=opening(question))
    assert suggested(customer, KEGERATOR) == []
    assert backend_similar(KEGERATOR, public_space) == []


def test_suggestions_stay_full_when_the_best_matches_are_held(
    customer, other_customer, public_space
):
    best = [
        ask(other_customer, public_space, f"Kegerator foaming beer line fix {n}") for n in range(10)
    ]
    rest = [ask(other_customer, public_space, f"Kegerator question {n}") for n in range(5)]
    title = "Kegerator foaming beer line"
    assert set(suggested(customer, title)) == {q.pk for q in best[-5:]}

    for question in best:
        set_state(opening(question), State.HELD)

    assert set(suggested(customer, title)) == {q.pk for q in rest}
    assert set(backend_similar(title, public_space)) == {q.pk for q in rest}


def test_the_oldest_questions_are_the_candidates_when_a_tier_is_cut_off(
    customer, public_space, monkeypatch
):
    """Each tier of candidates keeps the oldest questions it matches, on both databases, so
    which questions are ranked never depends on where the rows happen to lie (the questions a
    duplicate repeats are older than it; docs/decisions/0004)."""
    backend = backend_for()
    module = __import__(type(backend).__module__, fromlist=["_"])
    monkeypatch.setattr(module, "SIMILAR_ANY_CANDIDATES", 3)
    questions = [ask(customer, public_space, f"Sparging temperature {n}") for n in range(8)]

    found = backend.similar_topics(("sparging",), (public_space.pk,), limit=10)

    assert {topic_id for topic_id, _score in found} == {q.pk for q in questions[:3]}


# --- Through the API and the composer's partial ------------------------------------------------


@pytest.mark.parametrize("state", [State.HELD, State.HIDDEN])
def test_the_api_and_the_composer_never_suggest_a_held_or_hidden_question(
    state, client_for, customer, other_customer, moderator, public_space
):
    question = ask(other_customer, public_space, KEGERATOR)
    clients = {
        "anonymous": Client(),
        "member": client_for(customer),
        "author": client_for(other_customer),
        "moderator": client_for(moderator),
    }

    def api(client) -> list[int]:
        response = client.get("/api/v1/search/similar", {"title": KEGERATOR})
        assert response.status_code == 200
        return [row["topic_id"] for row in response.json()["results"]]

    def partial(client) -> str:
        response = client.get(
            "/search/similar/",
            {"title": KEGERATOR, "kind": "question", "submit_key": "k" * 32},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200
        return response.content.decode()

    for who, client in clients.items():
        assert api(client) == [question.pk], who
        assert question.title in partial(client), who
        assert f"/search/similar/{question.pk}/open/" in partial(client), who

    set_state(opening(question), state, actor=moderator)

    for who, client in clients.items():
        assert api(client) == [], who
        html = partial(client)
        assert question.title not in html, who
        assert f"/search/similar/{question.pk}/open/" not in html, who
