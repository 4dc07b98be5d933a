"""The append-only activity log every service writes to, and the daily visit record."""

import datetime
from unittest.mock import patch

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.utils import timezone

from hearth import testing
from hearth.accounts import services as account_services
from hearth.accounts.models import CodeOfConduct, Role
from hearth.community import services as community_services
from hearth.community.models import Reaction
from hearth.core.errors import NotAllowed, NotFound, ValidationFailed
from hearth.core.models import Activity, VisitDay
from hearth.core.services import record_activity, record_visit


def last_id() -> int:
    row = Activity.objects.order_by("-id").values_list("id", flat=True).first()
    return row or 0


def verbs_since(mark: int) -> list[str]:
    return list(Activity.objects.filter(id__gt=mark).order_by("id").values_list("verb", flat=True))


# record_activity and the append-only rule


def test_record_activity_writes_one_row_with_actor_verb_target_space_and_payload(
    customer, public_space
):
    topic = testing.make_topic(author=customer, space=public_space)
    mark = last_id()

    activity = record_activity(
        actor=customer,
        verb="topic.featured",
        target=topic,
        space_id=public_space.pk,
        payload={"reason": "great"},
    )

    assert Activity.objects.filter(id__gt=mark).count() == 1
    row = Activity.objects.get(pk=activity.pk)
    assert row.actor == customer
    assert row.verb == "topic.featured"
    assert row.target_type == "topic"
    assert row.target_id == topic.pk
    assert row.space_id == public_space.pk
    assert row.payload == {"reason": "great"}
    assert row.occurred_at is not None


def test_record_activity_takes_an_explicit_target_type_and_id(db):
    activity = record_activity(
        actor=None, verb="import.finished", target_type="import", target_id=7
    )
    row = Activity.objects.get(pk=activity.pk)
    assert (row.actor, row.target_type, row.target_id, row.space_id, row.payload) == (
        None,
        "import",
        7,
        None,
        {},
    )


def test_record_activity_stores_no_actor_for_an_anonymous_user(db):
    activity = record_activity(actor=AnonymousUser(), verb="page.seen")
    assert Activity.objects.get(pk=activity.pk).actor is None


def test_activity_rows_cannot_be_updated(customer):
    activity = record_activity(actor=customer, verb="thing.done")
    activity.verb = "thing.undone"
    with pytest.raises(ValueError, match="append-only"):
        activity.save()
    assert Activity.objects.get(pk=activity.pk).verb == "thing.done"


def test_activity_rows_cannot_be_deleted(customer):
    activity = record_activity(actor=customer, verb="thing.done")
    with pytest.raises(ValueError, match="append-only"):
        activity.delete()
    assert Activity.objects.filter(pk=activity.pk).exists()


def test_deleting_a_member_keeps_their_activity_with_no_actor(make_member):
    member = make_member(username="leaver")
    ids = list(Activity.objects.filter(actor=member).values_list("id", flat=True))
    assert len(ids) == 2

    member.delete()

    assert list(
        Activity.objects.filter(id__in=ids).order_by("id").values_list("verb", "actor")
    ) == [("member.joined", None), ("conduct.accepted", None)]


@pytest.mark.parametrize("name", ["activity_actor_time", "activity_target", "activity_time"])
def test_activity_indexes_are_declared_and_exist_in_the_database(db, name):
    assert name in {index.name for index in Activity._meta.indexes}
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Activity._meta.db_table)
    assert constraints[name]["index"] is True


def test_activity_indexes_cover_the_expected_columns():
    fields = {index.name: index.fields for index in Activity._meta.indexes}
    assert fields["activity_actor_time"] == ["actor", "occurred_at"]
    assert fields["activity_target"] == ["target_type", "target_id"]
    assert fields["activity_time"] == ["occurred_at"]


# Every service writes exactly its row(s)


def test_create_member_records_member_joined_then_conduct_accepted(db):
    testing.ensure_code_of_conduct()
    mark = last_id()

    member = account_services.create_member(
        username="newbie",
        email="newbie@example.com",
        password=testing.PASSWORD,
        accepted_conduct=True,
    )

    assert verbs_since(mark) == ["member.joined", "conduct.accepted"]
    joined, accepted = Activity.objects.filter(id__gt=mark).order_by("id")
    assert (joined.actor, joined.target_type, joined.target_id) == (member, "member", member.pk)
    assert joined.payload == {"affiliation": "customer"}
    assert (accepted.actor, accepted.target_type) == (member, "codeofconduct")
    assert accepted.payload == {"version": 1}


def test_create_member_without_a_code_of_conduct_records_only_member_joined(db):
    CodeOfConduct.objects.all().delete()
    mark = last_id()
    account_services.create_member(
        username="early",
        email="early@example.com",
        password=testing.PASSWORD,
        accepted_conduct=False,
    )
    assert verbs_since(mark) == ["member.joined"]


def test_create_topic_records_topic_created(customer, public_space):
    mark = last_id()
    topic = community_services.create_topic(
        author=customer, space=public_space, title="How do I export?", body="Asking for a friend."
    )
    assert verbs_since(mark) == ["topic.created"]
    row = Activity.objects.get(id__gt=mark)
    assert (row.actor, row.target_type, row.target_id, row.space_id) == (
        customer,
        "topic",
        topic.pk,
        public_space.pk,
    )
    assert row.payload == {
        "kind": "discussion",
        "post_id": topic.posts.get().pk,
        "mentions": [],
        "state": "published",
    }


def test_create_topic_records_who_it_mentions(customer, other_customer, public_space):
    mark = last_id()
    community_services.create_topic(
        author=customer, space=public_space, title="Hello there", body="Ping @omar and @nobody"
    )
    assert Activity.objects.get(id__gt=mark).payload["mentions"] == ["omar"]


def test_create_reply_records_post_created(customer, other_customer, public_space):
    topic = testing.make_topic(author=customer, space=public_space)
    mark = last_id()
    post = community_services.create_reply(author=other_customer, topic=topic, body="Me too @cara")
    assert verbs_since(mark) == ["post.created"]
    row = Activity.objects.get(id__gt=mark)
    assert (row.actor, row.target_type, row.target_id, row.space_id) == (
        other_customer,
        "post",
        post.pk,
        public_space.pk,
    )
    assert row.payload == {"topic_id": topic.pk, "mentions": ["cara"], "state": "published"}


def test_a_repeated_submit_key_records_nothing_the_second_time(customer, public_space):
    topic = testing.make_topic(author=customer, space=public_space)
    community_services.create_reply(author=customer, topic=topic, body="Once", submit_key="k1")
    mark = last_id()
    community_services.create_reply(author=customer, topic=topic, body="Once", submit_key="k1")
    assert verbs_since(mark) == []


def test_edit_post_records_post_edited(customer, public_space):
    topic = testing.make_topic(author=customer, space=public_space)
    post = topic.posts.get()
    mark = last_id()
    community_services.edit_post(editor=customer, post=post, body="Better words")
    assert verbs_since(mark) == ["post.edited"]
    assert Activity.objects.get(id__gt=mark).payload == {"topic_id": topic.pk, "revision": 2}


def test_an_edit_that_changes_nothing_records_nothing(customer, public_space):
    topic = testing.make_topic(author=customer, space=public_space, body="Same words")
    mark = last_id()
    community_services.edit_post(editor=customer, post=topic.posts.get(), body="Same words")
    assert verbs_since(mark) == []


def test_deleting_a_reply_records_post_deleted(customer, other_customer, public_space):
    topic = testing.make_topic(author=customer, space=public_space)
    post = testing.make_reply(topic=topic, author=other_customer)
    mark = last_id()
    community_services.delete_post(actor=other_customer, post=post)
    assert verbs_since(mark) == ["post.deleted"]
    row = Activity.objects.get(id__gt=mark)
    assert (row.target_type, row.target_id) == ("post", post.pk)
    assert row.payload == {"topic_id": topic.pk, "by_staff": False}


def test_deleting_an_opening_post_records_topic_deleted(customer, moderator, public_space):
    topic = testing.make_topic(author=customer, space=public_space)
    mark = last_id()
    community_services.delete_post(actor=moderator, post=topic.posts.get())
    assert verbs_since(mark) == ["topic.deleted"]
    row = Activity.objects.get(id__gt=mark)
    assert (row.actor, row.target_type, row.target_id) == (moderator, "topic", topic.pk)
    assert row.payload == {"topic_id": topic.pk, "by_staff": True}


def test_toggle_reaction_records_added_then_removed(customer, other_customer, public_space):
    topic = testing.make_topic(author=customer, space=public_space)
    post = topic.posts.get()
    mark = last_id()
    assert community_services.toggle_reaction(
        member=other_customer, post=post, kind=Reaction.Kind.LIKE
    )
    assert not community_services.toggle_reaction(
        member=other_customer, post=post, kind=Reaction.Kind.LIKE
    )
    assert verbs_since(mark) == ["reaction.added", "reaction.removed"]
    assert Activity.objects.filter(id__gt=mark).first().payload == {
        "kind": "like",
        "topic_id": topic.pk,
        "post_author_id": customer.pk,
    }


@pytest.mark.parametrize(
    ("service", "flag", "value", "verbs"),
    [
        (community_services.set_topic_pinned, "pinned", True, ["topic.pinned"]),
        (community_services.set_topic_locked, "locked", True, ["topic.locked"]),
        (community_services.set_topic_pinned, "pinned", False, []),
        (community_services.set_topic_locked, "locked", False, []),
    ],
    ids=["pin", "lock", "unpin-unpinned", "unlock-unlocked"],
)
def test_pinning_and_locking_record_one_row_only_when_something_changes(
    moderator, public_space, service, flag, value, verbs
):
    topic = testing.make_topic(space=public_space)
    mark = last_id()
    service(actor=moderator, topic=topic, **{flag: value})
    assert verbs_since(mark) == verbs


def test_unpin_and_unlock_record_their_own_verbs(moderator, public_space):
    topic = testing.make_topic(space=public_space)
    community_services.set_topic_pinned(actor=moderator, topic=topic, pinned=True)
    community_services.set_topic_locked(actor=moderator, topic=topic, locked=True)
    mark = last_id()
    community_services.set_topic_pinned(actor=moderator, topic=topic, pinned=False)
    community_services.set_topic_locked(actor=moderator, topic=topic, locked=False)
    assert verbs_since(mark) == ["topic.unpinned", "topic.unlocked"]


def test_move_topic_records_topic_moved(moderator, public_space, members_space):
    topic = testing.make_topic(space=public_space)
    mark = last_id()
    community_services.move_topic(actor=moderator, topic=topic, space=members_space)
    assert verbs_since(mark) == ["topic.moved"]
    row = Activity.objects.get(id__gt=mark)
    assert row.space_id == members_space.pk
    assert row.payload == {"from_space_id": public_space.pk}


def test_publish_code_of_conduct_records_conduct_published(manager):
    mark = last_id()
    conduct = account_services.publish_code_of_conduct(actor=manager, body="Be excellent.")
    assert verbs_since(mark) == ["conduct.published"]
    row = Activity.objects.get(id__gt=mark)
    assert (row.actor, row.target_id, row.payload) == (manager, conduct.pk, {"version": 2})


def test_accepting_the_same_code_twice_records_one_row(customer):
    conduct = account_services.current_code_of_conduct()
    mark = last_id()
    account_services.accept_code_of_conduct(member=customer, conduct=conduct)
    assert verbs_since(mark) == []


def test_update_profile_records_member_profile_updated(customer):
    mark = last_id()
    account_services.update_profile(actor=customer, member=customer, display_name="C", bio="Hi")
    assert verbs_since(mark) == ["member.profile_updated"]
    row = Activity.objects.get(id__gt=mark)
    assert (row.actor, row.target_type, row.target_id) == (customer, "member", customer.pk)


def test_change_member_role_records_member_role_changed(manager, customer):
    mark = last_id()
    account_services.change_member_role(actor=manager, member=customer, role=Role.MODERATOR)
    assert verbs_since(mark) == ["member.role_changed"]
    assert Activity.objects.get(id__gt=mark).payload == {"from": "member", "to": "moderator"}


def test_create_space_records_space_created(db):
    mark = last_id()
    space = testing.make_space(name="Ideas")
    assert verbs_since(mark) == ["space.created"]
    assert Activity.objects.get(id__gt=mark).space_id == space.pk


def test_create_organization_records_once_for_a_new_name(manager):
    mark = last_id()
    account_services.create_organization(actor=manager, name="Acme", kind="customer")
    account_services.create_organization(actor=manager, name="Acme", kind="customer")
    assert verbs_since(mark) == ["organization.created"]


def _short_title(m):
    community_services.create_topic(author=m["customer"], space=m["space"], title="Hey", body="x")


def _empty_reply(m):
    community_services.create_reply(author=m["customer"], topic=m["topic"], body="   ")


def _locked_reply(m):
    community_services.create_reply(author=m["customer"], topic=m["locked_topic"], body="Hello")


def _react_to_own_post(m):
    community_services.toggle_reaction(
        member=m["other"], post=m["reply"], kind=Reaction.Kind.LIKE
    )


def _unknown_reaction(m):
    community_services.toggle_reaction(member=m["customer"], post=m["reply"], kind="love")


def _customer_edits_anothers_post(m):
    community_services.edit_post(editor=m["customer"], post=m["reply"], body="Mine now")


def _customer_pins(m):
    community_services.set_topic_pinned(actor=m["customer"], topic=m["topic"], pinned=True)


def _customer_publishes_conduct(m):
    account_services.publish_code_of_conduct(actor=m["customer"], body="New rules")


def _empty_conduct(m):
    account_services.publish_code_of_conduct(actor=m["manager"], body="  ")


def _customer_changes_role(m):
    account_services.change_member_role(actor=m["customer"], member=m["other"], role=Role.MANAGER)


def _long_display_name(m):
    account_services.update_profile(
        actor=m["customer"], member=m["customer"], display_name="x" * 81, bio=""
    )


def _too_many_tags(m):
    account_services.update_profile(
        actor=m["customer"],
        member=m["customer"],
        display_name="Cara",
        bio="",
        expertise=",".join(f"tag{i}" for i in range(11)),
    )


def _member_without_conduct(m):
    account_services.create_member(
        username="nope", email="nope@example.com", password=testing.PASSWORD, accepted_conduct=False
    )


def _member_with_taken_username(m):
    account_services.create_member(
        username="CARA", email="cara2@example.com", password=testing.PASSWORD, accepted_conduct=True
    )


def _member_with_weak_password(m):
    account_services.create_member(
        username="weak", email="weak@example.com", password="123", accepted_conduct=True
    )


def _topic_in_hidden_space(m):
    community_services.create_topic(
        author=m["customer"], space=m["partner_space"], title="Let me in", body="Please"
    )


@pytest.mark.parametrize(
    ("action", "error"),
    [
        (_short_title, ValidationFailed),
        (_empty_reply, ValidationFailed),
        (_locked_reply, NotAllowed),
        (_react_to_own_post, NotAllowed),
        (_unknown_reaction, ValidationFailed),
        (_customer_edits_anothers_post, NotAllowed),
        (_customer_pins, NotAllowed),
        (_customer_publishes_conduct, NotAllowed),
        (_empty_conduct, ValidationFailed),
        (_customer_changes_role, NotAllowed),
        (_long_display_name, ValidationFailed),
        (_too_many_tags, ValidationFailed),
        (_member_without_conduct, ValidationFailed),
        (_member_with_taken_username, ValidationFailed),
        (_member_with_weak_password, ValidationFailed),
        (_topic_in_hidden_space, NotFound),
    ],
    ids=lambda value: value.__name__.strip("_") if callable(value) else None,
)
def test_a_service_that_refuses_writes_no_activity_row(
    customer, other_customer, moderator, manager, public_space, partner_space, action, error
):
    topic = testing.make_topic(author=customer, space=public_space)
    reply = testing.make_reply(topic=topic, author=other_customer)
    locked_topic = testing.make_topic(author=customer, space=public_space)
    community_services.set_topic_locked(actor=moderator, topic=locked_topic, locked=True)
    context = {
        "customer": customer,
        "other": other_customer,
        "moderator": moderator,
        "manager": manager,
        "space": public_space,
        "partner_space": partner_space,
        "topic": topic,
        "reply": reply,
        "locked_topic": locked_topic,
    }
    mark = last_id()
    with pytest.raises(error):
        action(context)
    assert verbs_since(mark) == []


def test_an_update_profile_that_fails_after_saving_rolls_its_changes_back(customer):
    with pytest.raises(ValidationFailed):
        _too_many_tags({"customer": customer})
    customer.refresh_from_db()
    assert customer.display_name == "Cara Customer"


# Visit days


def test_record_visit_is_true_only_for_the_first_visit_of_a_day(customer):
    day = datetime.date(2024, 3, 1)
    assert record_visit(member=customer, day=day) is True
    assert record_visit(member=customer, day=day) is False
    assert record_visit(member=customer, day=day + datetime.timedelta(days=1)) is True
    assert VisitDay.objects.filter(member=customer).count() == 2


def test_visit_day_middleware_records_one_row_a_day_however_many_requests(customer, client_for):
    client = client_for(customer)
    for path in ["/", "/latest/", "/", "/code-of-conduct/", "/u/cara/"]:
        assert client.get(path).status_code == 200

    assert list(VisitDay.objects.filter(member=customer).values_list("day", flat=True)) == [
        timezone.localdate()
    ]


def test_visit_day_middleware_records_a_second_row_on_the_next_day(customer, client_for):
    client = client_for(customer)
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    client.get("/")
    client.get("/latest/")

    with patch("django.utils.timezone.localdate", return_value=tomorrow):
        client.get("/")
        client.get("/latest/")

    assert list(
        VisitDay.objects.filter(member=customer).order_by("day").values_list("day", flat=True)
    ) == [today, tomorrow]


def test_a_second_session_on_the_same_day_adds_no_row(customer, client_for):
    client_for(customer).get("/")
    client_for(customer).get("/")
    assert VisitDay.objects.filter(member=customer).count() == 1


def test_visit_days_are_per_member(customer, other_customer, client_for):
    client_for(customer).get("/")
    client_for(other_customer).get("/")
    assert VisitDay.objects.filter(member=customer).count() == 1
    assert VisitDay.objects.filter(member=other_customer).count() == 1


def test_anonymous_requests_record_no_visit(db, client):
    for path in ["/", "/latest/", "/code-of-conduct/"]:
        assert client.get(path).status_code == 200
    assert VisitDay.objects.count() == 0


def test_the_activity_log_refuses_bulk_updates_and_deletes(customer):
    with pytest.raises(ValueError):
        Activity.objects.filter(actor=customer).update(verb="tampered")
    with pytest.raises(ValueError):
        Activity.objects.filter(actor=customer).delete()

    assert Activity.objects.filter(actor=customer, verb="member.joined").count() == 1
