"""Every list and detail endpoint runs a constant number of queries, however much there is.

Each endpoint is measured with 5 items and again with 60 (a page shows at most 30), for a
visitor, a token caller and a session caller. Each client makes one call before measuring,
so a token's "last used" note and a session's daily visit are behind it: what is measured is
the steady state. Visitors stay within ANONYMOUS_MAX; members add their own look-ups (token
or session and member), within MEMBER_MAX.
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hearth.accounts import services as account_services
from hearth.accounts.models import Affiliation, Role
from hearth.api.tests.conftest import bearer, url
from hearth.community import services

pytestmark = pytest.mark.django_db

ANONYMOUS_MAX = 6
MEMBER_MAX = 8
SMALL, LARGE = 5, 60
VIEWERS = ["anonymous", "token", "session"]


@pytest.fixture
def authors(make_member):
    """Members of different kinds, some with an organization or expertise, to catch per-row
    look-ups."""
    acme = account_services.create_organization(actor=None, name="Acme", kind="customer")
    kinds = [
        (Affiliation.CUSTOMER, Role.MEMBER),
        (Affiliation.PARTNER, Role.MEMBER),
        (Affiliation.EMPLOYEE, Role.EXPERT),
        (Affiliation.PROSPECT, Role.MEMBER),
        (Affiliation.CUSTOMER, Role.MODERATOR),
    ]
    members = [
        make_member(
            username=f"author{n}",
            affiliation=kinds[n % len(kinds)][0],
            role=kinds[n % len(kinds)][1],
            organization=acme if n % 2 else None,
        )
        for n in range(6)
    ]
    for n, member in enumerate(members):
        for tag in range(n):
            member.expertise.create(name=f"skill-{n}-{tag}")
    return members


class World:
    """A space whose topic, replies, sibling spaces and topics grow on demand."""

    def __init__(self, authors, make_space, viewer):
        self.authors = authors
        self.viewer = viewer
        self.make_space = make_space
        self.space = make_space(name="General")
        self.topic = services.create_topic(
            author=viewer, space=self.space, title="The measured topic", body="Opening"
        )
        self.spaces = 1
        self.topics = 1
        self.posts = 1
        self.notifications = 0

    def grow(self, count: int) -> None:
        while self.spaces < count:
            self.make_space(name=f"Space {self.spaces}")
            self.spaces += 1
        while self.topics < count:
            author = self.authors[self.topics % len(self.authors)]
            topic = services.create_topic(
                author=author, space=self.space, title=f"Topic number {self.topics}", body="Hi"
            )
            if self.topics % 4 == 0:
                services.create_reply(author=self.viewer, topic=topic, body="A reply")
            self.topics += 1
        while self.posts < count:
            n = self.posts
            author = self.authors[n % len(self.authors)]
            post = services.create_reply(
                author=author, topic=self.topic, body=f"Reply {n} @author0"
            )
            if n % 7 == 0:
                services.edit_post(editor=author, post=post, body=f"Reply {n}, edited")
            if n % 11 == 0:
                services.delete_post(actor=author, post=post)
            elif n % 3 == 0:
                liker = self.authors[(n + 1) % len(self.authors)]
                services.set_reaction(member=liker, post=post, kind="like", active=True)
            self.posts += 1
        while self.notifications < count:
            # Each of the viewer's posts that someone finds helpful notifies the viewer.
            mine = services.create_reply(author=self.viewer, topic=self.topic, body="Mine")
            reactor = self.authors[self.notifications % len(self.authors)]
            services.set_reaction(member=reactor, post=mine, kind="helpful", active=True)
            self.notifications += 1
            self.posts += 1

    def paths(self) -> dict[str, str]:
        reply = self.topic.posts.order_by("-position").first()
        return {
            "spaces": "/spaces",
            "topics": "/topics",
            "space topics": "/spaces/general/topics",
            "topic posts": f"/topics/{self.topic.pk}/posts",
            "space": "/spaces/general",
            "topic": f"/topics/{self.topic.pk}",
            "post": f"/posts/{reply.pk}",
            "member": f"/members/{self.authors[5].username}",
            "me": "/me",
            "notifications": "/notifications",
        }


MEMBER_ONLY = {"me", "notifications"}
LISTS = {"spaces", "topics", "space topics", "topic posts", "notifications"}


@pytest.fixture
def viewer_member(make_member):
    return make_member(username="viewer", affiliation=Affiliation.CUSTOMER)


def client_of(kind: str, member, client_for) -> Client:
    if kind == "anonymous":
        return Client()
    if kind == "session":
        return client_for(member)
    _, secret = account_services.create_api_token(member=member, name="Counting", scope="read")
    return Client(**bearer(secret))


def count_queries(client: Client, paths: dict[str, str], endpoints) -> dict[str, int]:
    counts = {}
    for endpoint in endpoints:
        assert client.get(url(paths[endpoint])).status_code == 200  # warm up
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url(paths[endpoint]))
        assert response.status_code == 200, endpoint
        counts[endpoint] = len(queries)
    return counts


@pytest.mark.parametrize("viewer", VIEWERS)
def test_queries_do_not_grow_with_the_data(authors, make_space, viewer_member, client_for, viewer):
    world = World(authors, make_space, viewer_member)
    client = client_of(viewer, viewer_member, client_for)
    endpoints = [e for e in world.paths() if not (viewer == "anonymous" and e in MEMBER_ONLY)]

    world.grow(SMALL)
    small = count_queries(client, world.paths(), endpoints)
    world.grow(LARGE)
    large = count_queries(client, world.paths(), endpoints)

    assert small == large
    bound = ANONYMOUS_MAX if viewer == "anonymous" else MEMBER_MAX
    assert {e: n for e, n in large.items() if n > bound} == {}
    for endpoint in LISTS & set(endpoints):
        body = client.get(url(world.paths()[endpoint])).json()
        assert len(body["results"]) == 30, endpoint  # a full page was measured
        assert body["next_cursor"] is not None, endpoint


def test_a_visitor_call_stays_within_the_budget(
    authors, make_space, viewer_member, django_assert_max_num_queries
):
    world = World(authors, make_space, viewer_member)
    world.grow(LARGE)
    client = Client()

    for endpoint, path in world.paths().items():
        if endpoint in MEMBER_ONLY:
            continue
        with django_assert_max_num_queries(ANONYMOUS_MAX):
            response = client.get(url(path))
        assert response.status_code == 200, endpoint
