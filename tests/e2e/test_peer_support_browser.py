"""Peer support in Chromium, from a question not asked to a question solved.

A prospect starts a question in the composer; as the title is typed, a similar question that
a customer already got solved shows under it, marked Solved. The prospect opens it (in a new
tab, so the draft stays), which is noted, and leaves without posting: one deflection once the
window has passed. Another member asks a question nobody answers; a day later the routing
job brings it to the employee expert's needs-attention queue, the expert answers in the
browser, and the asker accepts the answer there: the question shows as solved.
"""

import datetime
import re

import pytest

from hearth.accounts.models import Affiliation
from hearth.community import services
from hearth.community.models import Topic
from hearth.core.models import Activity
from hearth.search.models import SuggestionOpening
from hearth.search.services import settle_suggestion_openings

pytestmark = pytest.mark.django_db(transaction=True)

SOLVED_TITLE = "How do I clean a beer line?"
DRAFT_TITLE = "Cleaning the beer line of my kegerator"
WAITING_TITLE = "Keg coupler leaks when I tap a new keg"
ANSWER = "Swap the coupler's probe seal: it is a two-minute job and costs next to nothing."
HOUR = datetime.timedelta(hours=1)


def ask(author, space, title, body):
    return services.create_topic(
        author=author, space=space, title=title, body=body, kind=Topic.Kind.QUESTION
    )


@pytest.fixture
def solved(customer, other_customer, public_space):
    question = ask(other_customer, public_space, SOLVED_TITLE, "Mine tastes sour lately.")
    answer = services.create_reply(
        author=customer, topic=question, body="Line cleaner through it for 15 minutes, monthly."
    )
    services.accept_answer(actor=other_customer, post=answer)
    hops = ask(customer, public_space, "Best hops for a pale ale?", "Citrus, ideally.")
    services.create_reply(author=other_customer, topic=hops, body="Citra, no contest.")
    return question


def test_a_suggestion_deflects_a_question_and_an_expert_solves_another(
    new_page, base_url, log_in_as, axe, make_member, customer, employee, public_space, solved
):
    prospect = make_member(username="pia", affiliation=Affiliation.PROSPECT)

    # The prospect starts a question; similar ones show as the title is typed.
    composer = log_in_as(new_page(), prospect)
    composer.goto(f"{base_url}{public_space.get_absolute_url()}new/")
    assert composer.failed_responses == []
    composer.get_by_label("Question").check()
    composer.locator("#id_title").press_sequentially(DRAFT_TITLE, delay=15)
    suggestions = composer.locator("#similar-questions")
    suggestion = suggestions.get_by_role("link", name=SOLVED_TITLE)
    suggestion.wait_for()
    assert suggestions.get_by_role("heading", name="Similar questions").is_visible()
    row = suggestions.locator("li", has_text=SOLVED_TITLE)
    assert row.locator(".badge-solved").inner_text() == "Solved"
    assert "Best hops" not in suggestions.inner_text()
    axe.check(composer)

    # Opening it keeps the draft in its own tab.
    with composer.context.expect_page() as opened:
        suggestion.click()
    question_tab = opened.value
    question_tab.wait_for_load_state()
    assert question_tab.url == f"{base_url}{solved.get_absolute_url()}"
    assert question_tab.locator("h1").inner_text().startswith(SOLVED_TITLE)
    assert composer.input_value("#id_title") == DRAFT_TITLE
    opening = SuggestionOpening.objects.get()
    assert (opening.member, opening.topic) == (prospect, solved)
    assert (
        Activity.objects.filter(
            verb="question.suggestion_opened", actor=prospect, target_id=solved.pk
        ).count()
        == 1
    )

    # The prospect leaves without posting: once the window has passed, one deflection.
    composer.context.close()
    settle_suggestion_openings(now=opening.opened_at + 25 * HOUR)
    settle_suggestion_openings(now=opening.opened_at + 49 * HOUR)
    assert Activity.objects.filter(verb="question.deflected", actor=prospect).count() == 1
    assert not Topic.objects.filter(author=prospect).exists()

    # Another member asks; nobody answers within a day, so the experts are brought in.
    waiting = ask(customer, public_space, WAITING_TITLE, "It hisses at the probe.")
    routed = services.route_waiting_questions(now=waiting.created_at + 25 * HOUR)
    assert routed == {"routed": 1, "escalated": 0}

    expert = log_in_as(new_page(), employee)
    expert.goto(f"{base_url}/questions/?queue=attention")
    expert.get_by_role("link", name=WAITING_TITLE).click()
    expert.wait_for_url(f"{base_url}{waiting.get_absolute_url()}")
    expert.fill("#reply textarea", ANSWER)
    expert.get_by_role("button", name="Post reply").click()
    expert.locator(".post-body", has_text=ANSWER).wait_for()
    assert expert.console_errors == []

    # The asker accepts the expert's answer: the question is solved.
    asker = log_in_as(new_page(), customer)
    asker.goto(f"{base_url}{waiting.get_absolute_url()}")
    with asker.expect_navigation():
        asker.get_by_role("button", name="Accept answer").click()
    assert asker.locator(".badge-solved", has_text="Solved").first.is_visible()
    assert asker.get_by_role("heading", name=re.compile("Accepted answer by")).is_visible()
    assert ANSWER in asker.locator(".accepted-answer").inner_text()
    waiting.refresh_from_db()
    assert waiting.accepted_post.author == employee
