"""The composer's similar questions as a member drives them: the htmx partial under the title,
the links that open a suggestion (and note it for deflection), and the page without them."""

import re

import pytest
from django.test import Client

from hearth.community import services
from hearth.community.models import Topic
from hearth.core.models import Activity
from hearth.search.models import SuggestionOpening

pytestmark = pytest.mark.django_db

SIMILAR_URL = "/search/similar/"
LINK = re.compile(r'href="(/search/similar/(\d+)/open/\?[^"]+)"')


def ask(author, space, title, body="Any ideas?"):
    return services.create_topic(
        author=author, space=space, title=title, body=body, kind=Topic.Kind.QUESTION
    )


@pytest.fixture
def solved(customer, other_customer, public_space):
    question = ask(other_customer, public_space, "How do I clean a beer line?")
    answer = services.create_reply(author=customer, topic=question, body="Line cleaner, 15 min.")
    services.accept_answer(actor=other_customer, post=answer)
    return question


@pytest.fixture
def unsolved(other_customer, public_space):
    return ask(other_customer, public_space, "Beer line too long: foamy pours")


def suggestions(client, title, **extra):
    params = {"title": title, "kind": "question", "submit_key": "k" * 32, **extra}
    return client.get(SIMILAR_URL, params, HTTP_HX_REQUEST="true")


def unescape(url: str) -> str:
    return url.replace("&amp;", "&")


def test_the_composer_asks_for_suggestions_as_the_title_is_typed(
    client_for, customer, public_space
):
    page = client_for(customer).get(f"/s/{public_space.slug}/new/")

    assert page.status_code == 200
    html = page.content.decode()
    container = re.search(r'<div id="similar-questions"[^>]*>', html, re.S).group(0)
    assert 'hx-get="/search/similar/"' in container
    assert 'hx-trigger="input changed delay:300ms from:#id_title' in container
    assert "#id_title, [name='kind'], [name='submit_key']" in container
    assert 'aria-live="polite"' in container
    assert "<script>" not in html.split("</head>", 1)[1]


def test_suggestions_show_solved_first_with_links_that_open_a_new_tab(
    client_for, customer, solved, unsolved
):
    response = suggestions(client_for(customer), "Cleaning my beer line")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Similar questions" in html
    assert html.index(solved.title) < html.index(unsolved.title)
    assert html.count("Solved") == 1
    assert html.index("Solved") < html.index(unsolved.title)
    links = LINK.findall(html)
    assert [int(topic_id) for _url, topic_id in links] == [solved.pk, unsolved.pk]
    assert all("ref=composer" in url and "draft=" in url for url, _ in links)
    assert html.count('target="_blank" rel="noopener nofollow"') == 2


def test_no_suggestions_for_a_discussion_or_a_title_without_meaning(client_for, customer, solved):
    client = client_for(customer)
    shown = suggestions(client, "Cleaning my beer line")
    assert shown.status_code == 200
    assert solved.title in shown.content.decode()
    assert len(LINK.findall(shown.content.decode())) == 1

    # The same title for a discussion, and titles with no word worth matching: the partial
    # answers, empty, so the composer's live region is cleared (nothing is announced).
    for response in (
        suggestions(client, "Cleaning my beer line", kind="discussion"),
        suggestions(client, "How do I?"),
        suggestions(client, ""),
        client.get(SIMILAR_URL, HTTP_HX_REQUEST="true"),
    ):
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        html = response.content.decode()
        assert html.strip() == ""
        assert solved.title not in html and not LINK.findall(html)


def test_odd_input_never_breaks_the_partial(client_for, customer, solved):
    client = client_for(customer)

    for title in ("x" * 20_000, "beer\x00line", '"beer" AND (line OR NEAR(', "ビール line"):
        response = suggestions(client, title, submit_key="<script>" * 30)
        assert response.status_code == 200
        assert b"<script>" not in response.content
    assert client.post(SIMILAR_URL, {"title": "beer"}).status_code == 405


def test_the_suggestion_partial_runs_a_constant_number_of_queries(
    client_for, customer, other_customer, public_space, django_assert_max_num_queries
):
    client = client_for(customer)
    suggestions(client, "warm up")  # the day's first visit is recorded once
    ask(other_customer, public_space, "Beer line length one")
    with django_assert_max_num_queries(4):  # member, spaces, ranking, topics
        first = suggestions(client, "beer line length")
    for n in range(12):
        ask(other_customer, public_space, f"Beer line length {n + 2}")
    with django_assert_max_num_queries(4):
        many = suggestions(client, "beer line length")
    assert first.content.decode().count("<li>") == 1
    assert many.content.decode().count("<li>") == 5


def test_opening_a_suggestion_goes_to_the_question_and_notes_it_once(
    client_for, customer, solved, unsolved
):
    client = client_for(customer)
    url, _ = LINK.findall(suggestions(client, "beer line").content.decode())[0]

    response = client.get(unescape(url))
    again = client.get(unescape(url))

    assert response.status_code == 302
    assert response["Location"] == solved.get_absolute_url()
    assert again["Location"] == solved.get_absolute_url()
    opening = SuggestionOpening.objects.get()
    assert (opening.member, opening.topic, opening.draft) == (customer, solved, "k" * 32)
    assert opening.outcome == SuggestionOpening.Outcome.PENDING
    activity = Activity.objects.get(verb="question.suggestion_opened")
    assert (activity.actor, activity.target_type, activity.target_id) == (
        customer,
        "topic",
        solved.pk,
    )
    assert activity.payload == {"draft": "k" * 32, "ref": "composer", "solved": True}


def test_a_suggestion_link_opened_by_someone_else_or_signed_out_records_nothing(
    client_for, customer, other_customer, solved
):
    url, _ = LINK.findall(suggestions(client_for(customer), "beer line").content.decode())[0]

    for client in (client_for(other_customer), Client()):
        response = client.get(unescape(url))
        assert response.status_code == 302
        assert response["Location"] == solved.get_absolute_url()
    assert not SuggestionOpening.objects.exists()
    assert not Activity.objects.filter(verb="question.suggestion_opened").exists()


def test_a_tampered_or_missing_draft_records_nothing(client_for, customer, solved):
    client = client_for(customer)
    base = f"/search/similar/{solved.pk}/open/"

    for query in ("", "?ref=composer", "?ref=composer&draft=1:abc:forged", "?draft=x&ref=other"):
        assert client.get(base + query).status_code == 302
    assert not SuggestionOpening.objects.exists()


def test_opening_a_topic_that_is_no_suggestion_records_nothing(
    client_for, customer, moderator, public_space, solved
):
    """Only a published, live question can have been suggested: a discussion, a held or
    hidden question (its author and moderators may still open it) or a deleted one (which
    moderators may open) is not counted, however the link was made."""
    from hearth.community.models import State
    from hearth.search.views import _draft_token

    discussion = services.create_topic(
        author=customer, space=public_space, title="Beer line photos", body="Look."
    )
    held = ask(customer, public_space, "Beer line held for review")
    hidden = ask(customer, public_space, "Beer line hidden by moderators")
    deleted = ask(customer, public_space, "Beer line deleted")
    services.set_post_state(
        actor=None, post=held.posts.get(position=1), state=State.HELD, reason="Checking."
    )
    services.set_post_state(
        actor=moderator, post=hidden.posts.get(position=1), state=State.HIDDEN, reason="Spam."
    )
    services.delete_post(actor=customer, post=deleted.posts.get(position=1))

    def open_as(member, topic):
        client = client_for(member)
        draft = _draft_token(member, "k" * 32)
        url = f"/search/similar/{topic.pk}/open/"
        response = client.get(url, {"ref": "composer", "draft": draft})
        assert response.status_code == 302
        assert response["Location"] == topic.get_absolute_url()

    open_as(customer, solved)
    assert SuggestionOpening.objects.filter(member=customer, topic=solved).exists()

    for member, topic in (
        (customer, discussion),
        (customer, held),
        (customer, hidden),
        (moderator, hidden),
        (moderator, deleted),
    ):
        open_as(member, topic)
        assert not SuggestionOpening.objects.filter(topic=topic).exists(), topic.title
    assert SuggestionOpening.objects.count() == 1
    assert Activity.objects.filter(verb="question.suggestion_opened").count() == 1


def test_opening_a_question_the_member_may_not_see_is_not_found(
    client_for, customer, employee, employee_space
):
    hidden = ask(employee, employee_space, "Internal keg inventory")

    assert client_for(customer).get(f"/search/similar/{hidden.pk}/open/").status_code == 404
    assert Client().get(f"/search/similar/{hidden.pk}/open/").status_code == 404
    assert client_for(customer).get("/search/similar/999999/open/").status_code == 404


def test_anonymous_visitors_get_suggestions_without_a_draft(solved):
    html = suggestions(Client(), "beer line").content.decode()

    assert solved.title in html
    assert "draft=" not in html


def test_posting_from_the_composer_works_without_javascript(client_for, customer, public_space):
    client = client_for(customer)
    page = client.get(f"/s/{public_space.slug}/new/")
    submit_key = re.search(r'name="submit_key" value="(\w+)"', page.content.decode()).group(1)

    response = client.post(
        f"/s/{public_space.slug}/new/",
        {
            "title": "Keg coupler leaks",
            "kind": "question",
            "body": "It drips.",
            "submit_key": submit_key,
        },
    )

    topic = Topic.objects.get(title="Keg coupler leaks")
    assert response.status_code == 302
    assert response["Location"] == topic.get_absolute_url()
    assert topic.posts.get(position=1).submit_key == submit_key
