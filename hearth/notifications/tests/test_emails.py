"""The e-mails themselves, their unsubscribe links, and the unsubscribe page they lead to."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from hearth.accounts.models import Member
from hearth.community import services as community
from hearth.notifications import services
from hearth.notifications.emails import (
    UNSUBSCRIBE_SALT,
    digest_email,
    notification_email,
    read_unsubscribe_token,
    unsubscribe_token,
)
from hearth.notifications.models import Channel, Notification, Preferences, Trigger
from hearth.notifications.services import Delivery
from hearth.notifications.tasks import send_digest, send_notification_emails

pytestmark = pytest.mark.django_db

BASE = "https://community.example.com"


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.HEARTH_BASE_URL = BASE + "/"


@pytest.fixture
def topic(make_topic, customer, public_space):
    return make_topic(author=customer, space=public_space, title="How do I export reports?")


@pytest.fixture
def replied(topic, other_customer, django_capture_on_commit_callbacks):
    """Omar replies to Cara's topic; Cara's notification e-mail goes out."""
    with django_capture_on_commit_callbacks(execute=True):
        post = community.create_reply(
            author=other_customer, topic=topic, body="Use the **CSV** button on the report."
        )
    return post


def unsubscribe_path(url: str) -> str:
    assert url.startswith(BASE + "/unsubscribe/")
    return urlsplit(url).path


def token_in(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


# The notification e-mail -------------------------------------------------------------------------


def test_the_notification_email_has_text_html_and_links(customer, replied, settings):
    notification = Notification.objects.get(recipient=customer)
    [email] = mail.outbox
    link = f"{BASE}/p/{replied.pk}/"

    assert email.to == ["cara@example.com"]
    assert email.from_email == settings.DEFAULT_FROM_EMAIL
    assert email.subject == f"[{settings.SITE_NAME}] Omar Other replied to How do I export reports?"
    assert notification.sentence in email.subject
    assert "Hello Cara Customer," in email.body
    assert notification.sentence in email.body
    assert '"Use the CSV button on the report."' in email.body
    assert f"Read it: {link}" in email.body
    assert f"{BASE}/settings/notifications/" in email.body
    assert "<p" not in email.body
    assert "<a " not in email.body
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    assert f'href="{link}"' in html
    assert "Use the CSV button on the report." in html
    assert (
        "<strong>Omar Other</strong> replied to <strong>How do I export reports?</strong>" in html
    )

    unsubscribe_url = email.extra_headers["List-Unsubscribe"][1:-1]
    assert f"Stop these e-mails: {unsubscribe_url}" in email.body
    assert f'href="{unsubscribe_url}"' in html
    assert read_unsubscribe_token(token_in(unsubscribe_path(unsubscribe_url))) == (
        customer.pk,
        Trigger.REPLY,
    )


def test_the_notification_email_asks_for_one_click_unsubscribe(customer, replied):
    [email] = mail.outbox
    message = email.message()

    pattern = r"<https://community\.example\.com/unsubscribe/[^>\s]+/>"
    assert re.fullmatch(pattern, message["List-Unsubscribe"])
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.is_multipart()
    assert [part.get_content_type() for part in message.get_payload()] == [
        "text/plain",
        "text/html",
    ]


def test_the_unsubscribe_link_in_an_email_leads_to_its_page(customer, replied):
    url = mail.outbox[0].extra_headers["List-Unsubscribe"][1:-1]

    response = Client().get(unsubscribe_path(url))

    assert response.status_code == 200
    assert "e-mails about “a reply to my topic”" in response.content.decode()


def test_the_subject_of_a_long_title_is_cut(customer, other_customer, topic):
    [notification] = services.notify_many(
        [Delivery(customer.pk, Trigger.REPLY)],
        target=topic.posts.get(),
        actor=other_customer,
        title="Export " * 60,
        url="/p/1/",
    )

    email = notification_email(notification)

    assert len(email.subject) == 200
    assert "\n" not in email.subject


def test_the_digest_email_has_text_html_and_its_own_unsubscribe(customer, other_customer, topic):
    made = services.notify_many(
        [Delivery(customer.pk, Trigger.NEW_TOPIC)],
        target=topic.posts.get(),
        actor=other_customer,
        title="Fresh topic one",
        url="/t/fresh-topic-one/1/",
        excerpt="The opening words.",
    )

    email = digest_email(customer, made)

    assert email.subject.endswith("1 thing you missed")
    assert f"{BASE}/t/fresh-topic-one/1/" in email.body
    assert "Omar Other started a new topic: Fresh topic one" in email.body
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    assert f'href="{BASE}/t/fresh-topic-one/1/"' in html
    assert "The opening words." in html
    url = email.extra_headers["List-Unsubscribe"][1:-1]
    assert f"Stop the digest: {url}" in email.body
    assert read_unsubscribe_token(token_in(unsubscribe_path(url))) == (customer.pk, "digest")
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


@pytest.mark.parametrize(
    ("verb", "what"),
    [
        ("reply", "reply"),
        ("idea_status_changed", "idea_updates"),
        ("idea_shipped", "idea_updates"),
        ("idea_commented", "idea_updates"),
        ("idea_vote_recorded", "idea_updates"),
        # A kind of notification without a setting of its own: all e-mail.
        ("moderation_warned", "all"),
    ],
)
def test_stop_these_emails_stops_the_setting_that_sent_it(
    verb, what, customer, other_customer, topic
):
    [notification] = services.notify_many(
        [Delivery(customer.pk, verb)],
        target=topic,
        actor=other_customer,
        title="Dark mode",
        url="/ideas/1/",
    )

    email = notification_email(notification)

    url = email.extra_headers["List-Unsubscribe"][1:-1]
    assert read_unsubscribe_token(token_in(unsubscribe_path(url))) == (customer.pk, what)


def test_stopping_idea_emails_keeps_every_other_email(customer):
    Client().post(unsubscribe_url(customer, "idea_updates"))

    stored = Preferences.objects.get(member=customer)
    assert stored.idea_updates == Channel.IN_APP
    assert stored.channel_for("idea_shipped") == Channel.IN_APP
    assert (stored.reply, stored.mention, stored.new_topic) == ("email", "email", "digest")
    assert stored.digest_frequency == Preferences.Digest.DAILY


def test_the_page_names_idea_updates(customer):
    html = Client().get(unsubscribe_url(customer, "idea_updates")).content.decode()

    assert "Stop e-mails about “news about ideas I follow” to cara@example.com?" in html


# Tokens ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("what", ["all", "digest", "reply", "topic_activity"])
def test_the_unsubscribe_token_round_trips(what):
    token = unsubscribe_token(42, what)

    assert read_unsubscribe_token(token) == (42, what)
    assert "/" not in token


def test_a_tampered_token_is_refused():
    token = unsubscribe_token(42, "reply")
    payload, signature = token.rsplit(":", 1)
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")

    for forged in (
        f"{payload}:{flipped}",
        payload.replace(payload[2], "x" if payload[2] != "x" else "y", 1) + ":" + signature,
        token + "x",
        "not-a-token",
        "",
    ):
        with pytest.raises(signing.BadSignature):
            read_unsubscribe_token(forged)


def test_a_token_signed_for_something_else_is_refused():
    with pytest.raises(signing.BadSignature):
        read_unsubscribe_token(signing.dumps({"m": 42, "w": "all"}, compress=True))
    with pytest.raises(signing.BadSignature):
        read_unsubscribe_token(signing.dumps({"m": 42, "w": "all"}, salt="another.salt"))


@pytest.mark.parametrize("payload", [["all"], {"w": "all"}, {"m": "42", "w": "all"}, {"m": 42}])
def test_a_well_signed_but_malformed_token_is_refused(payload):
    with pytest.raises(signing.BadSignature):
        read_unsubscribe_token(signing.dumps(payload, salt=UNSUBSCRIBE_SALT))


# The unsubscribe page ----------------------------------------------------------------------------


def unsubscribe_url(member, what):
    return reverse("notifications:unsubscribe", args=[unsubscribe_token(member.pk, what)])


def test_the_page_asks_first_and_changes_nothing_on_get(customer):
    response = Client().get(unsubscribe_url(customer, Trigger.REPLY))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Stop e-mails about “a reply to my topic” to cara@example.com?" in html
    assert '<form method="post"' in html
    assert '<button class="btn btn-primary" type="submit">Unsubscribe</button>' in html
    assert not Preferences.objects.filter(member=customer).exists()


def test_posting_without_a_csrf_token_unsubscribes_from_that_trigger(customer):
    client = Client(enforce_csrf_checks=True)

    response = client.post(unsubscribe_url(customer, Trigger.REPLY))

    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    preferences = Preferences.objects.get(member=customer)
    assert preferences.reply == Channel.IN_APP
    assert preferences.mention == Channel.EMAIL
    assert preferences.digest_frequency == Preferences.Digest.DAILY


def test_a_one_click_post_from_a_mail_client_works(customer):
    response = Client(enforce_csrf_checks=True).post(
        unsubscribe_url(customer, "all"),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    preferences = Preferences.objects.get(member=customer)
    assert preferences.digest_frequency == Preferences.Digest.NEVER
    assert {getattr(preferences, t.value) for t in Trigger} == {Channel.IN_APP}


def test_unsubscribing_from_the_digest(customer):
    Client(enforce_csrf_checks=True).post(unsubscribe_url(customer, "digest"))

    assert Preferences.objects.get(member=customer).digest_frequency == "never"


def test_after_unsubscribing_the_notification_centre_still_hears(
    customer, other_customer, topic, django_capture_on_commit_callbacks
):
    Client(enforce_csrf_checks=True).post(unsubscribe_url(customer, Trigger.REPLY))

    with django_capture_on_commit_callbacks(execute=True):
        community.create_reply(author=other_customer, topic=topic, body="Still here?")

    [notification] = Notification.objects.filter(recipient=customer)
    assert notification.channel == Channel.IN_APP
    assert notification.email_state == Notification.EmailState.NONE
    assert mail.outbox == []


def test_the_page_works_for_a_logged_in_member_too(customer, client_for):
    response = client_for(customer).post(unsubscribe_url(customer, Trigger.MENTION))

    assert response.status_code == 200
    assert Preferences.objects.get(member=customer).mention == Channel.IN_APP


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_link_shows_an_error_page(customer, method):
    url = unsubscribe_url(customer, "all")
    tampered = url[:-3] + ("x" if url[-3] != "x" else "y") + url[-2:]

    response = getattr(Client(enforce_csrf_checks=True), method)(tampered)

    assert response.status_code == 400
    assert "That link does not work" in response.content.decode()
    assert not Preferences.objects.filter(member=customer).exists()


def test_a_link_for_an_unknown_kind_or_an_inactive_member_shows_an_error_page(
    customer, other_customer
):
    Member.objects.filter(pk=other_customer.pk).update(is_active=False)

    for url in (
        unsubscribe_url(customer, "birthday"),
        unsubscribe_url(other_customer, "all"),
        reverse("notifications:unsubscribe", args=[unsubscribe_token(10**9, "all")]),
    ):
        response = Client(enforce_csrf_checks=True).post(url)
        assert response.status_code == 400
        assert "That link does not work" in response.content.decode()
    assert not Preferences.objects.exists()


def test_the_page_takes_only_get_and_post(customer):
    response = Client().put(unsubscribe_url(customer, "all"))

    assert response.status_code == 405


# Escaping ----------------------------------------------------------------------------------------


SCRIPT_TITLE = '<script>alert("title")</script> export'
IMG_BODY = '<img src=x onerror=alert("body")> and <script>alert("body")</script>'


def assert_no_live_markup(html: str) -> None:
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert re.search(r"<[^>]*\sonerror\s*=", html, re.IGNORECASE) is None


def test_an_xss_payload_renders_escaped_in_the_html_email(
    customer, make_member, public_space, django_capture_on_commit_callbacks
):
    mallory = make_member(username="mallory", display_name='<b onmouseover="x()">Mal</b>')
    topic = community.create_topic(
        author=customer, space=public_space, title=SCRIPT_TITLE, body="Harmless opening."
    )

    with django_capture_on_commit_callbacks(execute=True):
        community.create_reply(author=mallory, topic=topic, body=IMG_BODY)

    [email] = mail.outbox
    [(html, _)] = email.alternatives
    assert_no_live_markup(html)
    assert "<b onmouseover" not in html
    assert "&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt; export" in html
    assert "&lt;img src=x onerror=alert(&quot;body&quot;)&gt;" in html
    assert "&lt;b onmouseover=&quot;x()&quot;&gt;Mal&lt;/b&gt;" in html
    # The plain-text part is text: it carries the words as typed, for a mail client to show.
    assert SCRIPT_TITLE in email.body


def test_an_xss_payload_renders_escaped_in_the_digest(
    customer, make_member, public_space, django_capture_on_commit_callbacks
):
    mallory = make_member(username="mallory", display_name='<b onmouseover="x()">Mal</b>')
    services.set_watch(member=customer, level="watching", space=public_space)

    with django_capture_on_commit_callbacks(execute=True):
        community.create_topic(
            author=mallory, space=public_space, title=SCRIPT_TITLE, body=IMG_BODY
        )
    assert send_digest.call(customer.pk) == 1

    [email] = mail.outbox
    [(html, _)] = email.alternatives
    assert_no_live_markup(html)
    assert "<b onmouseover" not in html
    assert "&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt; export" in html
    assert "&lt;img src=x onerror=alert(&quot;body&quot;)&gt;" in html


def test_an_xss_payload_in_a_notification_built_by_hand_is_escaped(customer, topic):
    [notification] = services.notify_many(
        [Delivery(customer.pk, Trigger.MENTION)],
        target=topic.posts.get(),
        actor=None,
        title=SCRIPT_TITLE,
        url='/p/1/"><script>alert(1)</script>',
        excerpt=IMG_BODY,
    )

    send_notification_emails.call([notification.pk])

    [(html, _)] = mail.outbox[0].alternatives
    assert_no_live_markup(html)
