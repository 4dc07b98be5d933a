"""Notifications in Chromium: the header bell updates by itself, and leads to the reply.

Member A looks at a topic list in one browser; member B replies to A's topic through the
composer in another. Without A reloading, the bell's htmx poll (every second here) shows one
unread notification; A opens the notification centre from the bell, reads "B replied to
<title>", follows it to B's reply, and the badge is gone. The notification centre and the
notification settings pass axe-core in the light and dark themes.
"""

import re

import pytest

from hearth import testing
from hearth.notifications import services
from hearth.notifications.models import Trigger

pytestmark = pytest.mark.django_db(transaction=True)

TOPIC_TITLE = "How do I export invoices as CSV?"
REPLY_TEXT = "Open Billing, pick the month and use the Export button at the top right."
POLL_SECONDS = 1
BADGE_TIMEOUT_MS = 8_000
BADGE = "#notification-bell .badge-count"


def test_the_bell_shows_a_new_reply_without_a_reload_and_leads_to_it(
    new_page, base_url, log_in_as, customer, other_customer, public_space, settings
):
    settings.HEARTH_NOTIFICATION_POLL_SECONDS = POLL_SECONDS
    topic = testing.make_topic(author=customer, space=public_space, title=TOPIC_TITLE)
    topic_url = f"{base_url}{topic.get_absolute_url()}"

    # A looks at the topic list; nothing is unread yet.
    reader = log_in_as(new_page(), customer)
    reader.goto(f"{base_url}{public_space.get_absolute_url()}")
    assert reader.failed_responses == []
    assert reader.evaluate("typeof window.htmx") == "object", "htmx did not load"
    bell = reader.locator("#notification-bell")
    assert bell.is_visible()
    assert bell.get_attribute("hx-trigger") == f"every {POLL_SECONDS}s"
    assert reader.locator(BADGE).count() == 0
    reader.evaluate("window.__marker = 1")

    # B replies through the composer, in a browser of their own.
    writer = log_in_as(new_page(), other_customer)
    writer.goto(topic_url)
    composer = writer.locator("form#reply")
    composer.locator("textarea[name=body]").fill(REPLY_TEXT)
    with writer.expect_response(lambda response: "/reply/" in response.url) as reply_response:
        composer.get_by_role("button", name="Post reply").click()
    assert reply_response.value.status == 200
    writer.locator("#posts #post-2").wait_for()

    # A's bell shows it within a few seconds, by polling, without a reload.
    # (htmx settles a swapped element's attributes a moment after its content: wait for both.)
    badge = reader.locator('#notification-bell.has-unread .badge-count[data-unread="1"]')
    badge.wait_for(timeout=BADGE_TIMEOUT_MS)
    assert badge.inner_text().split()[0] == "1"
    assert reader.evaluate("window.__marker") == 1, "the page reloaded"
    assert reader.url == f"{base_url}{public_space.get_absolute_url()}"

    # The bell opens the notification centre, and the notification leads to B's reply.
    with reader.expect_navigation():
        reader.locator("#notification-bell").click()
    assert reader.url == f"{base_url}/notifications/"
    item = reader.locator("li.notification.is-unread")
    assert item.count() == 1
    sentence = " ".join(item.locator(".notification-text").inner_text().split())
    assert sentence == f"{other_customer.name} replied to {TOPIC_TITLE}"
    assert REPLY_TEXT in item.locator(".notification-excerpt").inner_text()
    with reader.expect_navigation():
        item.locator("a.notification-link").click()
    assert re.fullmatch(rf"{re.escape(topic_url)}#post-2", reader.url), reader.url
    reply = reader.locator("#post-2")
    assert reply.is_visible()
    assert REPLY_TEXT in reply.locator(".post-body").inner_text()

    # Read now: no badge, and it stays gone while polling.
    assert reader.locator(BADGE).count() == 0
    reader.wait_for_timeout(POLL_SECONDS * 1500)
    assert reader.locator(BADGE).count() == 0
    assert reader.locator("#notification-bell").is_visible()
    reader.goto(f"{base_url}/notifications/")
    assert reader.locator("li.notification.is-unread").count() == 0
    for opened in (reader, writer):
        assert opened.dialogs == []
        assert opened.console_errors == []
        assert opened.failed_responses == []


def test_mark_read_in_the_centre_swaps_the_item_in_place(
    new_page, base_url, log_in_as, customer, other_customer, public_space
):
    topic = testing.make_topic(author=customer, space=public_space, title=TOPIC_TITLE)
    post = topic.posts.get()
    notification = services.notify(
        recipient=customer,
        trigger=Trigger.MENTION,
        target=post,
        actor=other_customer,
        title=TOPIC_TITLE,
        url=post.get_absolute_url(),
        excerpt="Have a look, @cara",
    )
    page = log_in_as(new_page(), customer)
    page.goto(f"{base_url}/notifications/")
    page.evaluate("window.__marker = 1")
    item = page.locator(f"#notification-{notification.pk}")
    assert "is-unread" in item.get_attribute("class")

    with page.expect_response(lambda response: "/read/" in response.url) as read_response:
        item.get_by_role("button", name="Mark read").click()
    assert read_response.value.status == 200
    page.locator(f"#notification-{notification.pk}:not(.is-unread)").wait_for()
    assert page.locator(f"#notification-{notification.pk}").count() == 1
    assert item.get_by_role("button", name="Mark read").count() == 0
    assert page.evaluate("window.__marker") == 1, "marking read reloaded the page"
    assert page.console_errors == []
    assert page.failed_responses == []


def _open(new_page, theme):
    page = new_page(color_scheme="light")
    if theme == "dark":
        page.context.add_init_script("localStorage.setItem('hearth-theme', 'dark')")
    return page


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_notification_pages_have_no_serious_axe_violations(
    new_page, base_url, log_in_as, customer, other_customer, public_space, axe, theme
):
    topic = testing.make_topic(author=customer, space=public_space, title=TOPIC_TITLE)
    post = topic.posts.get()
    made = []
    for trigger in (Trigger.REPLY, Trigger.MENTION, Trigger.QUOTE, Trigger.REACTION):
        made.append(
            services.notify(
                recipient=customer,
                trigger=trigger,
                target=post,
                actor=other_customer,
                title=TOPIC_TITLE,
                url=post.get_absolute_url(),
                excerpt="Open Billing, pick the month and use the Export button.",
            )
        )
    services.mark_read(member=customer, notification=made[0])
    found = []

    def check(page, label):
        assert page.failed_responses == [], f"{label}: {page.failed_responses}"
        assert page.evaluate("document.documentElement.dataset.theme ?? 'light'") == theme
        violations = axe.run(page)
        if violations:
            found.append(f"== {label} ({page.url}), {theme} theme\n{axe.format(violations)}")

    page = log_in_as(_open(new_page, theme), customer)
    page.goto(f"{base_url}/notifications/")
    assert page.locator("li.notification").count() == 4
    assert page.locator("li.notification.is-unread").count() == 3
    assert page.locator('#notification-bell .badge-count[data-unread="3"]').is_visible()
    check(page, "notification centre")

    page.goto(f"{base_url}/settings/notifications/")
    assert page.locator("select[name=reply]").is_visible()
    check(page, "notification settings")

    page.fill("#id_quiet_hours_start", "22:00")
    page.fill("#id_time_zone", "Mars/Olympus_Mons")
    with page.expect_navigation():
        page.get_by_role("button", name="Save settings").click()
    assert page.locator(".has-error").count() >= 1
    check(page, "notification settings with errors")

    page.locator("#notification-bell").click()
    page.wait_for_url(f"{base_url}/notifications/")
    with page.expect_navigation():
        page.get_by_role("button", name="Mark all read").click()
    assert page.locator("li.notification.is-unread").count() == 0
    check(page, "notification centre, all read")

    assert page.console_errors == []
    assert not found, "axe-core found serious/critical violations:\n" + "\n".join(found)
