"""The moderation pages as members and moderators use them (no JavaScript needed)."""

import pytest
from django.urls import reverse

from hearth.community.models import Post, State
from hearth.moderation import services
from hearth.moderation.models import Flag, ModerationAction, ReviewItem, ScreeningWord
from hearth.notifications.models import Notification

STAFF_PAGES = ["moderation:queue", "moderation:log", "moderation:screening"]


def _flag(client, post, reason="personal_attack", note=""):
    return client.post(
        reverse("moderation:flag_post", args=[post.pk]), {"reason": reason, "note": note}
    )


# --- Flagging ---------------------------------------------------------------------------------


def test_a_member_flags_a_post_from_its_page(client_for, customer, reply):
    client = client_for(customer)
    page = client.get(reply.topic.get_absolute_url()).content.decode()
    assert reverse("moderation:flag_post", args=[reply.pk]) in page

    form = client.get(reverse("moderation:flag_post", args=[reply.pk]))
    assert form.status_code == 200
    assert "/code-of-conduct/" in form.content.decode()
    response = _flag(client, reply, note="Calls people names")

    assert response.status_code == 302
    assert Flag.objects.get().note == "Calls people names"
    followed = client.get(response["Location"], follow=True)
    assert "the moderators will look at it" in followed.content.decode()


def test_flagging_twice_says_so(client_for, customer, reply):
    client = client_for(customer)
    _flag(client, reply)

    response = _flag(client, reply)

    assert response.status_code == 409
    assert "flagged this post already" in response.content.decode()


def test_a_flag_without_a_reason_is_a_form_error(client_for, customer, reply):
    response = client_for(customer).post(reverse("moderation:flag_post", args=[reply.pk]), {})

    assert response.status_code == 400
    assert not Flag.objects.exists()


def test_a_member_flags_another_member_from_their_profile(client_for, customer, author):
    client = client_for(customer)
    assert (
        reverse("moderation:flag_member", args=["arlo"])
        in client.get(author.get_absolute_url()).content.decode()
    )

    response = client.post(
        reverse("moderation:flag_member", args=["arlo"]),
        {"reason": "harassment", "note": "Keeps messaging me"},
    )

    assert response.status_code == 302
    assert ReviewItem.objects.get().kind == "member"


def test_visitors_are_sent_to_log_in_to_flag(client, reply):
    response = client.get(reverse("moderation:flag_post", args=[reply.pk]))

    assert response.status_code == 302 and "/login/" in response["Location"]


# --- Who sees the staff pages -----------------------------------------------------------------


@pytest.mark.parametrize("page", STAFF_PAGES)
@pytest.mark.parametrize(
    ("role", "status"), [("member", 403), ("expert", 403), ("moderator", 200), ("manager", 200)]
)
def test_staff_pages_are_for_moderators_and_managers(client_for, roles, page, role, status):
    assert client_for(roles[role]).get(reverse(page)).status_code == status


@pytest.mark.parametrize(
    ("role", "shown"), [("member", False), ("moderator", True), ("manager", True)]
)
def test_the_header_links_the_queue_for_staff(client_for, roles, role, shown):
    page = client_for(roles[role]).get(reverse("community:home")).content.decode()

    assert (reverse("moderation:queue") in page) == shown


def test_a_member_cannot_decide_on_an_item(client_for, customer, other_customer, reply):
    services.flag_post(flagger=other_customer, post=reply, reason="spam")
    item = ReviewItem.objects.get()

    response = client_for(customer).post(
        reverse("moderation:act", args=[item.pk]),
        {f"item{item.pk}-action": "hide", f"item{item.pk}-reason": "No."},
    )

    assert response.status_code == 403
    assert Post.objects.get(pk=reply.pk).state == State.PUBLISHED


# --- The queue --------------------------------------------------------------------------------


def test_the_queue_shows_each_item_with_its_context(client_for, moderator, customer, reply, author):
    services.warn_member(actor=moderator, member=reply.author, reason="Earlier warning text.")
    services.flag_post(flagger=customer, post=reply, reason="personal_attack", note="Rude!")

    page = client_for(moderator).get(reverse("moderation:queue")).content.decode()

    assert "Try a firmware reset." in page
    assert "The new dimmer keeps flickering" in page
    assert "Personal attack" in page and "Rude!" in page
    assert "Earlier warning text." in page
    assert "Here is what I would like to talk about." in page  # the post before it


def test_a_moderator_hides_a_post_from_the_queue_without_javascript(
    client_for, moderator, customer, reply
):
    services.flag_post(flagger=customer, post=reply, reason="personal_attack")
    item = ReviewItem.objects.get()
    client = client_for(moderator)

    response = client.post(
        reverse("moderation:act", args=[item.pk]),
        {
            f"item{item.pk}-action": "hide",
            f"item{item.pk}-reason": "Attacks a member.",
            f"item{item.pk}-days": "7",
        },
    )

    assert response.status_code == 302
    assert Post.objects.get(pk=reply.pk).state == State.HIDDEN
    notification = Notification.objects.get(recipient=reply.author)
    assert notification.excerpt == "Reason: Attacks a member."
    assert "Nothing is waiting" in client.get(reverse("moderation:queue")).content.decode()


def test_deciding_with_htmx_swaps_the_item_for_the_result(client_for, moderator, customer, reply):
    services.flag_post(flagger=customer, post=reply, reason="spam")
    item = ReviewItem.objects.get()

    response = client_for(moderator).post(
        reverse("moderation:act", args=[item.pk]),
        {f"item{item.pk}-action": "approve", f"item{item.pk}-reason": "Fine."},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert f'id="review-{item.pk}"' in response.content.decode()
    assert "Approved." in response.content.decode()


def test_a_decision_without_a_reason_is_refused_with_the_form(
    client_for, moderator, customer, reply
):
    services.flag_post(flagger=customer, post=reply, reason="spam")
    item = ReviewItem.objects.get()

    response = client_for(moderator).post(
        reverse("moderation:act", args=[item.pk]), {f"item{item.pk}-action": "hide"}
    )

    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert Post.objects.get(pk=reply.pk).state == State.PUBLISHED


def test_moving_from_the_queue(client_for, moderator, customer, reply, make_space):
    target = make_space(name="Lighting lounge")
    services.flag_post(flagger=customer, post=reply, reason="off_topic")
    item = ReviewItem.objects.get()

    client_for(moderator).post(
        reverse("moderation:act", args=[item.pk]),
        {
            f"item{item.pk}-action": "move",
            f"item{item.pk}-reason": "Better there.",
            f"item{item.pk}-space": target.slug,
        },
    )

    assert Post.objects.get(pk=reply.pk).topic.space == target


def test_editing_from_the_queue(client_for, moderator, customer, reply):
    services.flag_post(flagger=customer, post=reply, reason="other", note="Has a phone number")
    item = ReviewItem.objects.get()

    client_for(moderator).post(
        reverse("moderation:act", args=[item.pk]),
        {
            f"item{item.pk}-action": "edit",
            f"item{item.pk}-reason": "Removed a phone number.",
            f"item{item.pk}-body": "Try a firmware reset (number removed).",
        },
    )

    assert Post.objects.get(pk=reply.pk).body == "Try a firmware reset (number removed)."


def test_deciding_twice_is_a_conflict(client_for, moderator, customer, reply):
    services.flag_post(flagger=customer, post=reply, reason="spam")
    item = ReviewItem.objects.get()
    client = client_for(moderator)
    data = {f"item{item.pk}-action": "approve", f"item{item.pk}-reason": "Fine."}
    client.post(reverse("moderation:act", args=[item.pk]), data)

    response = client.post(reverse("moderation:act", args=[item.pk]), data)

    assert response.status_code == 409
    assert "decided on this already" in response.content.decode()


def test_the_queue_runs_the_same_queries_for_2_or_20_items(
    client_for, moderator, make_member, make_topic, public_space, django_assert_max_num_queries
):
    client = client_for(moderator)

    def flag_some(count):
        for _ in range(count):
            topic = make_topic(space=public_space)
            reply = Post.objects.create(
                topic=topic,
                author=make_member(),
                position=2,
                body="Reply",
                body_html="<p>Reply</p>",
                created_at=topic.created_at,
            )
            services.flag_post(flagger=make_member(), post=reply, reason="spam")
            services.warn_member(actor=moderator, member=reply.author, reason="Careful.")

    client.get(reverse("community:home"))  # the day's visit is recorded once, not measured

    def count_queries():
        with django_assert_max_num_queries(20) as captured:
            assert client.get(reverse("moderation:queue")).status_code == 200
        return len(captured)

    flag_some(2)
    few = count_queries()
    flag_some(18)
    many = count_queries()

    assert few == many


def test_the_log_runs_the_same_queries_for_few_or_many_decisions(
    client_for, moderator, make_member, django_assert_max_num_queries
):
    client = client_for(moderator)
    client.get(reverse("community:home"))  # the day's visit is recorded once, not measured
    for _ in range(3):
        services.warn_member(actor=moderator, member=make_member(), reason="x")
    with django_assert_max_num_queries(15) as few:
        client.get(reverse("moderation:log"))
    for _ in range(30):
        services.warn_member(actor=moderator, member=make_member(), reason="x")
    with django_assert_max_num_queries(15) as many:
        client.get(reverse("moderation:log"))

    assert len(few) == len(many)


# --- The log, a member's record, undo, screening words ----------------------------------------


def test_the_log_lists_decisions_and_undoes_one(client_for, moderator, customer):
    action = services.silence_member(actor=moderator, member=customer, days=3, reason="Rude.")
    client = client_for(moderator)

    page = client.get(reverse("moderation:log")).content.decode()
    assert "Silenced" in page and "Rude." in page

    response = client.post(reverse("moderation:undo", args=[action.pk]), {"reason": "Apologised."})

    assert response.status_code == 302
    customer.refresh_from_db()
    assert not customer.is_silenced
    assert ModerationAction.objects.filter(reverts=action).exists()


@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [
        ("/moderation/members/cara/", "/moderation/members/cara/"),
        ("https://evil.example/login", None),
        ("//evil.example/login", None),
        ("", None),
    ],
)
def test_undo_goes_back_only_to_a_page_of_ours(client_for, moderator, customer, next_url, lands_on):
    action = services.silence_member(actor=moderator, member=customer, days=3, reason="Rude.")

    response = client_for(moderator).post(
        reverse("moderation:undo", args=[action.pk]), {"reason": "Sorry.", "next": next_url}
    )

    assert response.status_code == 302
    assert response["Location"] == (lands_on or reverse("moderation:log"))


def test_the_log_filters_by_kind(client_for, moderator, customer, reply):
    services.warn_member(actor=moderator, member=customer, reason="A warning.")
    services.hide_post(actor=moderator, post=reply, reason="A hiding.")

    page = client_for(moderator).get(reverse("moderation:log") + "?kind=warn").content.decode()

    assert "A warning." in page and "A hiding." not in page


def test_a_moderator_suspends_a_member_from_their_record(client_for, moderator, customer):
    client = client_for(moderator)
    response = client.post(
        reverse("moderation:member", args=["cara"]),
        {"form": "act", "act-action": "suspend", "act-reason": "Threats.", "act-days": "7"},
    )

    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.is_suspended
    assert "Suspended until" in client.get(response["Location"]).content.decode()


def test_a_moderator_locks_a_trust_level(client_for, moderator, customer):
    client_for(moderator).post(
        reverse("moderation:member", args=["cara"]),
        {"form": "trust", "trust-level": "3", "trust-locked": "on", "trust-reason": "Known."},
    )

    customer.refresh_from_db()
    assert (customer.trust_level, customer.trust_level_locked) == (3, True)


def test_a_moderator_cannot_act_on_a_manager_from_the_page(client_for, moderator, manager):
    client = client_for(moderator)
    page = client.get(reverse("moderation:member", args=[manager.username])).content.decode()
    assert "You cannot act on this member" in page

    response = client.post(
        reverse("moderation:member", args=[manager.username]),
        {"form": "act", "act-action": "ban", "act-reason": "Coup."},
    )

    assert response.status_code == 403
    manager.refresh_from_db()
    assert not manager.is_suspended


def test_moderators_add_and_remove_screening_words(client_for, moderator):
    client = client_for(moderator)

    client.post(reverse("moderation:screening"), {"word": "CheapCoins"})
    entry = ScreeningWord.objects.get()
    assert entry.word == "cheapcoins"
    assert "cheapcoins" in client.get(reverse("moderation:screening")).content.decode()

    client.post(reverse("moderation:remove_screening_word", args=[entry.pk]))
    assert not ScreeningWord.objects.exists()


def test_the_composer_links_the_code_of_conduct(client_for, customer, topic, public_space):
    client = client_for(customer)

    assert "/code-of-conduct/" in client.get(topic.get_absolute_url()).content.decode()
    new = client.get(reverse("community:new_topic", args=[public_space.slug])).content.decode()
    assert "code of conduct</a>" in new


def test_a_held_post_tells_its_author_why_right_away(
    client_for, moderation_checks, topic, make_member
):
    client = client_for(make_member())

    response = client.post(
        reverse("community:reply", args=[topic.pk]),
        {"body": "You are an idiot and should shut up."},
        follow=True,
    )

    page = response.content.decode()
    assert "held for review" in page
    assert "offensive language or a personal attack" in page


def test_a_rate_limited_reply_says_when_to_try_again(
    client_for, moderation_checks, topic, make_member
):
    client = client_for(make_member())
    client.post(reverse("community:reply", args=[topic.pk]), {"body": "First"})

    response = client.post(reverse("community:reply", args=[topic.pk]), {"body": "Second"})

    assert response.status_code == 429
    assert "Try again in" in response.content.decode()


def test_a_post_deleted_while_waiting_leaves_the_queue(client_for, moderator, customer, reply):
    from hearth.community import services as community

    services.flag_post(flagger=customer, post=reply, reason="spam")
    community.delete_post(actor=reply.author, post=reply)

    page = client_for(moderator).get(reverse("moderation:queue")).content.decode()

    assert "Nothing is waiting" in page
