"""The visibility matrix through real HTTP: who lists, reads and posts in which space.

Expected outcomes come from the small tables below, written by hand from the product rules,
never from the application's own predicates.
"""

from dataclasses import dataclass

import pytest
from django.urls import reverse

from hearth.accounts.models import Affiliation, Role
from hearth.community import selectors, services
from hearth.community.models import Post, Space, Topic

pytestmark = pytest.mark.django_db

# role key -> (affiliation, role); None is the anonymous visitor.
ROLES = {
    "anonymous": None,
    "customer": (Affiliation.CUSTOMER, Role.MEMBER),
    "prospect": (Affiliation.PROSPECT, Role.MEMBER),
    "journalist": (Affiliation.JOURNALIST, Role.MEMBER),
    "partner": (Affiliation.PARTNER, Role.MEMBER),
    "expert": (Affiliation.EMPLOYEE, Role.EXPERT),
    "moderator": (Affiliation.CUSTOMER, Role.MODERATOR),
    "manager": (Affiliation.EMPLOYEE, Role.MANAGER),
}

# space key -> (name, visibility, allowed affiliations)
SPACES = {
    "public": ("Open forum", Space.Visibility.PUBLIC, []),
    "members": ("Members lounge", Space.Visibility.MEMBERS, []),
    "partners": (
        "Partner lounge",
        Space.Visibility.AFFILIATIONS,
        [Affiliation.PARTNER, Affiliation.EMPLOYEE],
    ),
    "employees": ("Team room", Space.Visibility.AFFILIATIONS, [Affiliation.EMPLOYEE]),
}

ALL = set(SPACES)
SEES = {
    "anonymous": {"public"},
    "customer": {"public", "members"},
    "prospect": {"public", "members"},
    "journalist": {"public", "members"},
    "partner": {"public", "members", "partners"},
    "expert": ALL,
    "moderator": ALL,
    "manager": ALL,
}

MATRIX = [(role, space) for role in ROLES for space in SPACES]
HIDDEN_FROM_MEMBERS = [
    (role, space) for role, space in MATRIX if role != "anonymous" and space not in SEES[role]
]
HIDDEN_FROM_ANONYMOUS = [space for space in SPACES if space not in SEES["anonymous"]]


@dataclass
class World:
    viewer: object  # a Member, or None for anonymous
    spaces: dict
    topics: dict


@pytest.fixture
def build_world(make_member, make_space, client_for):
    """Four spaces, a topic by a community manager in each, and a viewer of the given role."""

    def build(role: str) -> tuple[World, object]:
        host = make_member(username="host", affiliation=Affiliation.EMPLOYEE, role=Role.MANAGER)
        spaces, topics = {}, {}
        for key, (name, visibility, allowed) in SPACES.items():
            spaces[key] = make_space(name=name, visibility=visibility, allowed_affiliations=allowed)
            topics[key] = services.create_topic(
                author=host, space=spaces[key], title=f"Topic in {name}", body=f"Body in {key}"
            )
        viewer = None
        if ROLES[role] is not None:
            affiliation, member_role = ROLES[role]
            viewer = make_member(username=f"the-{role}", affiliation=affiliation, role=member_role)
        return World(viewer=viewer, spaces=spaces, topics=topics), client_for(viewer)

    return build


def topic_titles(response) -> set[str]:
    return {t.title for t in response.context["page"].object_list}


# --- list ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_home_sidebar_lists_exactly_the_visible_spaces(build_world, role):
    world, client = build_world(role)

    response = client.get("/")

    assert response.status_code == 200
    assert {s.slug for s in response.context["spaces"]} == {
        world.spaces[key].slug for key in SEES[role]
    }
    html = response.content.decode()
    for key, space in world.spaces.items():
        link = f'<li><a href="/s/{space.slug}/">{space.name}</a>'
        assert (link in html) is (key in SEES[role]), key


@pytest.mark.parametrize("path", ["/", "/latest/"])
@pytest.mark.parametrize("role", ROLES)
def test_topic_lists_hold_exactly_the_visible_topics(build_world, role, path):
    world, client = build_world(role)

    response = client.get(path)

    assert response.status_code == 200
    expected = {world.topics[key].title for key in SEES[role]}
    assert topic_titles(response) == expected
    html = response.content.decode()
    for key, topic in world.topics.items():
        assert (topic.title in html) is (key in SEES[role]), key


@pytest.mark.parametrize("role", ROLES)
def test_profile_recent_activity_shows_only_visible_spaces(build_world, role):
    world, client = build_world(role)

    response = client.get("/u/host/")

    assert response.status_code == 200
    assert {p.topic.title for p in response.context["recent_posts"]} == {
        world.topics[key].title for key in SEES[role]
    }
    html = response.content.decode()
    for key, topic in world.topics.items():
        assert (topic.title in html) is (key in SEES[role]), key
        assert (f"Body in {key}" in html) is (key in SEES[role]), key


# --- read ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "space"), MATRIX)
def test_space_and_topic_pages_are_200_or_404(build_world, role, space):
    world, client = build_world(role)
    topic = world.topics[space]
    opening = topic.posts.get()
    visible = space in SEES[role]

    space_page = client.get(world.spaces[space].get_absolute_url())
    topic_page = client.get(topic.get_absolute_url())
    permalink = client.get(reverse("community:post", args=[opening.pk]))
    history = client.get(reverse("community:post_history", args=[opening.pk]))

    if visible:
        assert space_page.status_code == 200
        assert topic.title in space_page.content.decode()
        assert topic_page.status_code == 200
        assert f"Body in {space}" in topic_page.content.decode()
        assert (permalink.status_code, permalink["Location"]) == (
            302,
            f"{topic.get_absolute_url()}#post-1",
        )
        assert history.status_code == 200
    else:
        assert (space_page.status_code, topic_page.status_code) == (404, 404)
        assert (permalink.status_code, history.status_code) == (404, 404)
        assert f"Body in {space}" not in topic_page.content.decode()
    assert selectors.view_count(Topic.objects.get(pk=topic.pk)) == (1 if visible else 0)


# --- post ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "space"), MATRIX)
def test_new_topic_post_succeeds_or_is_404_or_asks_to_log_in(build_world, role, space):
    world, client = build_world(role)
    url = reverse("community:new_topic", args=[world.spaces[space].slug])

    response = client.post(
        url, {"title": "Posted by the viewer", "kind": "discussion", "body": "Hello there"}
    )

    created = Topic.objects.filter(title="Posted by the viewer")
    if role == "anonymous":
        assert (response.status_code, response["Location"]) == (302, f"/login/?next={url}")
        assert not created.exists()
    elif space in SEES[role]:
        topic = created.get()
        assert (response.status_code, response["Location"]) == (302, topic.get_absolute_url())
        assert topic.space == world.spaces[space]
    else:
        assert response.status_code == 404
        assert not created.exists()


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize(("role", "space"), MATRIX)
def test_reply_post_succeeds_or_is_404_or_asks_to_log_in(build_world, role, space, htmx):
    world, client = build_world(role)
    topic = world.topics[space]
    url = reverse("community:reply", args=[topic.pk])

    response = client.post(
        url, {"body": "A reply from the viewer"}, headers={"HX-Request": "true"} if htmx else {}
    )

    created = Post.objects.filter(body="A reply from the viewer")
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"] == f"/login/?next={url}"
        assert not created.exists()
    elif space in SEES[role]:
        post = created.get()
        assert post.topic == topic
        if htmx:
            assert response.status_code == 200
            assert "hx-swap-oob" in response.content.decode()
        else:
            assert (response.status_code, response["Location"]) == (302, f"/p/{post.pk}/")
    else:
        assert response.status_code == 404
        assert not created.exists()


# --- hidden means 404 everywhere ------------------------------------------------------------


def _hidden_requests(world: World, space: str):
    topic = world.topics[space]
    post = topic.posts.get()
    slug = world.spaces[space].slug
    target = next(s for k, s in world.spaces.items() if k != space).slug
    edit = reverse("community:edit_post", args=[post.pk])
    return {
        "space page": ("get", world.spaces[space].get_absolute_url(), {}, False),
        "space page 2": ("get", world.spaces[space].get_absolute_url() + "?page=2", {}, False),
        "topic page": ("get", topic.get_absolute_url(), {}, False),
        "topic page wrong slug": ("get", f"/t/whatever/{topic.pk}/", {}, False),
        "topic page quote": ("get", f"{topic.get_absolute_url()}?quote={post.pk}", {}, False),
        "permalink": ("get", reverse("community:post", args=[post.pk]), {}, False),
        "history": ("get", reverse("community:post_history", args=[post.pk]), {}, False),
        "new topic form": ("get", reverse("community:new_topic", args=[slug]), {}, False),
        "new topic": (
            "post",
            reverse("community:new_topic", args=[slug]),
            {"title": "Sneaking in", "kind": "discussion", "body": "x"},
            False,
        ),
        "edit form": ("get", edit, {}, False),
        "edit": ("post", edit, {"title": "Sneaking in", "body": "x"}, False),
        "reply": ("post", reverse("community:reply", args=[topic.pk]), {"body": "x"}, False),
        "reply htmx": ("post", reverse("community:reply", args=[topic.pk]), {"body": "x"}, True),
        "react": ("post", reverse("community:react", args=[post.pk, "like"]), {}, False),
        "react htmx": ("post", reverse("community:react", args=[post.pk, "like"]), {}, True),
        "react unknown kind": (
            "post",
            reverse("community:react", args=[post.pk, "love"]),
            {},
            False,
        ),
        "delete": ("post", reverse("community:delete_post", args=[post.pk]), {}, False),
        "pin": ("post", reverse("community:topic_action", args=[topic.pk, "pin"]), {}, False),
        "lock": ("post", reverse("community:topic_action", args=[topic.pk, "lock"]), {}, False),
        "move": (
            "post",
            reverse("community:topic_action", args=[topic.pk, "move"]),
            {"space": target},
            False,
        ),
    }


HIDDEN_ENDPOINTS = [
    "space page",
    "space page 2",
    "topic page",
    "topic page wrong slug",
    "topic page quote",
    "permalink",
    "history",
    "new topic form",
    "new topic",
    "edit form",
    "edit",
    "reply",
    "reply htmx",
    "react",
    "react htmx",
    "react unknown kind",
    "delete",
    "pin",
    "lock",
    "move",
]


@pytest.mark.parametrize("endpoint", HIDDEN_ENDPOINTS)
@pytest.mark.parametrize(("role", "space"), HIDDEN_FROM_MEMBERS)
def test_hidden_space_is_404_for_signed_in_outsiders_everywhere(build_world, role, space, endpoint):
    world, client = build_world(role)
    method, url, data, htmx = _hidden_requests(world, space)[endpoint]
    before = (Topic.objects.count(), Post.objects.count())

    response = getattr(client, method)(url, data, headers={"HX-Request": "true"} if htmx else {})

    assert response.status_code == 404
    assert world.topics[space].title not in response.content.decode()
    assert (Topic.objects.count(), Post.objects.count()) == before
    topic = Topic.objects.get(pk=world.topics[space].pk)
    assert (topic.is_pinned, topic.is_locked, topic.deleted_at, topic.like_count) == (
        False,
        False,
        None,
        0,
    )
    assert topic.space_id == world.spaces[space].pk
    assert topic.posts.get().body == f"Body in {space}"


@pytest.mark.parametrize(
    "endpoint",
    [
        "space page",
        "space page 2",
        "topic page",
        "topic page wrong slug",
        "topic page quote",
        "permalink",
        "history",
    ],
)
@pytest.mark.parametrize("space", HIDDEN_FROM_ANONYMOUS)
def test_hidden_space_is_404_for_anonymous_readers(build_world, space, endpoint):
    world, client = build_world("anonymous")
    method, url, data, _ = _hidden_requests(world, space)[endpoint]

    response = getattr(client, method)(url, data)

    assert response.status_code == 404
    assert world.topics[space].title not in response.content.decode()
