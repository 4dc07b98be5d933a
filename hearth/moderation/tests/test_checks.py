"""Screening and rate limits on posting, as members meet them through the community services."""

import datetime

import pytest
from django.utils import timezone

from hearth.accounts.models import Member
from hearth.community import services as community
from hearth.community.models import Post, Space, State, Topic
from hearth.core import ratelimit
from hearth.core.errors import NotAllowed, RateLimited
from hearth.moderation import services
from hearth.moderation.models import ModerationAction, ReviewItem
from hearth.notifications.models import Notification

CRITICISM = [
    "Your product is overpriced and the support is slow; Acme's hub is much better.",
    "Honestly the last update was a mess and broke my automations. Please fix it.",
    "I switched to BrightHome and their app is far better than yours.",
    "Nobody at your company listens to customers, and the pricing is a rip-off.",
    "The support team closed my ticket without reading it. Terrible service.",
    "Your billing page is broken and your CEO should be embarrassed.",
]
ATTACKS = [
    "You are an idiot and should shut up.",
    "Only a moron would write this, you stupid clown.",
    "Thanks for nothing. Go to hell, you worthless piece of shit.",
    "Nobody cares what you think, you pathetic loser.",
]


@pytest.fixture
def clock(monkeypatch):
    """The rate limits' clock, moved by hand: clock.advance(seconds)."""

    class Clock:
        now = 1_800_000_000.0

        def advance(self, seconds: float) -> None:
            self.now += seconds

    frozen = Clock()
    monkeypatch.setattr(ratelimit, "now", lambda: frozen.now)
    return frozen


def _trusted(member, level=1):
    Member.objects.filter(pk=member.pk).update(trust_level=level)
    member.refresh_from_db()
    return member


# --- Screening --------------------------------------------------------------------------------


@pytest.mark.parametrize("body", CRITICISM)
def test_criticism_of_the_company_and_praise_of_competitors_is_published(
    moderation_checks, topic, make_member, body
):
    post = community.create_reply(author=make_member(), topic=topic, body=body)

    assert post.state == State.PUBLISHED
    assert not ReviewItem.objects.exists()


def test_a_critical_new_topic_is_published_too(moderation_checks, make_member, public_space):
    topic = community.create_topic(
        author=make_member(),
        space=public_space,
        title="Your support is slow and Acme's hub is better",
        body=CRITICISM[0],
    )

    assert topic.state == State.PUBLISHED
    assert Space.objects.get(pk=public_space.pk).topic_count == 1


@pytest.mark.parametrize("body", ATTACKS)
def test_personal_attacks_are_held_with_the_reason_shown_to_the_author(
    moderation_checks, topic, make_member, body
):
    author = make_member()
    replies = Topic.objects.get(pk=topic.pk).reply_count

    post = community.create_reply(author=author, topic=topic, body=body)

    assert post.state == State.HELD
    assert "offensive language or a personal attack" in post.state_reason
    assert Topic.objects.get(pk=topic.pk).reply_count == replies
    review = ReviewItem.objects.get(post=post)
    assert review.held and review.held_reason == post.state_reason
    hold = ModerationAction.objects.get(kind="hold")
    assert hold.actor is None and hold.payload["codes"] == ["offensive"]
    notification = Notification.objects.get(recipient=author, verb="moderation_held")
    assert "offensive" in notification.excerpt


def test_a_held_topic_stays_out_of_the_space_until_approved(
    moderation_checks, make_member, public_space, moderator
):
    topic = community.create_topic(
        author=make_member(),
        space=public_space,
        title="A rant about a person",
        body="You are an idiot and should shut up.",
    )
    assert topic.state == State.HELD
    assert Space.objects.get(pk=public_space.pk).topic_count == 0

    services.approve_post(
        actor=moderator, post=topic.posts.get(), reason="Quoting someone else, fine."
    )

    assert Topic.objects.get(pk=topic.pk).state == State.PUBLISHED
    space = Space.objects.get(pk=public_space.pk)
    assert (space.topic_count, space.post_count) == (1, 1)


def test_the_threshold_is_a_setting(moderation_checks, topic, make_member):
    moderation_checks.HEARTH_SCREENING_THRESHOLD = 0.01

    post = community.create_reply(author=make_member(), topic=topic, body=CRITICISM[0])

    assert post.state == State.HELD


def test_words_on_the_staff_list_are_held(moderation_checks, topic, make_member, moderator):
    services.add_screening_word(actor=moderator, word="cheapcoins")
    author = make_member()

    held = community.create_reply(author=author, topic=topic, body="Buy CheapCoins today.")
    fine = community.create_reply(author=make_member(), topic=topic, body="Cheap coins? No.")

    assert held.state == State.HELD and "review first" in held.state_reason
    assert fine.state == State.PUBLISHED


@pytest.mark.parametrize(
    "body",
    [
        "See https://example.com/deal",
        "Look: ![chart](https://example.com/a.png)",
        "Visit www.example.com now",
    ],
)
def test_links_and_images_from_new_members_are_held(moderation_checks, topic, make_member, body):
    newcomer = make_member()
    regular = _trusted(make_member())

    assert community.create_reply(author=newcomer, topic=topic, body=body).state == State.HELD
    assert community.create_reply(author=regular, topic=topic, body=body).state == State.PUBLISHED


def test_mentions_are_not_links(moderation_checks, topic, make_member, customer):
    post = community.create_reply(author=make_member(), topic=topic, body="Thanks @cara!")

    assert post.state == State.PUBLISHED


def test_the_same_text_posted_again_and_again_is_held(
    moderation_checks, make_topic, make_member, clock
):
    spammer = _trusted(make_member())
    body = "Great deals on smart bulbs, message me."
    first = community.create_reply(author=spammer, topic=make_topic(), body=body)
    clock.advance(400)
    second = community.create_reply(author=spammer, topic=make_topic(), body=body)
    clock.advance(400)
    third = community.create_reply(author=spammer, topic=make_topic(), body=body)

    assert [first.state, second.state, third.state] == ["published", "published", "held"]
    assert "same text" in third.state_reason


def test_bursts_from_new_members_are_held(moderation_checks, make_topic, make_member, clock):
    moderation_checks.HEARTH_SCREENING_BURST = "3/10min"
    newcomer = make_member()
    states = []
    for number in range(4):
        clock.advance(60)
        states.append(
            community.create_reply(
                author=newcomer, topic=make_topic(), body=f"Reply number {number}"
            ).state
        )

    assert states == ["published", "published", "published", "held"]


def test_premoderation_holds_a_new_members_first_posts(
    moderation_checks, make_topic, make_member, moderator, clock
):
    moderation_checks.HEARTH_PREMODERATION_POSTS = 2
    newcomer = make_member()
    topic = make_topic(author=moderator)
    states = []
    for number in range(3):
        clock.advance(60)
        states.append(
            community.create_reply(author=newcomer, topic=topic, body=f"Hello {number}").state
        )

    assert states == ["held", "held", "published"]


def test_staff_posts_are_never_screened(moderation_checks, topic, moderator):
    post = community.create_reply(
        author=moderator, topic=topic, body="Quoting the spam we removed: you stupid moron."
    )

    assert post.state == State.PUBLISHED


def test_an_edit_that_screening_would_hold_goes_back_for_review(
    moderation_checks, topic, make_member
):
    author = make_member()
    post = community.create_reply(author=author, topic=topic, body="Fair point about pricing.")
    replies = Topic.objects.get(pk=topic.pk).reply_count

    community.edit_post(editor=author, post=post, body="Fair point, you pathetic loser.")

    post = Post.objects.get(pk=post.pk)
    assert post.state == State.HELD
    assert Topic.objects.get(pk=topic.pk).reply_count == replies - 1
    assert ReviewItem.objects.get(post=post).held


# --- Rate limits ------------------------------------------------------------------------------


def test_one_reply_per_5_seconds_for_members(moderation_checks, topic, make_member, clock):
    member = _trusted(make_member())
    community.create_reply(author=member, topic=topic, body="First.")
    clock.advance(2)

    with pytest.raises(RateLimited) as error:
        community.create_reply(author=member, topic=topic, body="Second.")

    assert error.value.status == 429
    assert error.value.retry_after == 3
    assert "Try again in 3 seconds." in error.value.message
    clock.advance(3)
    assert community.create_reply(author=member, topic=topic, body="Second.").pk


def test_new_members_wait_30_seconds_between_replies(moderation_checks, topic, make_member, clock):
    newcomer = make_member()
    community.create_reply(author=newcomer, topic=topic, body="First.")
    clock.advance(29)

    with pytest.raises(RateLimited) as error:
        community.create_reply(author=newcomer, topic=topic, body="Second.")
    assert error.value.retry_after == 1
    clock.advance(1)
    community.create_reply(author=newcomer, topic=topic, body="Second.")


@pytest.mark.parametrize(("level", "wait"), [(0, 120), (1, 15)])
def test_topics_wait_longer_for_new_members(
    moderation_checks, make_member, public_space, clock, level, wait
):
    member = _trusted(make_member(), level)
    community.create_topic(author=member, space=public_space, title="First topic", body="One")
    clock.advance(wait - 1)

    with pytest.raises(RateLimited):
        community.create_topic(author=member, space=public_space, title="Second topic", body="2")
    clock.advance(1)
    assert community.create_topic(
        author=member, space=public_space, title="Second topic", body="Two"
    ).pk


def test_no_identical_post_within_5_minutes(moderation_checks, make_topic, make_member, clock):
    member = _trusted(make_member())
    community.create_reply(author=member, topic=make_topic(), body="Same words here.")
    clock.advance(60)

    with pytest.raises(RateLimited) as error:
        community.create_reply(author=member, topic=make_topic(), body="same   WORDS here.")
    assert "exactly this" in error.value.message
    assert error.value.retry_after == 240
    clock.advance(240)
    community.create_reply(author=member, topic=make_topic(), body="Same words here.")


def test_posts_a_day_follow_the_trust_level(moderation_checks, make_topic, make_member, clock):
    moderation_checks.HEARTH_TRUST_POSTS_PER_DAY = [2, 50, 200, 1000, 0]
    newcomer = make_member()
    for number in range(2):
        clock.advance(60)
        community.create_reply(author=newcomer, topic=make_topic(), body=f"Post {number}")
    clock.advance(60)

    with pytest.raises(RateLimited) as error:
        community.create_reply(author=newcomer, topic=make_topic(), body="One too many")

    assert "2 posts a day" in error.value.message
    Post.objects.filter(author=newcomer).update(
        created_at=timezone.now() - datetime.timedelta(days=1, minutes=1)
    )
    community.create_reply(author=newcomer, topic=make_topic(), body="Next day")


def test_rate_limits_are_refused_before_anything_is_written(
    moderation_checks, topic, make_member, clock
):
    member = _trusted(make_member())
    community.create_reply(author=member, topic=topic, body="First.")
    count = Post.objects.count()

    with pytest.raises(RateLimited):
        community.create_reply(author=member, topic=topic, body="Second.")

    assert Post.objects.count() == count


def test_staff_are_not_rate_limited(moderation_checks, topic, moderator, clock):
    replies = [
        community.create_reply(author=moderator, topic=topic, body=f"Note {number}")
        for number in range(3)
    ]

    posted = Post.objects.filter(author=moderator, position__gt=1).order_by("position")
    assert list(posted) == replies
    assert [post.state for post in posted] == [State.PUBLISHED] * 3
    assert Topic.objects.get(pk=topic.pk).reply_count == 3
    assert not ReviewItem.objects.exists()


def test_silenced_members_cannot_post_until_it_ends(moderation_checks, topic, customer, moderator):
    services.silence_member(actor=moderator, member=customer, days=1, reason="Cool off.")
    customer.refresh_from_db()

    with pytest.raises(NotAllowed) as error:
        community.create_reply(author=customer, topic=topic, body="Let me speak")
    assert error.value.code == "silenced"

    Member.objects.filter(pk=customer.pk).update(
        silenced_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    customer.refresh_from_db()
    assert community.create_reply(author=customer, topic=topic, body="Back.").pk
