"""Moderation pages and API answers run a small, constant number of queries, however many
flags, decisions, members and screening words there are.

Each is measured with a little data and again with much more, flagged by members of every
affiliation (some with an organization) and decided by several staff, so a look-up per row
would show: the counts must be the same and within the budget. Every client makes one request
before measuring, so the day's visit (a session) or the token's "last used" note is behind it.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from hearth.accounts import services as account_services
from hearth.accounts.models import Affiliation
from hearth.api.tests.conftest import bearer, url
from hearth.community import services as community
from hearth.moderation import services
from hearth.moderation.models import Flag, ModerationAction, ReviewItem, ScreeningWord

pytestmark = pytest.mark.django_db

BUDGET = {
    # the viewer, the member on record, the decisions, which of them are undone, the flags
    "member record": 5,
    # the viewer, the words
    "screening": 2,
    # the caller (token or session), the items, their flags, the posts before them, the
    # members' latest decisions, the members' upheld flags
    "queue": 6,
    # the caller (token or session), the decisions
    "log": 2,
}
# The HTML pages show at most 50 decisions and 50 flags; the API 30 items a page.
RECORD_LENGTH = 50
API_PAGE = 30
API_VIEWERS = ["token", "session"]
KINDS = [Affiliation.CUSTOMER, Affiliation.PARTNER, Affiliation.PROSPECT, Affiliation.EMPLOYEE]


@pytest.fixture
def people(make_member):
    """Members of each affiliation, half of them with an organization."""
    orgs = [
        account_services.create_organization(actor=None, name=f"Org {n}", kind="customer")
        for n in range(3)
    ]
    return [
        make_member(
            username=f"person{n}",
            affiliation=KINDS[n % len(KINDS)],
            organization=orgs[n % len(orgs)] if n % 2 else None,
        )
        for n in range(8)
    ]


@pytest.fixture
def staff(moderator, other_moderator, manager, other_manager):
    """Who decides: moderators and community managers, in turn."""
    return [moderator, other_moderator, manager, other_manager]


@pytest.fixture
def fresh_member(make_member):
    """A new member of the `n`th kind, with an organization every other time."""
    org = account_services.create_organization(actor=None, name="Fresh Org", kind="partner")

    def build(n: int):
        return make_member(affiliation=KINDS[n % len(KINDS)], organization=org if n % 2 else None)

    return build


def page_client(client_for, member) -> Client:
    client = client_for(member)
    assert client.get(reverse("community:home")).status_code == 200  # the day's visit
    return client


def api_client(kind: str, member, client_for) -> Client:
    if kind == "session":
        return client_for(member)
    _, secret = account_services.create_api_token(member=member, name="Counting", scope="read")
    return Client(**bearer(secret))


def measure(client: Client, path: str, most: int, django_assert_max_num_queries):
    """The number of queries one GET of `path` runs (at most `most`), and the response."""
    with django_assert_max_num_queries(most) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code, response.content[:500])
    return len(captured), response


# --- A member's record ------------------------------------------------------------------------


@pytest.fixture
def grow_record(customer, people, staff, fresh_member, public_space):
    """`rounds` more topics by the customer, each flagged, and decisions about the customer:
    warnings, hidden posts (some undone), silences (undone), from staff in turn."""
    done = {"n": 0}

    def grow(rounds: int) -> None:
        for _ in range(rounds):
            n = done["n"] = done["n"] + 1
            actor, other = staff[n % len(staff)], staff[(n + 1) % len(staff)]
            topic = community.create_topic(
                author=customer, space=public_space, title=f"Cheap coins, offer {n}", body="Buy"
            )
            post = topic.posts.get()
            services.flag_post(
                flagger=people[n % len(people)], post=post, reason="spam", note=f"Ads {n}"
            )
            if n % 4 == 0:
                services.flag_member(flagger=fresh_member(n), member=customer, reason="harassment")
            if n % 3 == 0:
                services.warn_member(actor=actor, member=customer, reason=f"Warning {n}")
            elif n % 3 == 1:
                hidden = services.hide_post(actor=actor, post=post, reason=f"Spam {n}")
                if n % 2:
                    services.undo_action(actor=other, action=hidden, reason="Not spam after all")
            else:
                silence = services.silence_member(
                    actor=actor, member=customer, days=1, reason=f"Calm down {n}"
                )
                services.undo_action(actor=other, action=silence, reason="Apologised")
                customer.refresh_from_db()

    return grow


def shown_on_record(html: str) -> tuple[int, int]:
    """How many decisions and flags the member's record lists."""
    flags = (
        html.split('<ul class="review-flags">')[1].split("</ul>")[0]
        if "review-flags" in html
        else ""
    )
    return len(re.findall(r'<tr id="action-\d+"', html)), flags.count("<li>")


def test_a_members_record_runs_the_same_queries_for_few_or_many_decisions_and_flags(
    client_for, moderator, customer, grow_record, django_assert_max_num_queries
):
    client = page_client(client_for, moderator)
    path = reverse("moderation:member", args=[customer.username])

    def count() -> int:
        queries, response = measure(
            client, path, BUDGET["member record"], django_assert_max_num_queries
        )
        decisions = ModerationAction.objects.filter(member=customer).count()
        flags = Flag.objects.filter(member=customer).count()
        assert shown_on_record(response.content.decode()) == (
            min(decisions, RECORD_LENGTH),
            min(flags, RECORD_LENGTH),
        )
        return queries

    grow_record(3)
    few = count()
    grow_record(57)
    assert ModerationAction.objects.filter(member=customer).count() > RECORD_LENGTH
    assert Flag.objects.filter(member=customer).count() > RECORD_LENGTH

    assert count() == few


# --- Screening words --------------------------------------------------------------------------


def test_the_screening_words_page_runs_the_same_queries_for_3_or_40_words(
    client_for, moderator, staff, django_assert_max_num_queries
):
    client = page_client(client_for, moderator)
    added = {"n": 0}

    def add(count: int) -> None:
        for _ in range(count):
            n = added["n"] = added["n"] + 1
            services.add_screening_word(actor=staff[n % len(staff)], word=f"cheapcoins{n}")

    def count() -> int:
        queries, response = measure(
            client,
            reverse("moderation:screening"),
            BUDGET["screening"],
            django_assert_max_num_queries,
        )
        html = response.content.decode()
        assert html.count('action="/moderation/screening/') == added["n"]
        return queries

    add(3)
    few = count()
    add(37)
    assert ScreeningWord.objects.count() == 40

    assert count() == few


# --- API: the queue ---------------------------------------------------------------------------


@pytest.fixture
def grow_queue(people, staff, fresh_member, public_space):
    """`count` more waiting items: flagged replies (with the author's earlier warnings),
    flagged members and posts held by screening, by and about members of every kind."""
    done = {"n": 0}

    def grow(count: int) -> None:
        for _ in range(count):
            n = done["n"] = done["n"] + 1
            starter, author = people[n % len(people)], people[(n + 1) % len(people)]
            topic = community.create_topic(
                author=starter, space=public_space, title=f"Pairing trouble {n}", body="Help"
            )
            reply = community.create_reply(author=author, topic=topic, body=f"Reply {n}")
            if n % 3 == 0:
                for flagger in people[(n + 2) % len(people) :][: n % 2 + 1]:
                    services.flag_post(flagger=flagger, post=reply, reason="spam")
                services.warn_member(
                    actor=staff[n % len(staff)], member=author, reason=f"Warning {n}"
                )
            elif n % 3 == 1:
                services.flag_member(
                    flagger=people[(n + 3) % len(people)],
                    member=fresh_member(n),
                    reason="harassment",
                    note=f"Note {n}",
                )
            else:
                services.hold_for_review(reply, reason="A listed word", codes=["word"])

    return grow


def assert_a_page_costs_the_same(client, path, budget, grow, total, django_assert_max_num_queries):
    """A page of `path` runs as many queries with 3 items as with 40 (more than a page)."""
    assert client.get(path).status_code == 200  # a token's first use is noted

    def count() -> int:
        queries, response = measure(client, path, budget, django_assert_max_num_queries)
        body = response.json()
        assert len(body["results"]) == min(total(), API_PAGE)
        assert (body["next_cursor"] is not None) == (total() > API_PAGE)
        return queries

    grow(3)
    few = count()
    grow(37)
    assert total() > API_PAGE

    assert count() == few


# --- API: the log -----------------------------------------------------------------------------


@pytest.fixture
def grow_log(people, staff, fresh_member, public_space):
    """`count` more rounds of decisions of each kind, by staff in turn and by screening,
    about posts and members of every kind; some undone."""
    done = {"n": 0}

    def grow(count: int) -> None:
        for _ in range(count):
            n = done["n"] = done["n"] + 1
            actor, other = staff[n % len(staff)], staff[(n + 1) % len(staff)]
            topic = community.create_topic(
                author=people[n % len(people)],
                space=public_space,
                title=f"Spam or not {n}",
                body="Maybe",
            )
            post = topic.posts.get()
            if n % 4 == 0:
                services.warn_member(actor=actor, member=post.author, reason=f"Warning {n}")
            elif n % 4 == 1:
                hidden = services.hide_post(actor=actor, post=post, reason=f"Spam {n}")
                if n % 8 == 1:
                    services.undo_action(actor=other, action=hidden, reason="Not spam")
            elif n % 4 == 2:
                services.hold_for_review(post, reason="A listed word", codes=["word"])
            else:
                services.silence_member(
                    actor=actor, member=fresh_member(n), days=2, reason=f"Calm down {n}"
                )

    return grow


# What each list endpoint shows: its path, the fixture that grows it, and how many items it has.
API_LISTS = {
    "queue": (
        "/moderation/queue",
        "grow_queue",
        lambda: ReviewItem.objects.filter(status=ReviewItem.Status.PENDING).count(),
    ),
    "log": ("/moderation/log", "grow_log", lambda: ModerationAction.objects.count()),
}


@pytest.mark.parametrize("viewer", API_VIEWERS)
@pytest.mark.parametrize("listing", sorted(API_LISTS))
def test_the_api_lists_run_the_same_queries_for_3_or_40_items(
    request, client_for, moderator, listing, viewer, django_assert_max_num_queries
):
    path, grow, total = API_LISTS[listing]
    assert_a_page_costs_the_same(
        api_client(viewer, moderator, client_for),
        url(path),
        BUDGET[listing],
        request.getfixturevalue(grow),
        total,
        django_assert_max_num_queries,
    )
