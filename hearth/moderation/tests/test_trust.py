"""Trust levels: counted from activity each night, unlocking abilities; staff can lock them."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from hearth.accounts.models import Member
from hearth.community import services as community
from hearth.core.models import Activity, VisitDay
from hearth.moderation import services, trust
from hearth.moderation.models import Flag

THRESHOLDS = {
    "1": {"days_visited": 2, "posts_read": 5},
    "2": {"days_visited": 3, "replies": 1, "likes_given": 1, "likes_received": 1},
    "3": {"accepted_answers": 1, "max_flags_upheld": 0},
    "4": {"days_visited": 100},
}


@pytest.fixture(autouse=True)
def thresholds(settings):
    settings.HEARTH_TRUST_THRESHOLDS = THRESHOLDS


def _visit(member, days):
    today = timezone.localdate()
    for back in range(days):
        VisitDay.objects.create(member=member, day=today - datetime.timedelta(days=back))


def test_a_new_member_is_level_0(customer):
    assert trust.level_for(services.member_stats([customer.pk])[customer.pk]) == 0


def test_visits_and_reading_make_a_basic_member(customer):
    _visit(customer, 2)
    Member.objects.filter(pk=customer.pk).update(posts_read=5)

    assert trust.level_for(services.member_stats([customer.pk])[customer.pk]) == 1


def test_replies_and_likes_make_a_member_and_an_accepted_answer_a_regular(
    customer, other_customer, make_topic, make_reply, public_space
):
    _visit(customer, 3)
    Member.objects.filter(pk=customer.pk).update(posts_read=10)
    question = make_topic(author=other_customer, space=public_space, kind="question")
    answer = make_reply(topic=question, author=customer, body="Reset it.")
    community.set_reaction(member=other_customer, post=answer, kind="like", active=True)
    community.set_reaction(
        member=customer, post=question.posts.get(position=1), kind="like", active=True
    )
    assert trust.level_for(services.member_stats([customer.pk])[customer.pk]) == 2

    community.accept_answer(actor=other_customer, post=answer)

    assert trust.level_for(services.member_stats([customer.pk])[customer.pk]) == 3


def test_upheld_flags_against_a_member_hold_them_back(
    customer, other_customer, make_topic, make_reply, moderator, public_space
):
    _visit(customer, 3)
    Member.objects.filter(pk=customer.pk).update(posts_read=10)
    question = make_topic(author=other_customer, space=public_space, kind="question")
    answer = make_reply(topic=question, author=customer, body="Reset it.")
    community.set_reaction(member=other_customer, post=answer, kind="like", active=True)
    community.set_reaction(
        member=customer, post=question.posts.get(position=1), kind="like", active=True
    )
    community.accept_answer(actor=other_customer, post=answer)
    rude = make_reply(topic=question, author=customer, body="Whatever.")
    services.flag_post(flagger=other_customer, post=rude, reason="personal_attack")
    services.hide_post(actor=moderator, post=rude, reason="Rude.")

    assert Flag.objects.get().status == Flag.Status.UPHELD
    assert trust.level_for(services.member_stats([customer.pk])[customer.pk]) == 2


def test_the_nightly_count_raises_and_lowers_levels_and_logs_it(customer, other_customer):
    _visit(customer, 2)
    Member.objects.filter(pk=customer.pk).update(posts_read=5)
    Member.objects.filter(pk=other_customer.pk).update(trust_level=2)

    counts = services.recompute_trust_levels()

    customer.refresh_from_db()
    other_customer.refresh_from_db()
    assert (customer.trust_level, other_customer.trust_level) == (1, 0)
    assert counts["raised"] == 1 and counts["lowered"] == 1
    assert Activity.objects.filter(verb="member.trust_changed").count() == 2


def test_a_level_staff_locked_is_left_alone(customer, moderator):
    services.set_trust_level(
        actor=moderator,
        member=customer,
        level=3,
        locked=True,
        reason="Long-time customer from the old forum.",
    )

    services.recompute_trust_levels()

    customer.refresh_from_db()
    assert (customer.trust_level, customer.trust_level_locked) == (3, True)


def test_hearth_nightly_recounts(customer, capsys):
    _visit(customer, 2)
    Member.objects.filter(pk=customer.pk).update(posts_read=5)

    call_command("nightly")

    customer.refresh_from_db()
    assert customer.trust_level == 1
    assert "1 raised" in capsys.readouterr().out


@pytest.mark.parametrize("level", [-1, 5])
def test_levels_go_from_0_to_4(customer, moderator, level):
    with pytest.raises(services.ValidationFailed):
        services.set_trust_level(
            actor=moderator, member=customer, level=level, locked=False, reason="x"
        )


def test_reading_topics_counts_posts_read(client_for, customer, topic, make_reply):
    make_reply(topic=topic)

    client_for(customer).get(topic.get_absolute_url())

    customer.refresh_from_db()
    assert customer.posts_read == 2


def test_reloading_a_topic_does_not_count_its_posts_again(
    client_for, customer, topic, make_reply
):
    make_reply(topic=topic)
    client = client_for(customer)
    for _ in range(5):
        client.get(topic.get_absolute_url())
    customer.refresh_from_db()
    assert customer.posts_read == 2

    # Only the replies posted since are new reading.
    make_reply(topic=topic)
    make_reply(topic=topic)
    client.get(topic.get_absolute_url())
    customer.refresh_from_db()
    assert customer.posts_read == 4


def test_each_reader_is_credited_separately(client_for, customer, partner, topic, make_reply):
    make_reply(topic=topic)
    client_for(customer).get(topic.get_absolute_url())
    client_for(partner).get(topic.get_absolute_url())
    customer.refresh_from_db()
    partner.refresh_from_db()
    assert (customer.posts_read, partner.posts_read) == (2, 2)


def test_abilities_by_level(settings):
    settings.HEARTH_TRUST_POSTS_PER_DAY = [10, 50, 200, 1000, 0]
    settings.HEARTH_FLAG_WEIGHTS = [1.0, 1.0, 1.5, 2.0, 3.0]

    assert "links and images wait for a moderator" in trust.abilities(0)
    assert "links and images" in trust.abilities(1)
    assert "no limit on posts" in trust.abilities(4)
    assert "flags weigh 3" in trust.abilities(4)


@pytest.mark.parametrize(("setting", "first"), [(1, 1), (3, 3), (0, 0)])
def test_editing_wiki_posts_is_an_ability_from_the_setting_level(settings, setting, first):
    settings.HEARTH_TRUST_WIKI_EDIT_LEVEL = setting
    for level in trust.LEVELS:
        assert ("edits wiki posts" in trust.abilities(level)) is (level >= first)
