"""Who hears about what, as members act through the community services.

Topics and replies fan out in `notify_about_post`, enqueued once the service's transaction
commits; the tests run those callbacks with `django_capture_on_commit_callbacks(execute=True)`
and the immediate task backend runs the task (and the e-mails it queues) right there.
Reactions notify inside the service itself.
"""

import pytest
from django.core import mail

from hearth.accounts.models import Affiliation, Member
from hearth.community import services as community
from hearth.community.models import Reaction
from hearth.community.tasks import notify_about_post
from hearth.core.errors import NotAllowed
from hearth.notifications import services
from hearth.notifications.models import Channel, Notification, Preferences, Trigger, Watch

pytestmark = pytest.mark.django_db

BODY = "Here is what I would like to talk about."
STATE = Notification.EmailState


@pytest.fixture
def act(django_capture_on_commit_callbacks):
    """Run a service call and then what it queued for after the commit (the fan-out)."""

    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return run


@pytest.fixture
def start(act, public_space):
    def run(author, body=BODY, *, space=None, title="A topic worth discussing"):
        return act(
            community.create_topic,
            author=author,
            space=space or public_space,
            title=title,
            body=body,
        )

    return run


@pytest.fixture
def reply(act):
    def run(author, topic, body="Thanks, that helps."):
        return act(community.create_reply, author=author, topic=topic, body=body)

    return run


def inbox(member) -> list[Notification]:
    return list(Notification.objects.filter(recipient=member).order_by("id"))


def unread(member) -> int:
    return Member.objects.get(pk=member.pk).unread_notifications


def verbs(member) -> list[str]:
    return [n.verb for n in inbox(member)]


def like(member, post, active=True):
    return community.set_reaction(member=member, post=post, kind=Reaction.Kind.LIKE, active=active)


# Replies, mentions, quotes -----------------------------------------------------------------------


def test_a_reply_notifies_the_topic_author_by_email(customer, other_customer, start, reply):
    topic = start(customer)
    assert inbox(customer) == []

    post = reply(other_customer, topic)

    [notification] = inbox(customer)
    assert notification.verb == Trigger.REPLY
    assert notification.actor == other_customer
    assert notification.actor_names == ["Omar Other"]
    assert notification.actor_count == 1
    assert notification.target_type == "post"
    assert notification.target_id == post.pk
    assert notification.title == "A topic worth discussing"
    assert notification.url == post.get_absolute_url()
    assert notification.excerpt == "Thanks, that helps."
    assert notification.channel == Channel.EMAIL
    assert notification.email_state == STATE.SENT
    assert notification.sentence == "Omar Other replied to A topic worth discussing"
    assert unread(customer) == 1
    assert [m.to for m in mail.outbox] == [["cara@example.com"]]
    # The replier hears nothing about their own reply.
    assert inbox(other_customer) == []
    assert unread(other_customer) == 0


def test_an_opening_post_notifies_nobody_but_the_mentioned(customer, start):
    start(customer)
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_a_mention_notifies_the_mentioned_member(customer, other_customer, make_member, start):
    third = make_member(username="tess")
    start(other_customer, "What do you think, @cara? And @nobody-here.")

    [notification] = inbox(customer)
    assert notification.verb == Trigger.MENTION
    assert notification.actor == other_customer
    assert notification.email_state == STATE.SENT
    assert unread(customer) == 1
    assert inbox(third) == []
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["cara@example.com"]


def test_a_mention_in_a_reply_ignores_case_and_reaches_only_the_mentioned(
    customer, other_customer, make_member, start, reply
):
    author = make_member(username="tess")
    topic = start(author)
    reply(other_customer, topic, "Looping in @CARA here.")

    assert verbs(customer) == [Trigger.MENTION]
    assert verbs(author) == [Trigger.REPLY]


def test_a_quote_notifies_the_quoted_member_with_verb_quote(
    customer, other_customer, make_member, start, reply
):
    author = make_member(username="tess")
    topic = start(author)
    reply(other_customer, topic, "> Export it as CSV first.\n> — @cara\n\nThat worked for me.")

    [notification] = inbox(customer)
    assert notification.verb == Trigger.QUOTE
    assert notification.channel == Channel.EMAIL
    assert notification.sentence == "Omar Other quoted you in A topic worth discussing"
    assert unread(customer) == 1


def test_mentioning_and_quoting_the_same_member_gives_one_notification(
    customer, other_customer, make_member, start, reply
):
    author = make_member(username="tess")
    topic = start(author)
    reply(
        other_customer,
        topic,
        "> Export it as CSV first.\n> — @cara\n\nDid that work for you, @cara? Ask @cara.",
    )

    assert verbs(customer) == [Trigger.QUOTE]
    assert unread(customer) == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["cara@example.com", "tess@example.com"]


def test_the_topic_author_mentioned_in_a_reply_hears_once_about_the_mention(
    customer, other_customer, start, reply
):
    topic = start(customer)
    reply(other_customer, topic, "@cara does this answer it?")

    assert verbs(customer) == [Trigger.MENTION]
    assert unread(customer) == 1
    assert len(mail.outbox) == 1


def test_nobody_is_notified_about_their_own_post(customer, other_customer, start, reply):
    topic = start(customer, "Note to self, @cara: check this.")
    reply(customer, topic, "And again, @cara.")

    assert inbox(customer) == []
    assert unread(customer) == 0
    assert mail.outbox == []


def test_nobody_can_react_to_their_own_post_so_nobody_hears_of_it(customer, start):
    topic = start(customer)
    opening = topic.posts.get()

    with pytest.raises(NotAllowed):
        like(customer, opening)

    assert inbox(customer) == []


# Watching topics ---------------------------------------------------------------------------------


def test_topic_author_and_repliers_watch_the_topic_and_hear_of_later_replies(
    customer, other_customer, make_member, start, reply
):
    third = make_member(username="tess")
    topic = start(customer)
    reply(other_customer, topic)
    assert Watch.objects.get(member=customer, topic=topic).level == Watch.Level.WATCHING
    assert Watch.objects.get(member=other_customer, topic=topic).level == Watch.Level.WATCHING
    mail.outbox.clear()

    last = reply(third, topic, "One more thing.")

    # The author hears of it as a reply to their topic; the earlier replier as activity.
    assert verbs(customer) == [Trigger.REPLY, Trigger.REPLY]
    [activity] = inbox(other_customer)
    assert activity.verb == Trigger.TOPIC_ACTIVITY
    assert activity.target_id == last.pk
    assert activity.channel == Channel.DIGEST
    assert activity.email_state == STATE.DIGEST
    assert activity.sentence == "tess posted in A topic worth discussing"
    assert unread(customer) == 2
    assert unread(other_customer) == 1
    # Only the reply goes out right away; topic activity waits for the digest.
    assert [m.to for m in mail.outbox] == [["cara@example.com"]]
    assert Watch.objects.get(member=third, topic=topic).level == Watch.Level.WATCHING


def test_replying_keeps_a_level_one_chose_before(
    customer, other_customer, make_member, start, reply
):
    topic = start(other_customer)
    services.set_watch(member=customer, level=Watch.Level.MUTED, topic=topic)
    reply(customer, topic)
    assert Watch.objects.get(member=customer, topic=topic).level == Watch.Level.MUTED

    reply(make_member(username="tess"), topic)

    assert inbox(customer) == []


def test_a_member_who_muted_the_topic_hears_nothing_even_when_mentioned(
    customer, other_customer, make_member, start, reply
):
    topic = start(customer)
    services.set_watch(member=customer, level=Watch.Level.MUTED, topic=topic)

    reply(other_customer, topic, "Plain reply.")
    reply(make_member(username="tess"), topic, "> quoting\n> — @cara\n\nAnd @cara, look.")

    assert inbox(customer) == []
    assert unread(customer) == 0
    assert mail.outbox == []


def test_a_member_who_muted_the_space_hears_nothing_of_mentions_in_it(
    customer, other_customer, public_space, start
):
    services.set_watch(member=customer, level=Watch.Level.MUTED, space=public_space)

    start(other_customer, "What do you think, @cara?")

    assert inbox(customer) == []


def test_tracking_a_topic_notifies_in_app_only(customer, other_customer, make_member, start, reply):
    topic = start(other_customer)
    services.set_watch(member=customer, level=Watch.Level.TRACKING, topic=topic)
    # Even a member who wants topic activity by e-mail gets none while tracking.
    Preferences.objects.create(member=customer, topic_activity=Channel.EMAIL)

    reply(make_member(username="tess"), topic)

    [notification] = inbox(customer)
    assert notification.verb == Trigger.TOPIC_ACTIVITY
    assert notification.channel == Channel.IN_APP
    assert notification.email_state == STATE.NONE
    assert unread(customer) == 1
    assert [m.to for m in mail.outbox] == [["omar@example.com"]]


def test_watching_a_topic_with_topic_activity_by_email_sends_one(
    customer, other_customer, make_member, start, reply
):
    topic = start(other_customer)
    services.set_watch(member=customer, level=Watch.Level.WATCHING, topic=topic)
    Preferences.objects.create(member=customer, topic_activity=Channel.EMAIL)

    reply(make_member(username="tess"), topic)

    [notification] = inbox(customer)
    assert notification.channel == Channel.EMAIL
    assert notification.email_state == STATE.SENT
    assert sorted(m.to[0] for m in mail.outbox) == ["cara@example.com", "omar@example.com"]


# Watching spaces ---------------------------------------------------------------------------------


def test_a_member_watching_a_space_hears_of_new_topics_there(
    customer, other_customer, public_space, members_space, start
):
    services.set_watch(member=customer, level=Watch.Level.WATCHING, space=public_space)

    topic = start(other_customer, title="Brand new question")
    start(other_customer, space=members_space, title="Somewhere else entirely")

    [notification] = inbox(customer)
    assert notification.verb == Trigger.NEW_TOPIC
    assert notification.target_id == topic.posts.get().pk
    assert notification.channel == Channel.DIGEST
    assert notification.email_state == STATE.DIGEST
    assert notification.sentence == "Omar Other started a new topic: Brand new question"
    assert unread(customer) == 1
    assert mail.outbox == []


def test_tracking_a_space_notifies_of_new_topics_in_app_only(
    customer, other_customer, public_space, start
):
    services.set_watch(member=customer, level=Watch.Level.TRACKING, space=public_space)

    start(other_customer)

    [notification] = inbox(customer)
    assert notification.verb == Trigger.NEW_TOPIC
    assert notification.channel == Channel.IN_APP
    assert notification.email_state == STATE.NONE


def test_a_muted_topic_stays_quiet_in_a_watched_space(
    customer, other_customer, make_member, public_space, start, reply
):
    services.set_watch(member=customer, level=Watch.Level.WATCHING, space=public_space)
    topic = start(other_customer)
    services.set_watch(member=customer, level=Watch.Level.MUTED, topic=topic)

    reply(make_member(username="tess"), topic, "Hey @cara")
    start(other_customer, title="Another topic here")

    assert verbs(customer) == [Trigger.NEW_TOPIC, Trigger.NEW_TOPIC]


def test_a_watched_topic_is_heard_in_a_muted_space(
    customer, other_customer, make_member, public_space, start, reply
):
    services.set_watch(member=customer, level=Watch.Level.MUTED, space=public_space)
    topic = start(other_customer)
    services.set_watch(member=customer, level=Watch.Level.WATCHING, topic=topic)

    reply(make_member(username="tess"), topic)

    assert verbs(customer) == [Trigger.TOPIC_ACTIVITY]


# Who may see it ----------------------------------------------------------------------------------


def test_mentions_of_members_who_cannot_see_the_space_notify_nobody(
    customer, partner, employee, partner_space, start
):
    start(partner, "Hello @cara and @emma.", space=partner_space)

    assert inbox(customer) == []
    assert unread(customer) == 0
    assert verbs(employee) == [Trigger.MENTION]


def test_space_watchers_who_lost_access_hear_nothing(
    partner, employee, make_member, partner_space, start
):
    former = make_member(username="fern", affiliation=Affiliation.PARTNER)
    services.set_watch(member=former, level=Watch.Level.WATCHING, space=partner_space)
    services.set_watch(member=employee, level=Watch.Level.WATCHING, space=partner_space)
    Member.objects.filter(pk=former.pk).update(affiliation=Affiliation.CUSTOMER)

    start(partner, space=partner_space)

    assert inbox(former) == []
    assert verbs(employee) == [Trigger.NEW_TOPIC]


def test_topic_watchers_who_lost_access_hear_nothing(
    partner, employee, make_member, partner_space, start, reply
):
    former = make_member(username="fern", affiliation=Affiliation.PARTNER)
    topic = start(employee, space=partner_space)
    reply(former, topic)
    Member.objects.filter(pk=former.pk).update(affiliation=Affiliation.CUSTOMER)

    reply(partner, topic, "Hello @fern?")

    assert inbox(former) == []
    assert verbs(employee) == [Trigger.REPLY, Trigger.REPLY]


def test_posts_deleted_before_the_task_runs_notify_nobody(
    customer, other_customer, make_member, public_space
):
    topic = community.create_topic(
        author=customer, space=public_space, title="A topic worth discussing", body=BODY
    )
    # Outside the capture: the fan-out queued on commit never runs on its own here.
    post = community.create_reply(author=other_customer, topic=topic, body="Hi @tess")
    make_member(username="tess")
    community.delete_post(actor=other_customer, post=post)

    assert notify_about_post.call(post.pk) == 0

    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_replies_in_a_topic_deleted_before_the_task_runs_notify_nobody(
    customer, other_customer, moderator, public_space
):
    topic = community.create_topic(
        author=customer, space=public_space, title="A topic worth discussing", body=BODY
    )
    post = community.create_reply(author=other_customer, topic=topic, body="Hi @mo")
    community.delete_post(actor=moderator, post=topic.posts.get(position=1))

    assert notify_about_post.call(post.pk) == 0
    assert notify_about_post.call(10**9) == 0
    assert Notification.objects.count() == 0


# Reactions ---------------------------------------------------------------------------------------


@pytest.fixture
def likers(make_member):
    return [
        make_member(username=f"liker{i}", display_name=name)
        for i, name in enumerate(["Ana", "Ben", "Cy", "Dee", "Eve"], start=1)
    ]


def test_five_likes_fold_into_one_unread_notification(customer, likers, start):
    topic = start(customer)
    opening = topic.posts.get()

    for member in likers:
        like(member, opening)

    [notification] = inbox(customer)
    assert notification.verb == Trigger.REACTION
    assert notification.group_key == f"reaction:{opening.pk}"
    assert notification.actor_count == 5
    assert notification.actor == likers[-1]
    assert notification.actor_names == ["Eve", "Dee", "Cy"]
    assert notification.who == "Eve, Dee and 3 others"
    assert notification.sentence == "Eve, Dee and 3 others reacted to your post in " + topic.title
    assert notification.channel == Channel.IN_APP
    assert notification.email_state == STATE.NONE
    assert notification.excerpt.startswith("Like: ")
    assert unread(customer) == 1
    assert mail.outbox == []


def test_two_likes_read_as_a_pair(customer, likers, start):
    opening = start(customer).posts.get()
    like(likers[0], opening)
    like(likers[1], opening)

    [notification] = inbox(customer)
    assert notification.who == "Ben and Ana"


def test_after_reading_the_next_like_starts_a_new_notification(customer, likers, start):
    opening = start(customer).posts.get()
    for member in likers[:4]:
        like(member, opening)
    [first] = inbox(customer)
    services.mark_read(member=customer, notification=first)
    assert unread(customer) == 0

    like(likers[4], opening)

    old, new = inbox(customer)
    assert old.pk == first.pk
    assert old.actor_count == 4
    assert old.read_at is not None
    assert new.read_at is None
    assert new.actor_count == 1
    assert new.who == "Eve"
    assert new.group_key == f"reaction:{opening.pk}"
    assert unread(customer) == 1


def test_likes_on_different_posts_stay_apart(customer, likers, start, reply):
    topic = start(customer)
    answer = reply(customer, topic, "Answering myself.")
    like(likers[0], topic.posts.get(position=1))
    like(likers[1], answer)

    assert [n.actor_count for n in inbox(customer)] == [1, 1]
    assert unread(customer) == 2


def test_taking_a_like_back_sends_nothing(customer, likers, start):
    opening = start(customer).posts.get()
    like(likers[0], opening)
    [before] = inbox(customer)

    like(likers[0], opening, active=False)

    [after] = inbox(customer)
    assert after.pk == before.pk
    assert after.actor_count == 1
    assert after.updated_at == before.updated_at
    assert unread(customer) == 1


def test_taking_the_only_like_back_after_reading_sends_nothing(customer, likers, start):
    opening = start(customer).posts.get()
    like(likers[0], opening)
    services.mark_all_read(member=customer)

    like(likers[0], opening, active=False)

    assert len(inbox(customer)) == 1
    assert unread(customer) == 0


def test_liking_again_after_taking_it_back_does_not_count_the_member_twice(customer, likers, start):
    opening = start(customer).posts.get()
    like(likers[0], opening)
    like(likers[0], opening, active=False)
    like(likers[0], opening)

    [notification] = inbox(customer)
    assert notification.actor_count == 1
    assert notification.who == "Ana"


# Inactive members and preferences ----------------------------------------------------------------


def test_inactive_members_hear_nothing_about_posts(
    customer, other_customer, make_member, public_space, start, reply
):
    watcher = make_member(username="wes")
    services.set_watch(member=watcher, level=Watch.Level.WATCHING, space=public_space)
    topic = start(customer)
    Notification.objects.all().delete()
    Member.objects.filter(pk__in=[customer.pk, watcher.pk]).update(is_active=False)

    reply(other_customer, topic, "Ping @cara and @wes.")
    start(other_customer, title="Another topic for watchers")

    assert inbox(customer) == []
    assert inbox(watcher) == []
    assert mail.outbox == []


def test_inactive_members_hear_nothing_about_reactions(customer, likers, start):
    opening = start(customer).posts.get()
    Member.objects.filter(pk=customer.pk).update(is_active=False)

    like(likers[0], opening)

    assert inbox(customer) == []
    assert unread(customer) == 0


def test_a_trigger_switched_off_notifies_nothing(customer, other_customer, likers, start, reply):
    Preferences.objects.create(
        member=customer, reply=Channel.OFF, reaction=Channel.OFF, mention=Channel.OFF
    )
    topic = start(customer)

    reply(other_customer, topic)
    start(other_customer, "Hey @cara", title="Another topic here")
    like(likers[0], topic.posts.get(position=1))

    assert inbox(customer) == []
    assert unread(customer) == 0
    assert mail.outbox == []


def test_switching_a_trigger_off_leaves_the_others(customer, other_customer, start, reply):
    Preferences.objects.create(member=customer, mention=Channel.OFF)
    topic = start(customer)

    reply(other_customer, topic)
    start(other_customer, "Hey @cara", title="Another topic here")

    assert verbs(customer) == [Trigger.REPLY]


def test_in_app_preference_notifies_without_email(customer, other_customer, start, reply):
    Preferences.objects.create(member=customer, reply=Channel.IN_APP)
    topic = start(customer)

    reply(other_customer, topic)

    [notification] = inbox(customer)
    assert notification.channel == Channel.IN_APP
    assert notification.email_state == STATE.NONE
    assert mail.outbox == []


def test_a_trigger_switched_off_falls_back_to_the_next_reason(
    customer, other_customer, start, reply
):
    Preferences.objects.create(member=customer, mention=Channel.OFF)
    topic = start(customer)

    reply(other_customer, topic, "@cara does this answer it?")

    assert verbs(customer) == [Trigger.REPLY]
