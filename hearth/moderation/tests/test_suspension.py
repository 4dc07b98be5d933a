"""Suspended members cannot post or log in until the suspension ends; banned ones never."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hearth.accounts import services as account_services
from hearth.accounts.models import Member
from hearth.community import services as community
from hearth.core.errors import NotAllowed
from hearth.moderation import services
from hearth.testing import PASSWORD


def _end_suspension(member):
    Member.objects.filter(pk=member.pk).update(
        suspended_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    member.refresh_from_db()


def _log_in(username):
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    return client, response


def test_a_suspended_member_cannot_log_in_and_is_told_until_when(customer, moderator):
    services.suspend_member(actor=moderator, member=customer, days=3, reason="Insults.")

    client, response = _log_in("cara")

    assert response.status_code == 200
    assert "This account is suspended until" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_suspended_members_open_session_ends(customer, moderator, client_for, topic):
    client = client_for(customer)
    assert client.get(reverse("accounts:edit_profile")).status_code == 200

    services.suspend_member(actor=moderator, member=customer, days=3, reason="Insults.")

    assert client.get(reverse("accounts:edit_profile")).status_code == 302
    response = client.post(reverse("community:reply", args=[topic.pk]), {"body": "Hi"})
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_suspended_member_cannot_post(customer, moderator, topic, moderation_checks):
    services.suspend_member(actor=moderator, member=customer, days=3, reason="Insults.")
    customer.refresh_from_db()

    with pytest.raises(NotAllowed) as error:
        community.create_reply(author=customer, topic=topic, body="Let me in")
    assert error.value.code == "account_suspended"


def test_after_the_suspension_ends_the_member_logs_in_and_posts_again(
    customer, moderator, topic, moderation_checks
):
    services.suspend_member(actor=moderator, member=customer, days=1, reason="Insults.")
    _end_suspension(customer)

    client, response = _log_in("cara")

    assert response.status_code == 302
    reply = client.post(reverse("community:reply", args=[topic.pk]), {"body": "I am back."})
    assert reply.status_code == 302
    assert topic.posts.filter(author=customer, body="I am back.").exists()


def test_a_banned_member_is_told_so(customer, moderator):
    services.ban_member(actor=moderator, member=customer, reason="Spam account.")

    _, response = _log_in("cara")

    assert "This account is banned" in response.content.decode()


def test_a_wrong_password_does_not_reveal_a_suspension(customer, moderator):
    services.suspend_member(actor=moderator, member=customer, days=3, reason="Insults.")

    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "cara", "password": "nope"})

    assert "suspended" not in response.content.decode()


def test_a_suspended_members_api_tokens_stop_working(customer, moderator):
    _, secret = account_services.create_api_token(member=customer, name="Script", scope="read")
    services.suspend_member(actor=moderator, member=customer, days=3, reason="Insults.")

    response = Client().get("/api/v1/spaces", HTTP_AUTHORIZATION=f"Bearer {secret}")

    assert response.status_code == 403
    assert response.json()["code"] == "account_suspended"


def test_lifting_a_suspension_lets_the_member_back_in(customer, moderator):
    action = services.suspend_member(actor=moderator, member=customer, days=30, reason="x")

    services.undo_action(actor=moderator, action=action, reason="Appeal accepted.")

    assert _log_in("cara")[1].status_code == 302


def test_a_silenced_member_reads_but_cannot_reply_or_react(
    client_for, customer, moderator, topic, reply
):
    services.silence_member(actor=moderator, member=customer, days=2, reason="Cool off.")
    client = client_for(customer)

    page = client.get(topic.get_absolute_url()).content.decode()
    assert "You are silenced until" in page
    assert 'id="reply"' not in page
    response = client.post(reverse("community:reply", args=[topic.pk]), {"body": "Hi"})
    assert response.status_code == 403
    assert "silenced until" in response.content.decode()
    customer.refresh_from_db()
    with pytest.raises(NotAllowed) as error:
        community.set_reaction(member=customer, post=reply, kind="like", active=True)
    assert error.value.code == "silenced"
