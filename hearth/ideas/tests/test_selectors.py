"""Idea reads: sorts and filters, the roadmap, similar ideas, breakdowns and the export."""

import datetime
from decimal import Decimal

import pytest
from django.http import Http404
from django.utils import timezone

from hearth.accounts import services as account_services
from hearth.accounts.models import Affiliation
from hearth.core.errors import ValidationFailed
from hearth.ideas import selectors, services
from hearth.ideas.models import Idea, IdeaVote
from hearth.ideas.tests.conftest import make_idea

pytestmark = pytest.mark.django_db


def titles(ideas) -> list[str]:
    return [idea.title for idea in ideas]


def vote(members, idea) -> None:
    for member in members:
        services.add_idea_vote(member=member, idea=idea)


@pytest.fixture
def voters(make_member):
    return [make_member(username=f"voter{n}") for n in range(6)]


@pytest.fixture
def three(customer, board, voters):
    """Three ideas: 'Few' (1 vote, oldest), 'Most' (3), 'Some' (2, newest)."""
    few = make_idea(author=customer, board=board, title="Few votes here")
    most = make_idea(author=customer, board=board, title="Most votes here")
    some = make_idea(author=customer, board=board, title="Some votes here")
    now = timezone.now()
    for age, idea in ((3, few), (2, most), (1, some)):
        Idea.objects.filter(pk=idea.pk).update(
            created_at=now - datetime.timedelta(days=age),
            updated_at=now - datetime.timedelta(days=age),
        )
    vote(voters[:1], few)
    vote(voters[:3], most)
    vote(voters[:2], some)
    return few, most, some


def test_sorted_by_votes_newest_and_recently_updated(customer, moderator, three, statuses):
    few = three[0]

    assert titles(selectors.idea_list(customer)) == [
        "Most votes here",
        "Some votes here",
        "Few votes here",
    ]
    assert titles(selectors.idea_list(customer, sort="newest")) == [
        "Some votes here",
        "Most votes here",
        "Few votes here",
    ]
    services.change_idea_status(actor=moderator, idea=few, status=statuses["planned"])
    assert titles(selectors.idea_list(customer, sort="updated")) == [
        "Few votes here",
        "Some votes here",
        "Most votes here",
    ]


def test_trending_counts_only_recent_votes(customer, three, voters):
    few, most, _ = three
    old = timezone.now() - datetime.timedelta(days=selectors.TRENDING_DAYS + 1)
    IdeaVote.objects.filter(idea=most).update(created_at=old)
    vote(voters[3:5], few)

    ideas = list(selectors.idea_list(customer, sort="trending"))

    assert titles(ideas) == ["Few votes here", "Some votes here", "Most votes here"]
    assert [idea.recent_votes for idea in ideas] == [3, 2, 0]


def test_filters_by_status_and_area(customer, moderator, board, area, statuses):
    make_idea(author=customer, board=board, title="In the app", area=area)
    planned = make_idea(author=customer, board=board, title="Planned elsewhere")
    services.change_idea_status(actor=moderator, idea=planned, status=statuses["planned"])

    assert titles(selectors.idea_list(customer, area=area)) == ["In the app"]
    assert titles(selectors.idea_list(customer, status=statuses["planned"])) == [
        "Planned elsewhere"
    ]
    assert titles(selectors.idea_list(customer, status=statuses["planned"], area=area)) == []


def test_unknown_sorts_statuses_and_areas_are_validation_errors(customer):
    with pytest.raises(ValidationFailed):
        selectors.idea_list(customer, sort="random")
    with pytest.raises(ValidationFailed) as caught:
        selectors.find_status("nope")
    assert caught.value.field == "status"
    with pytest.raises(ValidationFailed) as caught:
        selectors.find_area("nope")
    assert caught.value.field == "area"


def test_lists_hold_only_ideas_on_boards_one_may_see_and_no_merged_ones(
    customer, make_member, moderator, board, employee_board
):
    employee = make_member(affiliation=Affiliation.EMPLOYEE)
    make_idea(author=employee, board=employee_board, title="Team only idea")
    kept = make_idea(author=customer, board=board, title="Public idea")
    gone = make_idea(author=customer, board=board, title="Public duplicate")
    services.merge_ideas(actor=moderator, source=gone, target=kept)

    assert titles(selectors.idea_list(customer)) == ["Public idea"]
    assert sorted(titles(selectors.idea_list(employee))) == ["Public idea", "Team only idea"]
    assert [b.slug for b in selectors.visible_boards(customer)] == [board.slug]
    with pytest.raises(Http404):
        selectors.access_board(customer, employee_board.slug)
    with pytest.raises(Http404):
        selectors.access_idea(customer, Idea.objects.get(title="Team only idea").pk)


def test_voted_ids_tells_which_ideas_a_member_voted_for(three, voters, customer):
    few, most, some = three

    assert selectors.voted_ids(voters[2], [few, most, some]) == {most.pk}
    assert selectors.voted_ids(customer, [few, most, some]) == set()


def test_the_roadmap_groups_by_status_in_order_most_voted_first(
    customer, moderator, board, voters, statuses
):
    ideas = {}
    for title, slug, votes in [
        ("Review me", "under-review", 1),
        ("Plan A", "planned", 1),
        ("Plan B", "planned", 3),
        ("Building", "in-progress", 0),
        ("All done", "shipped", 2),
        ("Not this", "declined", 5),
        ("Fresh", "new", 4),
    ]:
        ideas[title] = idea = make_idea(author=customer, board=board, title=title)
        vote(voters[:votes], idea)
        if slug != "new":
            services.change_idea_status(actor=moderator, idea=idea, status=statuses[slug])

    columns = selectors.roadmap(customer)

    assert [(c.status.slug, titles(c.ideas), c.total) for c in columns] == [
        ("under-review", ["Review me"], 1),
        ("planned", ["Plan B", "Plan A"], 2),
        ("in-progress", ["Building"], 1),
        ("shipped", ["All done"], 1),
    ]
    capped = selectors.roadmap(customer, limit=1)
    planned = next(c for c in capped if c.status.slug == "planned")
    assert (titles(planned.ideas), planned.total, planned.more) == (["Plan B"], 2, 1)


def test_similar_ideas_match_title_words_best_first(customer, other_customer, board, voters):
    csv = make_idea(author=customer, board=board, title="Export reports as CSV")
    pdf = make_idea(author=customer, board=board, title="Export invoices as PDF")
    make_idea(author=customer, board=board, title="Dark mode")
    both = make_idea(author=customer, board=board, title="Scheduled exports of monthly reports")
    vote(voters[:2], pdf)

    found = selectors.similar_ideas(other_customer, "export the reports")

    # Two words shared first (the newer of two equals first), then one word with more votes.
    assert titles(found) == [both.title, csv.title, pdf.title]
    assert "Dark mode" not in titles(found)
    assert selectors.similar_ideas(other_customer, "the and of") == []
    assert selectors.similar_ideas(other_customer, "") == []


def test_with_three_words_an_idea_must_share_two(customer, other_customer, board):
    make_idea(author=customer, board=board, title="Mobile widgets for the home screen")
    match = make_idea(author=customer, board=board, title="Dark mode on mobile")

    assert titles(selectors.similar_ideas(other_customer, "dark mobile theme")) == [match.title]
    assert titles(selectors.similar_ideas(other_customer, "mobile")) == [
        "Dark mode on mobile",
        "Mobile widgets for the home screen",
    ]


def test_similar_ideas_hide_what_one_may_not_see(customer, make_member, employee_board, board):
    employee = make_member(affiliation=Affiliation.EMPLOYEE)
    make_idea(author=employee, board=employee_board, title="Secret roadmap export")
    make_idea(author=customer, board=board, title="Public export")

    assert titles(selectors.similar_ideas(customer, "export")) == ["Public export"]


def test_similar_words_drop_filler_and_short_words():
    assert selectors.similar_words("Please add an option to export to CSV in 4k") == [
        "export",
        "csv",
        "4k",
    ]


@pytest.fixture
def orgs():
    make = account_services.create_organization
    return {
        "acme": make(actor=None, name="Acme", kind="customer", annual_value=Decimal("50000")),
        "globex": make(actor=None, name="Globex", kind="customer", annual_value=Decimal("12000")),
        "initech": make(actor=None, name="Initech", kind="customer"),
    }


def test_the_breakdown_counts_by_affiliation_and_organization(make_member, moderator, idea, orgs):
    members = [
        make_member(organization=orgs["acme"]),
        make_member(organization=orgs["acme"]),
        make_member(organization=orgs["globex"]),
        make_member(organization=orgs["initech"], affiliation=Affiliation.PROSPECT),
        make_member(affiliation=Affiliation.PARTNER),
        make_member(affiliation=Affiliation.EMPLOYEE),
    ]
    vote(members[:3] + members[4:], idea)
    services.record_proxy_vote(actor=moderator, idea=idea, voter=members[3], channel="event")

    breakdown = selectors.vote_breakdown(idea)

    assert breakdown.total == 6
    assert breakdown.by_affiliation == [
        ("customer", "Customer", 3),
        ("prospect", "Prospect", 1),
        ("employee", "Employee", 1),
        ("partner", "Partner", 1),
    ]
    assert [(o.name, o.annual_value, o.votes) for o in breakdown.by_organization] == [
        ("Acme", Decimal("50000.00"), 2),
        ("Globex", Decimal("12000.00"), 1),
        ("Initech", None, 1),
    ]
    assert breakdown.without_organization == 2
    # Acme counts once though two of its people voted.
    assert breakdown.weighted_score == Decimal("62000.00")
    assert breakdown.proxy_votes == 1
    assert selectors.weighted_scores([idea]) == {idea.pk: Decimal("62000.00")}


def test_an_idea_without_votes_weighs_nothing(idea):
    breakdown = selectors.vote_breakdown(idea)

    assert (breakdown.total, breakdown.weighted_score, breakdown.by_organization) == (
        0,
        Decimal(0),
        [],
    )
    assert selectors.weighted_scores([]) == {}


def test_export_rows_carry_counts_score_and_organizations(
    make_member, moderator, customer, board, orgs, employee
):
    idea = make_idea(author=customer, board=board, title="Reports by e-mail")
    services.link_idea_tracker(actor=employee, idea=idea, tracker_ref="LUM-42")
    vote(
        [
            make_member(organization=orgs["acme"]),
            make_member(organization=orgs["acme"]),
            make_member(organization=orgs["globex"], affiliation=Affiliation.PROSPECT),
            make_member(affiliation=Affiliation.JOURNALIST),
        ],
        idea,
    )
    make_idea(author=customer, board=board, title="Quiet one")

    header, *rows = list(selectors.export_rows(moderator))

    assert header == selectors.EXPORT_HEADER
    row = dict(zip(header, rows[0], strict=True))
    assert row["title"] == "Reports by e-mail"
    assert row["votes"] == 4
    assert row["weighted_score"] == "62000.00"
    assert (row["customer_votes"], row["prospect_votes"], row["other_votes"]) == (2, 1, 1)
    assert row["voter_organizations"] == "Acme (2); Globex (1)"
    assert row["tracker_ref"] == "LUM-42"
    assert row["url"] == idea.get_absolute_url()
    assert dict(zip(header, rows[1], strict=True))["weighted_score"] == "0.00"


def test_export_reads_in_batches(monkeypatch, customer, moderator, board):
    monkeypatch.setattr(selectors, "EXPORT_BATCH", 2)
    for n in range(5):
        make_idea(author=customer, board=board, title=f"Batch idea {n}")

    rows = list(selectors.export_rows(moderator, sort="newest"))

    assert [row[1] for row in rows[1:]] == [f"Batch idea {n}" for n in range(4, -1, -1)]


def test_export_writes_each_idea_once_while_votes_reorder_it(
    monkeypatch, customer, moderator, board, voters
):
    # Sorted by votes, in batches of two: A (3), B (2), C (1), D (0). While the first batch
    # is written out, D and C gain votes and move ahead: paging with OFFSET would then write
    # B twice and never D.
    monkeypatch.setattr(selectors, "EXPORT_BATCH", 2)
    ideas = {name: make_idea(author=customer, board=board, title=f"Idea {name}") for name in "ABCD"}
    for name, count in (("A", 3), ("B", 2), ("C", 1)):
        vote(voters[:count], ideas[name])

    rows = selectors.export_rows(moderator, sort="votes")
    written = [next(rows)[1] for _ in range(3)][1:]  # the header and the first batch
    vote(voters[:5], ideas["D"])
    vote(voters[1:5], ideas["C"])
    written += [row[1] for row in rows]

    assert written == ["Idea A", "Idea B", "Idea C", "Idea D"]
