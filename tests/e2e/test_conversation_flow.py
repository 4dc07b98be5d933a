"""The main conversation flow in Chromium: join, start a topic, reply and react with htmx.

A newcomer signs up through the form (and is told to accept the code of conduct first),
starts a topic written in Markdown, a second member replies and likes the opening post
without a page reload, and a third member without JavaScript replies with the plain form.
"""

import re

import pytest

from hearth import testing

pytestmark = pytest.mark.django_db(transaction=True)

NEW_USERNAME = "newcomer"
NEW_DISPLAY_NAME = "Nia Newcomer"
NEW_PASSWORD = "ember-lantern-4417"
TOPIC_TITLE = "How do I export invoices as CSV?"
TOPIC_BODY = (
    "I need the **monthly totals** for our accountant.\n\n"
    "This is what I tried:\n\n"
    "```\n"
    "hearth export --format csv invoices\n"
    "```\n"
)
REPLY_TEXT = "Open Billing, pick the month and use the Export button at the top right."
NO_JS_REPLY_TEXT = "Same question here, and the plain form works for me."
CONDUCT_ERROR = "Please read and accept the code of conduct to join."
TOPIC_PATH = re.compile(r"/t/[\w-]+/(\d+)/")


def _sign_up(page, base_url):
    page.goto(f"{base_url}/")
    assert page.failed_responses == [], "the page's styles or scripts did not load"
    page.get_by_role("banner").get_by_role("link", name="Join", exact=True).click()
    page.wait_for_url(f"{base_url}/signup/")

    page.fill("#id_username", NEW_USERNAME)
    page.fill("#id_display_name", NEW_DISPLAY_NAME)
    page.fill("#id_email", "nia@example.com")
    page.fill("#id_password", NEW_PASSWORD)
    page.select_option("#id_affiliation", "customer")

    # Submitting without accepting the code of conduct: the form comes back with the error.
    with page.expect_navigation():
        page.get_by_role("button", name="Create my account").click()
    assert page.url == f"{base_url}/signup/"
    error = page.locator(".field-check.has-error")
    assert CONDUCT_ERROR in error.inner_text()
    assert page.locator(".form-errors[role=alert]").is_visible()
    assert page.input_value("#id_username") == NEW_USERNAME
    assert page.input_value("#id_display_name") == NEW_DISPLAY_NAME
    assert not page.is_checked("#id_accept_conduct")

    # Passwords are not sent back to the browser: type it again, and accept this time.
    page.fill("#id_password", NEW_PASSWORD)
    page.check("#id_accept_conduct")
    with page.expect_navigation():
        page.get_by_role("button", name="Create my account").click()
    assert page.url == f"{base_url}/"
    header = page.get_by_role("banner")
    assert header.get_by_role("link", name=NEW_DISPLAY_NAME).is_visible()
    assert header.get_by_role("button", name="Log out").is_visible()
    welcome = page.locator(".messages").inner_text()
    assert f"Welcome to the community, {NEW_DISPLAY_NAME}!" in welcome


def _start_topic(page, base_url, space) -> str:
    page.get_by_role("complementary").get_by_role("link", name=space.name, exact=True).click()
    page.wait_for_url(f"{base_url}{space.get_absolute_url()}")
    page.get_by_role("link", name="New topic").click()
    page.wait_for_url(f"{base_url}{space.get_absolute_url()}new/")

    page.fill("#id_title", TOPIC_TITLE)
    page.fill("#id_body", TOPIC_BODY)
    with page.expect_navigation():
        page.get_by_role("button", name="Post topic").click()

    assert TOPIC_PATH.search(page.url), page.url
    assert page.get_by_role("heading", level=1).inner_text() == TOPIC_TITLE
    opening = page.locator("#post-1 .post-body")
    assert opening.locator("strong").inner_text() == "monthly totals"
    assert opening.locator("pre code").inner_text().strip() == "hearth export --format csv invoices"
    # The Markdown source itself is not shown.
    assert "**" not in opening.inner_text()
    assert "```" not in opening.inner_text()
    return page.url


def test_join_start_topic_reply_and_react(new_page, base_url, log_in_with_form, customer):
    testing.ensure_code_of_conduct()
    space = testing.make_space(name="Getting started")
    page = new_page()

    _sign_up(page, base_url)
    topic_url = _start_topic(page, base_url, space)

    # A second member, in a browser of their own, replies through the htmx composer.
    other = new_page()
    log_in_with_form(other, customer.username)
    other.goto(topic_url)
    assert other.failed_responses == [], "the page's styles or scripts did not load"
    assert other.evaluate("typeof window.htmx") == "object", "htmx did not load"
    other.evaluate("window.__marker = 1")
    composer = other.locator("form#reply")
    composer.locator("textarea[name=body]").fill(REPLY_TEXT)
    with other.expect_response(lambda response: "/reply/" in response.url) as reply_response:
        composer.get_by_role("button", name="Post reply").click()
    assert reply_response.value.status == 200
    reply = other.locator("#posts #post-2")
    reply.wait_for()
    assert REPLY_TEXT in reply.locator(".post-body").inner_text()
    assert customer.name in reply.locator(".post-author").inner_text()
    assert other.evaluate("window.__marker") == 1, "the reply reloaded the page"
    assert other.url == topic_url
    assert other.locator("#posts article.post").count() == 2
    # The composer came back empty, ready for another reply.
    other.wait_for_function("document.querySelector('form#reply textarea').value === ''")
    assert other.locator("form#reply").count() == 1
    assert other.input_value("form#reply textarea[name=body]") == ""

    # The second member likes the opening post, again without a reload.
    like = other.locator("#post-1 button[data-reaction=like]")
    assert like.get_attribute("aria-pressed") == "false"
    assert like.locator(".reaction-count").inner_text() == "0"
    with other.expect_response(lambda response: "/react/like/" in response.url) as react_response:
        like.click()
    assert react_response.value.status == 200
    pressed = other.locator("#post-1 button[data-reaction=like][aria-pressed=true]")
    pressed.wait_for()
    assert pressed.locator(".reaction-count").inner_text() == "1"
    assert other.evaluate("window.__marker") == 1, "the reaction reloaded the page"
    assert other.dialogs == []
    assert other.console_errors == []
    assert other.failed_responses == []

    # The author reloads the topic and sees both posts and the like.
    page.reload()
    assert page.locator("#posts article.post").count() == 2
    assert REPLY_TEXT in page.locator("#post-2 .post-body").inner_text()
    assert page.locator("#post-1 [data-reaction=like] .reaction-count").inner_text() == "1"
    assert page.dialogs == []
    assert page.console_errors == []
    assert page.failed_responses == []


def test_reply_without_javascript(new_page, base_url, log_in_as, customer, other_customer):
    space = testing.make_space(name="Plain forms")
    topic = testing.make_topic(author=customer, space=space, title="Does it work without scripts?")
    topic_url = f"{base_url}{topic.get_absolute_url()}"

    no_js = new_page(java_script_enabled=False)
    log_in_as(no_js, other_customer)
    no_js.goto(topic_url)
    no_js.fill("form#reply textarea[name=body]", NO_JS_REPLY_TEXT)
    with no_js.expect_navigation():
        no_js.get_by_role("button", name="Post reply").click()

    assert no_js.url.startswith(topic_url)
    assert no_js.url.endswith("#post-2")
    reply = no_js.locator("#post-2")
    assert NO_JS_REPLY_TEXT in reply.locator(".post-body").inner_text()
    assert other_customer.name in reply.locator(".post-author").inner_text()
    assert no_js.locator("#posts article.post").count() == 2
    assert no_js.input_value("form#reply textarea[name=body]") == ""


def test_empty_reply_shows_the_error_in_place(new_page, base_url, log_in_as, customer):
    topic = testing.make_topic(author=testing.make_member(), title="Replies need words")
    page = log_in_as(new_page(), customer)
    page.goto(f"{base_url}{topic.get_absolute_url()}")
    page.evaluate("window.__marker = 1")

    with page.expect_response(lambda response: "/reply/" in response.url):
        page.get_by_role("button", name="Post reply").click()

    composer = page.locator("form#reply")
    composer.locator(".form-errors[role=alert]").wait_for(timeout=1000)
    assert "This field is required." in composer.inner_text()
    assert page.evaluate("window.__marker") == 1
    assert page.locator("#posts article.post").count() == 1
