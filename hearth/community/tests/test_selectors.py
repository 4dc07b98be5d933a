"""Community selectors: what each member may read, and in which order."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from hearth.community import selectors, services

pytestmark = pytest.mark.django_db


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


@pytest.fixture
def spaces(public_space, members_space, partner_space, employee_space):
    return {
        "public": public_space,
        "members": members_space,
        "partner": partner_space,
        "employee": employee_space,
    }


@pytest.mark.parametrize(
    ("role_name", "expected"),
    [
        ("anonymous", ["General"]),
        ("customer", ["General", "Members lounge"]),
        ("partner", ["General", "Members lounge", "Partner lounge"]),
        ("employee", ["General", "Members lounge", "Partner lounge", "Team room"]),
        ("moderator", ["General", "Members lounge", "Partner lounge", "Team room"]),
        ("manager", ["General", "Members lounge", "Partner lounge", "Team room"]),
    ],
)
def test_visible_spaces_per_role(request, spaces, role_name, expected):
    member = AnonymousUser() if role_name == "anonymous" else request.getfixturevalue(role_name)
    assert [s.name for s in selectors.visible_spaces(member)] == expected


def test_visible_spaces_are_in_position_then_name_order(make_space, customer):
    make_space(name="Zebra", position=1)
    make_space(name="Alpha", position=2)
    make_space(name="Beta", position=1)
    assert [s.name for s in selectors.visible_spaces(customer)] == ["Beta", "Zebra", "Alpha"]


def test_access_space_finds_a_visible_space(customer, members_space):
    assert selectors.access_space(customer, members_space.slug) == members_space


@pytest.mark.parametrize(
    ("role_name", "slug"),
    [
        ("anonymous", "members-lounge"),
        ("customer", "partner-lounge"),
        ("customer", "team-room"),
        ("partner", "team-room"),
        ("customer", "no-such-space"),
    ],
)
def test_access_space_raises_404_for_hidden_or_unknown(request, spaces, role_name, slug):
    member = AnonymousUser() if role_name == "anonymous" else request.getfixturevalue(role_name)
    with pytest.raises(Http404):
        selectors.access_space(member, slug)


def test_access_topic_and_post_raise_404_for_unknown_ids(customer):
    with pytest.raises(Http404):
        selectors.access_topic(customer, 987654)
    with pytest.raises(Http404):
        selectors.access_post(customer, 987654)


def test_access_topic_and_post_raise_404_in_hidden_spaces(customer, employee, employee_space):
    topic = services.create_topic(
        author=employee, space=employee_space, title="Team only", body="Hush"
    )
    post = topic.posts.get()
    assert selectors.access_topic(employee, topic.pk) == topic
    assert selectors.access_post(employee, post.pk) == post
    with pytest.raises(Http404):
        selectors.access_topic(customer, topic.pk)
    with pytest.raises(Http404):
        selectors.access_post(customer, post.pk)


@pytest.mark.parametrize(("role_name", "visible"), [("customer", False), ("moderator", True)])
def test_deleted_topic_is_accessible_only_to_moderators(
    request, public_space, other_customer, role_name, visible
):
    member = request.getfixturevalue(role_name)
    topic = services.create_topic(
        author=other_customer, space=public_space, title="Going away", body="Bye"
    )
    services.delete_post(actor=other_customer, post=topic.posts.get())
    if visible:
        assert selectors.access_topic(member, topic.pk).is_deleted
        assert selectors.access_post(member, topic.posts.get().pk).is_deleted
    else:
        with pytest.raises(Http404):
            selectors.access_topic(member, topic.pk)
        with pytest.raises(Http404):
            selectors.access_post(member, topic.posts.get().pk)


def test_space_topic_list_puts_pinned_first_then_latest_activity(
    customer, other_customer, moderator, public_space
):
    oldest = services.create_topic(
        author=customer, space=public_space, title="Oldest one", body="b"
    )
    middle = services.create_topic(
        author=customer, space=public_space, title="Middle one", body="b"
    )
    newest = services.create_topic(
        author=customer, space=public_space, title="Newest one", body="b"
    )
    services.set_topic_pinned(actor=moderator, topic=oldest, pinned=True)
    assert list(selectors.topic_list(customer, space=public_space)) == [oldest, newest, middle]

    services.create_reply(author=other_customer, topic=middle, body="Bump")
    assert list(selectors.topic_list(customer, space=public_space)) == [oldest, middle, newest]


def test_latest_list_is_by_last_activity_ignoring_pins(
    customer, other_customer, moderator, public_space, members_space
):
    first = services.create_topic(author=customer, space=public_space, title="First one", body="b")
    second = services.create_topic(
        author=customer, space=members_space, title="Second one", body="b"
    )
    services.set_topic_pinned(actor=moderator, topic=first, pinned=True)
    assert list(selectors.topic_list(customer)) == [second, first]

    services.create_reply(author=other_customer, topic=first, body="Bump")
    assert list(selectors.topic_list(customer)) == [first, second]


@pytest.mark.parametrize(
    ("role_name", "expected"),
    [
        ("anonymous", ["In public"]),
        ("customer", ["In members", "In public"]),
        ("partner", ["In partner", "In members", "In public"]),
        ("employee", ["In employee", "In partner", "In members", "In public"]),
        ("moderator", ["In employee", "In partner", "In members", "In public"]),
    ],
)
def test_latest_list_holds_only_topics_in_visible_spaces(
    request, spaces, manager, role_name, expected
):
    for key in ("public", "members", "partner", "employee"):
        services.create_topic(author=manager, space=spaces[key], title=f"In {key}", body="b")
    member = AnonymousUser() if role_name == "anonymous" else request.getfixturevalue(role_name)
    assert [t.title for t in selectors.topic_list(member)] == expected


def test_topic_lists_leave_out_deleted_topics(customer, public_space):
    kept = services.create_topic(author=customer, space=public_space, title="Kept topic", body="b")
    gone = services.create_topic(author=customer, space=public_space, title="Gone topic", body="b")
    services.delete_post(actor=customer, post=gone.posts.get())
    assert list(selectors.topic_list(customer, space=public_space)) == [kept]
    assert list(selectors.topic_list(customer)) == [kept]


def test_post_list_keeps_deleted_posts_in_position_order(customer, other_customer, public_space):
    topic = services.create_topic(author=customer, space=public_space, title="Thread", body="b")
    one = services.create_reply(author=other_customer, topic=topic, body="one")
    two = services.create_reply(author=customer, topic=topic, body="two")
    services.delete_post(actor=other_customer, post=one)
    assert [(p.position, p.is_deleted) for p in selectors.post_list(topic)] == [
        (1, False),
        (2, True),
        (3, False),
    ]
    assert list(selectors.post_list(topic))[2] == two


def test_reactions_by_lists_kinds_given_per_post(customer, other_customer, public_space):
    topic = services.create_topic(author=customer, space=public_space, title="Thread", body="b")
    opening = topic.posts.get()
    reply = services.create_reply(author=customer, topic=topic, body="more")
    services.toggle_reaction(member=other_customer, post=opening, kind="like")
    services.toggle_reaction(member=other_customer, post=opening, kind="helpful")

    posts = [opening, reply]
    assert selectors.reactions_by(other_customer, posts) == {opening.pk: {"like", "helpful"}}
    assert selectors.reactions_by(customer, posts) == {}
    assert selectors.reactions_by(AnonymousUser(), posts) == {}


def test_revision_list_is_newest_first(customer, public_space):
    topic = services.create_topic(author=customer, space=public_space, title="Thread", body="v1")
    post = topic.posts.get()
    services.edit_post(editor=customer, post=post, body="v2")
    services.edit_post(editor=customer, post=post, body="v3")
    assert [(r.number, r.body) for r in selectors.revision_list(post)] == [
        (3, "v3"),
        (2, "v2"),
        (1, "v1"),
    ]


@pytest.mark.parametrize(
    ("role_name", "expected"),
    [
        ("anonymous", ["In public"]),
        ("customer", ["In members", "In public"]),
        ("partner", ["In partner", "In members", "In public"]),
        ("manager", ["In employee", "In partner", "In members", "In public"]),
    ],
)
def test_member_recent_posts_shows_only_what_the_viewer_may_see(
    request, spaces, employee, role_name, expected
):
    for key in ("public", "members", "partner", "employee"):
        services.create_topic(author=employee, space=spaces[key], title=f"In {key}", body="b")
    viewer = AnonymousUser() if role_name == "anonymous" else request.getfixturevalue(role_name)
    posts = selectors.member_recent_posts(viewer, employee)
    assert [p.topic.title for p in posts] == expected


def test_member_recent_posts_leaves_out_deleted_posts_and_topics(
    customer, other_customer, public_space
):
    kept = services.create_topic(author=customer, space=public_space, title="Kept topic", body="b")
    gone = services.create_topic(author=customer, space=public_space, title="Gone topic", body="b")
    reply_in_gone = services.create_reply(author=other_customer, topic=gone, body="lost")
    deleted_reply = services.create_reply(author=other_customer, topic=kept, body="retracted")
    live_reply = services.create_reply(author=other_customer, topic=kept, body="stays")
    services.delete_post(actor=other_customer, post=deleted_reply)
    services.delete_post(actor=customer, post=gone.posts.get(position=1))

    assert selectors.member_recent_posts(other_customer, other_customer) == [live_reply]
    assert reply_in_gone.pk not in [
        p.pk for p in selectors.member_recent_posts(customer, other_customer)
    ]
    assert [p.topic for p in selectors.member_recent_posts(customer, customer)] == [kept]


def test_member_recent_posts_is_newest_first_and_limited(customer, public_space):
    topic = services.create_topic(author=customer, space=public_space, title="Thread", body="b")
    replies = [
        services.create_reply(author=customer, topic=topic, body=f"reply {n}") for n in range(5)
    ]
    posts = selectors.member_recent_posts(customer, customer, limit=3)
    assert posts == [replies[4], replies[3], replies[2]]


@pytest.mark.parametrize(
    ("role_name", "expected"),
    [
        ("customer", []),
        ("employee", []),
        ("moderator", ["Members lounge", "Partner lounge", "Team room"]),
        ("manager", ["Members lounge", "Partner lounge", "Team room"]),
    ],
)
def test_moveable_spaces_are_for_staff_and_leave_out_the_current_space(
    request, spaces, role_name, expected
):
    topic = services.create_topic(
        author=request.getfixturevalue("customer"),
        space=spaces["public"],
        title="Move me",
        body="b",
    )
    member = request.getfixturevalue(role_name)
    assert [s.name for s in selectors.moveable_spaces(member, topic)] == expected
