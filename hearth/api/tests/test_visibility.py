"""The visibility matrix through the API: who lists, reads and posts in which space.

Expected outcomes come from the tables below, written by hand from the product rules, never
from the application's own predicates. What a caller may not see is a 404, never a 403.
"""

import pytest
from django.test import Client

from hearth.accounts import services as account_services
from hearth.accounts.models import Affiliation, Role
from hearth.api.tests.conftest import assert_error, bearer, url
from hearth.community import services
from hearth.community.models import Post, Reaction, Space, Topic

pytestmark = pytest.mark.django_db

# viewer -> (affiliation, role); None is the anonymous visitor.
VIEWERS = {
    "anonymous": None,
    "customer": (Affiliation.CUSTOMER, Role.MEMBER),
    "prospect": (Affiliation.PROSPECT, Role.MEMBER),
    "partner": (Affiliation.PARTNER, Role.MEMBER),
    "employee": (Affiliation.EMPLOYEE, Role.EXPERT),
    "moderator": (Affiliation.CUSTOMER, Role.MODERATOR),
    "manager": (Affiliation.EMPLOYEE, Role.MANAGER),
}

# space -> (name, slug, visibility, allowed affiliations)
SPACES = {
    "public": ("Open forum", "open-forum", Space.Visibility.PUBLIC, []),
    "members": ("Members lounge", "members-lounge", Space.Visibility.MEMBERS, []),
    "partners": (
        "Partner lounge",
        "partner-lounge",
        Space.Visibility.AFFILIATIONS,
        [Affiliation.PARTNER, Affiliation.EMPLOYEE],
    ),
    "employees": ("Team room", "team-room", Space.Visibility.AFFILIATIONS, [Affiliation.EMPLOYEE]),
}

EVERY_SPACE = {"public", "members", "partners", "employees"}
SEES = {
    "anonymous": {"public"},
    "customer": {"public", "members"},
    "prospect": {"public", "members"},
    "partner": {"public", "members", "partners"},
    "employee": EVERY_SPACE,
    "moderator": EVERY_SPACE,
    "manager": EVERY_SPACE,
}

MATRIX = [(viewer, space) for viewer in VIEWERS for space in SPACES]
# Members are checked over both ways in: an API token and the browser session.
MEMBER_MATRIX = [
    (viewer, space, transport)
    for viewer in VIEWERS
    if viewer != "anonymous"
    for space in SPACES
    for transport in ("token", "session")
]


@pytest.fixture
def world(make_member, make_space):
    """The four spaces, each with a topic (by a manager) and a reply (by an employee)."""
    owner = make_member(username="owner", affiliation=Affiliation.EMPLOYEE, role=Role.MANAGER)
    replier = make_member(username="replier", affiliation=Affiliation.EMPLOYEE)
    spaces, topics, replies = {}, {}, {}
    for key, (name, slug, visibility, allowed) in SPACES.items():
        spaces[key] = make_space(name=name, visibility=visibility, allowed_affiliations=allowed)
        assert spaces[key].slug == slug
        topics[key] = services.create_topic(
            author=owner, space=spaces[key], title=f"Topic in {name}", body="Opening words"
        )
        replies[key] = services.create_reply(
            author=replier, topic=topics[key], body="A reply to react to"
        )
    return {"spaces": spaces, "topics": topics, "replies": replies}


@pytest.fixture
def viewer_client(make_member, client_for):
    def build(viewer: str, transport: str = "token") -> Client:
        if VIEWERS[viewer] is None:
            return Client()
        affiliation, role = VIEWERS[viewer]
        member = make_member(username=f"viewer-{viewer}", affiliation=affiliation, role=role)
        if transport == "session":
            return client_for(member)
        _, secret = account_services.create_api_token(member=member, name="Tests", scope="write")
        return Client(**bearer(secret))

    return build


def read_paths(world, space: str) -> list[str]:
    topic, reply = world["topics"][space], world["replies"][space]
    slug = SPACES[space][1]
    return [
        f"/spaces/{slug}",
        f"/spaces/{slug}/topics",
        f"/topics/{topic.pk}",
        f"/topics/{topic.pk}/posts",
        f"/posts/{reply.pk}",
    ]


def _check_lists(client, world, viewer, space):
    listed_spaces = [s["slug"] for s in client.get(url("/spaces")).json()["results"]]
    listed_topics = [t["id"] for t in client.get(url("/topics")).json()["results"]]

    sees = space in SEES[viewer]
    assert (SPACES[space][1] in listed_spaces) is sees
    assert (world["topics"][space].pk in listed_topics) is sees


def _check_reads(client, world, viewer, space):
    sees = space in SEES[viewer]
    for path in read_paths(world, space):
        response = client.get(url(path))
        if sees:
            assert response.status_code == 200, path
        else:
            assert_error(response, 404, "not_found")


@pytest.mark.parametrize(("viewer", "space"), MATRIX)
def test_anonymous_and_token_callers_list_what_they_may_see(world, viewer_client, viewer, space):
    _check_lists(viewer_client(viewer), world, viewer, space)


@pytest.mark.parametrize(("viewer", "space"), MATRIX)
def test_anonymous_and_token_callers_read_what_they_may_see(world, viewer_client, viewer, space):
    _check_reads(viewer_client(viewer), world, viewer, space)


@pytest.mark.parametrize(("viewer", "space", "transport"), MEMBER_MATRIX)
def test_members_list_and_read_the_same_over_token_and_session(
    world, viewer_client, viewer, space, transport
):
    client = viewer_client(viewer, transport)
    _check_lists(client, world, viewer, space)
    _check_reads(client, world, viewer, space)


def test_the_whole_list_of_spaces_matches_the_table(world, viewer_client):
    for viewer in VIEWERS:
        slugs = {s["slug"] for s in viewer_client(viewer).get(url("/spaces")).json()["results"]}
        assert slugs == {SPACES[space][1] for space in SEES[viewer]}, viewer


@pytest.mark.parametrize(("viewer", "space"), MATRIX)
def test_posting_is_allowed_where_the_caller_can_see(world, viewer_client, viewer, space):
    client = viewer_client(viewer)
    slug = SPACES[space][1]
    topic = world["topics"][space]
    topics_before, posts_before = Topic.objects.count(), Post.objects.count()

    started = client.post(
        url(f"/spaces/{slug}/topics"),
        {"title": "A new question here", "body": "Hello"},
        content_type="application/json",
    )
    replied = client.post(
        url(f"/topics/{topic.pk}/posts"), {"body": "Me too"}, content_type="application/json"
    )

    if viewer == "anonymous":
        assert_error(started, 401, "unauthenticated")
        assert_error(replied, 401, "unauthenticated")
    elif space in SEES[viewer]:
        assert (started.status_code, replied.status_code) == (201, 201)
    else:
        assert_error(started, 404, "not_found")
        assert_error(replied, 404, "not_found")
    created = 2 if viewer != "anonymous" and space in SEES[viewer] else 0
    assert Post.objects.count() - posts_before == created
    assert Topic.objects.count() - topics_before == created // 2


@pytest.mark.parametrize(("viewer", "space"), MATRIX)
def test_edits_deletes_and_reactions_on_hidden_posts_are_not_found(
    world, viewer_client, viewer, space
):
    client = viewer_client(viewer)
    reply = world["replies"][space]
    calls = [
        client.put(url(f"/posts/{reply.pk}/reactions/like")),
        client.delete(url(f"/posts/{reply.pk}/reactions/like")),
        client.patch(url(f"/posts/{reply.pk}"), {"body": "Edit"}, content_type="application/json"),
        client.delete(url(f"/posts/{reply.pk}")),
        client.patch(
            url(f"/topics/{world['topics'][space].pk}"),
            {"is_pinned": True},
            content_type="application/json",
        ),
    ]

    if viewer == "anonymous":
        for response in calls:
            assert_error(response, 401, "unauthenticated")
    elif space not in SEES[viewer]:
        for response in calls:
            assert_error(response, 404, "not_found")
    else:
        react, unreact, edit, delete, pin = calls
        assert (react.status_code, unreact.status_code) == (200, 200)
        is_staff = viewer in ("moderator", "manager")
        # Only staff may edit, delete or pin what others wrote: then it is a 403, never a 404.
        assert edit.status_code == (200 if is_staff else 403)
        assert delete.status_code == (204 if is_staff else 403)
        assert pin.status_code == (200 if is_staff else 403)
    reply.refresh_from_db()
    assert Reaction.objects.filter(post=reply).count() == 0


@pytest.mark.parametrize("viewer", [v for v in VIEWERS if v != "anonymous"])
def test_a_deleted_topic_is_seen_by_staff_only(world, viewer_client, viewer):
    topic = world["topics"]["public"]
    services.delete_post(actor=topic.author, post=Post.objects.get(topic=topic, position=1))
    client = viewer_client(viewer)

    response = client.get(url(f"/topics/{topic.pk}"))
    listed = [t["id"] for t in client.get(url("/topics")).json()["results"]]

    if viewer in ("moderator", "manager"):
        assert response.status_code == 200
    else:
        assert_error(response, 404, "not_found")
    assert topic.pk not in listed


@pytest.mark.parametrize("path", ["/spaces/no-such-space", "/topics/999999", "/posts/999999"])
def test_missing_and_hidden_things_answer_alike(world, viewer_client, path):
    """A customer cannot tell a hidden space from one that does not exist."""
    client = viewer_client("customer")
    hidden = {
        "/spaces/no-such-space": "/spaces/team-room",
        "/topics/999999": f"/topics/{world['topics']['employees'].pk}",
        "/posts/999999": f"/posts/{world['replies']['employees'].pk}",
    }[path]

    missing, secret = client.get(url(path)), client.get(url(hidden))

    assert (missing.status_code, secret.status_code) == (404, 404)
    assert missing.json() == secret.json()
