"""The notification services called directly: notify, reading, watching, preferences."""

import datetime

import pytest
from django.core import mail

from hearth.accounts.models import Member
from hearth.core.errors import ValidationFailed
from hearth.notifications import selectors, services
from hearth.notifications.models import Channel, Notification, Preferences, Trigger, Watch
from hearth.notifications.services import Delivery

pytestmark = pytest.mark.django_db

STATE = Notification.EmailState


@pytest.fixture
def topic(make_topic, other_customer, public_space):
    return make_topic(author=other_customer, space=public_space, title="How do I export?")


@pytest.fixture
def post(topic):
    return topic.posts.get()


def unread(member) -> int:
    return Member.objects.get(pk=member.pk).unread_notifications


def send(deliveries, *, post, actor, **extra):
    return services.notify_many(
        deliveries,
        target=post,
        actor=actor,
        title=post.topic.title,
        url=post.get_absolute_url(),
        excerpt="An excerpt",
        topic_id=post.topic_id,
        space_id=post.topic.space_id,
        **extra,
    )


def notify_one(recipient, *, post, actor, trigger=Trigger.REACTION, group_key="", title=None):
    return services.notify(
        recipient=recipient,
        trigger=trigger,
        target=post,
        actor=actor,
        title=title or post.topic.title,
        url=post.get_absolute_url(),
        excerpt="Like: the body",
        group_key=group_key,
        topic_id=post.topic_id,
        space_id=post.topic.space_id,
    )


# notify_many -------------------------------------------------------------------------------------


def test_notify_many_creates_one_row_per_recipient_with_the_email_state_of_its_channel(
    customer, other_customer, make_member, post
):
    tess, uma, vic = (make_member(username=name) for name in ("tess", "uma", "vic"))

    created = send(
        [
            Delivery(customer.pk, Trigger.REPLY),
            Delivery(tess.pk, Trigger.NEW_TOPIC),
            Delivery(uma.pk, Trigger.REACTION),
            Delivery(vic.pk, Trigger.TOPIC_ACTIVITY, in_app_only=True),
        ],
        post=post,
        actor=other_customer,
    )

    assert len(created) == 4
    assert all(n.pk for n in created)
    by_recipient = {n.recipient_id: n for n in Notification.objects.all()}
    assert set(by_recipient) == {customer.pk, tess.pk, uma.pk, vic.pk}
    assert (by_recipient[customer.pk].channel, by_recipient[customer.pk].email_state) == (
        Channel.EMAIL,
        STATE.PENDING,
    )
    assert (by_recipient[tess.pk].channel, by_recipient[tess.pk].email_state) == (
        Channel.DIGEST,
        STATE.DIGEST,
    )
    assert (by_recipient[uma.pk].channel, by_recipient[uma.pk].email_state) == (
        Channel.IN_APP,
        STATE.NONE,
    )
    assert (by_recipient[vic.pk].channel, by_recipient[vic.pk].email_state) == (
        Channel.IN_APP,
        STATE.NONE,
    )
    reply = by_recipient[customer.pk]
    assert reply.verb == Trigger.REPLY
    assert reply.actor == other_customer
    assert reply.actor_names == ["Omar Other"]
    assert reply.actor_count == 1
    assert reply.target_type == "post"
    assert reply.target_id == post.pk
    assert reply.title == "How do I export?"
    assert reply.excerpt == "An excerpt"
    assert reply.url == post.get_absolute_url()
    assert reply.group_key == ""
    assert reply.read_at is None
    assert reply.created_at == reply.updated_at
    for member in (customer, tess, uma, vic):
        assert unread(member) == 1
    assert unread(other_customer) == 0


def test_notify_many_sends_pending_emails_once_the_transaction_commits(
    customer, other_customer, post, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        [notification] = send(
            [Delivery(customer.pk, Trigger.REPLY)], post=post, actor=other_customer
        )
    assert mail.outbox == []
    assert len(callbacks) == 1

    callbacks[0]()

    assert [m.to for m in mail.outbox] == [["cara@example.com"]]
    notification.refresh_from_db()
    assert notification.email_state == STATE.SENT


def test_notify_many_queues_no_email_for_in_app_and_digest(
    customer, other_customer, post, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        send(
            [
                Delivery(customer.pk, Trigger.NEW_TOPIC),
                Delivery(other_customer.pk, Trigger.REACTION),
            ],
            post=post,
            actor=None,
        )
    assert callbacks == []


def test_notify_many_drops_the_actor_and_keeps_the_first_reason_per_member(
    customer, other_customer, post
):
    created = send(
        [
            Delivery(other_customer.pk, Trigger.MENTION),
            Delivery(customer.pk, Trigger.QUOTE),
            Delivery(customer.pk, Trigger.REPLY),
            Delivery(customer.pk, Trigger.TOPIC_ACTIVITY, in_app_only=True),
        ],
        post=post,
        actor=other_customer,
    )

    assert [(n.recipient_id, n.verb) for n in created] == [(customer.pk, Trigger.QUOTE)]
    assert unread(customer) == 1
    assert unread(other_customer) == 0


def test_notify_many_without_an_actor_reads_someone(customer, post):
    [notification] = send([Delivery(customer.pk, Trigger.NEW_TOPIC)], post=post, actor=None)

    assert notification.actor is None
    assert notification.actor_names == []
    assert notification.who == "Someone"


def test_notify_many_drops_members_who_muted_the_topic_or_its_space(
    customer, other_customer, make_member, post, topic, public_space
):
    tess = make_member(username="tess")
    uma = make_member(username="uma")
    services.set_watch(member=customer, level=Watch.Level.MUTED, topic=topic)
    services.set_watch(member=tess, level=Watch.Level.MUTED, space=public_space)
    # A topic level overrides the space level.
    services.set_watch(member=uma, level=Watch.Level.MUTED, space=public_space)
    services.set_watch(member=uma, level=Watch.Level.TRACKING, topic=topic)

    created = send(
        [Delivery(m.pk, Trigger.MENTION) for m in (customer, tess, uma)],
        post=post,
        actor=other_customer,
    )

    assert [n.recipient_id for n in created] == [uma.pk]
    assert unread(customer) == unread(tess) == 0


def test_notify_many_drops_triggers_switched_off(customer, other_customer, post):
    Preferences.objects.create(member=customer, reply=Channel.OFF)

    assert send([Delivery(customer.pk, Trigger.REPLY)], post=post, actor=other_customer) == []
    assert Notification.objects.count() == 0
    assert unread(customer) == 0


def test_notify_many_with_nobody_does_nothing(other_customer, post, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert send([], post=post, actor=other_customer) == []


def test_notify_many_cuts_long_titles_and_excerpts(customer, post):
    [notification] = services.notify_many(
        [Delivery(customer.pk, Trigger.REPLY)],
        target=post,
        actor=None,
        title="T" * 400,
        url="/p/1/",
        excerpt="E" * 400,
    )

    notification.refresh_from_db()
    assert notification.title == "T" * 300
    assert notification.excerpt == "E" * 300


def test_notify_many_batches_large_fan_outs(
    customer, other_customer, make_member, post, monkeypatch
):
    monkeypatch.setattr(services, "BULK_BATCH", 2)
    others = [make_member() for _ in range(3)]

    created = send(
        [Delivery(m.pk, Trigger.NEW_TOPIC) for m in [customer, *others]],
        post=post,
        actor=other_customer,
    )

    assert len(created) == 4
    assert Notification.objects.count() == 4
    assert all(unread(m) == 1 for m in [customer, *others])


IDEA_VERBS = [
    "idea_status_changed",
    "idea_shipped",
    "idea_announced",
    "idea_merged",
    "idea_commented",
    "idea_vote_recorded",
]


@pytest.mark.parametrize("verb", IDEA_VERBS)
@pytest.mark.parametrize(
    ("setting", "channel", "state"),
    [
        (None, Channel.EMAIL, STATE.PENDING),  # the default: closing the loop is e-mailed
        (Channel.DIGEST, Channel.DIGEST, STATE.DIGEST),
        (Channel.IN_APP, Channel.IN_APP, STATE.NONE),
    ],
)
def test_idea_notifications_follow_the_idea_updates_setting(
    verb, setting, channel, state, customer, other_customer, post
):
    if setting is not None:
        Preferences.objects.create(member=customer, idea_updates=setting)

    [notification] = send([Delivery(customer.pk, verb)], post=post, actor=other_customer)

    assert (notification.verb, notification.channel, notification.email_state) == (
        verb,
        channel,
        state,
    )


def test_idea_updates_switched_off_sends_nothing(customer, other_customer, post):
    Preferences.objects.create(member=customer, idea_updates=Channel.OFF)

    deliveries = [Delivery(customer.pk, verb) for verb in IDEA_VERBS]

    assert send(deliveries, post=post, actor=other_customer) == []


def test_verbs_without_a_setting_keep_their_default_channel(customer):
    defaults = selectors.preferences_for(customer)

    assert defaults.channel_for("accepted") == Channel.IN_APP
    assert defaults.channel_for("moderation_warned") == Channel.EMAIL


# notify ------------------------------------------------------------------------------------------


def test_notify_creates_one_notification(customer, other_customer, post):
    notification = notify_one(customer, post=post, actor=other_customer, trigger=Trigger.REPLY)

    assert notification is not None
    assert notification.pk
    assert notification.recipient_id == customer.pk
    assert notification.verb == Trigger.REPLY
    assert notification.email_state == STATE.PENDING
    assert unread(customer) == 1


def test_notify_the_actor_themselves_is_nothing(customer, post):
    assert notify_one(customer, post=post, actor=customer, group_key="reaction:1") is None
    assert Notification.objects.count() == 0


def test_notify_a_trigger_switched_off_is_nothing(customer, other_customer, post):
    Preferences.objects.create(member=customer, reaction=Channel.OFF)

    assert notify_one(customer, post=post, actor=other_customer, group_key="g") is None
    assert Notification.objects.count() == 0


def test_notify_with_a_group_key_folds_into_the_unread_one(
    customer, other_customer, make_member, post
):
    tess = make_member(username="tess", display_name="Tess")
    first = notify_one(customer, post=post, actor=other_customer, group_key=f"reaction:{post.pk}")
    assert first.group_key == f"reaction:{post.pk}"

    second = notify_one(
        customer, post=post, actor=tess, group_key=f"reaction:{post.pk}", title="Renamed topic"
    )

    assert second.pk == first.pk
    [stored] = Notification.objects.all()
    assert stored.actor_count == 2
    assert stored.actor == tess
    assert stored.actor_names == ["Tess", "Omar Other"]
    assert stored.who == "Tess and Omar Other"
    assert stored.title == "Renamed topic"
    assert stored.updated_at >= stored.created_at
    assert unread(customer) == 1


def test_notify_with_another_group_key_does_not_fold(customer, other_customer, post):
    notify_one(customer, post=post, actor=other_customer, group_key="reaction:1")
    notify_one(customer, post=post, actor=other_customer, group_key="reaction:2")

    assert Notification.objects.count() == 2
    assert unread(customer) == 2


def test_notify_after_reading_the_group_starts_a_new_one(
    customer, other_customer, make_member, post
):
    first = notify_one(customer, post=post, actor=other_customer, group_key="reaction:9")
    services.mark_read(member=customer, notification=first)

    second = notify_one(customer, post=post, actor=make_member(), group_key="reaction:9")

    assert second.pk != first.pk
    assert second.actor_count == 1
    assert second.group_key == "reaction:9"
    assert unread(customer) == 1


@pytest.mark.django_db(transaction=True)
def test_notify_with_a_group_key_works_outside_a_transaction(
    customer, other_customer, make_member, post
):
    notify_one(customer, post=post, actor=other_customer, group_key="reaction:7")
    notify_one(customer, post=post, actor=make_member(), group_key="reaction:7")

    [notification] = Notification.objects.filter(recipient=customer)
    assert notification.actor_count == 2


# mark_read / mark_all_read -----------------------------------------------------------------------


@pytest.fixture
def two_unread(customer, other_customer, post):
    return send([Delivery(customer.pk, Trigger.REPLY)], post=post, actor=other_customer) + send(
        [Delivery(customer.pk, Trigger.MENTION)], post=post, actor=other_customer
    )


def test_mark_read_marks_it_and_takes_one_off_the_counter_once(customer, two_unread):
    member = Member.objects.get(pk=customer.pk)
    assert member.unread_notifications == 2
    first = two_unread[0]

    returned = services.mark_read(member=member, notification=first)

    assert returned.read_at is not None
    assert member.unread_notifications == 1
    assert unread(customer) == 1
    read_at = returned.read_at

    again = services.mark_read(member=member, notification=Notification.objects.get(pk=first.pk))

    assert again.read_at == read_at
    assert member.unread_notifications == 1
    assert unread(customer) == 1
    assert Notification.objects.get(pk=two_unread[1].pk).read_at is None


def test_mark_read_with_a_stale_object_still_counts_once(customer, two_unread):
    stale = Notification.objects.get(pk=two_unread[0].pk)
    services.mark_read(member=customer, notification=two_unread[0])

    services.mark_read(member=customer, notification=stale)

    assert unread(customer) == 1
    assert stale.read_at is not None


def test_mark_read_never_takes_the_counter_below_zero(customer, two_unread):
    Member.objects.filter(pk=customer.pk).update(unread_notifications=0)

    services.mark_read(member=customer, notification=two_unread[0])

    assert unread(customer) == 0


def test_mark_read_refuses_someone_elses_notification(customer, other_customer, two_unread):
    with pytest.raises(ValidationFailed) as error:
        services.mark_read(member=other_customer, notification=two_unread[0])

    assert error.value.code == "not_yours"
    assert Notification.objects.get(pk=two_unread[0].pk).read_at is None
    assert unread(customer) == 2


def test_mark_all_read(customer, other_customer, two_unread, post):
    theirs = send([Delivery(other_customer.pk, Trigger.REPLY)], post=post, actor=customer)
    services.mark_read(member=customer, notification=two_unread[0])

    assert services.mark_all_read(member=customer) == 1

    assert not Notification.objects.filter(recipient=customer, read_at__isnull=True).exists()
    assert unread(customer) == 0
    assert customer.unread_notifications == 0
    assert Notification.objects.get(pk=theirs[0].pk).read_at is None
    assert unread(other_customer) == 1
    assert services.mark_all_read(member=customer) == 0


# set_watch ---------------------------------------------------------------------------------------


def test_set_watch_creates_changes_and_removes_one_row(customer, topic):
    watch = services.set_watch(member=customer, level=Watch.Level.WATCHING, topic=topic)
    assert (watch.member_id, watch.topic_id, watch.space_id, watch.level) == (
        customer.pk,
        topic.pk,
        None,
        Watch.Level.WATCHING,
    )

    services.set_watch(member=customer, level=Watch.Level.TRACKING, topic=topic)
    assert list(Watch.objects.filter(member=customer).values_list("level", flat=True)) == [
        Watch.Level.TRACKING
    ]
    assert selectors.watch_level(customer, topic=topic) == Watch.Level.TRACKING

    assert services.set_watch(member=customer, level=Watch.Level.NORMAL, topic=topic) is None
    assert not Watch.objects.filter(member=customer).exists()
    assert selectors.watch_level(customer, topic=topic) == Watch.Level.NORMAL
    # Normal again with nothing to remove is fine.
    assert services.set_watch(member=customer, level=Watch.Level.NORMAL, topic=topic) is None


def test_set_watch_on_a_space(customer, public_space):
    watch = services.set_watch(member=customer, level=Watch.Level.MUTED, space=public_space)

    assert (watch.space_id, watch.topic_id, watch.level) == (public_space.pk, None, "muted")
    assert selectors.watch_level(customer, space=public_space) == Watch.Level.MUTED


@pytest.mark.parametrize("level", ["", "loud", "WATCHING", None])
def test_set_watch_refuses_unknown_levels(customer, topic, level):
    with pytest.raises(ValidationFailed) as error:
        services.set_watch(member=customer, level=level, topic=topic)

    assert error.value.field == "level"
    assert not Watch.objects.filter(member=customer).exists()


def test_set_watch_needs_exactly_one_of_topic_and_space(customer, topic, public_space):
    with pytest.raises(ValueError):
        services.set_watch(member=customer, level=Watch.Level.WATCHING)
    with pytest.raises(ValueError):
        services.set_watch(
            member=customer, level=Watch.Level.WATCHING, topic=topic, space=public_space
        )


def test_watch_by_default_keeps_a_chosen_level(customer, topic):
    services.set_watch(member=customer, level=Watch.Level.MUTED, topic=topic)

    services.watch_by_default(member=customer, topic=topic)

    assert Watch.objects.get(member=customer, topic=topic).level == Watch.Level.MUTED


def test_watch_levels_prefers_the_topic_over_the_space(
    customer, other_customer, make_member, topic, public_space
):
    tess = make_member(username="tess")
    services.set_watch(member=customer, level=Watch.Level.MUTED, space=public_space)
    services.set_watch(member=customer, level=Watch.Level.WATCHING, topic=topic)
    services.set_watch(member=tess, level=Watch.Level.TRACKING, space=public_space)

    levels = selectors.watch_levels(None, topic_id=topic.pk, space_id=public_space.pk)

    # The topic's author watches it by default.
    assert levels == {
        customer.pk: Watch.Level.WATCHING,
        tess.pk: Watch.Level.TRACKING,
        other_customer.pk: Watch.Level.WATCHING,
    }
    assert selectors.watch_levels([tess.pk], topic_id=topic.pk, space_id=public_space.pk) == {
        tess.pk: Watch.Level.TRACKING
    }
    assert selectors.watch_levels(None, topic_id=None, space_id=None) == {}


# update_preferences ------------------------------------------------------------------------------


def save_preferences(member, **overrides):
    arguments = {
        "channels": {},
        "digest_frequency": Preferences.Digest.DAILY,
        "quiet_hours_start": None,
        "quiet_hours_end": None,
        "time_zone": "UTC",
    }
    arguments.update(overrides)
    return services.update_preferences(member=member, **arguments)


def test_update_preferences_saves_every_choice(customer):
    preferences = save_preferences(
        customer,
        channels={"reply": Channel.DIGEST, "reaction": Channel.OFF, "new_topic": Channel.EMAIL},
        digest_frequency=Preferences.Digest.WEEKLY,
        quiet_hours_start=datetime.time(22, 0),
        quiet_hours_end=datetime.time(7, 0),
        time_zone="Europe/Berlin",
    )

    stored = Preferences.objects.get(member=customer)
    assert stored.pk == preferences.pk
    assert (stored.reply, stored.reaction, stored.new_topic) == ("digest", "off", "email")
    assert (stored.mention, stored.quote, stored.topic_activity) == ("email", "email", "digest")
    assert stored.digest_frequency == "weekly"
    assert (stored.quiet_hours_start, stored.quiet_hours_end) == (
        datetime.time(22, 0),
        datetime.time(7, 0),
    )
    assert stored.time_zone == "Europe/Berlin"
    assert stored.channel_for("reply") == "digest"


def test_update_preferences_updates_the_one_row(customer):
    save_preferences(customer, quiet_hours_start=datetime.time(1), quiet_hours_end=datetime.time(2))
    save_preferences(customer, channels={"mention": Channel.IN_APP})

    stored = Preferences.objects.get(member=customer)
    assert stored.mention == Channel.IN_APP
    assert stored.quiet_hours_start is None
    assert Preferences.objects.count() == 1


def test_defaults_without_a_row_match_the_model_defaults(customer):
    defaults = selectors.preferences_for(customer)

    assert defaults.pk is None
    assert {t.value: defaults.channel_for(t.value) for t in Trigger} == {
        "reply": "email",
        "quote": "email",
        "mention": "email",
        "reaction": "in_app",
        "new_topic": "digest",
        "topic_activity": "digest",
        "idea_updates": "email",
    }
    assert defaults.digest_frequency == "daily"
    assert selectors.preferences_of([customer.pk])[customer.pk].pk is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"channels": {"birthday": Channel.EMAIL}}, "birthday"),
        ({"channels": {"reply": "carrier-pigeon"}}, "reply"),
        ({"channels": {"reply": ""}}, "reply"),
        ({"digest_frequency": "hourly"}, "digest_frequency"),
        ({"quiet_hours_start": datetime.time(22)}, "quiet_hours_start"),
        ({"quiet_hours_end": datetime.time(7)}, "quiet_hours_start"),
        (
            {"quiet_hours_start": datetime.time(8), "quiet_hours_end": datetime.time(8)},
            "quiet_hours_end",
        ),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"time_zone": ""}, "time_zone"),
        ({"time_zone": "../../etc/passwd"}, "time_zone"),
        ({"time_zone": "/etc/localtime"}, "time_zone"),
        ({"time_zone": "Europe/Berlin "}, "time_zone"),
        ({"time_zone": "zone.tab"}, "time_zone"),
    ],
)
def test_update_preferences_refuses_what_does_not_make_sense(customer, overrides, field):
    with pytest.raises(ValidationFailed) as error:
        save_preferences(customer, **overrides)

    assert error.value.field == field
    assert not Preferences.objects.filter(member=customer).exists()


def test_a_refused_update_leaves_earlier_preferences_alone(customer):
    save_preferences(customer, channels={"reply": Channel.IN_APP})

    with pytest.raises(ValidationFailed):
        save_preferences(customer, channels={"reply": Channel.OFF}, time_zone="Nowhere/Land")

    assert Preferences.objects.get(member=customer).reply == Channel.IN_APP


def test_update_preferences_refuses_a_time_zone_that_names_a_region(customer):
    with pytest.raises(ValidationFailed) as error:
        save_preferences(customer, time_zone="America")

    assert error.value.field == "time_zone"


# unsubscribe -------------------------------------------------------------------------------------


def test_unsubscribe_from_everything_keeps_the_notification_centre(customer):
    Preferences.objects.create(member=customer, reaction=Channel.OFF, quote=Channel.IN_APP)

    preferences = services.unsubscribe(member=customer, what="all")

    stored = Preferences.objects.get(member=customer)
    assert stored.pk == preferences.pk
    assert stored.digest_frequency == Preferences.Digest.NEVER
    assert {t.value: getattr(stored, t.value) for t in Trigger} == {
        "reply": "in_app",
        "quote": "in_app",
        "mention": "in_app",
        "reaction": "off",
        "new_topic": "in_app",
        "topic_activity": "in_app",
        "idea_updates": "in_app",
    }


def test_unsubscribe_from_the_digest(customer):
    services.unsubscribe(member=customer, what="digest")

    stored = Preferences.objects.get(member=customer)
    assert stored.digest_frequency == Preferences.Digest.NEVER
    assert (stored.reply, stored.new_topic) == (Channel.EMAIL, Channel.DIGEST)


@pytest.mark.parametrize(
    ("what", "before", "after"),
    [
        ("reply", Channel.EMAIL, Channel.IN_APP),
        ("new_topic", Channel.DIGEST, Channel.IN_APP),
        ("mention", Channel.OFF, Channel.OFF),
        ("reaction", Channel.IN_APP, Channel.IN_APP),
    ],
)
def test_unsubscribe_from_one_trigger(customer, what, before, after):
    Preferences.objects.create(member=customer, **{what: before})

    services.unsubscribe(member=customer, what=what)

    stored = Preferences.objects.get(member=customer)
    assert getattr(stored, what) == after
    assert stored.digest_frequency == Preferences.Digest.DAILY
    others = {t.value for t in Trigger} - {what}
    defaults = Preferences(member=customer)
    assert all(getattr(stored, t) == getattr(defaults, t) for t in others)


@pytest.mark.parametrize("what", ["", "everything", "digest_frequency", "time_zone"])
def test_unsubscribe_from_something_unknown_is_refused(customer, what):
    with pytest.raises(ValidationFailed) as error:
        services.unsubscribe(member=customer, what=what)

    assert error.value.code == "unknown_unsubscribe"
    assert not Preferences.objects.filter(member=customer).exists()


# migration 0003 ----------------------------------------------------------------------------------


def test_members_who_had_turned_every_email_off_get_no_idea_emails(customer, other_customer):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("hearth.notifications.migrations.0003_idea_updates")
    # Unsubscribed from everything before idea updates existed; the new column took its default.
    services.unsubscribe(member=customer, what="all")
    Preferences.objects.filter(member=customer).update(idea_updates=Channel.EMAIL)
    Preferences.objects.create(member=other_customer, reply=Channel.IN_APP)

    migration.keep_no_email_choices(apps, None)

    assert Preferences.objects.get(member=customer).idea_updates == Channel.IN_APP
    assert Preferences.objects.get(member=other_customer).idea_updates == Channel.EMAIL


# Posts taken down -----------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["hidden", "held", "deleted"])
def test_a_post_taken_down_leaves_no_words_in_notifications_or_unsent_emails(
    how, customer, other_customer, moderator, post
):
    from hearth.community import services as community

    Preferences.objects.update_or_create(
        member=customer, defaults={"mention": Channel.EMAIL, "reply": Channel.DIGEST}
    )
    emailed = notify_one(customer, post=post, actor=other_customer, trigger=Trigger.MENTION)
    digested = notify_one(customer, post=post, actor=other_customer, trigger=Trigger.REPLY)
    assert (emailed.email_state, digested.email_state) == (STATE.PENDING, STATE.DIGEST)
    unrelated = notify_one(
        customer, post=post, actor=other_customer, trigger=Trigger.REACTION, title="Other"
    )
    Notification.objects.filter(pk=unrelated.pk).update(target_id=post.pk + 1000)

    if how == "deleted":
        community.delete_post(actor=moderator, post=post)
    else:
        community.set_post_state(actor=moderator, post=post, state=how, reason="Personal attack")

    for notification in (emailed, digested):
        notification.refresh_from_db()
        assert notification.excerpt == ""
        assert notification.email_state == STATE.NONE
    # Still there, with its title and link; and notifications about other posts keep theirs.
    assert notification.title == post.topic.title
    assert Notification.objects.get(pk=unrelated.pk).excerpt == "Like: the body"

