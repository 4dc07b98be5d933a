"""Moderation in Chromium: a member flags a post, a moderator hides it from the queue with a
reason, and the author reads the reason in their notifications.

Three browsers: the flagger flags a reply from the topic page; the moderator opens the queue
from the header, chooses "Hide the post" with a reason and decides (htmx swaps the item for
the result without a reload); the author opens the notification centre and reads "The
moderators hid your post in <title>" with the reason and a link to the code of conduct. The
queue passes axe-core.
"""

import pytest

from hearth import testing
from hearth.community.models import Post, State

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Which bulbs work with the Lumen hub?"
REPLY = "Anyone who asks this has not read the manual, honestly."
REASON = "Please answer the question, not the person asking it."


def test_a_flagged_post_is_hidden_from_the_queue_and_the_author_reads_why(
    new_page, base_url, log_in_as, customer, other_customer, moderator, public_space, axe
):
    topic = testing.make_topic(author=customer, space=public_space, title=TITLE)
    reply = testing.make_reply(topic=topic, author=other_customer, body=REPLY)

    # The asker flags the reply from the topic page.
    flagger = log_in_as(new_page(), customer)
    flagger.goto(f"{base_url}{topic.get_absolute_url()}")
    flagger.locator("#post-2").get_by_role("link", name="Flag").click()
    flagger.get_by_label("Personal attack").check()
    flagger.get_by_label("Note").fill("Talks down to people asking questions.")
    with flagger.expect_navigation():
        flagger.get_by_role("button", name="Flag it").click()
    assert "the moderators will look at it" in flagger.locator(".messages").inner_text()

    # The moderator opens the queue from the header and hides the reply, with a reason.
    mod = log_in_as(new_page(), moderator)
    mod.goto(f"{base_url}/")
    with mod.expect_navigation():
        mod.locator(".site-header").get_by_role("link", name="Moderation").click()
    item = mod.locator(".review-item").first
    assert REPLY in item.inner_text()
    assert "Talks down to people asking questions." in item.inner_text()
    axe.check(mod)
    item.get_by_label("Decision").select_option("hide")
    item.get_by_label("Reason").fill(REASON)
    mod.evaluate("window.__marker = 1")
    with mod.expect_response(lambda response: "/moderation/items/" in response.url) as answer:
        item.get_by_role("button", name="Decide").click()
    assert answer.value.status == 200
    mod.locator(".review-item.is-decided").wait_for()
    assert "The post is hidden." in mod.locator(".review-item.is-decided").inner_text()
    assert mod.evaluate("window.__marker") == 1, "the page reloaded"
    assert Post.objects.get(pk=reply.pk).state == State.HIDDEN

    # Others no longer see it; the author reads why in their notifications.
    flagger.goto(f"{base_url}{topic.get_absolute_url()}")
    assert REPLY not in flagger.locator("#posts").inner_text()
    author = log_in_as(new_page(), other_customer)
    author.goto(f"{base_url}/notifications/")
    notification = author.locator(".notification").first
    text = notification.inner_text()
    assert "The moderators hid your post in" in text and TITLE in text
    assert REASON in text
    assert notification.get_by_role("link", name="Code of conduct").count() == 1
    assert flagger.console_errors == [] and mod.console_errors == []
