"""The notification centre, the header bell, notification settings and watch controls, over HTTP.

Notifications are made the way members make them (a reply fans out once the transaction
commits, run here with `django_capture_on_commit_callbacks(execute=True)`) or, where only the
page is under test, with `services.notify()`.
"""

import html
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from hearth.accounts.models import Member
from hearth.notifications import services
from hearth.notifications.models import Notification, Preferences, Trigger, Watch

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
INBOX = "/notifications/"
BADGE = "/notifications/badge/"
READ_ALL = "/notifications/read-all/"
PREFERENCES = "/settings/notifications/"
MAX_QUERIES = 8
DEFAULT_CHANNELS = {
    "reply": "email",
    "quote": "email",
    "mention": "email",
    "reaction": "in_app",
    "new_topic": "digest",
    "topic_activity": "digest",
    "idea_updates": "email",
}


# --- helpers -------------------------------------------------------------------------------


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def messages_of(response) -> list[str]:
    return [m.message for m in get_messages(response.wsgi_request)]


def text_of(markup: str) -> str:
    """The page's text: tags dropped, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def content(response) -> str:
    return response.content.decode()


def open_url(notification) -> str:
    return reverse("notifications:open", args=[notification.pk])


def read_url(notification) -> str:
    return reverse("notifications:mark_read", args=[notification.pk])


def watch_url(kind: str, key) -> str:
    return reverse("community:watch", args=[kind, str(key)])


def unread_badge(markup: str) -> int | None:
    """The count the header bell shows, or None when it shows none."""
    match = re.search(r'class="badge badge-count" data-unread="(\d+)"', markup)
    return int(match.group(1)) if match else None


def selected(markup: str, name: str) -> str | None:
    """The value of the selected option of <select name=...>."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', markup, re.S)
    assert select, f"no <select name={name}>"
    option = re.search(r'<option value="([^"]*)"[^>]*\bselected\b', select.group(1))
    return option.group(1) if option else None


def input_value(markup: str, name: str) -> str | None:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', markup)
    assert tag, f"no <input name={name}>"
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else None


def reply_and_fan_out(make_reply, django_capture_on_commit_callbacks, *, topic, author, body):
    """A reply through the service, with its background fan-out run as it commits."""
    with django_capture_on_commit_callbacks(execute=True):
        return make_reply(topic=topic, author=author, body=body)


def notify(recipient, actor, post, *, trigger=Trigger.REPLY, title=None, excerpt="An excerpt"):
    return services.notify(
        recipient=recipient,
        trigger=trigger,
        target=post,
        actor=actor,
        title=title or post.topic.title,
        url=post.get_absolute_url(),
        excerpt=excerpt,
    )


@pytest.fixture
def topic(make_topic, customer, public_space):
    return make_topic(author=customer, space=public_space, title="Exporting invoices as CSV")


@pytest.fixture
def some_notifications(make_member, make_reply, topic, customer):
    """Three notifications of `customer`, oldest first, from three different people.

    The replies' own fan-out does not run (nothing commits in these tests): `notify()` makes
    exactly the notifications wanted here.
    """
    made = []
    for n, trigger in enumerate([Trigger.REPLY, Trigger.MENTION, Trigger.QUOTE]):
        actor = make_member(username=f"actor{n}", display_name=f"Actor {n}")
        post = make_reply(topic=topic, author=actor, body=f"Reply {n}")
        made.append(notify(customer, actor, post, trigger=trigger, excerpt=f"Excerpt number {n}"))
    return made


# --- the notification centre ---------------------------------------------------------------


def test_a_reply_reaches_the_topic_authors_notification_centre_with_sentence_and_excerpt(
    client_for, customer, other_customer, topic, make_reply, django_capture_on_commit_callbacks
):
    reply = reply_and_fan_out(
        make_reply,
        django_capture_on_commit_callbacks,
        topic=topic,
        author=other_customer,
        body="Open **Billing** and use the Export button.",
    )
    notification = Notification.objects.get(recipient=customer)
    assert notification.verb == Trigger.REPLY
    assert notification.url == reply.get_absolute_url()
    assert fresh(customer).unread_notifications == 1

    response = client_for(customer).get(INBOX)

    assert response.status_code == 200
    page = text_of(content(response))
    assert "Omar Other replied to Exporting invoices as CSV" in page
    assert "Open Billing and use the Export button." in page
    assert "**" not in page
    assert f'href="{open_url(notification)}"' in content(response)
    assert 'class="notification is-unread"' in content(response)


def test_the_centre_lists_newest_first(client_for, customer, some_notifications):
    response = client_for(customer).get(INBOX)

    listed = list(response.context["page"].object_list)
    assert listed == list(reversed(some_notifications))
    page = text_of(content(response))
    positions = [page.index(n.sentence) for n in reversed(some_notifications)]
    assert positions == sorted(positions)
    assert "Actor 1 mentioned you in Exporting invoices as CSV" in page
    assert "Actor 2 quoted you in Exporting invoices as CSV" in page
    for n in range(3):
        assert f"Excerpt number {n}" in page


def test_the_centre_never_shows_another_members_notifications(
    client_for, customer, other_customer, some_notifications, make_topic, public_space
):
    theirs = make_topic(author=other_customer, space=public_space, title="Omar's own question")
    notify(other_customer, customer, theirs.posts.get(position=1), excerpt="Only for Omar")

    mine = content(client_for(customer).get(INBOX))
    others = client_for(other_customer).get(INBOX)

    assert "Omar's own question" not in html.unescape(mine)
    assert "Only for Omar" not in mine
    assert [n.title for n in others.context["page"].object_list] == ["Omar's own question"]
    assert "Excerpt number" not in content(others)


def test_an_empty_centre_says_so(client_for, customer):
    response = client_for(customer).get(INBOX)

    assert response.status_code == 200
    assert "Nothing yet." in content(response)
    assert "Mark all read" not in content(response)


def test_opening_a_notification_marks_it_read_and_goes_to_the_post(
    client_for, customer, other_customer, topic, make_reply, django_capture_on_commit_callbacks
):
    reply = reply_and_fan_out(
        make_reply,
        django_capture_on_commit_callbacks,
        topic=topic,
        author=other_customer,
        body="Here you go",
    )
    notification = Notification.objects.get(recipient=customer)
    client = client_for(customer)

    response = client.get(open_url(notification))

    assert response.status_code == 302
    assert response["Location"] == reply.get_absolute_url() == f"/p/{reply.pk}/"
    assert fresh(notification).read_at is not None
    assert fresh(customer).unread_notifications == 0
    permalink = client.get(response["Location"])
    assert permalink.status_code == 302
    assert permalink["Location"] == f"{topic.get_absolute_url()}#post-2"
    # Opening it again keeps it read and the count at zero.
    assert client.get(open_url(notification)).status_code == 302
    assert fresh(customer).unread_notifications == 0


def test_another_members_notification_is_not_found(
    client_for, customer, other_customer, some_notifications
):
    notification = some_notifications[0]
    client = client_for(other_customer)

    assert client.get(open_url(notification)).status_code == 404
    assert client.post(read_url(notification)).status_code == 404
    assert client.post(read_url(notification), headers=HTMX).status_code == 404
    assert fresh(notification).read_at is None
    assert fresh(customer).unread_notifications == 3


@pytest.mark.parametrize("notification_id", ["0", "999999", "99999999999999999999999"])
def test_unknown_notification_ids_are_not_found(client_for, customer, notification_id):
    client = client_for(customer)

    assert client.get(f"/notifications/{notification_id}/").status_code == 404
    assert client.post(f"/notifications/{notification_id}/read/").status_code == 404


def test_mark_read_with_a_plain_post_redirects_to_the_centre(
    client_for, customer, some_notifications
):
    notification = some_notifications[1]
    client = client_for(customer)

    response = client.post(read_url(notification))

    assert response.status_code == 302
    assert response["Location"] == INBOX
    assert fresh(notification).read_at is not None
    assert fresh(customer).unread_notifications == 2
    # Twice is the same as once.
    client.post(read_url(notification))
    assert fresh(customer).unread_notifications == 2
    page = content(client.get(INBOX))
    assert f'class="notification" id="notification-{notification.pk}"' in page
    assert f'class="notification is-unread" id="notification-{some_notifications[0].pk}"' in page


def test_mark_read_with_htmx_returns_the_item_without_is_unread(
    client_for, customer, some_notifications
):
    notification = some_notifications[0]

    response = client_for(customer).post(read_url(notification), headers=HTMX)

    assert response.status_code == 200
    fragment = content(response).strip()
    assert fragment.startswith("<li")
    assert "<html" not in fragment
    assert f'id="notification-{notification.pk}"' in fragment
    assert "is-unread" not in fragment
    assert "Mark read" not in fragment
    assert notification.sentence in text_of(fragment)
    assert fresh(notification).read_at is not None
    assert fresh(customer).unread_notifications == 2


def test_mark_read_is_post_only(client_for, customer, some_notifications):
    client = client_for(customer)

    assert client.get(read_url(some_notifications[0])).status_code == 405
    assert client.get(READ_ALL).status_code == 405
    assert fresh(some_notifications[0]).read_at is None


def test_mark_all_read(client_for, customer, other_customer, some_notifications, topic):
    theirs = notify(other_customer, customer, topic.posts.get(position=1))
    client = client_for(customer)
    assert "Mark all read" in content(client.get(INBOX))

    response = client.post(READ_ALL)

    assert response.status_code == 302
    assert response["Location"] == INBOX
    assert messages_of(response) == ["Marked 3 notifications read."]
    assert not Notification.objects.filter(recipient=customer, read_at__isnull=True).exists()
    assert fresh(customer).unread_notifications == 0
    assert fresh(theirs).read_at is None
    assert fresh(other_customer).unread_notifications == 1
    page = content(client.get(INBOX))
    assert "is-unread" not in page
    assert "Mark all read" not in page
    assert unread_badge(page) is None
    again = client.post(READ_ALL)
    assert messages_of(again) == ["Marked 0 notifications read."]


# --- the header bell -----------------------------------------------------------------------


def test_the_bell_shows_the_unread_count_on_every_page(
    client_for, customer, some_notifications, topic
):
    client = client_for(customer)
    pages = [
        "/",
        "/latest/",
        topic.space.get_absolute_url(),
        topic.get_absolute_url(),
        f"/u/{customer.username}/",
        INBOX,
        PREFERENCES,
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert unread_badge(content(response)) == 3, url
        assert 'id="notification-bell"' in content(response), url
        assert "has-unread" in content(response), url


def test_the_bell_reads_the_members_unread_counter(client_for, customer):
    # The bell shows the denormalised counter; it does not count rows.
    Member.objects.filter(pk=customer.pk).update(unread_notifications=7)

    page = content(client_for(customer).get("/"))

    assert unread_badge(page) == 7
    assert '7<span class="visually-hidden"> unread</span>' in page


def test_the_bell_shows_no_count_when_all_is_read(client_for, customer):
    page = content(client_for(customer).get("/"))

    assert 'id="notification-bell"' in page
    assert unread_badge(page) is None
    assert "has-unread" not in page


def test_no_bell_for_anonymous_visitors(client, topic):
    for url in ("/", "/latest/", topic.get_absolute_url()):
        page = content(client.get(url))
        assert 'id="notification-bell"' not in page, url
        assert BADGE not in page, url
    badge = client.get(BADGE)
    assert badge.status_code == 200
    assert content(badge).strip() == ""


def test_the_badge_url_returns_the_bell_fragment(
    client_for, customer, some_notifications, settings
):
    settings.HEARTH_NOTIFICATION_POLL_SECONDS = 5

    response = client_for(customer).get(BADGE, headers=HTMX)

    assert response.status_code == 200
    fragment = content(response).strip()
    assert fragment.startswith("<a ")
    assert "<html" not in fragment
    assert 'id="notification-bell"' in fragment
    assert f'hx-get="{BADGE}"' in fragment
    assert 'hx-trigger="every 5s"' in fragment
    assert 'hx-swap="outerHTML"' in fragment
    assert unread_badge(fragment) == 3


def test_the_badge_follows_new_notifications(
    client_for, customer, other_customer, topic, make_reply, django_capture_on_commit_callbacks
):
    client = client_for(customer)
    assert unread_badge(content(client.get(BADGE))) is None

    reply_and_fan_out(
        make_reply,
        django_capture_on_commit_callbacks,
        topic=topic,
        author=other_customer,
        body="First",
    )
    assert unread_badge(content(client.get(BADGE))) == 1

    client.post(READ_ALL)
    assert unread_badge(content(client.get(BADGE))) is None


def test_pages_poll_the_badge_at_the_configured_interval(client_for, customer, settings):
    settings.HEARTH_NOTIFICATION_POLL_SECONDS = 12

    page = content(client_for(customer).get("/"))

    assert 'hx-trigger="every 12s"' in page


# --- notification settings -----------------------------------------------------------------


def preferences_form(**overrides) -> dict:
    data = {
        "reply": "in_app",
        "quote": "off",
        "mention": "email",
        "reaction": "off",
        "new_topic": "email",
        "topic_activity": "in_app",
        "idea_updates": "off",
        "digest_frequency": "weekly",
        "quiet_hours_start": "22:00",
        "quiet_hours_end": "07:30",
        "time_zone": "Europe/Berlin",
    }
    data.update(overrides)
    return data


def test_settings_show_the_defaults(client_for, customer):
    response = client_for(customer).get(PREFERENCES)

    assert response.status_code == 200
    page = content(response)
    for trigger, channel in DEFAULT_CHANNELS.items():
        assert selected(page, trigger) == channel, trigger
    assert selected(page, "digest_frequency") == "daily"
    assert input_value(page, "time_zone") == "UTC"
    assert input_value(page, "quiet_hours_start") is None
    assert input_value(page, "quiet_hours_end") is None
    assert not Preferences.objects.filter(member=customer).exists()


def test_settings_save_and_show_what_was_saved(client_for, customer):
    client = client_for(customer)

    response = client.post(PREFERENCES, preferences_form())

    assert response.status_code == 302
    assert response["Location"] == PREFERENCES
    assert messages_of(response) == ["Your notification settings are saved."]
    saved = Preferences.objects.get(member=customer)
    assert (saved.reply, saved.quote, saved.reaction, saved.new_topic) == (
        "in_app",
        "off",
        "off",
        "email",
    )
    assert saved.digest_frequency == "weekly"
    assert str(saved.quiet_hours_start) == "22:00:00"
    assert str(saved.quiet_hours_end) == "07:30:00"
    assert saved.time_zone == "Europe/Berlin"

    page = content(client.get(PREFERENCES))
    for name, value in preferences_form().items():
        if name.startswith(("quiet", "time")):
            continue
        assert selected(page, name) == value, name
    assert input_value(page, "quiet_hours_start").startswith("22:00")
    assert input_value(page, "quiet_hours_end").startswith("07:30")
    assert input_value(page, "time_zone") == "Europe/Berlin"


def test_settings_can_clear_quiet_hours_again(client_for, customer):
    client = client_for(customer)
    client.post(PREFERENCES, preferences_form())

    response = client.post(
        PREFERENCES, preferences_form(quiet_hours_start="", quiet_hours_end="", time_zone=" UTC ")
    )

    assert response.status_code == 302
    saved = Preferences.objects.get(member=customer)
    assert saved.quiet_hours_start is None and saved.quiet_hours_end is None
    assert saved.time_zone == "UTC"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"quiet_hours_end": ""}, "Give both ends of your quiet hours, or neither."),
        ({"quiet_hours_start": ""}, "Give both ends of your quiet hours, or neither."),
        ({"quiet_hours_end": "22:00"}, "Quiet hours must not start and end together."),
        ({"time_zone": "Mars/Olympus_Mons"}, "Unknown time zone."),
        ({"time_zone": "Europe"}, "Unknown time zone."),
        ({"time_zone": "../etc/passwd"}, "Unknown time zone."),
        ({"time_zone": "zone.tab"}, "Unknown time zone."),
    ],
    ids=["no-end", "no-start", "start-is-end", "unknown-zone", "zone-folder", "path", "not-tzif"],
)
def test_invalid_settings_show_the_error_and_keep_the_other_values(
    client_for, customer, overrides, message
):
    form = preferences_form(**overrides)

    response = client_for(customer).post(PREFERENCES, form)

    assert response.status_code == 200
    page = content(response)
    assert message in html.unescape(page)
    assert "has-error" in page
    assert selected(page, "reply") == "in_app"
    assert selected(page, "quote") == "off"
    assert selected(page, "new_topic") == "email"
    assert selected(page, "digest_frequency") == "weekly"
    assert input_value(page, "time_zone") == form["time_zone"]
    assert not Preferences.objects.filter(member=customer).exists()


def test_an_unknown_channel_is_a_form_error(client_for, customer):
    response = client_for(customer).post(PREFERENCES, preferences_form(reply="pigeon"))

    assert response.status_code == 200
    assert "Select a valid choice." in content(response)
    assert selected(content(response), "quote") == "off"
    assert not Preferences.objects.filter(member=customer).exists()


def test_invalid_settings_keep_what_was_saved_before(client_for, customer):
    client = client_for(customer)
    client.post(PREFERENCES, preferences_form())

    client.post(PREFERENCES, preferences_form(reply="off", time_zone="Nowhere/Special"))

    saved = Preferences.objects.get(member=customer)
    assert saved.reply == "in_app"
    assert saved.time_zone == "Europe/Berlin"


# --- watch controls ------------------------------------------------------------------------


@pytest.fixture
def others_topic(make_topic, other_customer, public_space):
    return make_topic(author=other_customer, space=public_space, title="Someone else's topic")


@pytest.mark.parametrize("level", ["muted", "tracking", "watching"])
def test_watching_a_topic_sets_the_level(client_for, customer, others_topic, level):
    client = client_for(customer)

    response = client.post(watch_url("topic", others_topic.pk), {"level": level})

    assert response.status_code == 302
    assert response["Location"] == others_topic.get_absolute_url()
    watch = Watch.objects.get(member=customer, topic=others_topic)
    assert watch.level == level
    assert watch.space_id is None
    assert len(messages_of(response)) == 1
    assert "topic" in messages_of(response)[0]
    # The topic page shows the level chosen.
    page = content(client.get(others_topic.get_absolute_url()))
    assert selected(page, "level") == level


def test_changing_the_level_keeps_one_watch(client_for, customer, others_topic):
    client = client_for(customer)
    for level in ("watching", "muted", "tracking"):
        client.post(watch_url("topic", others_topic.pk), {"level": level})

    assert Watch.objects.filter(member=customer, topic=others_topic).count() == 1
    assert Watch.objects.get(member=customer, topic=others_topic).level == "tracking"


def test_normal_removes_the_watch(client_for, customer, others_topic):
    client = client_for(customer)
    client.post(watch_url("topic", others_topic.pk), {"level": "watching"})

    response = client.post(watch_url("topic", others_topic.pk), {"level": "normal"})

    assert response.status_code == 302
    assert response["Location"] == others_topic.get_absolute_url()
    assert not Watch.objects.filter(member=customer, topic=others_topic).exists()
    assert selected(content(client.get(others_topic.get_absolute_url())), "level") == "normal"


def test_normal_on_a_topic_one_does_not_watch_is_fine(client_for, customer, others_topic):
    response = client_for(customer).post(watch_url("topic", others_topic.pk), {"level": "normal"})

    assert response.status_code == 302
    assert not Watch.objects.filter(member=customer).exists()


def test_authors_watch_their_own_topic_and_can_mute_it(client_for, customer, topic):
    assert Watch.objects.get(member=customer, topic=topic).level == "watching"

    client_for(customer).post(watch_url("topic", topic.pk), {"level": "muted"})

    assert Watch.objects.get(member=customer, topic=topic).level == "muted"


@pytest.mark.parametrize("level", ["muted", "tracking", "watching"])
def test_watching_a_space_sets_the_level(client_for, customer, public_space, level):
    client = client_for(customer)

    response = client.post(watch_url("space", public_space.slug), {"level": level})

    assert response.status_code == 302
    assert response["Location"] == public_space.get_absolute_url()
    watch = Watch.objects.get(member=customer, space=public_space)
    assert watch.level == level
    assert watch.topic_id is None
    assert selected(content(client.get(public_space.get_absolute_url())), "level") == level

    client.post(watch_url("space", public_space.slug), {"level": "normal"})
    assert not Watch.objects.filter(member=customer, space=public_space).exists()


def test_watching_a_hidden_space_or_topic_is_not_found(
    client_for, customer, partner, partner_space, make_topic
):
    hidden_topic = make_topic(author=partner, space=partner_space, title="Partners only")
    client = client_for(customer)

    watching = {"level": "watching"}
    assert client.post(watch_url("space", partner_space.slug), watching).status_code == 404
    assert client.post(watch_url("topic", hidden_topic.pk), watching).status_code == 404
    assert not Watch.objects.filter(member=customer).exists()
    # Someone who may see them can watch them.
    response = client_for(partner).post(watch_url("space", partner_space.slug), watching)
    assert response.status_code == 302
    assert Watch.objects.filter(member=partner, space=partner_space).exists()


@pytest.mark.parametrize(
    ("kind", "key"),
    [
        ("topic", "999999"),
        ("topic", "99999999999999999999999"),
        ("topic", "abc"),
        ("space", "no-such-space"),
        ("post", "1"),
    ],
)
def test_watching_something_that_does_not_exist_is_not_found(client_for, customer, kind, key):
    response = client_for(customer).post(watch_url(kind, key), {"level": "watching"})

    assert response.status_code == 404
    assert not Watch.objects.exists()


def test_watching_a_topic_with_a_unicode_digit_key_is_not_found(client_for, customer):
    # "²".isdigit() is true, but int("²") fails: this was once a 500.
    client = client_for(customer)
    client.raise_request_exception = False

    response = client.post("/watch/topic/%C2%B2/", {"level": "watching"})

    assert response.status_code == 404


@pytest.mark.parametrize("level", ["", "loud", "WATCHING"])
def test_an_invalid_level_changes_nothing(client_for, customer, others_topic, level):
    services.set_watch(member=customer, level="tracking", topic=others_topic)
    client = client_for(customer)

    response = client.post(watch_url("topic", others_topic.pk), {"level": level})

    assert response.status_code == 302
    assert response["Location"] == others_topic.get_absolute_url()
    assert messages_of(response) == ["Choose watching, tracking, normal or muted."]
    assert Watch.objects.get(member=customer, topic=others_topic).level == "tracking"


def test_watch_is_post_only(client_for, customer, others_topic):
    assert client_for(customer).get(watch_url("topic", others_topic.pk)).status_code == 405


def test_the_watch_control_shows_for_members_only(client, client_for, customer, others_topic):
    assert 'name="level"' not in content(client.get(others_topic.get_absolute_url()))
    page = content(client_for(customer).get(others_topic.get_absolute_url()))
    assert f'action="{watch_url("topic", others_topic.pk)}"' in page
    assert selected(page, "level") == "normal"


# --- log-in required -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", INBOX),
        ("get", "/notifications/1/"),
        ("post", "/notifications/1/read/"),
        ("post", READ_ALL),
        ("get", PREFERENCES),
        ("post", PREFERENCES),
        ("post", "/watch/topic/1/"),
        ("post", "/watch/space/general/"),
    ],
)
def test_log_in_is_required(client, method, url, public_space):
    response = getattr(client, method)(url, {"level": "watching"} if "watch" in url else {})

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
    assert not Watch.objects.exists()
    assert not Preferences.objects.exists()


# --- query budgets -------------------------------------------------------------------------


def make_notifications(recipient, actors, post, count: int) -> None:
    for n in range(count):
        notify(recipient, actors[n % len(actors)], post, title=f"Notification {n}")


def inbox_queries(client, django_assert_max_num_queries, url=INBOX) -> int:
    with django_assert_max_num_queries(MAX_QUERIES) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_centre_runs_the_same_few_queries_with_5_or_60_notifications(
    client_for,
    make_member,
    customer,
    other_customer,
    topic,
    django_assert_max_num_queries,
):
    actors = [make_member(username=f"actor{n}") for n in range(6)]
    post = topic.posts.get(position=1)
    make_notifications(customer, actors, post, 5)
    make_notifications(other_customer, actors, post, 60)
    few, many = client_for(customer), client_for(other_customer)
    few.get(INBOX)
    many.get(INBOX)

    with_5 = inbox_queries(few, django_assert_max_num_queries)
    with_60 = inbox_queries(many, django_assert_max_num_queries)
    second_page = inbox_queries(many, django_assert_max_num_queries, f"{INBOX}?page=2")

    assert with_5 == with_60 == second_page
    assert len(many.get(INBOX).context["page"].object_list) == 30


def test_the_topic_page_reads_the_watch_level_within_the_query_budget(
    client_for, customer, others_topic, make_reply, make_member, django_assert_max_num_queries
):
    for n in range(5):
        make_reply(topic=others_topic, author=make_member(), body=f"Reply {n}")
    client = client_for(customer)
    client.post(watch_url("topic", others_topic.pk), {"level": "tracking"})
    client.get("/")

    with django_assert_max_num_queries(MAX_QUERIES) as captured:
        response = client.get(others_topic.get_absolute_url())

    assert response.status_code == 200
    assert selected(content(response), "level") == "tracking"
    assert any("notifications_watch" in query["sql"] for query in captured.captured_queries)
