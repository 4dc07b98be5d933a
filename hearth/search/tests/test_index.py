"""The index follows the posts by itself: the database triggers, whoever writes the rows."""

import pytest
from django.db import connection
from django.utils import timezone

from hearth.community import services
from hearth.community.models import Post, Topic
from hearth.search.backends import backend_for
from hearth.search.backends import postgres as postgres_backend
from hearth.search.backends import sqlite as sqlite_backend
from hearth.search.services import restore_index_triggers

pytestmark = pytest.mark.django_db


def indexed() -> int:
    return backend_for().indexed_count()


@pytest.fixture
def topic(make_topic, customer, public_space):
    return make_topic(
        author=customer, space=public_space, title="Motion sensor timeout", body="Too short."
    )


def test_a_new_topic_and_its_replies_are_found_at_once(
    topic, make_reply, other_customer, customer, found
):
    reply = make_reply(topic=topic, author=other_customer, body="Change it under Automations.")

    assert found(customer, "automations") == [reply.pk]
    assert found(customer, "motion sensor") != []


def test_an_edit_replaces_the_old_words(topic, customer, found):
    post = topic.posts.get()

    services.edit_post(editor=customer, post=post, body="Now it is far too long.")

    assert found(customer, "short") == []
    assert found(customer, "long") == [post.pk]


def test_a_new_title_is_found_in_every_post_of_the_topic(
    topic, make_reply, other_customer, customer, found_topics
):
    make_reply(topic=topic, author=other_customer, body="Same here.")

    services.edit_post(
        editor=customer, post=topic.posts.get(position=1), body="Too short.", title="Occupancy"
    )

    assert found_topics(customer, "motion") == []
    assert found_topics(customer, "occupancy") == [topic.pk]
    assert found_topics(customer, "occupancy same") == [topic.pk]


def test_moving_a_topic_moves_who_can_find_it(
    topic, moderator, employee_space, customer, employee, found_topics
):
    services.move_topic(actor=moderator, topic=topic, space=employee_space)

    assert found_topics(customer, "motion") == []
    assert found_topics(employee, "motion") == [topic.pk]
    assert found_topics(employee, "motion", space=employee_space) == [topic.pk]


def test_a_deleted_reply_is_no_longer_found(topic, make_reply, other_customer, customer, found):
    reply = make_reply(topic=topic, author=other_customer, body="Change it under Automations.")

    services.delete_post(actor=other_customer, post=reply)

    assert found(customer, "automations") == []
    assert found(customer, "motion") == [topic.posts.get(position=1).pk]


def test_a_deleted_topic_takes_all_its_posts_out(
    topic, make_reply, other_customer, customer, moderator, found
):
    make_reply(topic=topic, author=other_customer, body="Motion here too.")
    before = indexed()

    services.delete_post(actor=customer, post=topic.posts.get(position=1))

    assert found(customer, "motion") == []
    # Moderators can open deleted topics, but search shows what is live.
    assert found(moderator, "motion") == []
    assert indexed() == before - 2


def test_hidden_and_restored_posts_and_topics_come_and_go(
    topic, make_reply, other_customer, customer, found
):
    # Hiding is a soft delete of the row, whoever does it; restoring clears it.
    reply = make_reply(topic=topic, author=other_customer, body="Automations fixed it.")
    Post.objects.filter(pk=reply.pk).update(deleted_at=timezone.now())
    assert found(customer, "automations") == []
    Post.objects.filter(pk=reply.pk).update(deleted_at=None)
    assert found(customer, "automations") == [reply.pk]

    Topic.objects.filter(pk=topic.pk).update(deleted_at=timezone.now())
    assert found(customer, "motion") == []
    Topic.objects.filter(pk=topic.pk).update(deleted_at=None)
    assert len(found(customer, "motion")) == 1
    assert found(customer, "automations") == [reply.pk]


@pytest.mark.parametrize("state", ["held", "hidden"])
def test_held_and_hidden_posts_and_topics_leave_the_index_until_published(
    state, topic, make_reply, other_customer, customer, found
):
    reply = make_reply(topic=topic, author=other_customer, body="Automations fixed it.")
    before = indexed()

    Post.objects.filter(pk=reply.pk).update(state=state)
    assert found(customer, "automations") == []
    if connection.vendor == "postgresql":
        # PostgreSQL's index drops the row (searches need not check each match's state).
        assert indexed() == before - 1
    Post.objects.filter(pk=reply.pk).update(state="published")
    assert found(customer, "automations") == [reply.pk]
    assert indexed() == before

    Topic.objects.filter(pk=topic.pk).update(state=state)
    assert found(customer, "motion") == []
    assert found(customer, "automations") == []
    if connection.vendor == "postgresql":
        assert indexed() == before - 2
    Topic.objects.filter(pk=topic.pk).update(state="published")
    assert len(found(customer, "motion")) == 1
    assert found(customer, "automations") == [reply.pk]
    assert indexed() == before


def test_posts_removed_from_the_database_leave_the_index(topic, make_reply, other_customer):
    make_reply(topic=topic, author=other_customer, body="Bye.")
    before = indexed()

    Topic.objects.filter(pk=topic.pk).delete()

    assert indexed() == before - 2


def test_rows_written_without_the_services_are_indexed_too(topic, customer, found_topics):
    now = timezone.now()
    Post.objects.bulk_create(
        [
            Post(
                topic=topic,
                author=customer,
                position=n + 2,
                body=f"Imported answer {n} about presence detection.",
                body_html="",
                created_at=now,
            )
            for n in range(3)
        ]
    )

    assert found_topics(customer, "presence imported") == [topic.pk]


def _plant_marker(post_id: int) -> None:
    """Overwrite a post's index row behind the triggers' back."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "UPDATE search_postdocument SET document = to_tsvector('english', 'planted')"
                " WHERE post_id = %s",
                [post_id],
            )
        else:
            cursor.execute(
                "UPDATE search_postindex SET body = 'planted' WHERE rowid = %s", [post_id]
            )


def test_reactions_pins_and_counters_leave_the_index_alone(
    topic, other_customer, customer, moderator, found
):
    post = topic.posts.get()
    _plant_marker(post.pk)

    services.set_reaction(member=other_customer, post=post, kind="like", active=True)
    services.set_topic_pinned(actor=moderator, topic=topic, pinned=True)
    services.set_topic_locked(actor=moderator, topic=topic, locked=True)
    services.record_topic_view(topic=topic)
    post.save()  # every column written, none changed

    assert found(customer, "planted") == [post.pk]


def test_missing_triggers_are_put_back(topic, make_reply, other_customer, customer, found):
    backend = backend_for()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER search_post_inserted ON community_post")
        else:
            cursor.execute("DROP TRIGGER search_post_inserted")

    assert restore_index_triggers(using="default") == ["search_post_inserted"]
    assert backend.restore_triggers() == []

    reply = make_reply(topic=topic, author=other_customer, body="Automations again.")
    assert found(customer, "automations") == [reply.pk]


def test_every_trigger_is_installed():
    backend = backend_for()
    names = (
        postgres_backend.TRIGGERS if connection.vendor == "postgresql" else sqlite_backend.TRIGGERS
    )

    assert backend.is_installed()
    assert backend.restore_triggers() == []
    assert len(names) >= 5


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE triggers: PostgreSQL")
def test_truncating_the_posts_empties_the_index(topic):
    with connection.cursor() as cursor:
        # The test's rows are written in this transaction: check their deferred foreign keys
        # now, as a commit would, or PostgreSQL refuses to truncate.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE community_post CASCADE")

    assert indexed() == 0
