"""Ideas in Chromium: a customer suggests and votes, staff plan it, the customer hears back.

A customer opens the ideas board and submits an idea: an existing similar idea shows under the
title while it is typed, and again before submitting, where the customer submits theirs
anyway. The customer votes for it in place. A moderator, in a browser of their own,
moves it to Planned with a public note. The customer's bell shows the notification; it reads
"<moderator> changed the status of <idea>" with the note and leads to the idea, now Planned
with the note in its history, and the roadmap lists it under Planned. The same vote works
without JavaScript, and the idea pages pass axe-core.
"""

import importlib

import pytest
from django.apps import apps

from hearth.ideas import services
from hearth.ideas.models import Idea, IdeaStatus

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Dark mode for the energy dashboard"
DESCRIPTION = "Checking the dashboard at night is blinding. A dark theme would help."
NOTE = "Coming in the May release."
EXISTING = "Dark mode on the phone dashboard"


@pytest.fixture
def board(db):
    # Tests that run before this one may have flushed the statuses the migration seeds.
    if not IdeaStatus.objects.exists():
        importlib.import_module("hearth.ideas.migrations.0002_default_statuses").seed_statuses(
            apps, None
        )
    return services.create_board(actor=None, name="Product ideas")


def test_a_customer_suggests_and_votes_staff_plan_it_and_the_customer_hears(
    new_page, base_url, log_in_as, axe, customer, other_customer, moderator, board
):
    services.create_idea(
        author=other_customer, board=board, title=EXISTING, description="For the phone app."
    )

    # The customer submits an idea; a similar one shows as the title is typed.
    page = log_in_as(new_page(), customer)
    page.goto(f"{base_url}/ideas/")
    page.get_by_role("link", name="Submit an idea").click()
    page.wait_for_url(f"{base_url}/ideas/new/")
    page.locator("#id_title").press_sequentially(TITLE, delay=10)
    similar = page.locator("#similar-ideas")
    similar.get_by_role("link", name=EXISTING).wait_for()
    assert similar.get_by_role("heading", name="Similar ideas").is_visible()
    axe.check(page)
    page.fill("#id_description", DESCRIPTION)
    with page.expect_navigation():
        page.get_by_role("button", name="Submit idea").click()
    # Before a near-duplicate is made, the similar idea is shown once more; it is not the same.
    assert page.locator(".similar-ideas").get_by_role("link", name=EXISTING).is_visible()
    assert page.input_value("#id_title") == TITLE
    assert not Idea.objects.filter(title=TITLE).exists()
    with page.expect_navigation():
        page.get_by_role("button", name="Submit mine anyway").click()
    idea = Idea.objects.get(title=TITLE)
    assert page.url == f"{base_url}{idea.get_absolute_url()}"
    assert page.locator("h1").inner_text() == TITLE
    assert "Your idea is in" in page.locator(".messages").inner_text()

    # ... and votes for it in place.
    page.evaluate("window.__marker = 1")
    vote_box = page.locator(f"#idea-vote-{idea.pk}")
    assert vote_box.locator(".idea-vote-count strong").inner_text() == "0"
    with page.expect_response(lambda response: "/vote/" in response.url) as voted:
        vote_box.get_by_role("button", name=f"Vote for {TITLE}").click()
    assert voted.value.status == 200
    page.locator(f'#idea-vote-{idea.pk} button[aria-pressed="true"]').wait_for()
    assert page.locator(f"#idea-vote-{idea.pk} .idea-vote-count strong").inner_text() == "1"
    assert page.evaluate("window.__marker") == 1, "voting reloaded the page"
    assert Idea.objects.get(pk=idea.pk).vote_count == 1

    # A moderator moves it to Planned with a public note.
    staff = log_in_as(new_page(), moderator)
    staff.goto(f"{base_url}{idea.get_absolute_url()}")
    assert staff.get_by_role("heading", name="Who voted").is_visible()
    staff.select_option("#id_status", "planned")
    staff.fill("#id_note", NOTE)
    with staff.expect_navigation():
        staff.get_by_role("button", name="Change status and tell voters").click()
    assert "its voters and followers are told" in staff.locator(".messages").inner_text()
    assert staff.locator(".idea-header .idea-status").inner_text() == "Planned"
    axe.check(staff)

    # The customer's bell shows it; it reads as the change and leads to the idea.
    page.goto(f"{base_url}/ideas/")
    badge = page.locator('#notification-bell .badge-count[data-unread="1"]')
    assert badge.is_visible()
    with page.expect_navigation():
        page.locator("#notification-bell").click()
    item = page.locator("li.notification.is-unread")
    assert item.count() == 1
    sentence = " ".join(item.locator(".notification-text").inner_text().split())
    assert sentence == f"{moderator.name} changed the status of {TITLE}"
    assert item.locator(".notification-excerpt").inner_text() == f"Planned: {NOTE}"
    with page.expect_navigation():
        item.locator("a.notification-link").click()
    assert page.url == f"{base_url}{idea.get_absolute_url()}"
    assert page.locator(".idea-header .idea-status").inner_text() == "Planned"
    history = page.locator(".idea-history")
    assert NOTE in history.inner_text()
    assert f"by {moderator.name}" in history.inner_text()

    # The roadmap lists it under Planned.
    page.goto(f"{base_url}/ideas/roadmap/")
    planned = page.locator("section.roadmap-column", has=page.locator("#roadmap-planned"))
    assert planned.get_by_role("link", name=TITLE).is_visible()
    assert "1 vote" in planned.locator(".roadmap-idea", has_text=TITLE).inner_text()
    for column in ("under-review", "in-progress", "shipped"):
        section = page.locator("section.roadmap-column", has=page.locator(f"#roadmap-{column}"))
        assert TITLE not in section.inner_text()
    axe.check(page)

    for opened in (page, staff):
        assert opened.dialogs == []
        assert opened.console_errors == []
        assert opened.failed_responses == []


def test_voting_works_without_javascript(new_page, base_url, log_in_as, customer, board):
    idea = services.create_idea(author=customer, board=board, title=TITLE, description="Please")
    page = log_in_as(new_page(java_script_enabled=False), customer)
    page.goto(f"{base_url}/ideas/?sort=newest")

    with page.expect_navigation():
        page.get_by_role("button", name=f"Vote for {TITLE}").click()

    assert page.url == f"{base_url}/ideas/?sort=newest"
    assert "Thank you for your vote!" in page.locator(".messages").inner_text()
    assert page.locator(f"#idea-vote-{idea.pk} .idea-vote-count strong").inner_text() == "1"
    assert page.locator(f'#idea-vote-{idea.pk} button[aria-pressed="true"]').is_visible()
    assert page.failed_responses == []
