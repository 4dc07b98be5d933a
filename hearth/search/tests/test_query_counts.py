"""GET /api/v1/search runs a small, constant number of queries, however many posts match.

Each search is measured with 12 matching topics and again with 72, over three spaces, with
tags, replies, accepted answers and authors of every affiliation (some with an organization),
so a look-up per result would show: the counts must be the same and within the budget. Each
call is made once before it is measured, so a token's "last used" note and the search
backend's cached newest post are behind it.
"""

import pytest
from django.test import Client

from hearth.accounts import services as account_services
from hearth.accounts.models import Affiliation, Role
from hearth.api.tests.conftest import bearer, url
from hearth.community import services
from hearth.community.models import Tag

pytestmark = pytest.mark.django_db

# The visible spaces (read once, for a space filter too), the search, the posts with their
# topics, spaces and authors, and the topics' tags; one more to look up a tag or an author
# filter. Members add one: the token or the session's member.
BUDGET = {"anonymous": 5, "token": 6, "session": 6}
PER_PAGE = 20
VIEWERS = ["anonymous", "token", "session"]
PARAMS = [
    {"q": "bridge"},
    {"q": "bridge", "space": "general"},
    {"q": "bridge pairing", "tag": "tag-1", "affiliation": "employee"},
    {"q": "bridge", "author": "author1", "since": "2000-01-01"},
    {"q": "bridge reset", "solved": "false", "until": "2999-12-31"},
    {"q": "bridge", "solved": "true"},
]


@pytest.fixture
def viewer(client_for, make_member):
    """A client for an anonymous visitor, a customer with a read token, or a moderator
    signed in, with the spaces (by name) whose topics each may find."""

    def build(kind: str) -> tuple[Client, set[str]]:
        if kind == "anonymous":
            return Client(), {"General"}
        if kind == "token":
            member = make_member(username="viewer")
            _, secret = account_services.create_api_token(
                member=member, name="Counting", scope="read"
            )
            return Client(**bearer(secret)), {"General", "Members lounge"}
        member = make_member(username="viewer-mod", role=Role.MODERATOR)
        return client_for(member), {"General", "Members lounge", "Partner lounge"}

    return build


@pytest.fixture
def grow(make_member, public_space, members_space, partner_space):
    """Add `rounds` rounds of four matching topics in each of three spaces, by authors of
    every kind, with tags, replies and accepted answers; returns how many topics each space
    holds. Each round has, in every space, an unsolved question, a solved one and a topic by
    an employee (author1) with tag-1, so every search finds something for every viewer."""
    acme = account_services.create_organization(actor=None, name="Acme", kind="customer")
    tags = [Tag.objects.create(name=f"Tag {n}", slug=f"tag-{n}") for n in range(3)]
    kinds = [Affiliation.CUSTOMER, Affiliation.EMPLOYEE, Affiliation.PARTNER, Affiliation.PROSPECT]
    authors = [
        make_member(username=f"author{n}", affiliation=kind, organization=acme if n % 2 else None)
        for n, kind in enumerate(kinds)
    ]
    # Only employees and partners may post in the partner lounge.
    writers = {
        public_space: authors,
        members_space: authors,
        partner_space: [authors[1], authors[2]],
    }
    made = {space.name: 0 for space in writers}
    done = {"rounds": 0}

    def add(rounds: int) -> dict[str, int]:
        for _ in range(rounds):
            r = done["rounds"]
            for space, people in writers.items():
                for i in range(4):
                    author = people[(i + r) % len(people)]
                    topic = services.create_topic(
                        author=author,
                        space=space,
                        title=f"Bridge pairing report {r}.{i}",
                        body="The bridge paired after a reset.",
                        kind="discussion" if i == 3 else "question",
                        tags=tags[: i % 3 + 1],
                    )
                    if i % 2:
                        answerer = people[(i + r + 1) % len(people)]
                        reply = services.create_reply(
                            author=answerer, topic=topic, body="Bridge reply"
                        )
                        if topic.kind == "question":
                            services.accept_answer(actor=author, post=reply)
                    made[space.name] += 1
            done["rounds"] += 1
        return dict(made)

    return add


@pytest.mark.parametrize("kind", VIEWERS)
def test_a_search_runs_as_many_queries_for_72_topics_as_for_12(
    viewer, grow, kind, django_assert_max_num_queries
):
    client, visible = viewer(kind)

    def measure(topics: dict[str, int]) -> list[int]:
        counts = []
        for params in PARAMS:
            assert client.get(url("/search"), params).status_code == 200  # warm up
            with django_assert_max_num_queries(BUDGET[kind]) as captured:
                response = client.get(url("/search"), params)
            assert response.status_code == 200, (params, response.content[:500])
            results = response.json()["results"]
            assert results, params
            if params == {"q": "bridge"}:
                expected = sum(n for name, n in topics.items() if name in visible)
                assert len(results) == min(expected, PER_PAGE)
            elif "space" in params:
                assert len(results) == min(topics["General"], PER_PAGE)
            counts.append(len(captured))
        return counts

    few = measure(grow(1))
    many = measure(grow(5))

    assert many == few
