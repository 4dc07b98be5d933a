"""search() and search_filters(): ranking, snippets, filters, visibility, odd input."""

import datetime
import time

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.utils import timezone

from hearth.accounts.models import Affiliation
from hearth.community import services
from hearth.community.models import Post, Tag
from hearth.core.errors import ValidationFailed
from hearth.search import selectors
from tests.conftest import load_xss_payloads

pytestmark = pytest.mark.django_db


@pytest.fixture
def filler(make_topic, other_customer, public_space):
    """Unrelated topics, so that the words searched for are rare, as in a real community."""
    for n in range(6):
        make_topic(
            author=other_customer,
            space=public_space,
            title=f"Unrelated conversation number {n}",
            body="Lunch plans, weather and the weekend.",
        )


def test_a_title_match_ranks_above_a_body_only_match(
    filler, make_topic, customer, public_space, found_topics
):
    body_only = make_topic(
        author=customer,
        space=public_space,
        title="Question about my setup",
        body="The thermostat keeps dropping off the network.",
    )
    in_title = make_topic(
        author=customer,
        space=public_space,
        title="Thermostat keeps dropping off",
        body="Since yesterday nothing works.",
    )

    assert found_topics(customer, "thermostat") == [in_title.pk, body_only.pk]


def test_results_carry_the_title_and_a_snippet_with_the_words_marked(
    filler, make_topic, customer, public_space
):
    make_topic(
        author=customer,
        space=public_space,
        title="Thermostat keeps dropping off",
        body="Every evening the thermostat drops off the network for an hour.",
    )

    [result] = selectors.search(customer, "thermostat network").results

    assert result.title_html == "<mark>Thermostat</mark> keeps dropping off"
    assert "<mark>thermostat</mark>" in result.snippet_html
    assert "<mark>network</mark>" in result.snippet_html
    assert result.rank > 0


def test_words_match_in_other_forms(filler, make_topic, customer, public_space, found_topics):
    topic = make_topic(
        author=customer, space=public_space, title="Pairing troubles", body="It dropped twice."
    )

    assert found_topics(customer, "drops pair") == [topic.pk]


def test_every_word_must_match_unless_or_is_used(
    filler, make_topic, customer, public_space, found_topics
):
    zigbee = make_topic(author=customer, space=public_space, title="Zigbee mesh range")
    thread = make_topic(author=customer, space=public_space, title="Thread border router")

    assert found_topics(customer, "zigbee thread") == []
    assert set(found_topics(customer, "zigbee or thread")) == {zigbee.pk, thread.pk}
    assert found_topics(customer, "mesh -zigbee") == []
    assert found_topics(customer, '"border router"') == [thread.pk]
    assert found_topics(customer, '"router border"') == []


def test_a_hit_in_a_reply_points_at_that_reply(
    filler, make_topic, make_reply, customer, other_customer, public_space, found
):
    topic = make_topic(author=customer, space=public_space, title="Hub setup questions")
    make_reply(topic=topic, author=other_customer, body="Did you try the app?")
    answer = make_reply(topic=topic, author=other_customer, body="Roll the firmware back to 4.1.")

    assert found(customer, "firmware") == [answer.pk]


def test_a_topic_shows_once_with_its_best_post(
    filler, make_topic, make_reply, customer, other_customer, public_space
):
    topic = make_topic(author=customer, space=public_space, title="Lamp flickers", body="Help.")
    for n in range(3):
        make_reply(topic=topic, author=other_customer, body=f"My lamp flickers too ({n}).")

    results = selectors.search(customer, "lamp flickers").results

    assert [r.topic.pk for r in results] == [topic.pk]


def test_pages_go_twenty_at_a_time(make_topic, customer, public_space):
    for n in range(25):
        make_topic(author=customer, space=public_space, title=f"Dimmer question {n}")

    first = selectors.search(customer, "dimmer")
    second = selectors.search(customer, "dimmer", offset=20)

    assert len(first.results) == 20 and first.has_next
    assert len(second.results) == 5 and not second.has_next
    assert not {r.post.pk for r in first.results} & {r.post.pk for r in second.results}


# --- Filters ----------------------------------------------------------------------------


@pytest.fixture
def lamps(make_topic, make_reply, customer, partner, employee, public_space, members_space):
    """Topics about lamps, each differing in one way."""
    billing = Tag.objects.create(name="Billing", slug="billing")
    tagged = services.create_topic(
        author=customer, space=public_space, title="Lamp invoice", body="x", tags=[billing]
    )
    solved = make_topic(author=customer, space=public_space, title="Lamp solved", kind="question")
    answer = make_reply(topic=solved, author=partner, body="Do this.")
    services.accept_answer(actor=customer, post=answer)
    unsolved = make_topic(author=customer, space=public_space, title="Lamp open", kind="question")
    by_partner = make_topic(author=partner, space=public_space, title="Lamp by a partner")
    by_employee = make_topic(author=employee, space=members_space, title="Lamp by the team")
    return {
        "billing": billing,
        "tagged": tagged,
        "solved": solved,
        "unsolved": unsolved,
        "by_partner": by_partner,
        "by_employee": by_employee,
    }


def test_filter_by_space(lamps, customer, members_space, found_topics):
    assert found_topics(customer, "lamp", space=members_space) == [lamps["by_employee"].pk]


def test_filter_by_tag(lamps, customer, found_topics):
    assert found_topics(customer, "lamp", tag=lamps["billing"]) == [lamps["tagged"].pk]


def test_filter_by_solved(lamps, customer, found_topics):
    assert found_topics(customer, "lamp", solved=True) == [lamps["solved"].pk]
    assert found_topics(customer, "lamp", solved=False) == [lamps["unsolved"].pk]


def test_filter_by_author(lamps, customer, partner, found_topics):
    # The partner started one topic and gave the accepted answer in another.
    assert set(found_topics(customer, "lamp", author=partner)) == {
        lamps["by_partner"].pk,
        lamps["solved"].pk,
    }


def test_filter_by_the_authors_affiliation(lamps, customer, found_topics):
    assert found_topics(customer, "lamp", affiliation=Affiliation.EMPLOYEE) == [
        lamps["by_employee"].pk
    ]
    # The partner's answer has no lamp in it, but its topic's title does.
    assert set(found_topics(customer, "lamp", affiliation=Affiliation.PARTNER)) == {
        lamps["by_partner"].pk,
        lamps["solved"].pk,
    }


def test_filter_by_date_range_includes_both_days(make_topic, customer, public_space, found):
    days = [datetime.date(2024, 3, d) for d in (1, 2, 3, 4)]
    posts = {}
    for day in days:
        topic = make_topic(author=customer, space=public_space, title=f"Sensor log {day}")
        post = topic.posts.get()
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 30)))
        Post.objects.filter(pk=post.pk).update(created_at=moment)
        posts[day] = post.pk

    between = found(customer, "sensor", since=days[1], until=days[2])

    assert set(between) == {posts[days[1]], posts[days[2]]}
    assert set(found(customer, "sensor", since=days[3])) == {posts[days[3]]}
    assert set(found(customer, "sensor", until=days[0])) == {posts[days[0]]}


def test_search_filters_look_up_what_was_typed(lamps, customer, partner, members_space):
    chosen = selectors.search_filters(
        customer,
        space=members_space.slug,
        tag="billing",
        solved="yes",
        author="@PAT",
        affiliation="partner",
        since="2024-01-01",
        until="2024-12-31",
    )

    assert chosen == {
        "space": members_space,
        "tag": lamps["billing"],
        "solved": True,
        "author": partner,
        "affiliation": "partner",
        "since": datetime.date(2024, 1, 1),
        "until": datetime.date(2024, 12, 31),
    }


def test_empty_filters_narrow_nothing(customer):
    assert selectors.search_filters(customer) == {
        "solved": None,
        "since": None,
        "until": None,
    }


@pytest.mark.parametrize(
    ("given", "code", "field"),
    [
        ({"space": "no-such-space"}, "unknown_space", "space"),
        ({"space": "team-room"}, "unknown_space", "space"),
        ({"tag": "nope"}, "unknown_tag", "tag"),
        ({"solved": "maybe"}, "invalid_solved", "solved"),
        ({"author": "nobody-here"}, "unknown_author", "author"),
        ({"affiliation": "pirate"}, "invalid_affiliation", "affiliation"),
        ({"since": "yesterday"}, "invalid_date", "since"),
        ({"until": "2024-02-30"}, "invalid_date", "until"),
        ({"since": "2024-03-02", "until": "2024-03-01"}, "invalid_date_range", "since"),
    ],
)
def test_search_filters_refuse_what_they_cannot_use(customer, employee_space, given, code, field):
    with pytest.raises(ValidationFailed) as refused:
        selectors.search_filters(customer, **given)

    assert (refused.value.code, refused.value.field) == (code, field)


# --- Visibility -------------------------------------------------------------------------

VIEWERS = ["anonymous", "customer", "partner", "employee", "moderator"]
SEES = {
    "public": {"anonymous", "customer", "partner", "employee", "moderator"},
    "members": {"customer", "partner", "employee", "moderator"},
    "partners": {"partner", "employee", "moderator"},
    "employees": {"employee", "moderator"},
}


@pytest.fixture
def viewers(customer, partner, employee, moderator):
    return {
        "anonymous": AnonymousUser(),
        "customer": customer,
        "partner": partner,
        "employee": employee,
        "moderator": moderator,
    }


@pytest.fixture
def secrets(make_topic, employee, public_space, members_space, partner_space, employee_space):
    """The same word in a topic in each kind of space."""
    spaces = {
        "public": public_space,
        "members": members_space,
        "partners": partner_space,
        "employees": employee_space,
    }
    return {
        name: make_topic(author=employee, space=space, title=f"Roadmap notes for {name}")
        for name, space in spaces.items()
    }


@pytest.mark.parametrize("viewer", VIEWERS)
def test_members_find_only_what_their_spaces_show(secrets, viewers, found_topics, viewer):
    seen = set(found_topics(viewers[viewer], "roadmap"))

    assert seen == {topic.pk for name, topic in secrets.items() if viewer in SEES[name]}


@pytest.mark.parametrize("viewer", ["anonymous", "customer"])
def test_naming_a_hidden_space_finds_nothing_either(
    secrets, viewers, partner_space, found_topics, viewer
):
    assert found_topics(viewers[viewer], "roadmap", space=partner_space) == []


# --- Odd input --------------------------------------------------------------------------

ODD_QUERIES = [
    "",
    " ",
    '"',
    '"""',
    "'",
    "-",
    "--",
    "*",
    "hub*",
    "^hub",
    "hub AND lamp",
    "hub OR",
    "OR",
    "NOT hub",
    "NEAR(hub lamp, 2)",
    "title:hub",
    "{title body}: hub",
    "hub + lamp",
    "(hub",
    "hub)",
    "!hub & lamp | x <-> y",
    "hub:*",
    "'; DROP TABLE community_post; --",
    "\\",
    "%",
    "_",
    "\x00hub",
    "\ue000hub\ue001",
    "😀 lamp",
    "日本語の検索",
    "Ünïcödé çafé",
    "x" * 1000,
    "lamp " * 400,
    '"' * 999,
]


@pytest.mark.parametrize("query", ODD_QUERIES)
def test_odd_queries_never_fail(filler, make_topic, customer, public_space, query):
    make_topic(author=customer, space=public_space, title="Hub and lamp", body="Hub lamp 😀")

    page = selectors.search(customer, query)

    assert isinstance(page.results, list)


def test_empty_and_common_word_queries_explain_themselves(customer):
    assert selectors.search(customer, "  ").notice == selectors.EMPTY_QUERY
    assert selectors.search(customer, "how is it").notice == selectors.ONLY_COMMON_WORDS


def test_limits_and_offsets_out_of_range_are_clamped(make_topic, customer, public_space):
    make_topic(author=customer, space=public_space, title="Clamp this lamp")

    assert len(selectors.search(customer, "lamp", limit=0).results) == 1
    assert selectors.search(customer, "lamp", offset=-5).offset == 0
    assert selectors.search(customer, "lamp", offset=10**9).results == []


def test_xss_payloads_come_back_escaped_with_only_marks_as_markup(
    make_member, public_space, customer
):
    payloads = load_xss_payloads()[::20]
    author = make_member(username="mallory")
    for payload in payloads:
        title = f"Zebra {payload}"[:200]
        if len(title.strip()) < 5:
            continue
        services.create_topic(
            author=author, space=public_space, title=title, body=f"zebra {payload} zebra"
        )

    page = selectors.search(customer, "zebra", limit=50)

    assert len(page.results) >= len(payloads) - 1
    for result in page.results:
        assert result.title_html.startswith("<mark>Zebra</mark>")
        for html in (result.title_html, result.snippet_html):
            assert "<" not in html.replace("<mark>", "").replace("</mark>", "")


# --- PostgreSQL: the ranges of post ids a search goes through ---------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL searches in ranges")
@pytest.mark.parametrize("newest_off_by", [0, -9, 40])
def test_the_ranges_yield_exactly_the_newest_matches(
    monkeypatch, make_topic, customer, public_space, found_topics, newest_off_by
):
    from hearth.search.backends import postgres

    monkeypatch.setattr(postgres, "WALK_POSTS", 2)
    monkeypatch.setattr(postgres, "WINDOW_GROWTH", 2)
    monkeypatch.setattr(postgres, "WINDOWS", 3)
    monkeypatch.setattr(postgres, "CANDIDATES", 5)
    matching = []
    for n in range(14):
        matching.append(make_topic(author=customer, space=public_space, title=f"Range check {n}"))
        make_topic(author=customer, space=public_space, title=f"Something else {n}")
    newest = Post.objects.order_by("-id").values_list("id", flat=True).first()
    # However stale the cached newest id, the ranges still cover every post.
    monkeypatch.setitem(
        postgres._NEWEST, connection.alias, (time.monotonic(), newest + newest_off_by)
    )

    assert set(found_topics(customer, "range check", limit=50)) == {t.pk for t in matching[-5:]}
