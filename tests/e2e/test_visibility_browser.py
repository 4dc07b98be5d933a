"""Restricted spaces in the browser: members outside the allowed affiliations see no trace.

A customer (and an anonymous visitor) get no link to the partner space, and its pages are
the plain Not found page with HTTP 404, exactly like a page that does not exist; a partner
sees the space and its topics.
"""

import pytest

from hearth import testing

pytestmark = pytest.mark.django_db(transaction=True)

SECRET_TITLE = "Partner pricing for the spring release"
SECRET_BODY = "Discount codes for resellers: SPRING-PARTNER-2027."


@pytest.fixture
def partner_topic(partner, partner_space):
    return testing.make_topic(
        author=partner, space=partner_space, title=SECRET_TITLE, body=SECRET_BODY
    )


@pytest.fixture
def public_topic(other_customer, public_space):
    return testing.make_topic(
        author=other_customer, space=public_space, title="Welcome thread for everyone"
    )


def _sidebar_spaces(page) -> list[str]:
    return page.locator("aside.sidebar .sidebar-list li a").all_inner_texts()


def _assert_not_found(page, url):
    response = page.goto(url)
    assert response is not None
    assert response.status == 404, f"{url} answered {response.status}"
    assert page.get_by_role("heading", level=1).inner_text() == "Not found"
    assert page.title().startswith("Not found")
    content = page.content()
    assert SECRET_TITLE not in content
    assert SECRET_BODY not in content
    assert "Partner lounge" not in content


def _restricted_urls(base_url, space, topic) -> list[str]:
    post = topic.posts.get(position=1)
    return [
        f"{base_url}{space.get_absolute_url()}",
        f"{base_url}{topic.get_absolute_url()}",
        # A wrong slug must not redirect to the real one (that would leak the title).
        f"{base_url}/t/guessed-slug/{topic.pk}/",
        f"{base_url}/p/{post.pk}/",
        f"{base_url}/p/{post.pk}/history/",
    ]


def test_customer_sees_no_trace_of_the_partner_space(
    new_page, base_url, log_in_as, customer, partner_space, partner_topic, public_topic
):
    page = log_in_as(new_page(), customer)
    page.goto(f"{base_url}/")
    assert page.get_by_role("banner").get_by_role("link", name=customer.name).is_visible()

    assert _sidebar_spaces(page) == ["General"]
    topic_titles = page.locator(".topic-list .topic-title").all_inner_texts()
    assert topic_titles == [public_topic.title]
    assert "Partner lounge" not in page.content()
    assert SECRET_TITLE not in page.content()

    page.goto(f"{base_url}/latest/")
    assert page.locator(".topic-list .topic-title").all_inner_texts() == [public_topic.title]

    # The partner's profile does not list what they wrote in the partner space either.
    page.goto(f"{base_url}/u/{partner_topic.author.username}/")
    assert SECRET_TITLE not in page.content()

    for url in _restricted_urls(base_url, partner_space, partner_topic):
        _assert_not_found(page, url)
    _assert_not_found(page, f"{base_url}{partner_space.get_absolute_url()}new/")

    # Exactly what a page that does not exist looks like.
    missing = page.goto(f"{base_url}/s/no-such-space/")
    assert missing.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Not found"
    assert page.dialogs == []


def test_anonymous_visitor_gets_not_found(new_page, base_url, partner_space, partner_topic):
    page = new_page()
    page.goto(f"{base_url}/")
    assert "Partner lounge" not in _sidebar_spaces(page)
    assert SECRET_TITLE not in page.content()

    for url in _restricted_urls(base_url, partner_space, partner_topic):
        _assert_not_found(page, url)

    # Starting a topic asks for a log-in first, and the log-in page tells nothing either.
    page.goto(f"{base_url}{partner_space.get_absolute_url()}new/")
    assert page.url.startswith(f"{base_url}/login/")
    assert "Partner lounge" not in page.content()


def test_partner_sees_the_partner_space_and_its_topic(
    new_page, base_url, log_in_as, partner, partner_space, partner_topic, public_topic
):
    page = log_in_as(new_page(), partner)
    page.goto(f"{base_url}/")

    assert _sidebar_spaces(page) == ["General", "Partner lounge"]
    sidebar_item = page.locator("aside.sidebar li", has_text="Partner lounge")
    badge = sidebar_item.locator(".badge-visibility").inner_text()
    assert badge.endswith(" only") and "Partner" in badge and "Employee" in badge
    assert SECRET_TITLE in page.locator(".topic-list").inner_text()

    page.locator("aside.sidebar").get_by_role("link", name="Partner lounge").click()
    page.wait_for_url(f"{base_url}{partner_space.get_absolute_url()}")
    assert page.get_by_role("heading", level=1).inner_text() == "Partner lounge"
    assert page.get_by_role("link", name="New topic").is_visible()

    with page.expect_navigation() as navigation:
        page.get_by_role("link", name=SECRET_TITLE).click()
    assert navigation.value.status == 200
    assert page.url == f"{base_url}{partner_topic.get_absolute_url()}"
    assert page.get_by_role("heading", level=1).inner_text() == SECRET_TITLE
    assert SECRET_BODY in page.locator("#post-1 .post-body").inner_text()

    response = page.goto(f"{base_url}{partner_space.get_absolute_url()}new/")
    assert response.status == 200
    assert page.dialogs == []
