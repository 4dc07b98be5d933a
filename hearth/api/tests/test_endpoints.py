"""Every endpoint's success path, with the exact fields it answers.

Data is made through the services (as members make it); calls go through the real URL
configuration and middleware, with an API token unless a test says otherwise.
"""

import pytest
from django.test import Client

from hearth.accounts import services as account_services
from hearth.api.api import api
from hearth.api.tests.conftest import assert_error, member_ref, ts, url
from hearth.community import services
from hearth.community.models import Post, Reaction, Space, Topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic(customer, public_space):
    return services.create_topic(
        author=customer,
        space=public_space,
        title="How do I export data?",
        body="I need **CSV**.",
    )


@pytest.fixture
def reply(topic, other_customer):
    return services.create_reply(author=other_customer, topic=topic, body="Try the export page.")


def space_out(space: Space) -> dict:
    space.refresh_from_db()
    return {
        "slug": space.slug,
        "name": space.name,
        "description": space.description,
        "visibility": space.visibility,
        "allowed_affiliations": space.allowed_affiliations,
        "topic_starters": space.topic_starters,
        "topic_count": space.topic_count,
        "post_count": space.post_count,
        "last_activity_at": ts(space.last_activity_at),
    }


def topic_out(topic: Topic) -> dict:
    topic.refresh_from_db()
    return {
        "id": topic.pk,
        "space": {"slug": topic.space.slug, "name": topic.space.name},
        "kind": topic.kind,
        "title": topic.title,
        "author": member_ref(topic.author),
        "last_poster": member_ref(topic.last_poster),
        "created_at": ts(topic.created_at),
        "last_activity_at": ts(topic.last_activity_at),
        "reply_count": topic.reply_count,
        "view_count": topic.view_count,
        "like_count": topic.like_count,
        "is_pinned": topic.is_pinned,
        "is_locked": topic.is_locked,
        "url": f"/t/{topic.slug}/{topic.pk}/",
    }


def post_out(post: Post) -> dict:
    post.refresh_from_db()
    return {
        "id": post.pk,
        "topic_id": post.topic_id,
        "position": post.position,
        "author": member_ref(post.author),
        "body": "" if post.is_deleted else post.body,
        "body_html": "" if post.is_deleted else post.body_html,
        "created_at": ts(post.created_at),
        "edited_at": ts(post.edited_at),
        "revision_count": post.revision_count,
        "like_count": post.like_count,
        "helpful_count": post.helpful_count,
        "is_deleted": post.is_deleted,
        "state": post.state,
        "state_reason": post.state_reason,
        "is_wiki": post.is_wiki,
    }


def opening(topic: Topic) -> Post:
    return Post.objects.get(topic=topic, position=1)


# Spaces


def test_spaces_list_shows_each_visible_space_with_every_field(public_space, topic):
    response = Client().get(url("/spaces"))

    assert response.status_code == 200
    assert response.json() == {
        "results": [
            {
                "slug": "general",
                "name": "General",
                "description": "",
                "visibility": "public",
                "allowed_affiliations": [],
                "topic_starters": "members",
                "topic_count": 1,
                "post_count": 1,
                "last_activity_at": ts(topic.last_activity_at),
            }
        ],
        "next_cursor": None,
    }


def test_spaces_list_shows_restricted_spaces_with_their_affiliations(partner, partner_space):
    response = Client().get(url("/spaces"))
    assert response.json() == {"results": [], "next_cursor": None}

    response = Client().get(url("/spaces"), **_bearer(partner))
    assert response.json()["results"] == [space_out(partner_space)]
    assert response.json()["results"][0]["allowed_affiliations"] == ["employee", "partner"]
    assert response.json()["results"][0]["visibility"] == "affiliations"


def test_spaces_list_pages_with_next_cursor_in_display_order(make_space):
    for n in range(5):
        make_space(name=f"Space {n}", position=n)

    slugs, cursors, cursor = [], [], None
    for _ in range(3):
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        body = Client().get(url("/spaces"), params).json()
        slugs += [space["slug"] for space in body["results"]]
        cursor = body["next_cursor"]
        cursors.append(cursor)

    assert slugs == ["space-0", "space-1", "space-2", "space-3", "space-4"]
    assert cursors == ["2", "4", None]


def test_space_detail_returns_the_space(public_space, topic):
    response = Client().get(url("/spaces/general"))

    assert response.status_code == 200
    assert response.json() == space_out(public_space)
    assert response.json()["topic_count"] == 1


def test_space_topics_lists_latest_activity_first(customer, public_space, make_topic):
    first = make_topic(author=customer, space=public_space, title="The first topic")
    second = make_topic(author=customer, space=public_space, title="The second topic")
    services.create_reply(author=customer, topic=first, body="Bumping the first one.")

    response = Client().get(url("/spaces/general/topics"))

    assert response.status_code == 200
    assert response.json() == {
        "results": [topic_out(first), topic_out(second)],
        "next_cursor": None,
    }
    assert response.json()["results"][0]["reply_count"] == 1


def test_space_topics_leave_out_deleted_topics(customer, moderator, public_space, make_topic):
    kept = make_topic(author=customer, space=public_space, title="This one stays")
    gone = make_topic(author=customer, space=public_space, title="This one goes")
    services.delete_post(actor=customer, post=opening(gone))

    response = Client().get(url("/spaces/general/topics"))

    assert [t["id"] for t in response.json()["results"]] == [kept.pk]


def test_creating_a_topic_answers_201_with_the_topic_and_its_opening_post(
    customer, public_space, token_client
):
    client = token_client(customer)

    response = client.post(
        url("/spaces/general/topics"),
        {"title": "  Exporting   to CSV ", "body": "How do I *export*?", "kind": "question"},
        content_type="application/json",
    )

    assert response.status_code == 201
    topic = Topic.objects.get()
    post = opening(topic)
    assert response.json() == {**topic_out(topic), "opening_post": post_out(post)}
    assert response.json()["title"] == "Exporting to CSV"
    assert response.json()["kind"] == "question"
    assert response.json()["space"] == {"slug": "general", "name": "General"}
    assert response.json()["author"] == member_ref(customer)
    assert response.json()["opening_post"]["body"] == "How do I *export*?"
    assert response.json()["opening_post"]["body_html"] == "<p>How do I <em>export</em>?</p>\n"
    assert response.json()["opening_post"]["position"] == 1


def test_a_topic_sent_twice_with_one_submit_key_is_created_once(
    customer, public_space, token_client
):
    client = token_client(customer)
    payload = {"title": "Only once please", "body": "Double click.", "submit_key": "k-1"}

    first = client.post(url("/spaces/general/topics"), payload, content_type="application/json")
    second = client.post(url("/spaces/general/topics"), payload, content_type="application/json")

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert first.json()["opening_post"]["id"] == second.json()["opening_post"]["id"]
    assert Topic.objects.count() == 1
    assert Post.objects.count() == 1


def test_the_kind_defaults_to_discussion(customer, public_space, token_client):
    response = token_client(customer).post(
        url("/spaces/general/topics"),
        {"title": "Just talking", "body": "Hello"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["kind"] == "discussion"


def test_starting_a_topic_where_only_staff_may_is_refused(customer, make_space, token_client):
    make_space(name="Announcements", topic_starters=Space.TopicStarters.STAFF)

    response = token_client(customer).post(
        url("/spaces/announcements/topics"),
        {"title": "May I post here?", "body": "Hello"},
        content_type="application/json",
    )

    assert_error(response, 403, "cannot_start_topic")
    assert Topic.objects.count() == 0


# Topics


def test_latest_topics_lists_topics_of_every_visible_space(
    customer, public_space, members_space, make_topic
):
    in_public = make_topic(author=customer, space=public_space, title="Public question")
    in_members = make_topic(author=customer, space=members_space, title="Members question")

    anonymous = Client().get(url("/topics"))
    member = Client().get(url("/topics"), **_bearer(customer))

    assert anonymous.json() == {"results": [topic_out(in_public)], "next_cursor": None}
    assert member.json() == {
        "results": [topic_out(in_members), topic_out(in_public)],
        "next_cursor": None,
    }


def test_latest_topics_page_with_a_cursor(customer, public_space, make_topic):
    topics = [make_topic(author=customer, space=public_space) for _ in range(5)]

    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        body = Client().get(url("/topics"), params).json()
        seen += [t["id"] for t in body["results"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break

    assert pages == 3
    assert seen == [t.pk for t in reversed(topics)]


def test_topic_detail_includes_the_opening_post(topic, reply):
    response = Client().get(url(f"/topics/{topic.pk}"))

    assert response.status_code == 200
    assert response.json() == {**topic_out(topic), "opening_post": post_out(opening(topic))}
    assert response.json()["opening_post"]["body"] == "I need **CSV**."
    assert response.json()["opening_post"]["body_html"] == "<p>I need <strong>CSV</strong>.</p>\n"
    assert response.json()["last_poster"]["username"] == "omar"
    assert response.json()["reply_count"] == 1


def test_topic_lists_and_detail_count_the_views_not_yet_written(topic, public_space, settings):
    settings.HEARTH_VIEW_COUNT_BATCH = 10
    for _ in range(3):
        assert Client().get(topic.get_absolute_url()).status_code == 200
    assert Topic.objects.get(pk=topic.pk).view_count == 0  # all three wait in the cache

    latest = Client().get(url("/topics")).json()["results"]
    in_space = Client().get(url(f"/spaces/{public_space.slug}/topics")).json()["results"]
    detail = Client().get(url(f"/topics/{topic.pk}")).json()

    assert [t["view_count"] for t in latest if t["id"] == topic.pk] == [3]
    assert [t["view_count"] for t in in_space if t["id"] == topic.pk] == [3]
    assert detail["view_count"] == 3


def test_moderator_pins_locks_and_moves_a_topic(moderator, topic, members_space, token_client):
    client = token_client(moderator)

    response = client.patch(
        url(f"/topics/{topic.pk}"),
        {"is_pinned": True, "is_locked": True, "space": "members-lounge"},
        content_type="application/json",
    )

    assert response.status_code == 200
    topic.refresh_from_db()
    assert (topic.is_pinned, topic.is_locked, topic.space_id) == (True, True, members_space.pk)
    assert response.json() == topic_out(topic)
    assert response.json()["space"] == {"slug": "members-lounge", "name": "Members lounge"}
    assert "opening_post" not in response.json()

    response = client.patch(
        url(f"/topics/{topic.pk}"), {"is_locked": False}, content_type="application/json"
    )
    assert response.status_code == 200
    assert (response.json()["is_pinned"], response.json()["is_locked"]) == (True, False)


def test_an_empty_topic_patch_changes_nothing(moderator, topic, token_client):
    response = token_client(moderator).patch(
        url(f"/topics/{topic.pk}"), {}, content_type="application/json"
    )

    assert response.status_code == 200
    assert response.json() == topic_out(topic)


def test_moving_a_topic_to_an_unknown_space_is_not_found(moderator, topic, token_client):
    response = token_client(moderator).patch(
        url(f"/topics/{topic.pk}"), {"space": "nowhere"}, content_type="application/json"
    )

    assert_error(response, 404, "not_found")
    topic.refresh_from_db()
    assert topic.space.slug == "general"


@pytest.mark.parametrize(
    "payload", [{"is_pinned": True}, {"is_locked": True}, {"space": "members-lounge"}, {}]
)
def test_a_member_may_not_pin_lock_or_move(customer, topic, members_space, token_client, payload):
    response = token_client(customer).patch(
        url(f"/topics/{topic.pk}"), payload, content_type="application/json"
    )

    assert_error(response, 403, "staff_only")
    topic.refresh_from_db()
    assert (topic.is_pinned, topic.is_locked, topic.space.slug) == (False, False, "general")


# Posts


def test_topic_posts_come_in_position_order(topic, reply, customer):
    third = services.create_reply(author=customer, topic=topic, body="Thanks!")

    response = Client().get(url(f"/topics/{topic.pk}/posts"))

    assert response.status_code == 200
    assert response.json() == {
        "results": [post_out(opening(topic)), post_out(reply), post_out(third)],
        "next_cursor": None,
    }
    assert [p["position"] for p in response.json()["results"]] == [1, 2, 3]


@pytest.mark.parametrize("post_count", [5, 6])
def test_cursor_paging_through_posts_returns_every_post_once(
    topic, customer, other_customer, post_count
):
    for n in range(post_count - 1):
        services.create_reply(
            author=[customer, other_customer][n % 2], topic=topic, body=f"Reply {n}"
        )

    positions, cursors, cursor = [], [], None
    for _ in range(3):
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        response = Client().get(url(f"/topics/{topic.pk}/posts"), params)
        assert response.status_code == 200
        positions += [p["position"] for p in response.json()["results"]]
        cursor = response.json()["next_cursor"]
        cursors.append(cursor)

    assert positions == list(range(1, post_count + 1))
    assert cursors[0] is not None and cursors[1] is not None
    assert cursors[2] is None


def test_a_new_reply_shows_up_on_the_next_page_not_twice(topic, customer, other_customer):
    for n in range(3):
        services.create_reply(author=other_customer, topic=topic, body=f"Reply {n}")
    first = Client().get(url(f"/topics/{topic.pk}/posts"), {"limit": 2}).json()

    services.create_reply(author=customer, topic=topic, body="Arrived while paging")
    rest = (
        Client()
        .get(url(f"/topics/{topic.pk}/posts"), {"limit": 10, "cursor": first["next_cursor"]})
        .json()
    )

    positions = [p["position"] for p in first["results"] + rest["results"]]
    assert positions == [1, 2, 3, 4, 5]


def test_replying_answers_201_with_the_post(topic, other_customer, token_client):
    response = token_client(other_customer).post(
        url(f"/topics/{topic.pk}/posts"), {"body": "I agree."}, content_type="application/json"
    )

    assert response.status_code == 201
    post = Post.objects.get(topic=topic, position=2)
    assert response.json() == post_out(post)
    assert response.json()["body"] == "I agree."
    assert response.json()["author"] == member_ref(other_customer)
    topic.refresh_from_db()
    assert topic.reply_count == 1


def test_a_reply_sent_twice_with_one_submit_key_is_posted_once(topic, other_customer, token_client):
    client = token_client(other_customer)
    payload = {"body": "Only once.", "submit_key": "reply-1"}

    first = client.post(url(f"/topics/{topic.pk}/posts"), payload, content_type="application/json")
    second = client.post(url(f"/topics/{topic.pk}/posts"), payload, content_type="application/json")

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    assert Post.objects.filter(topic=topic).count() == 2
    topic.refresh_from_db()
    assert topic.reply_count == 1


def test_replying_to_a_locked_topic_is_refused(topic, moderator, other_customer, token_client):
    services.set_topic_locked(actor=moderator, topic=topic, locked=True)

    response = token_client(other_customer).post(
        url(f"/topics/{topic.pk}/posts"), {"body": "Let me in"}, content_type="application/json"
    )

    assert_error(response, 403, "topic_locked")
    assert Post.objects.filter(topic=topic).count() == 1


def test_a_moderator_may_still_reply_to_a_locked_topic(topic, moderator, token_client):
    services.set_topic_locked(actor=moderator, topic=topic, locked=True)

    response = token_client(moderator).post(
        url(f"/topics/{topic.pk}/posts"), {"body": "Closing note."}, content_type="application/json"
    )

    assert response.status_code == 201


def test_post_detail_returns_the_post(reply):
    response = Client().get(url(f"/posts/{reply.pk}"))

    assert response.status_code == 200
    assert response.json() == post_out(reply)
    assert response.json()["position"] == 2
    assert response.json()["body_html"] == "<p>Try the export page.</p>\n"


def test_the_author_edits_a_reply(reply, other_customer, token_client):
    response = token_client(other_customer).patch(
        url(f"/posts/{reply.pk}"),
        {"body": "Try the *export* page."},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json() == post_out(reply)
    assert response.json()["body"] == "Try the *export* page."
    assert response.json()["body_html"] == "<p>Try the <em>export</em> page.</p>\n"
    assert response.json()["revision_count"] == 2
    assert response.json()["edited_at"] is not None


def test_a_title_sent_with_a_reply_edit_is_ignored(topic, reply, other_customer, token_client):
    response = token_client(other_customer).patch(
        url(f"/posts/{reply.pk}"),
        {"body": "Edited reply", "title": "Hijacked title"},
        content_type="application/json",
    )

    assert response.status_code == 200
    topic.refresh_from_db()
    assert topic.title == "How do I export data?"


def test_the_author_changes_the_title_through_the_opening_post(topic, customer, token_client):
    client = token_client(customer)
    post = opening(topic)

    response = client.patch(
        url(f"/posts/{post.pk}"),
        {"body": "I need **CSV**.", "title": "How do I export to CSV?"},
        content_type="application/json",
    )

    assert response.status_code == 200
    topic.refresh_from_db()
    assert topic.title == "How do I export to CSV?"
    assert topic.slug == "how-do-i-export-to-csv"
    assert response.json()["body"] == "I need **CSV**."
    detail = client.get(url(f"/topics/{topic.pk}")).json()
    assert detail["title"] == "How do I export to CSV?"
    assert detail["url"] == f"/t/how-do-i-export-to-csv/{topic.pk}/"


def test_another_member_may_not_edit_a_post(reply, customer, token_client):
    response = token_client(customer).patch(
        url(f"/posts/{reply.pk}"), {"body": "Not mine"}, content_type="application/json"
    )

    assert_error(response, 403, "cannot_edit")
    reply.refresh_from_db()
    assert reply.body == "Try the export page."


def test_a_moderator_may_edit_any_post(reply, moderator, token_client):
    response = token_client(moderator).patch(
        url(f"/posts/{reply.pk}"), {"body": "Tidied up."}, content_type="application/json"
    )

    assert response.status_code == 200
    assert response.json()["body"] == "Tidied up."


# Wiki posts


def put_wiki(client, post, is_wiki):
    return client.put(
        url(f"/posts/{post.pk}/wiki"), {"is_wiki": is_wiki}, content_type="application/json"
    )


def trusted(member, level: int):
    from hearth.accounts.models import Member

    Member.objects.filter(pk=member.pk).update(trust_level=level)
    member.refresh_from_db()
    return member


@pytest.mark.parametrize("role_name", ["other_customer", "moderator", "manager"])
def test_the_author_or_staff_make_a_post_a_wiki_and_back(request, reply, token_client, role_name):
    client = token_client(request.getfixturevalue(role_name))

    response = put_wiki(client, reply, True)

    assert response.status_code == 200
    assert response.json() == post_out(reply)
    assert response.json()["is_wiki"] is True
    assert client.get(url(f"/posts/{reply.pk}")).json()["is_wiki"] is True
    listed = client.get(url(f"/topics/{reply.topic_id}/posts")).json()["results"]
    assert [p["is_wiki"] for p in listed] == [False, True]

    response = put_wiki(client, reply, False)

    assert response.status_code == 200
    assert response.json()["is_wiki"] is False
    reply.refresh_from_db()
    assert reply.is_wiki is False


def test_making_a_wiki_a_wiki_again_answers_200(reply, other_customer, token_client):
    client = token_client(other_customer)
    put_wiki(client, reply, True)
    response = put_wiki(client, reply, True)
    assert response.status_code == 200
    assert response.json()["is_wiki"] is True


@pytest.mark.parametrize("level", [0, 4])
def test_another_member_may_not_make_a_post_a_wiki(reply, customer, token_client, level):
    response = put_wiki(token_client(trusted(customer, level)), reply, True)

    assert_error(response, 403, "cannot_set_wiki")
    reply.refresh_from_db()
    assert reply.is_wiki is False


def test_a_read_only_token_may_not_make_a_wiki(reply, other_customer, token_client):
    response = put_wiki(token_client(other_customer, scope="read"), reply, True)
    assert response.status_code == 403
    reply.refresh_from_db()
    assert reply.is_wiki is False


def test_a_visitor_may_not_make_a_wiki(reply):
    response = put_wiki(Client(), reply, True)
    assert_error(response, 401, "unauthenticated")


def test_a_post_one_cannot_see_is_not_found_for_the_wiki_switch(
    employee, employee_space, customer, token_client
):
    hidden = services.create_topic(
        author=employee, space=employee_space, title="Team only notes", body="Internal"
    )
    response = put_wiki(token_client(customer), opening(hidden), True)
    assert_error(response, 404, "not_found")


@pytest.mark.parametrize(("level", "status"), [(0, 403), (1, 200)])
def test_a_wiki_is_edited_through_the_api_from_trust_level_one(
    reply, other_customer, customer, token_client, level, status
):
    services.set_post_wiki(actor=other_customer, post=reply, wiki=True)

    response = token_client(trusted(customer, level)).patch(
        url(f"/posts/{reply.pk}"),
        {"body": "Try the export page, then wait."},
        content_type="application/json",
    )

    assert response.status_code == status
    reply.refresh_from_db()
    if status == 403:
        assert_error(response, 403, "trust_level_too_low")
        assert reply.body == "Try the export page."
        return
    assert response.json() == post_out(reply)
    assert response.json()["author"] == member_ref(other_customer)
    assert reply.body == "Try the export page, then wait."
    editors = list(reply.revisions.order_by("number").values_list("editor__username", flat=True))
    assert editors == ["omar", "cara"]


def test_a_wiki_in_a_locked_topic_is_not_edited_through_the_api(
    topic, reply, other_customer, customer, moderator, token_client
):
    services.set_post_wiki(actor=other_customer, post=reply, wiki=True)
    services.set_topic_locked(actor=moderator, topic=topic, locked=True)
    response = token_client(trusted(customer, 4)).patch(
        url(f"/posts/{reply.pk}"), {"body": "Locked"}, content_type="application/json"
    )
    assert_error(response, 403, "topic_locked")


def test_deleting_a_reply_answers_204_and_leaves_a_placeholder(
    topic, reply, other_customer, token_client
):
    client = token_client(other_customer)

    response = client.delete(url(f"/posts/{reply.pk}"))

    assert response.status_code == 204
    assert response.content == b""
    detail = client.get(url(f"/posts/{reply.pk}"))
    assert detail.status_code == 200
    assert detail.json() == post_out(reply)
    assert (detail.json()["body"], detail.json()["body_html"]) == ("", "")
    assert detail.json()["is_deleted"] is True
    listed = Client().get(url(f"/topics/{topic.pk}/posts")).json()["results"]
    assert [(p["position"], p["is_deleted"], p["body"]) for p in listed] == [
        (1, False, "I need **CSV**."),
        (2, True, ""),
    ]
    topic.refresh_from_db()
    assert topic.reply_count == 0


def test_deleting_the_opening_post_hides_the_topic(topic, customer, token_client):
    response = token_client(customer).delete(url(f"/posts/{opening(topic).pk}"))

    assert response.status_code == 204
    assert_error(Client().get(url(f"/topics/{topic.pk}")), 404, "not_found")
    assert Client().get(url("/topics")).json()["results"] == []


def test_another_member_may_not_delete_a_post(reply, customer, token_client):
    response = token_client(customer).delete(url(f"/posts/{reply.pk}"))

    assert_error(response, 403, "cannot_delete")
    reply.refresh_from_db()
    assert reply.is_deleted is False


def test_deleting_a_deleted_post_is_refused(reply, other_customer, token_client):
    client = token_client(other_customer)
    assert client.delete(url(f"/posts/{reply.pk}")).status_code == 204

    assert_error(client.delete(url(f"/posts/{reply.pk}")), 403, "cannot_delete")


# Reactions


@pytest.mark.parametrize(
    ("kind", "topic_likes"), [("like", [1, 1, 0, 0]), ("helpful", [0, 0, 0, 0])]
)
def test_reactions_are_idempotent_and_counted(
    topic, reply, customer, token_client, kind, topic_likes
):
    client = token_client(customer)
    path = url(f"/posts/{reply.pk}/reactions/{kind}")
    answers, likes = [], []

    for call in (client.put, client.put, client.delete, client.delete):
        response = call(path)
        assert response.status_code == 200
        answers.append(response.json())
        topic.refresh_from_db()
        likes.append(topic.like_count)

    assert answers == [
        {"kind": kind, "active": True, "count": 1},
        {"kind": kind, "active": True, "count": 1},
        {"kind": kind, "active": False, "count": 0},
        {"kind": kind, "active": False, "count": 0},
    ]
    assert likes == topic_likes
    assert Reaction.objects.count() == 0


def test_reaction_counts_add_up_over_members(reply, customer, moderator, token_client):
    assert token_client(customer).put(url(f"/posts/{reply.pk}/reactions/like")).json()["count"] == 1
    assert token_client(moderator).put(url(f"/posts/{reply.pk}/reactions/like")).json() == {
        "kind": "like",
        "active": True,
        "count": 2,
    }
    assert (
        token_client(moderator).put(url(f"/posts/{reply.pk}/reactions/helpful")).json()["count"]
        == 1
    )
    detail = Client().get(url(f"/posts/{reply.pk}")).json()
    assert (detail["like_count"], detail["helpful_count"]) == (2, 1)


@pytest.mark.parametrize("method", ["put", "delete"])
def test_reacting_to_ones_own_post_is_refused(reply, other_customer, token_client, method):
    response = getattr(token_client(other_customer), method)(
        url(f"/posts/{reply.pk}/reactions/like")
    )

    assert_error(response, 403, "cannot_react")
    assert Reaction.objects.count() == 0


@pytest.mark.parametrize("kind", ["love", "LIKE", "x" * 16])
@pytest.mark.parametrize("method", ["put", "delete"])
def test_an_unknown_reaction_kind_is_refused(reply, customer, token_client, method, kind):
    response = getattr(token_client(customer), method)(url(f"/posts/{reply.pk}/reactions/{kind}"))

    assert_error(response, 400, "unknown_reaction")
    assert response.json()["field"] == "kind"


# Members


def test_me_answers_the_calling_member(customer, token_client):
    response = token_client(customer).get(url("/me"))

    assert response.status_code == 200
    assert response.json() == {
        "username": "cara",
        "display_name": "Cara Customer",
        "affiliation": "customer",
        "role": "member",
        "bio_html": "",
        "organization": None,
        "expertise": [],
        "post_count": 0,
        "profile_url": "/u/cara/",
    }


def test_me_over_the_browser_session_shows_the_profile(employee, client_for):
    acme = account_services.create_organization(actor=None, name="Acme", kind="customer")
    account_services.update_profile(
        actor=employee,
        member=employee,
        display_name="Emma E.",
        bio="I *build* things.",
        organization=acme,
        expertise="exports",
    )

    response = client_for(employee).get(url("/me"))

    assert response.status_code == 200
    assert response.json() == {
        "username": "emma",
        "display_name": "Emma E.",
        "affiliation": "employee",
        "role": "expert",
        "bio_html": "<p>I <em>build</em> things.</p>\n",
        "organization": "Acme",
        "expertise": ["exports"],
        "post_count": 0,
        "profile_url": "/u/emma/",
    }


def test_me_needs_a_caller():
    assert_error(Client().get(url("/me")), 401, "unauthenticated")


@pytest.mark.parametrize("username", ["omar", "OMAR", "Omar", "oMaR"])
def test_member_profiles_are_found_ignoring_case(other_customer, reply, username):
    response = Client().get(url(f"/members/{username}"))

    assert response.status_code == 200
    assert response.json() == {
        "username": "omar",
        "display_name": "Omar Other",
        "affiliation": "customer",
        "role": "member",
        "bio_html": "",
        "organization": None,
        "expertise": [],
        "post_count": 1,
        "profile_url": "/u/omar/",
    }


def test_an_unknown_or_deactivated_member_is_not_found(other_customer):
    assert_error(Client().get(url("/members/nobody")), 404, "not_found")
    other_customer.is_active = False
    other_customer.save(update_fields=["is_active"])
    assert_error(Client().get(url("/members/omar")), 404, "not_found")


# HTTP behaviour shared by every endpoint


def test_a_repeated_get_with_if_none_match_answers_304(topic):
    client = Client()
    first = client.get(url(f"/topics/{topic.pk}"))
    etag = first["ETag"]

    again = client.get(url(f"/topics/{topic.pk}"), HTTP_IF_NONE_MATCH=etag)

    assert first.status_code == 200
    assert etag.startswith('"') and etag.endswith('"')
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag


def test_the_etag_changes_when_the_content_does(topic, other_customer):
    client = Client()
    etag = client.get(url(f"/topics/{topic.pk}/posts"))["ETag"]

    services.create_reply(author=other_customer, topic=topic, body="Something new")
    response = client.get(url(f"/topics/{topic.pk}/posts"), HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert response["ETag"] != etag
    assert len(response.json()["results"]) == 2


def test_a_session_write_needs_the_csrf_token(customer, public_space):
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer)
    payload = {"title": "Posted from the page", "body": "With a session."}

    refused = client.post(url("/spaces/general/topics"), payload, content_type="application/json")
    assert_error(refused, 403, "forbidden")
    assert Topic.objects.count() == 0

    client.get("/")  # the page sets the CSRF cookie, as a browser would load it
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        url("/spaces/general/topics"),
        payload,
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert accepted.status_code == 201
    assert Topic.objects.get().title == "Posted from the page"


def test_a_session_read_needs_no_csrf_token(customer, members_space):
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer)

    response = client.get(url("/spaces/members-lounge"))

    assert response.status_code == 200


def test_a_token_write_needs_no_csrf_token(customer, public_space, token_client):
    client = token_client(customer, enforce_csrf_checks=True)

    response = client.post(
        url("/spaces/general/topics"),
        {"title": "From a script", "body": "No cookies here."},
        content_type="application/json",
    )

    assert response.status_code == 201


def test_too_many_calls_answer_429_rate_limited(customer, public_space, token_client, monkeypatch):
    for throttle in api.throttle:
        monkeypatch.setattr(throttle, "num_requests", 3)
    client = token_client(customer)

    statuses = [client.get(url("/spaces")).status_code for _ in range(3)]
    limited = client.get(url("/spaces"))

    assert statuses == [200, 200, 200]
    assert_error(limited, 429, "rate_limited")
    assert int(limited["Retry-After"]) > 0


def _limit(monkeypatch, *, anonymous: int, member: int) -> None:
    """Lower the API's rate limits (the throttles are built once, when the API is)."""
    rates = {"VisitorRateThrottle": anonymous, "MemberRateThrottle": member}
    for throttle in api.throttle:
        monkeypatch.setattr(throttle, "num_requests", rates[type(throttle).__name__])


def test_each_member_has_a_rate_limit_of_their_own(
    customer, other_customer, token_client, monkeypatch
):
    _limit(monkeypatch, anonymous=1000, member=2)
    first, second = token_client(customer), token_client(other_customer)

    assert [first.get(url("/spaces")).status_code for _ in range(3)] == [200, 200, 429]
    assert second.get(url("/spaces")).status_code == 200


def test_visitors_are_held_to_the_anonymous_rate(public_space, monkeypatch):
    _limit(monkeypatch, anonymous=2, member=1000)
    client = Client(REMOTE_ADDR="203.0.113.1")

    statuses = [client.get(url("/spaces")).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_visitors_from_different_addresses_have_separate_limits(public_space, monkeypatch):
    _limit(monkeypatch, anonymous=2, member=2)
    first, second = Client(REMOTE_ADDR="203.0.113.1"), Client(REMOTE_ADDR="203.0.113.2")

    assert [first.get(url("/spaces")).status_code for _ in range(3)] == [200, 200, 429]
    assert second.get(url("/spaces")).status_code == 200


def test_members_with_the_same_display_name_have_separate_limits(
    make_member, public_space, token_client, monkeypatch
):
    _limit(monkeypatch, anonymous=1000, member=2)
    first = token_client(make_member(username="alex1", display_name="Alex"))
    second = token_client(make_member(username="alex2", display_name="Alex"))

    assert [first.get(url("/spaces")).status_code for _ in range(3)] == [200, 200, 429]
    assert second.get(url("/spaces")).status_code == 200


def _bearer(member) -> dict[str, str]:
    _, secret = account_services.create_api_token(member=member, name="Reader", scope="read")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
