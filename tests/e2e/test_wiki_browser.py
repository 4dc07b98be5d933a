"""Wiki posts in Chromium: the author makes a reply a wiki, a trusted member edits it, and
the history names both.

Two browsers: the author clicks "Make wiki" on their reply (a plain form post) and sees the
Wiki badge and "Stop wiki"; a member at trust level 1 opens the topic, sees the badge and an
Edit button on the wiki only, edits it (no title field), and the post's history shows each
version with who wrote it. The topic page passes axe-core with the new controls. A member
at trust level 0 sees no Edit button on the wiki.
"""

import pytest

from hearth import testing
from hearth.accounts.models import Member
from hearth.community.models import Post

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Pairing the Lumen hub with older bulbs"
STEPS = "First, reset the bulb five times."
ADDED = "Then hold the hub button until it blinks."


def test_an_author_makes_a_wiki_and_a_trusted_member_edits_it(
    new_page, base_url, log_in_as, customer, other_customer, partner, public_space, axe
):
    topic = testing.make_topic(author=customer, space=public_space, title=TITLE)
    wiki = testing.make_reply(topic=topic, author=customer, body=STEPS)
    Member.objects.filter(pk=other_customer.pk).update(trust_level=1)

    # The author makes the reply a wiki from the topic page, without JavaScript.
    author = log_in_as(new_page(java_script_enabled=False), customer)
    author.goto(f"{base_url}{topic.get_absolute_url()}")
    with author.expect_navigation():
        author.locator("#post-2").get_by_role("button", name="Make wiki").click()
    assert "This post is now a wiki" in author.locator(".messages").inner_text()
    card = author.locator("#post-2")
    assert card.locator(".badge-wiki").inner_text() == "Wiki"
    assert card.get_by_role("button", name="Stop wiki").count() == 1
    assert Post.objects.get(pk=wiki.pk).is_wiki is True

    # A member at trust level 0 sees the badge but no Edit button.
    newcomer = log_in_as(new_page(), partner)
    newcomer.goto(f"{base_url}{topic.get_absolute_url()}")
    assert newcomer.locator("#post-2 .badge-wiki").count() == 1
    assert newcomer.locator("#post-2").get_by_role("link", name="Edit").count() == 0

    # A trusted member edits the wiki (and only the wiki), body only.
    editor = log_in_as(new_page(), other_customer)
    editor.goto(f"{base_url}{topic.get_absolute_url()}")
    axe.check(editor)
    assert editor.locator("#post-1").get_by_role("link", name="Edit").count() == 0
    assert editor.locator("#post-2").get_by_role("button", name="Make wiki").count() == 0
    with editor.expect_navigation():
        editor.locator("#post-2").get_by_role("link", name="Edit").click()
    assert editor.locator("#id_title").count() == 0
    editor.locator("#id_body").fill(f"{STEPS}\n{ADDED}")
    with editor.expect_navigation():
        editor.get_by_role("button", name="Save changes").click()
    assert ADDED in editor.locator("#post-2").inner_text()

    # The history shows both versions and who wrote each.
    with editor.expect_navigation():
        editor.locator("#post-2").get_by_role("link", name="edited").click()
    versions = editor.locator(".revision-meta").all_inner_texts()
    assert len(versions) == 2
    assert "by Omar Other" in versions[0] and "by Cara Customer" in versions[1]
    assert author.console_errors == [] and editor.console_errors == []
