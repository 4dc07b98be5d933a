"""Closing the loop: every status change reaches each follower once (voters follow until they
stop), in the notification centre and by e-mail as their "idea updates" setting says, through
`tasks.notify_idea_followers` run once the change commits."""

from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client

from hearth.accounts.models import Affiliation, Member
from hearth.ideas import services
from hearth.ideas.tasks import notify_idea_followers
from hearth.ideas.tests.conftest import make_idea
from hearth.notifications.emails import read_unsubscribe_token
from hearth.notifications.models import Channel, Notification, Preferences

pytestmark = pytest.mark.django_db


@pytest.fixture
def act(django_capture_on_commit_callbacks):
    """Run a service call and then what it queued for after the commit (the fan-out)."""

    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return run


def inbox(member) -> list[Notification]:
    return list(Notification.objects.filter(recipient=member).order_by("id"))


def recipients(verb: str) -> list[str]:
    return sorted(
        Notification.objects.filter(verb=verb).values_list("recipient__username", flat=True)
    )


def test_a_status_change_reaches_every_follower_once(
    act, customer, make_member, moderator, idea, statuses
):
    voters = [make_member(username=f"voter{n}") for n in range(3)]
    for voter in voters:
        services.add_idea_vote(member=voter, idea=idea)
    follower = make_member(username="watcher")
    services.set_idea_follow(member=follower, idea=idea, following=True)
    # Voted, then stopped following: unfollowing means hearing no more, voter or not.
    services.set_idea_follow(member=voters[0], idea=idea, following=False)
    bystander = make_member(username="bystander")

    act(
        services.change_idea_status,
        actor=moderator,
        idea=idea,
        status=statuses["planned"],
        note="Coming in **May**.",
    )

    assert recipients("idea_status_changed") == ["cara", "voter1", "voter2", "watcher"]
    [notification] = inbox(voters[1])
    assert notification.sentence == f"{moderator.name} changed the status of {idea.title}"
    assert notification.excerpt == "Planned: Coming in May."
    assert notification.url == idea.get_absolute_url()
    assert (notification.target_type, notification.target_id) == ("idea", idea.pk)
    # Closing the loop is worth an e-mail by default (the "idea updates" setting).
    assert notification.channel == Channel.EMAIL
    assert inbox(bystander) == []
    assert inbox(moderator) == []
    assert Member.objects.get(pk=voters[1].pk).unread_notifications == 1


@pytest.mark.parametrize("slug", ["planned", "shipped"])
def test_a_voter_who_unfollows_is_not_told(act, other_customer, moderator, idea, statuses, slug):
    services.add_idea_vote(member=other_customer, idea=idea)
    services.set_idea_follow(member=other_customer, idea=idea, following=False)

    act(services.change_idea_status, actor=moderator, idea=idea, status=statuses[slug])
    assert inbox(other_customer) == []

    # Following again brings the news back; the vote was counted all along.
    services.set_idea_follow(member=other_customer, idea=idea, following=True)
    act(services.change_idea_status, actor=moderator, idea=idea, status=statuses["declined"])
    assert [n.verb for n in inbox(other_customer)] == ["idea_status_changed"]
    assert idea.votes.count() == 1


def test_a_status_change_is_emailed_and_its_link_stops_only_idea_emails(
    act, other_customer, moderator, idea, statuses
):
    services.add_idea_vote(member=other_customer, idea=idea)
    mail.outbox.clear()

    act(services.change_idea_status, actor=moderator, idea=idea, status=statuses["planned"])

    [email] = [m for m in mail.outbox if m.to == [other_customer.email]]
    assert f"{moderator.name} changed the status of {idea.title}" in email.subject
    unsubscribe = urlsplit(email.extra_headers["List-Unsubscribe"][1:-1]).path
    assert read_unsubscribe_token(unsubscribe.rstrip("/").rsplit("/", 1)[-1]) == (
        other_customer.pk,
        "idea_updates",
    )

    Client().post(unsubscribe)
    mail.outbox.clear()
    act(services.change_idea_status, actor=moderator, idea=idea, status=statuses["shipped"])

    assert [m.to for m in mail.outbox] == [["cara@example.com"]]  # the author still is told
    assert [n.verb for n in inbox(other_customer)] == ["idea_status_changed", "idea_shipped"]
    assert Preferences.objects.get(member=other_customer).reply == Channel.EMAIL


def test_the_staff_member_who_votes_is_not_told_of_their_own_change(act, moderator, idea, statuses):
    services.add_idea_vote(member=moderator, idea=idea)

    act(services.change_idea_status, actor=moderator, idea=idea, status=statuses["planned"])

    assert inbox(moderator) == []
    assert recipients("idea_status_changed") == ["cara"]


def test_every_change_is_told_again(act, other_customer, moderator, idea, statuses):
    services.add_idea_vote(member=other_customer, idea=idea)

    for slug in ("under-review", "planned", "in-progress", "shipped"):
        act(services.change_idea_status, actor=moderator, idea=idea, status=statuses[slug])

    assert [n.verb for n in inbox(other_customer)] == [
        "idea_status_changed",
        "idea_status_changed",
        "idea_status_changed",
        "idea_shipped",
    ]


def test_shipping_sends_the_announcement(act, other_customer, moderator, idea, statuses):
    services.add_idea_vote(member=other_customer, idea=idea)

    act(
        services.change_idea_status,
        actor=moderator,
        idea=idea,
        status=statuses["shipped"],
        note="Out today.",
        announcement_url="/t/dark-mode/7/",
        announcement_title="Dark mode is here",
    )

    [notification] = inbox(other_customer)
    assert notification.verb == "idea_shipped"
    assert notification.sentence == f"{moderator.name} shipped {idea.title}"
    assert notification.excerpt == "Shipped: Out today. Announcement: Dark mode is here"


def test_voters_who_can_no_longer_see_the_board_are_not_told(
    act, make_member, moderator, partner_board, statuses
):
    partner = make_member(username="partner1", affiliation=Affiliation.PARTNER)
    moved = make_member(username="partner2", affiliation=Affiliation.PARTNER)
    idea = make_idea(author=partner, board=partner_board)
    services.add_idea_vote(member=moved, idea=idea)
    Member.objects.filter(pk=moved.pk).update(affiliation=Affiliation.CUSTOMER)

    act(services.change_idea_status, actor=moderator, idea=idea, status=statuses["planned"])

    assert recipients("idea_status_changed") == ["partner1"]


def test_inactive_members_are_not_told(act, other_customer, moderator, idea, statuses):
    services.add_idea_vote(member=other_customer, idea=idea)
    Member.objects.filter(pk=other_customer.pk).update(is_active=False)

    act(services.change_idea_status, actor=moderator, idea=idea, status=statuses["planned"])

    assert recipients("idea_status_changed") == ["cara"]


def test_the_task_for_a_missing_idea_does_nothing():
    assert notify_idea_followers.call(999_999, "idea_status_changed", None, "Planned.") == 0


def test_nothing_is_sent_when_the_change_rolls_back(
    django_capture_on_commit_callbacks, other_customer, moderator, idea, statuses
):
    from django.db import transaction

    services.add_idea_vote(member=other_customer, idea=idea)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.change_idea_status(actor=moderator, idea=idea, status=statuses["planned"])
        raise RuntimeError("something else failed")

    assert Notification.objects.filter(verb="idea_status_changed").count() == 0
