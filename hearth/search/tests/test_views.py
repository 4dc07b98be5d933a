"""The search page and the header search box."""

import re

import pytest

from hearth.accounts.models import Affiliation, Role
from hearth.community import services
from hearth.community.models import Tag
from tests.conftest import load_xss_payloads

pytestmark = pytest.mark.django_db

MAX_QUERIES = 8


@pytest.fixture
def lamps(make_topic, make_reply, customer, other_customer, public_space):
    topic = make_topic(
        author=customer,
        space=public_space,
        title="Desk lamp flickers when dimmed",
        body="It only happens **below ten percent**.",
        kind="question",
    )
    answer = make_reply(topic=topic, author=other_customer, body="Use the trailing-edge dimmer.")
    services.accept_answer(actor=customer, post=answer)
    return topic


def test_the_page_shows_ranked_results_with_marked_words(client, lamps):
    response = client.get("/search/", {"q": "lamp dimmed"})

    assert response.status_code == 200
    html = response.content.decode()
    opening = lamps.posts.get(position=1)
    assert f'href="/p/{opening.pk}/"' in html
    assert "Desk <mark>lamp</mark> flickers when <mark>dimmed</mark>" in html
    assert "below ten percent" in html and "**" not in html.split("search-results")[1]
    assert "badge-solved" in html
    assert lamps.space.name in html


def test_a_hit_in_the_accepted_answer_says_so(client, lamps):
    html = client.get("/search/", {"q": "trailing edge"}).content.decode()

    assert "Accepted answer" in html
    assert "<mark>trailing</mark>-<mark>edge</mark>" in html


def test_the_page_without_a_query_shows_only_the_form(client):
    response = client.get("/search/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="search-q"' in html
    assert "search-results" not in html and 'class="empty"' not in html


@pytest.mark.parametrize(
    ("query", "message"),
    [("", "Type a word or two"), ("   ", "Type a word or two"), ("how is it", "too common")],
)
def test_an_empty_or_too_common_query_says_what_to_do(client, query, message):
    response = client.get("/search/", {"q": query})

    assert response.status_code == 200
    assert message in response.content.decode()


def test_no_results_says_so_and_echoes_the_query_escaped(client, lamps):
    response = client.get("/search/", {"q": "<b>zebra</b>"})

    html = response.content.decode()
    assert "Nothing matches <strong>&lt;b&gt;zebra&lt;/b&gt;</strong>" in html
    assert "<b>zebra" not in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"space": "nope"}, "No such space."),
        ({"tag": "nope"}, "No such tag."),
        ({"solved": "maybe"}, "Choose solved or unsolved."),
        ({"author": "ghost"}, "No member with that username."),
        ({"affiliation": "pirate"}, "Unknown affiliation."),
        ({"since": "last week"}, "Give dates as YYYY-MM-DD."),
        ({"since": "2024-02-02", "until": "2024-02-01"}, "start date comes after"),
    ],
)
def test_bad_filters_show_a_message_not_an_error(client, lamps, params, message):
    response = client.get("/search/", {"q": "lamp", **params})

    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "search-results" not in html


def test_filters_narrow_the_results_and_stay_selected(client, lamps, make_topic, partner):
    Tag.objects.create(name="Lighting", slug="lighting")
    make_topic(author=partner, space=lamps.space, title="Lamp for the showroom")

    html = client.get("/search/", {"q": "lamp", "solved": "yes", "tag": ""}).content.decode()

    assert html.count('class="topic-row search-result"') == 1
    assert '<option value="yes" selected>' in html
    by_partner = client.get("/search/", {"q": "lamp", "affiliation": Affiliation.PARTNER})
    assert "showroom" in by_partner.content.decode()
    assert "Desk" not in by_partner.content.decode()


def test_hidden_spaces_stay_hidden_on_the_page(
    client, client_for, make_topic, employee, partner_space, partner
):
    make_topic(author=employee, space=partner_space, title="Partner price list")

    assert "Partner price list" not in client.get("/search/", {"q": "price"}).content.decode()
    assert (
        "Partner <mark>price</mark> list"
        in client_for(partner).get("/search/", {"q": "price"}).content.decode()
    )
    refused = client.get("/search/", {"q": "price", "space": partner_space.slug})
    assert "No such space." in refused.content.decode()
    assert "Partner lounge" not in refused.content.decode()


def test_results_page_through_twenty_at_a_time(client, make_topic, customer, public_space):
    for n in range(23):
        make_topic(author=customer, space=public_space, title=f"Motion sensor report {n}")

    first = client.get("/search/", {"q": "motion"}).content.decode()
    second = client.get("/search/", {"q": "motion", "page": "2"}).content.decode()
    beyond = client.get("/search/", {"q": "motion", "page": "9"}).content.decode()

    assert first.count('class="topic-row search-result"') == 20
    assert 'href="?q=motion&amp;page=2" rel="next"' in first
    assert second.count('class="topic-row search-result"') == 3
    assert 'rel="prev"' in second and 'rel="next"' not in second
    assert "No more results" in beyond
    assert client.get("/search/", {"q": "motion", "page": "x"}).status_code == 200


ODD = ['"', "-", "*", "NEAR(a b)", "a AND OR NOT", "\x00", "😀", "x" * 1000, "%", "'"]


@pytest.mark.parametrize("query", ODD)
def test_odd_queries_render(client, lamps, query):
    assert client.get("/search/", {"q": query}).status_code == 200


def test_xss_payloads_in_posts_stay_inert_on_the_page(client, make_member, public_space):
    author = make_member(username="mallory")
    for payload in load_xss_payloads()[::25]:
        title = f"Zebra {payload}"[:200]
        services.create_topic(author=author, space=public_space, title=title, body=payload)

    html = client.get("/search/", {"q": "zebra"}).content.decode()
    results = html.split('class="topic-list search-results"')[1].split("</ol>")[0]

    assert "<script" not in results.lower()
    assert not re.search(r"<[a-z]+[^>]*\son[a-z]+\s*=", results, re.IGNORECASE)
    assert not re.search(r"""(href|src)\s*=\s*["']?\s*javascript:""", results, re.IGNORECASE)


def test_the_header_has_a_labelled_search_box_on_every_page(client):
    html = client.get("/").content.decode()
    header = html.split('<header class="site-header">')[1].split("</header>")[0]

    form = re.search(r'<form[^>]*action="/search/"[^>]*>(.*?)</form>', header, re.S)
    assert form is not None and 'method="get"' in form.group(0)
    field = re.search(r'<input[^>]*name="q"[^>]*>', form.group(1)).group(0)
    field_id = re.search(r'id="([^"]+)"', field).group(1)
    assert f'<label for="{field_id}"' in form.group(1)


def test_the_header_box_keeps_the_query_on_the_search_page(client):
    html = client.get("/search/", {"q": "dimmer <x>"}).content.decode()
    header = html.split('<header class="site-header">')[1].split("</header>")[0]

    assert 'value="dimmer &lt;x&gt;"' in header


# --- Query budget -----------------------------------------------------------------------

VIEWERS = ["anonymous", "member", "moderator"]


@pytest.fixture
def viewer_client(client_for, make_member):
    def build(kind: str):
        member = {
            "anonymous": lambda: None,
            "member": lambda: make_member(username="viewer"),
            "moderator": lambda: make_member(username="viewer-mod", role=Role.MODERATOR),
        }[kind]()
        client = client_for(member)
        assert client.get("/").status_code == 200  # the day's visit, out of the way
        return client

    return build


PARAMS = [
    {"q": "bridge"},
    {"q": "bridge pairing", "tag": "tag-1", "affiliation": "employee"},
    {"q": "bridge", "author": "author1", "solved": "no", "since": "2000-01-01"},
]


@pytest.fixture
def grow(make_member, public_space, members_space, partner_space):
    """Add `count` matching topics over three spaces, with tags, replies and varied authors."""
    spaces = [public_space, members_space, partner_space]
    tags = [Tag.objects.create(name=f"Tag {n}", slug=f"tag-{n}") for n in range(3)]
    kinds = [Affiliation.CUSTOMER, Affiliation.EMPLOYEE, Affiliation.PARTNER]
    authors = [make_member(username=f"author{n}", affiliation=a) for n, a in enumerate(kinds)]
    made = {"n": 0}

    def add(count: int) -> None:
        for _ in range(count):
            n = made["n"] = made["n"] + 1
            space = spaces[(n - 1) % 3]
            topic = services.create_topic(
                author=authors[0] if space == members_space else authors[1],
                space=space,
                title=f"Bridge pairing report {n}",
                body="The bridge paired after a reset.",
                kind="question" if n % 2 else "discussion",
                tags=tags[: n % 3 + 1],
            )
            if n % 3 == 0:
                services.create_reply(author=authors[2], topic=topic, body="Bridge reply")

    return add


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_page_runs_as_many_queries_for_40_results_as_for_3(
    viewer_client, grow, django_assert_max_num_queries, viewer
):
    client = viewer_client(viewer)

    def measure() -> list[int]:
        counts = []
        for params in PARAMS:
            with django_assert_max_num_queries(MAX_QUERIES) as captured:
                response = client.get("/search/", params)
            assert response.status_code == 200
            assert 'class="topic-row search-result"' in response.content.decode()
            counts.append(len(captured))
        return counts

    grow(3)
    measure()  # the first search fills caches (on PostgreSQL, the newest indexed post)
    few = measure()
    grow(37)

    assert measure() == few
