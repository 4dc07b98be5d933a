"""Every XSS payload of the corpus, as an idea's title, description, comment, status note and
announcement title, renders inert on the idea page, the lists, the roadmap and the composer's
suggestions (checked with the same checker as the conversation pages)."""

import pytest
from django.test import Client

from hearth.core.tests.test_xss import (
    PAYLOADS,
    describe,
    fragment_problems,
    get_page,
    page_problems,
    report,
)
from hearth.ideas import services
from hearth.ideas.tests.conftest import make_idea

pytestmark = pytest.mark.django_db

# The idea pages add their own stylesheet to the base template's.
OWN_STYLESHEET = "foreign <link {'rel': 'stylesheet', 'href': '/static/ideas/ideas.css'}>"


def problems(html: str) -> list[str]:
    return [p for p in page_problems(html) if p != OWN_STYLESHEET]


def test_xss_payloads_in_ideas_render_inert(customer, other_customer, moderator, board, statuses):
    anonymous = Client()
    staff = Client()
    staff.force_login(moderator)
    failures: list[str] = []
    ideas = []
    for index, payload in enumerate(PAYLOADS):
        idea = make_idea(
            author=customer,
            board=board,
            title=f"Idea {index} {payload}"[:200],
            description=payload if payload.strip() else "(blank)",
        )
        if index % 4 == 0:
            services.add_idea_comment(author=other_customer, idea=idea, body=payload)
        if index % 4 == 1:
            services.change_idea_status(
                actor=moderator, idea=idea, status=statuses["planned"], note=payload[:2000]
            )
        if index % 4 == 2:
            services.change_idea_status(
                actor=moderator,
                idea=idea,
                status=statuses["shipped"],
                announcement_url="/t/announcement/1/",
                announcement_title=f"Out {payload}"[:200],
            )
        if index % 4 == 3:
            services.link_idea_tracker(actor=moderator, idea=idea, tracker_ref=payload[:500])
        failures += [
            f"{describe(index)} description: {p}" for p in fragment_problems(idea.description_html)
        ]
        ideas.append((index, idea))

    for index, idea in ideas:
        for name, client in (("anonymous", anonymous), ("staff", staff)):
            html = get_page(client, idea.get_absolute_url())
            failures += [f"{describe(index)} idea page ({name}): {p}" for p in problems(html)]

    pages = len(ideas) // 30 + 1
    for number in range(1, pages + 1):
        for sort in ("votes", "newest"):
            html = get_page(staff, f"/ideas/?sort={sort}&page={number}")
            failures += [f"list page {number} ({sort}): {p}" for p in problems(html)]
    html = get_page(anonymous, "/ideas/roadmap/")
    failures += [f"roadmap: {p}" for p in problems(html)]
    for index, payload in enumerate(PAYLOADS[:100]):
        response = anonymous.get("/ideas/similar/", {"title": f"Idea {payload}"})
        assert response.status_code == 200, describe(index)
        failures += [
            f"{describe(index)} suggestions: {p}"
            for p in fragment_problems(response.content.decode())
        ]

    assert not failures, report(failures)
