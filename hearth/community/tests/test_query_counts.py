"""Pages run a small, constant number of queries, however much there is to show.

Each client first opens the home page once, so the day's visit is recorded before measuring:
what is measured is the page itself (plus the session and member look-ups when signed in).
"""

import pytest

from hearth.accounts import services as account_services
from hearth.accounts.models import Affiliation, Role
from hearth.community import services
from hearth.community.models import Tag
from hearth.notifications.services import set_watch

pytestmark = pytest.mark.django_db

MAX_QUERIES = 8
VIEWERS = ["anonymous", "member", "moderator"]


@pytest.fixture
def authors(make_member):
    """Ten members of different kinds, some with an organization, to catch per-row queries."""
    acme = account_services.create_organization(actor=None, name="Acme", kind="customer")
    kinds = [
        (Affiliation.CUSTOMER, Role.MEMBER),
        (Affiliation.PARTNER, Role.MEMBER),
        (Affiliation.EMPLOYEE, Role.EXPERT),
        (Affiliation.PROSPECT, Role.MEMBER),
        (Affiliation.CUSTOMER, Role.MODERATOR),
    ]
    return [
        make_member(
            username=f"author{n}",
            affiliation=kinds[n % len(kinds)][0],
            role=kinds[n % len(kinds)][1],
            organization=acme if n % 2 else None,
        )
        for n in range(10)
    ]


@pytest.fixture
def viewer_client(request, client_for, make_member):
    """A client for each kind of viewer, warmed up."""

    def build(kind: str):
        member = {
            "anonymous": None,
            "member": lambda: make_member(username="viewer"),
            "moderator": lambda: make_member(username="viewer-mod", role=Role.MODERATOR),
        }[kind]
        client = client_for(member() if member else None)
        assert client.get("/").status_code == 200
        return client

    return build


def topic_with_replies(space, authors, count: int, title: str):
    """A topic with `count` replies by varied authors, some edited, deleted or reacted to."""
    topic = services.create_topic(author=authors[0], space=space, title=title, body="Opening")
    for n in range(count):
        author = authors[n % len(authors)]
        post = services.create_reply(author=author, topic=topic, body=f"Reply {n} to @author0")
        if n % 7 == 0:
            services.edit_post(editor=author, post=post, body=f"Reply {n}, edited")
        if n % 11 == 0:
            services.delete_post(actor=author, post=post)
        elif n % 5 == 0:
            services.toggle_reaction(member=authors[(n + 1) % len(authors)], post=post, kind="like")
    return topic


def may_post_in(member, space) -> bool:
    if space.visibility != "affiliations":
        return True
    return member.is_moderator or member.affiliation in space.allowed_affiliations


def make_topics(spaces, authors, count: int, *, start: int = 0):
    """`count` topics spread over `spaces`, each by an author who may post there."""
    for n in range(start, start + count):
        space = spaces[n % len(spaces)]
        allowed = [a for a in authors if may_post_in(a, space)]
        topic = services.create_topic(
            author=allowed[n % len(allowed)],
            space=space,
            title=f"Topic number {n}",
            body="Something to talk about",
        )
        if n % 10 == 0:
            services.create_reply(author=allowed[(n + 3) % len(allowed)], topic=topic, body="Re")


def queries_for(client, url, django_assert_max_num_queries) -> int:
    with django_assert_max_num_queries(MAX_QUERIES) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_topic_page_with_200_replies_runs_the_same_few_queries_on_every_page(
    viewer_client, authors, public_space, django_assert_max_num_queries, viewer
):
    topic = topic_with_replies(public_space, authors, 200, "A long conversation")
    client = viewer_client(viewer)
    url = topic.get_absolute_url()

    first = queries_for(client, url, django_assert_max_num_queries)
    tenth = queries_for(client, f"{url}?page=10", django_assert_max_num_queries)
    last = queries_for(client, f"{url}?page=11", django_assert_max_num_queries)

    assert first == tenth == last


def test_a_members_topic_page_reads_tags_watch_and_reactions_in_three_statements(
    client_for, make_member, authors, public_space, django_assert_max_num_queries, settings
):
    """The topic comes with its tags and the reader's watch level, the posts with the reader's
    reactions: a reread of a page is the member, the topic and the posts (views are batched,
    as with a shared cache)."""
    settings.HEARTH_VIEW_COUNT_BATCH = 10
    reader = make_member(username="reader")
    tags = [Tag.objects.create(name=name, slug=name.lower()) for name in ("Zeta", "Alpha")]
    topic = services.create_topic(
        author=authors[0], space=public_space, title="Tagged", body="Opening", tags=tags
    )
    reply = services.create_reply(author=authors[1], topic=topic, body="A reply")
    services.toggle_reaction(member=reader, post=reply, kind="like")
    set_watch(member=reader, level="tracking", topic=topic)
    client = client_for(reader)
    assert client.get("/").status_code == 200
    assert client.get(topic.get_absolute_url()).status_code == 200  # credits the posts read

    with django_assert_max_num_queries(3) as captured:
        response = client.get(topic.get_absolute_url())

    page = response.content.decode()
    tables = " ".join(query["sql"] for query in captured.captured_queries)
    assert "accounts_member" in tables and "community_post" in tables
    assert page.index('tag=alpha">Alpha</a>') < page.index('tag=zeta">Zeta</a>')
    assert 'value="tracking" selected' in page
    assert 'aria-pressed="true" data-reaction="like"' in page


@pytest.mark.parametrize("viewer", VIEWERS)
def test_topic_page_queries_do_not_grow_from_20_to_200_replies(
    viewer_client, authors, public_space, django_assert_max_num_queries, viewer
):
    short = topic_with_replies(public_space, authors, 20, "A short conversation")
    long = topic_with_replies(public_space, authors, 200, "A long conversation")
    client = viewer_client(viewer)

    assert queries_for(client, short.get_absolute_url(), django_assert_max_num_queries) == (
        queries_for(client, long.get_absolute_url(), django_assert_max_num_queries)
    )
    assert queries_for(
        client, f"{short.get_absolute_url()}?page=2", django_assert_max_num_queries
    ) == queries_for(client, f"{long.get_absolute_url()}?page=10", django_assert_max_num_queries)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_lists_with_500_topics_run_as_many_queries_as_with_5(
    viewer_client, authors, public_space, members_space, partner_space,
    django_assert_max_num_queries, viewer,
):  # fmt: skip
    spaces = [public_space, members_space, partner_space]
    client = viewer_client(viewer)
    urls = ["/", "/latest/", public_space.get_absolute_url(), "/latest/?page=2"]

    make_topics(spaces, authors, 5)
    few = [queries_for(client, url, django_assert_max_num_queries) for url in urls]
    make_topics(spaces, authors, 495, start=5)
    many = [queries_for(client, url, django_assert_max_num_queries) for url in urls]
    many_later_pages = [
        queries_for(client, url, django_assert_max_num_queries)
        for url in ["/?page=5", "/latest/?page=17", f"{public_space.get_absolute_url()}?page=6"]
    ]

    assert few == many
    assert many_later_pages == many[:3]


@pytest.mark.parametrize("viewer", VIEWERS)
def test_profile_page_queries_do_not_grow_with_activity(
    viewer_client, authors, public_space, members_space, partner_space,
    django_assert_max_num_queries, viewer,
):  # fmt: skip
    quiet, busy = authors[0], authors[2]
    account_services.update_profile(
        actor=busy, member=busy, display_name="Busy Bee", bio="I post", expertise="api, billing"
    )
    services.create_topic(author=quiet, space=public_space, title="Just one post", body="Hi")
    make_topics([public_space, members_space, partner_space], [busy], 60)
    client = viewer_client(viewer)

    assert queries_for(client, quiet.get_absolute_url(), django_assert_max_num_queries) == (
        queries_for(client, busy.get_absolute_url(), django_assert_max_num_queries)
    )


@pytest.mark.parametrize("revisions", [1, 30])
def test_post_history_runs_the_same_few_queries_however_many_revisions(
    client_for, make_member, public_space, django_assert_max_num_queries, revisions
):
    author = make_member(username="historian")
    topic = services.create_topic(author=author, space=public_space, title="History", body="v0")
    post = topic.posts.get()
    for number in range(revisions):
        services.edit_post(editor=author, post=post, body=f"version {number + 1}")
    client = client_for(None)
    client.get("/")

    with django_assert_max_num_queries(3):
        response = client.get(f"/p/{post.pk}/history/")

    assert response.status_code == 200
    assert response.content.decode().count('class="card revision"') == revisions + 1


@pytest.mark.parametrize(
    "path",
    [
        "/s/{space}/new/",
        "/p/{post}/edit/",
        "/code-of-conduct/",
        "/settings/profile/",
        "/settings/tokens/",
    ],
)
def test_forms_and_settings_pages_run_a_bounded_number_of_queries(
    client_for, make_member, public_space, django_assert_max_num_queries, path
):
    author = make_member(username="writer")
    topic = services.create_topic(author=author, space=public_space, title="Forms", body="Body")
    for number in range(5):
        account_services.create_api_token(member=author, name=f"token {number}", scope="read")
    client = client_for(author)
    client.get("/")
    url = path.format(space=public_space.slug, post=topic.posts.get().pk)

    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(url)

    assert response.status_code == 200
