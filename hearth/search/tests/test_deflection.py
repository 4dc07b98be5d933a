"""Deflection: a member opened a suggested question from the composer and left without posting.

Openings are settled by the periodic job once the window has passed: a composer whose draft
was posted asked anyway; one that was not posted becomes exactly one `question.deflected`.
"""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from hearth.community import services as community
from hearth.community.models import Topic
from hearth.core.errors import NotFound
from hearth.core.models import Activity
from hearth.search import services
from hearth.search.models import SuggestionOpening

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
DRAFT = "d" * 32


@pytest.fixture
def suggested(other_customer, public_space):
    return community.create_topic(
        author=other_customer,
        space=public_space,
        title="How do I stop a keg from foaming?",
        body="Every pour is foam.",
        kind=Topic.Kind.QUESTION,
    )


@pytest.fixture
def another(other_customer, public_space):
    return community.create_topic(
        author=other_customer,
        space=public_space,
        title="Keg foaming after moving it",
        body="It was fine before.",
        kind=Topic.Kind.QUESTION,
    )


def deflections():
    return list(Activity.objects.filter(verb="question.deflected").order_by("id"))


def later(hours: float):
    return timezone.now() + hours * HOUR


def test_opened_then_left_is_one_deflection(customer, suggested, settings):
    settings.HEARTH_DEFLECTION_WINDOW_HOURS = 24
    services.record_suggestion_opened(member=customer, topic=suggested, draft=DRAFT)

    assert services.settle_suggestion_openings(now=later(23)) == {"deflected": 0, "posted": 0}
    assert deflections() == []

    assert services.settle_suggestion_openings(now=later(25)) == {"deflected": 1, "posted": 0}
    [deflection] = deflections()
    assert (deflection.actor, deflection.target_type, deflection.target_id) == (
        customer,
        "topic",
        suggested.pk,
    )
    assert deflection.space_id == suggested.space_id
    assert deflection.payload["draft"] == DRAFT
    assert deflection.payload["opened"] == [suggested.pk]
    opening = SuggestionOpening.objects.get()
    assert opening.outcome == SuggestionOpening.Outcome.DEFLECTED
    assert opening.settled_at is not None


def test_opened_then_posted_from_the_same_composer_is_no_deflection(
    customer, suggested, public_space
):
    services.record_suggestion_opened(member=customer, topic=suggested, draft=DRAFT)
    community.create_topic(
        author=customer,
        space=public_space,
        title="My keg foams even at 3 degrees",
        body="Tried everything in the other thread.",
        kind=Topic.Kind.QUESTION,
        submit_key=DRAFT,
    )

    assert services.settle_suggestion_openings(now=later(25)) == {"deflected": 0, "posted": 1}
    assert deflections() == []
    assert SuggestionOpening.objects.get().outcome == SuggestionOpening.Outcome.POSTED


def test_a_post_from_another_composer_or_member_does_not_count(
    customer, other_customer, suggested, public_space
):
    services.record_suggestion_opened(member=customer, topic=suggested, draft=DRAFT)
    community.create_topic(
        author=customer,
        space=public_space,
        title="Something else entirely",
        body="A new composer.",
        kind=Topic.Kind.QUESTION,
        submit_key="e" * 32,
    )
    community.create_topic(
        author=other_customer,
        space=public_space,
        title="Another member's question",
        body="Same key, other member.",
        kind=Topic.Kind.QUESTION,
        submit_key=DRAFT,
    )

    assert services.settle_suggestion_openings(now=later(25)) == {"deflected": 1, "posted": 0}


def test_repeated_runs_settle_each_composer_exactly_once(customer, suggested):
    services.record_suggestion_opened(member=customer, topic=suggested, draft=DRAFT)

    for hours in (25, 26, 48, 200):
        services.settle_suggestion_openings(now=later(hours))

    assert len(deflections()) == 1


def test_several_suggestions_opened_from_one_composer_are_one_deflection(
    customer, suggested, another
):
    services.record_suggestion_opened(member=customer, topic=suggested, draft=DRAFT)
    services.record_suggestion_opened(member=customer, topic=another, draft=DRAFT)
    services.record_suggestion_opened(member=customer, topic=suggested, draft=DRAFT)

    assert SuggestionOpening.objects.count() == 2
    assert Activity.objects.filter(verb="question.suggestion_opened").count() == 2
    assert services.settle_suggestion_openings(now=later(25)) == {"deflected": 1, "posted": 0}
    [deflection] = deflections()
    assert deflection.target_id == another.pk  # the last one they read
    assert deflection.payload["opened"] == [suggested.pk, another.pk]


def test_the_window_runs_from_the_last_opening(customer, suggested, another):
    services.record_suggestion_opened(member=customer, topic=suggested, draft=DRAFT)
    SuggestionOpening.objects.filter(topic=suggested).update(opened_at=later(-20))
    services.record_suggestion_opened(member=customer, topic=another, draft=DRAFT)

    assert services.settle_suggestion_openings(now=later(10))["deflected"] == 0
    assert services.settle_suggestion_openings(now=later(25))["deflected"] == 1


def test_an_opening_after_the_composer_was_settled_does_not_count_again(
    customer, suggested, another
):
    services.record_suggestion_opened(member=customer, topic=suggested, draft=DRAFT)
    services.settle_suggestion_openings(now=later(25))

    opening = services.record_suggestion_opened(member=customer, topic=another, draft=DRAFT)
    services.settle_suggestion_openings(now=later(60))

    assert opening.outcome == SuggestionOpening.Outcome.DEFLECTED
    assert len(deflections()) == 1


def test_each_member_and_composer_is_settled_on_its_own(
    customer, other_customer, make_member, suggested, another
):
    third = make_member(username="thea")
    services.record_suggestion_opened(member=customer, topic=suggested, draft=DRAFT)
    services.record_suggestion_opened(member=customer, topic=suggested, draft="f" * 32)
    services.record_suggestion_opened(member=third, topic=another, draft=DRAFT)

    assert services.settle_suggestion_openings(now=later(25)) == {"deflected": 3, "posted": 0}
    assert sorted((a.actor.username, a.payload["draft"]) for a in deflections()) == [
        ("cara", DRAFT),
        ("cara", "f" * 32),
        ("thea", DRAFT),
    ]


@pytest.mark.parametrize("draft", ["", "short", "no spaces allowed here", "x" * 65, "<script>"])
def test_a_malformed_draft_records_nothing(customer, suggested, draft):
    assert services.record_suggestion_opened(member=customer, topic=suggested, draft=draft) is None
    assert not SuggestionOpening.objects.exists()


def test_a_question_the_member_may_not_see_cannot_be_opened(customer, employee, employee_space):
    hidden = community.create_topic(
        author=employee, space=employee_space, title="Staff keg list", body="Internal."
    )

    with pytest.raises(NotFound):
        services.record_suggestion_opened(member=customer, topic=hidden, draft=DRAFT)


def test_the_periodic_command_settles_openings_and_says_so(customer, suggested):
    services.record_suggestion_opened(member=customer, topic=suggested, draft=DRAFT)
    SuggestionOpening.objects.update(opened_at=later(-30))
    out = io.StringIO()

    call_command("periodic", stdout=out)
    call_command("periodic", stdout=io.StringIO())

    assert "1 questions deflected by suggestions, 0 asked anyway." in out.getvalue()
    assert len(deflections()) == 1


def test_settling_runs_a_bounded_number_of_queries_per_composer(
    customer, make_member, suggested, django_assert_max_num_queries
):
    for n in range(5):
        member = make_member(username=f"reader{n}")
        services.record_suggestion_opened(member=member, topic=suggested, draft=DRAFT)
    # The due composers, the posts from them, then per composer: lock, update, activity.
    with django_assert_max_num_queries(2 + 5 * 3 + 10):
        assert services.settle_suggestion_openings(now=later(25))["deflected"] == 5


def test_managers_see_the_openings_in_the_admin_and_cannot_edit_them(
    client_for, manager, customer, suggested, make_member, django_assert_max_num_queries
):
    services.record_suggestion_opened(member=customer, topic=suggested, draft=DRAFT)
    for n in range(5):
        reader = make_member(username=f"reader{n}")
        services.record_suggestion_opened(member=reader, topic=suggested, draft=DRAFT)
    client = client_for(manager)
    client.get("/admin/")

    with django_assert_max_num_queries(12):
        page = client.get("/admin/search/suggestionopening/")

    assert page.status_code == 200
    assert page.content.decode().count(suggested.title) == 6
    opening = SuggestionOpening.objects.filter(member=customer).get()
    assert client.get(f"/admin/search/suggestionopening/{opening.pk}/change/").status_code == 200
    assert client.get("/admin/search/suggestionopening/add/").status_code == 403
    assert (
        client.post(
            f"/admin/search/suggestionopening/{opening.pk}/change/", {"outcome": "posted"}
        ).status_code
        == 403
    )
    opening.refresh_from_db()
    assert opening.outcome == SuggestionOpening.Outcome.PENDING
