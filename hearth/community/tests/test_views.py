"""Community pages through HTTP: forms, redirects, status codes, htmx fragments, pagination."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from hearth.accounts.models import Member
from hearth.community import selectors, services
from hearth.community.models import Post, PostRevision, Reaction, Space, Topic

pytestmark = pytest.mark.django_db

BODY = "Here is what I would like to talk about."
HTMX = {"HX-Request": "true"}


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def start(author, space, title="A topic worth discussing", body=BODY) -> Topic:
    return services.create_topic(author=author, space=space, title=title, body=body)


def messages_of(response) -> list[str]:
    return [m.message for m in get_messages(response.wsgi_request)]


def new_topic_url(space) -> str:
    return reverse("community:new_topic", args=[space.slug])


def reply_url(topic) -> str:
    return reverse("community:reply", args=[topic.pk])


def react_url(post, kind) -> str:
    return reverse("community:react", args=[post.pk, kind])


def action_url(topic, action) -> str:
    return reverse("community:topic_action", args=[topic.pk, action])


def topic_form(**overrides):
    data = {"title": "How do I export reports?", "kind": "question", "body": BODY}
    data.update(overrides)
    return data


def titles(response) -> list[str]:
    return [t.title for t in response.context["page"].object_list]


def submit_key_in(html: str) -> str:
    match = re.search(r'name="submit_key" value="([^"]+)"', html)
    assert match, "no submit_key in the form"
    return match.group(1)


def reaction_button(kind: str, *, pressed: bool, count: int) -> re.Pattern:
    label = {"like": "Like", "helpful": "Helpful"}[kind]
    return re.compile(
        rf'aria-pressed="{str(pressed).lower()}" data-reaction="{kind}">\s*'
        rf'{label} <span class="reaction-count">{count}</span>'
    )


def textarea_value(html: str, name: str = "body") -> str:
    match = re.search(rf'<textarea name="{name}"[^>]*>\n(.*?)</textarea>', html, re.S)
    assert match, f"no {name} textarea"
    return match.group(1)


# --- lists --------------------------------------------------------------------------------


def test_home_shows_spaces_and_latest_topics(client, public_space, members_space, customer):
    topic = start(customer, public_space, title="Welcome aboard everyone")
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert [s.name for s in response.context["spaces"]] == ["General"]
    assert f'<a href="{public_space.get_absolute_url()}">General</a>' in html
    assert members_space.get_absolute_url() not in html
    assert f'href="{topic.get_absolute_url()}">Welcome aboard everyone</a>' in html


def test_latest_is_ordered_by_last_activity(client, customer, other_customer, public_space):
    first = start(customer, public_space, title="First topic")
    start(customer, public_space, title="Second topic")
    start(customer, public_space, title="Third topic")
    assert titles(client.get("/latest/")) == ["Third topic", "Second topic", "First topic"]

    services.create_reply(author=other_customer, topic=first, body="Bump")

    response = client.get("/latest/")
    assert titles(response) == ["First topic", "Third topic", "Second topic"]
    assert titles(client.get("/")) == ["First topic", "Third topic", "Second topic"]
    assert "last reply by Omar Other" in response.content.decode()


def test_space_page_lists_pinned_topics_first(client, customer, moderator, public_space):
    old = start(customer, public_space, title="Old but pinned")
    start(customer, public_space, title="Newer topic")
    services.set_topic_pinned(actor=moderator, topic=old, pinned=True)

    response = client.get(public_space.get_absolute_url())

    assert response.status_code == 200
    assert titles(response) == ["Old but pinned", "Newer topic"]
    assert '<span class="badge badge-pinned">Pinned</span>' in response.content.decode()


@pytest.mark.parametrize("path", ["/", "/latest/", "/s/general/"])
@pytest.mark.parametrize(
    ("query", "page_number", "count"),
    [("", 1, 30), ("?page=1", 1, 30), ("?page=2", 2, 1), ("?page=999", 2, 1), ("?page=abc", 1, 30)],
)
def test_topic_lists_page_by_30(client, customer, public_space, path, query, page_number, count):
    for n in range(31):
        start(customer, public_space, title=f"Topic number {n:02}")

    response = client.get(path + query)

    assert response.status_code == 200
    page = response.context["page"]
    assert (page.number, len(page.object_list), page.paginator.num_pages) == (
        page_number,
        count,
        2,
    )
    html = response.content.decode()
    assert '<nav class="pagination" aria-label="Pages">' in html
    assert f'<a href="?page={page_number}" aria-current="page">{page_number}</a>' in html
    other = 2 if page_number == 1 else 1
    assert f'<a href="?page={other}">{other}</a>' in html


@pytest.mark.parametrize("query", ["?page=0", "?page=-1", "?page=", "?page=1.5"])
def test_odd_page_numbers_never_fail(client, customer, public_space, query):
    topic = start(customer, public_space)
    assert client.get("/latest/" + query).status_code == 200
    assert client.get(public_space.get_absolute_url() + query).status_code == 200
    assert client.get(topic.get_absolute_url() + query).status_code == 200


def test_empty_lists_say_so(client, public_space):
    assert "No conversations yet. Start one in a space." in client.get("/").content.decode()
    assert "No topics in this space yet." in client.get("/s/general/").content.decode()


# --- topic page ---------------------------------------------------------------------------


def test_topic_page_counts_each_view(client, customer, public_space):
    topic = start(customer, public_space)
    first = client.get(topic.get_absolute_url())
    second = client.get(topic.get_absolute_url())
    assert "0 replies · 1 view</span>" in first.content.decode()
    assert "0 replies · 2 views</span>" in second.content.decode()
    assert selectors.view_count(fresh(topic)) == 2


def test_topic_page_writes_views_a_batch_at_a_time(client, customer, public_space, settings):
    settings.HEARTH_VIEW_COUNT_BATCH = 3
    topic = start(customer, public_space)
    shown = []
    for _ in range(7):
        page = client.get(topic.get_absolute_url()).content.decode()
        shown.append(int(re.search(r"· (\d+) views?</span>", page).group(1)))
    assert shown == [1, 2, 3, 4, 5, 6, 7]
    assert fresh(topic).view_count == 6  # two batches of three written, one view in the cache
    assert selectors.view_count(fresh(topic)) == 7


def test_lists_show_the_views_the_topic_page_counted(client, customer, public_space, settings):
    settings.HEARTH_VIEW_COUNT_BATCH = 10
    topic = start(customer, public_space)
    for _ in range(3):
        client.get(topic.get_absolute_url())
    assert fresh(topic).view_count == 0

    for page in ("/", "/latest/", public_space.get_absolute_url()):
        html = client.get(page).content.decode()
        assert '<span class="stat-value">3</span> <span class="stat-label">views</span>' in html


def test_topic_page_writes_every_view_when_the_batch_is_one(
    client, customer, public_space, settings
):
    settings.HEARTH_VIEW_COUNT_BATCH = 1
    topic = start(customer, public_space)
    client.get(topic.get_absolute_url())
    client.get(topic.get_absolute_url())
    assert fresh(topic).view_count == 2


def test_topic_page_with_a_stale_slug_redirects_permanently(client, customer, public_space):
    topic = start(customer, public_space, title="Proper title here")
    response = client.get(reverse("community:topic", args=["old-slug", topic.pk]))
    assert response.status_code == 301
    assert response["Location"] == f"/t/proper-title-here/{topic.pk}/"
    assert selectors.view_count(fresh(topic)) == 0


@pytest.mark.parametrize(
    ("query", "page_number", "positions"),
    [
        ("", 1, list(range(1, 21))),
        ("?page=2", 2, list(range(21, 41))),
        ("?page=3", 3, [41]),
        ("?page=999", 3, [41]),
        ("?page=abc", 1, list(range(1, 21))),
    ],
)
def test_topic_page_shows_20_posts_a_page(
    client, customer, other_customer, public_space, query, page_number, positions
):
    topic = start(customer, public_space)
    for n in range(40):
        services.create_reply(author=other_customer, topic=topic, body=f"Reply {n}")

    response = client.get(topic.get_absolute_url() + query)

    assert response.status_code == 200
    page = response.context["page"]
    assert page.number == page_number
    assert [p.position for p in page.object_list] == positions
    html = response.content.decode()
    assert f'<a href="?page={page_number}" aria-current="page">{page_number}</a>' in html
    assert re.findall(r'<article class="post" id="post-(\d+)"', html) == [str(p) for p in positions]


def test_topic_page_shows_composer_only_to_those_who_may_reply(
    client, client_for, customer, other_customer, public_space
):
    topic = start(customer, public_space)
    anonymous = client.get(topic.get_absolute_url()).content.decode()
    assert 'id="reply"' not in anonymous
    assert "to reply." in anonymous
    member = client_for(other_customer).get(topic.get_absolute_url())
    assert 'id="reply"' in member.content.decode()
    assert re.fullmatch(r"[0-9a-f]{32}", submit_key_in(member.content.decode()))


def test_locked_topic_page_says_so_and_hides_the_composer(
    client_for, customer, moderator, public_space
):
    topic = start(customer, public_space)
    services.set_topic_locked(actor=moderator, topic=topic, locked=True)
    html = client_for(customer).get(topic.get_absolute_url()).content.decode()
    assert "This topic is locked: it takes no new replies." in html
    assert 'id="reply"' not in html
    assert 'id="reply"' in client_for(moderator).get(topic.get_absolute_url()).content.decode()


def test_staff_tools_show_only_for_moderators(client_for, customer, moderator, public_space):
    topic = start(customer, public_space)
    assert (
        "Moderator actions"
        not in client_for(customer).get(topic.get_absolute_url()).content.decode()
    )
    assert (
        "Moderator actions" in client_for(moderator).get(topic.get_absolute_url()).content.decode()
    )


# --- quote --------------------------------------------------------------------------------


def test_quote_prefills_the_composer(client_for, customer, other_customer, public_space):
    topic = start(customer, public_space)
    reply = services.create_reply(
        author=other_customer, topic=topic, body="First line\nSecond line"
    )

    response = client_for(customer).get(f"{topic.get_absolute_url()}?quote={reply.pk}")

    assert response.status_code == 200
    expected = "> First line\n> Second line\n> — @omar\n\n"
    assert response.context["reply_form"]["body"].value() == expected
    assert textarea_value(response.content.decode()) == (
        "&gt; First line\n&gt; Second line\n&gt; — @omar\n\n"
    )


@pytest.mark.parametrize("quote", ["abc", "999999", "other-topic", "deleted"])
def test_quote_of_nothing_quotable_leaves_the_composer_empty(
    client_for, customer, other_customer, public_space, quote
):
    topic = start(customer, public_space)
    other = start(customer, public_space, title="Some other topic")
    gone = services.create_reply(author=other_customer, topic=topic, body="Gone")
    services.delete_post(actor=other_customer, post=gone)
    value = {
        "other-topic": other.posts.get().pk,
        "deleted": gone.pk,
    }.get(quote, quote)

    response = client_for(customer).get(f"{topic.get_absolute_url()}?quote={value}")

    assert response.status_code == 200
    assert response.context["reply_form"]["body"].value() == ""


# --- new topic ----------------------------------------------------------------------------


def test_new_topic_form_has_a_fresh_submit_key(client_for, customer, public_space):
    response = client_for(customer).get(new_topic_url(public_space))
    assert response.status_code == 200
    first = submit_key_in(response.content.decode())
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    second = submit_key_in(client_for(customer).get(new_topic_url(public_space)).content.decode())
    assert first != second


def test_new_topic_post_creates_and_redirects_to_it(client_for, customer, public_space):
    response = client_for(customer).post(
        new_topic_url(public_space), topic_form(submit_key="a" * 32)
    )

    topic = Topic.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/t/how-do-i-export-reports/{topic.pk}/"
    assert (topic.title, topic.kind, topic.author, topic.space) == (
        "How do I export reports?",
        "question",
        customer,
        public_space,
    )
    assert topic.posts.get().body == BODY


def test_new_topic_double_submit_makes_one_topic(client_for, customer, public_space):
    client = client_for(customer)
    first = client.post(new_topic_url(public_space), topic_form(submit_key="b" * 32))
    second = client.post(new_topic_url(public_space), topic_form(submit_key="b" * 32))
    assert first["Location"] == second["Location"]
    assert Topic.objects.count() == 1
    assert fresh(public_space).topic_count == 1


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    ("starters", "role_name"),
    [
        ("staff", "customer"),
        ("staff", "employee"),
        ("employees", "customer"),
        ("employees", "partner"),
    ],
)
def test_new_topic_where_not_allowed_redirects_with_a_message(
    request, client_for, make_space, starters, role_name, method
):
    space = make_space(name="Announcements", topic_starters=starters)
    client = client_for(request.getfixturevalue(role_name))

    response = getattr(client, method)(new_topic_url(space), topic_form())

    assert response.status_code == 302
    assert response["Location"] == space.get_absolute_url()
    assert messages_of(response) == ["You cannot start topics in this space."]
    assert Topic.objects.count() == 0


@pytest.mark.parametrize("role_name", ["employee", "moderator"])
def test_space_page_offers_new_topic_only_to_allowed_starters(
    request, client_for, customer, make_space, role_name
):
    space = make_space(name="Announcements", topic_starters="employees")
    link = f'href="{new_topic_url(space)}"'
    assert link not in client_for(customer).get(space.get_absolute_url()).content.decode()
    allowed = client_for(request.getfixturevalue(role_name))
    assert link in allowed.get(space.get_absolute_url()).content.decode()


def test_member_without_accepted_conduct_cannot_start_a_topic(client_for, public_space):
    newcomer = Member.objects.create_user(username="nell", password="x")
    response = client_for(newcomer).post(new_topic_url(public_space), topic_form())
    assert response.status_code == 302
    assert messages_of(response) == ["You cannot start topics in this space."]
    assert Topic.objects.count() == 0


@pytest.mark.parametrize("method", ["get", "post"])
def test_new_topic_needs_login(client, public_space, method):
    data = topic_form() if method == "post" else None
    response = getattr(client, method)(new_topic_url(public_space), data)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={new_topic_url(public_space)}"
    assert Topic.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "This field is required."),
        ("title", "    ", "This field is required."),
        ("title", "abcd", "Titles need at least 5 characters."),
        ("title", "x" * 201, "Ensure this value has at most 200 characters (it has 201)."),
        ("body", "", "This field is required."),
        ("body", " \n\t ", "This field is required."),
        ("body", "z" * 50_001, "Ensure this value has at most 50000 characters (it has 50001)."),
    ],
    ids=[
        "empty-title",
        "blank-title",
        "short-title",
        "long-title",
        "empty-body",
        "blank-body",
        "long-body",
    ],
)
def test_new_topic_errors_show_and_keep_the_other_input(
    client_for, customer, public_space, field, value, message
):
    data = topic_form(
        title="A perfectly fine title", body="My carefully written body", submit_key="c" * 32
    )
    data[field] = value

    response = client_for(customer).post(new_topic_url(public_space), data)

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {field: [message]}
    html = response.content.decode()
    assert message in html
    if field == "title":
        assert textarea_value(html) == "My carefully written body"
    else:
        assert 'value="A perfectly fine title"' in html
    if len(value.strip()) > 0:
        # What was typed in the failing field is kept too.
        assert form[field].value() == value
    assert 'value="question" id="id_kind_1" required checked>' in html
    assert submit_key_in(html) == "c" * 32
    assert Topic.objects.count() == 0
    assert Post.objects.count() == 0


def test_new_topic_in_unknown_or_hidden_space_is_404(client_for, customer, employee_space):
    client = client_for(customer)
    assert client.get("/s/no-such-space/new/").status_code == 404
    assert client.get(new_topic_url(employee_space)).status_code == 404
    assert client.post(new_topic_url(employee_space), topic_form()).status_code == 404
    assert Topic.objects.count() == 0


# --- replies ------------------------------------------------------------------------------


def test_reply_redirects_to_the_post_permalink(client_for, customer, other_customer, public_space):
    topic = start(customer, public_space)

    response = client_for(other_customer).post(
        reply_url(topic), {"body": "Good question!", "submit_key": "d" * 32}
    )

    post = Post.objects.get(position=2)
    assert response.status_code == 302
    assert response["Location"] == f"/p/{post.pk}/"
    permalink = client_for(other_customer).get(response["Location"])
    assert permalink.status_code == 302
    assert permalink["Location"] == f"/t/a-topic-worth-discussing/{topic.pk}/#post-2"
    assert post.body == "Good question!"
    assert fresh(topic).reply_count == 1


@pytest.mark.parametrize(
    ("position", "location"),
    [
        (1, "#post-1"),
        (20, "#post-20"),
        (21, "?page=2#post-21"),
        (40, "?page=2#post-40"),
        (41, "?page=3#post-41"),
    ],
)
def test_permalink_points_at_the_right_page(
    client, customer, other_customer, public_space, position, location
):
    topic = start(customer, public_space)
    for n in range(40):
        services.create_reply(author=other_customer, topic=topic, body=f"Reply {n}")
    post = topic.posts.get(position=position)

    response = client.get(f"/p/{post.pk}/")

    assert response.status_code == 302
    assert response["Location"] == f"/t/a-topic-worth-discussing/{topic.pk}/{location}"
    target = client.get(response["Location"].split("#")[0])
    assert f'id="post-{position}"' in target.content.decode()


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_reply_double_submit_makes_one_reply(
    client_for, customer, other_customer, public_space, htmx
):
    topic = start(customer, public_space)
    client = client_for(other_customer)
    headers = HTMX if htmx else {}
    data = {"body": "Posting once", "submit_key": "e" * 32}

    first = client.post(reply_url(topic), data, headers=headers)
    second = client.post(reply_url(topic), data, headers=headers)

    assert (first.status_code, second.status_code) == ((200, 200) if htmx else (302, 302))
    assert topic.posts.count() == 2
    assert fresh(topic).reply_count == 1
    assert fresh(other_customer).post_count == 1


def test_repeated_htmx_reply_resets_the_composer_without_adding_the_post_again(
    client_for, customer, other_customer, public_space
):
    topic = start(customer, public_space)
    client = client_for(other_customer)
    data = {"body": "Posting once", "submit_key": "d" * 32}

    first = client.post(reply_url(topic), data, headers=HTMX).content.decode()
    second = client.post(reply_url(topic), data, headers=HTMX).content.decode()

    assert "hx-swap-oob" in first
    assert "hx-swap-oob" not in second
    assert second.startswith('<form class="form card composer" id="reply"')
    assert submit_key_in(second) not in ("d" * 32, submit_key_in(first))


def test_htmx_reply_returns_a_fresh_composer_and_the_post_out_of_band(
    client_for, customer, other_customer, public_space
):
    topic = start(customer, public_space)
    posted_key = "f" * 32

    response = client_for(other_customer).post(
        reply_url(topic), {"body": "Replying *live*", "submit_key": posted_key}, headers=HTMX
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert html.startswith('<form class="form card composer" id="reply"')
    new_key = submit_key_in(html)
    assert new_key != posted_key
    assert textarea_value(html) == ""
    assert "errorlist" not in html
    oob = re.search(r'<div hx-swap-oob="beforeend:#posts">(.*)</div>', html, re.S)
    assert oob
    assert '<article class="post" id="post-2"' in oob.group(1)
    assert "<p>Replying <em>live</em></p>" in oob.group(1)
    assert Post.objects.get(position=2).body == "Replying *live*"


def test_htmx_reply_with_errors_returns_the_composer_with_400(
    client_for, customer, other_customer, public_space
):
    topic = start(customer, public_space)
    response = client_for(other_customer).post(
        reply_url(topic), {"body": "", "submit_key": "g" * 32}, headers=HTMX
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert html.startswith('<form class="form card composer" id="reply"')
    assert "This field is required." in html
    assert "hx-swap-oob" not in html
    assert submit_key_in(html) == "g" * 32
    assert topic.posts.count() == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "This field is required."),
        ("   ", "This field is required."),
        ("q" * 50_001, "Ensure this value has at most 50000 characters (it has 50001)."),
    ],
    ids=["empty", "blank", "too-long"],
)
def test_reply_errors_show_with_400_and_keep_the_text(
    client_for, customer, other_customer, public_space, body, message
):
    topic = start(customer, public_space)
    response = client_for(other_customer).post(reply_url(topic), {"body": body})
    assert response.status_code == 400
    assert response.context["reply_form"].errors == {"body": [message]}
    html = response.content.decode()
    assert message in html
    if body.strip():
        assert textarea_value(html) == body
    assert topic.posts.count() == 1


def test_reply_to_locked_topic_is_403_with_the_reason(
    client_for, customer, other_customer, moderator, public_space
):
    topic = start(customer, public_space)
    services.set_topic_locked(actor=moderator, topic=topic, locked=True)

    response = client_for(other_customer).post(reply_url(topic), {"body": "Let me in"})

    assert response.status_code == 403
    assert response.context["reply_form"].non_field_errors() == [
        "This topic is locked: it takes no new replies."
    ]
    assert "This topic is locked: it takes no new replies." in response.content.decode()
    assert textarea_value(response.content.decode()) == "Let me in"
    assert topic.posts.count() == 1

    staff = client_for(moderator).post(reply_url(topic), {"body": "Moderator note"})
    assert staff.status_code == 302
    assert topic.posts.count() == 2


def test_htmx_reply_to_locked_topic_returns_the_composer_with_403(
    client_for, customer, other_customer, moderator, public_space
):
    topic = start(customer, public_space)
    services.set_topic_locked(actor=moderator, topic=topic, locked=True)

    response = client_for(other_customer).post(
        reply_url(topic), {"body": "Let me in", "submit_key": "h" * 32}, headers=HTMX
    )

    assert response.status_code == 403
    html = response.content.decode()
    assert html.startswith('<form class="form card composer" id="reply"')
    assert "This topic is locked: it takes no new replies." in html
    assert textarea_value(html) == "Let me in"
    assert topic.posts.count() == 1


def test_reply_without_accepted_conduct_is_403(client_for, customer, public_space):
    topic = start(customer, public_space)
    newcomer = Member.objects.create_user(username="nell", password="x")
    response = client_for(newcomer).post(reply_url(topic), {"body": "Hi"})
    assert response.status_code == 403
    assert "You cannot reply here." in response.content.decode()
    assert topic.posts.count() == 1


def test_reply_needs_login(client, customer, public_space):
    topic = start(customer, public_space)
    response = client.post(reply_url(topic), {"body": "Hi"})
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={reply_url(topic)}"


def test_reply_mentioning_a_member_links_to_their_profile(
    client, client_for, customer, other_customer, public_space
):
    topic = start(customer, public_space)
    client_for(other_customer).post(reply_url(topic), {"body": "Over to you, @cara."})

    html = client.get(topic.get_absolute_url()).content.decode()

    assert (
        '<p>Over to you, <a href="/u/cara/" class="mention" rel="nofollow ugc noopener">'
        "@cara</a>.</p>" in html
    )
    assert client.get("/u/cara/").status_code == 200


def test_mention_in_other_case_links_to_a_working_profile(
    client, client_for, customer, other_customer, public_space
):
    topic = start(customer, public_space)
    client_for(other_customer).post(reply_url(topic), {"body": "Over to you, @Cara."})
    html = client.get(topic.get_absolute_url()).content.decode()
    href = re.search(r'<a href="([^"]+)" class="mention"', html).group(1)
    assert client.get(href).status_code == 200


# --- edit and history ---------------------------------------------------------------------


def test_edit_form_is_prefilled(client_for, customer, public_space):
    topic = start(customer, public_space, title="Original title")
    response = client_for(customer).get(reverse("community:edit_post", args=[topic.posts.get().pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Original title"' in html
    assert textarea_value(html) == BODY


def test_edit_form_for_a_reply_has_no_title(client_for, customer, other_customer, public_space):
    topic = start(customer, public_space)
    reply = services.create_reply(author=other_customer, topic=topic, body="Reply")
    response = client_for(other_customer).get(reverse("community:edit_post", args=[reply.pk]))
    assert list(response.context["form"].fields) == ["body"]
    assert 'name="title"' not in response.content.decode()


def test_editing_the_opening_post_changes_title_and_url(client, client_for, customer, public_space):
    topic = start(customer, public_space, title="Original title")
    opening = topic.posts.get()

    response = client_for(customer).post(
        reverse("community:edit_post", args=[opening.pk]),
        {"title": "Better title now", "body": "Better body"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/p/{opening.pk}/"
    assert messages_of(response) == ["Your changes are saved."]
    topic = fresh(topic)
    assert (topic.title, topic.slug) == ("Better title now", "better-title-now")
    page = client.get(f"/t/better-title-now/{topic.pk}/")
    assert page.status_code == 200
    assert f'href="/p/{opening.pk}/history/">edited</a>' in page.content.decode()
    old = client.get(f"/t/original-title/{topic.pk}/")
    assert (old.status_code, old["Location"]) == (301, f"/t/better-title-now/{topic.pk}/")


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"title": "Fine title", "body": ""}, {"body": ["This field is required."]}),
        ({"title": "", "body": "New body"}, {"title": ["This field is required."]}),
        ({"title": "abc", "body": "New body"}, {"title": ["Titles need at least 5 characters."]}),
        (
            {"title": "Fine title", "body": "w" * 50_001},
            {"body": ["Ensure this value has at most 50000 characters (it has 50001)."]},
        ),
    ],
    ids=["empty-body", "empty-title", "short-title", "long-body"],
)
def test_edit_errors_show_and_change_nothing(client_for, customer, public_space, data, errors):
    topic = start(customer, public_space, title="Original title")
    opening = topic.posts.get()

    response = client_for(customer).post(reverse("community:edit_post", args=[opening.pk]), data)

    assert response.status_code == 200
    assert response.context["form"].errors == errors
    html = response.content.decode()
    for message in errors.values():
        assert message[0] in html
    if data["body"]:
        assert textarea_value(html) == data["body"]
    assert fresh(opening).body == BODY
    assert fresh(topic).title == "Original title"
    assert PostRevision.objects.count() == 0


@pytest.mark.parametrize("method", ["get", "post"])
def test_author_cannot_edit_in_a_locked_topic(
    client_for, customer, moderator, public_space, method
):
    topic = start(customer, public_space)
    opening = topic.posts.get()
    services.set_topic_locked(actor=moderator, topic=topic, locked=True)

    response = getattr(client_for(customer), method)(
        reverse("community:edit_post", args=[opening.pk]), {"title": "New title", "body": "x"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/p/{opening.pk}/"
    assert messages_of(response) == ["You cannot edit this post."]
    assert fresh(opening).body == BODY


def test_moderator_edits_in_a_locked_topic(client_for, customer, moderator, public_space):
    topic = start(customer, public_space)
    opening = topic.posts.get()
    services.set_topic_locked(actor=moderator, topic=topic, locked=True)
    response = client_for(moderator).post(
        reverse("community:edit_post", args=[opening.pk]),
        {"title": "A topic worth discussing", "body": "Redacted"},
    )
    assert response.status_code == 302
    assert fresh(opening).body == "Redacted"


def test_someone_elses_post_cannot_be_edited(client_for, customer, other_customer, public_space):
    topic = start(customer, public_space)
    opening = topic.posts.get()
    response = client_for(other_customer).post(
        reverse("community:edit_post", args=[opening.pk]), {"title": "Mine now", "body": "x"}
    )
    assert response.status_code == 302
    assert messages_of(response) == ["You cannot edit this post."]
    assert fresh(opening).body == BODY


def test_history_lists_every_version_newest_first(
    client, client_for, customer, moderator, public_space
):
    topic = start(customer, public_space, title="Original title", body="First words")
    opening = topic.posts.get()
    edit = reverse("community:edit_post", args=[opening.pk])
    client_for(customer).post(edit, {"title": "Second title", "body": "Second words"})
    client_for(moderator).post(edit, {"title": "Second title", "body": "Third words"})

    response = client.get(reverse("community:post_history", args=[opening.pk]))

    assert response.status_code == 200
    assert [r.number for r in response.context["revisions"]] == [3, 2, 1]
    html = response.content.decode()
    headings = re.findall(r'<h2 id="revision-\d+" class="revision-meta">(Version \d+[^·]*)·', html)
    assert [h.strip() for h in headings] == ["Version 3", "Version 2", "Version 1 (original)"]
    for text in ("First words", "Second words", "Third words", "Original title", "Second title"):
        assert text in html
    assert html.index("Third words") < html.index("Second words") < html.index("First words")
    assert "by Cara Customer" in html
    assert "by mo" in html


def test_history_of_an_unedited_post_says_so(client, customer, public_space):
    topic = start(customer, public_space)
    response = client.get(reverse("community:post_history", args=[topic.posts.get().pk]))
    assert response.status_code == 200
    assert "This post has never been edited." in response.content.decode()


@pytest.mark.parametrize(("role_name", "status"), [("other_customer", 404), ("moderator", 200)])
def test_history_of_a_deleted_reply_is_for_moderators(
    request, client_for, customer, public_space, role_name, status
):
    topic = start(customer, public_space)
    reply = services.create_reply(author=customer, topic=topic, body="Regret")
    services.delete_post(actor=customer, post=reply)
    client = client_for(request.getfixturevalue(role_name))
    assert client.get(reverse("community:post_history", args=[reply.pk])).status_code == status


# --- delete -------------------------------------------------------------------------------


def test_author_deletes_a_reply(client_for, customer, other_customer, public_space):
    topic = start(customer, public_space)
    reply = services.create_reply(author=other_customer, topic=topic, body="Never mind")

    response = client_for(other_customer).post(reverse("community:delete_post", args=[reply.pk]))

    assert response.status_code == 302
    assert response["Location"] == f"/p/{reply.pk}/"
    assert messages_of(response) == ["The post is deleted."]
    assert fresh(reply).is_deleted
    html = client_for(customer).get(topic.get_absolute_url()).content.decode()
    assert "This post was deleted." in html
    assert "Never mind" not in html


def test_deleting_the_opening_post_removes_the_topic(
    client, client_for, customer, other_customer, moderator, public_space
):
    topic = start(customer, public_space, title="Short lived topic")

    response = client_for(customer).post(
        reverse("community:delete_post", args=[topic.posts.get().pk])
    )

    assert response.status_code == 302
    assert response["Location"] == public_space.get_absolute_url()
    assert messages_of(response) == ["The topic is deleted."]
    assert "Short lived topic" not in client.get(public_space.get_absolute_url()).content.decode()
    assert "Short lived topic" not in client.get("/latest/").content.decode()
    assert "Short lived topic" not in client.get("/").content.decode()
    assert client_for(other_customer).get(topic.get_absolute_url()).status_code == 404
    assert client_for(customer).get(topic.get_absolute_url()).status_code == 404
    staff = client_for(moderator).get(topic.get_absolute_url())
    assert staff.status_code == 200
    assert '<span class="badge badge-muted">Deleted</span>' in staff.content.decode()
    assert "Show deleted text (moderators)" in staff.content.decode()


def test_moderator_deletes_someone_elses_post(
    client_for, customer, other_customer, moderator, public_space
):
    topic = start(customer, public_space)
    reply = services.create_reply(author=other_customer, topic=topic, body="Spam spam")
    client_for(moderator).post(reverse("community:delete_post", args=[reply.pk]))
    html = client_for(customer).get(topic.get_absolute_url()).content.decode()
    assert "This post was deleted by a moderator." in html


def test_someone_elses_post_cannot_be_deleted(client_for, customer, other_customer, public_space):
    topic = start(customer, public_space)
    response = client_for(other_customer).post(
        reverse("community:delete_post", args=[topic.posts.get().pk])
    )
    assert response.status_code == 403
    assert "You cannot delete this post." in response.content.decode()
    assert fresh(topic).deleted_at is None


# --- reactions ----------------------------------------------------------------------------


def test_react_without_htmx_redirects_to_the_post(
    client_for, customer, other_customer, public_space
):
    topic = start(customer, public_space)
    post = topic.posts.get()
    response = client_for(other_customer).post(react_url(post, "like"))
    assert response.status_code == 302
    assert response["Location"] == f"/p/{post.pk}/"
    assert fresh(post).like_count == 1


def test_react_with_htmx_returns_updated_reactions(
    client_for, customer, other_customer, public_space
):
    topic = start(customer, public_space)
    post = topic.posts.get()
    client = client_for(other_customer)

    on = client.post(react_url(post, "helpful"), headers=HTMX)

    assert on.status_code == 200
    html = on.content.decode()
    assert html.startswith(f'<div class="reactions" id="reactions-{post.pk}">')
    assert reaction_button("helpful", pressed=True, count=1).search(html)
    assert reaction_button("like", pressed=False, count=0).search(html)

    off = client.post(react_url(post, "helpful"), headers=HTMX)

    assert reaction_button("helpful", pressed=False, count=0).search(off.content.decode())
    assert Reaction.objects.count() == 0


def test_topic_page_marks_the_members_own_reactions(
    client_for, customer, other_customer, public_space
):
    topic = start(customer, public_space)
    services.toggle_reaction(member=other_customer, post=topic.posts.get(), kind="like")
    html = client_for(other_customer).get(topic.get_absolute_url()).content.decode()
    assert reaction_button("like", pressed=True, count=1).search(html)


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_unknown_reaction_is_a_400_page_not_a_500(
    client_for, customer, other_customer, public_space, htmx
):
    topic = start(customer, public_space)
    response = client_for(other_customer).post(
        react_url(topic.posts.get(), "love"), headers=HTMX if htmx else {}
    )
    assert response.status_code == 400
    assert "Unknown reaction." in response.content.decode()
    assert Reaction.objects.count() == 0


def test_reacting_to_own_post_is_403(client_for, customer, public_space):
    topic = start(customer, public_space)
    response = client_for(customer).post(react_url(topic.posts.get(), "like"))
    assert response.status_code == 403
    assert "You cannot react to your own post." in response.content.decode()
    assert Reaction.objects.count() == 0


def test_htmx_react_refusal_returns_an_error_fragment(client_for, customer, public_space):
    topic = start(customer, public_space)
    response = client_for(customer).post(react_url(topic.posts.get(), "like"), headers=HTMX)
    assert response.status_code == 403
    assert response.content.decode().strip() == (
        '<div class="alert alert-error" role="alert">You cannot react to your own post.</div>'
    )


def test_react_needs_login(client, customer, public_space):
    topic = start(customer, public_space)
    url = react_url(topic.posts.get(), "like")
    response = client.post(url)
    assert (response.status_code, response["Location"]) == (302, f"/login/?next={url}")


# --- staff actions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "field", "value", "message"),
    [
        ("pin", "is_pinned", True, "Topic pinned."),
        ("lock", "is_locked", True, "Topic locked."),
    ],
)
@pytest.mark.parametrize("role_name", ["moderator", "manager"])
def test_staff_pin_and_lock_from_the_page(
    request, client_for, customer, public_space, role_name, action, field, value, message
):
    topic = start(customer, public_space)
    client = client_for(request.getfixturevalue(role_name))

    response = client.post(action_url(topic, action))

    assert (response.status_code, response["Location"]) == (302, topic.get_absolute_url())
    assert messages_of(response) == [message]
    assert getattr(fresh(topic), field) is value
    undo = client.post(action_url(topic, "un" + action))
    assert undo.status_code == 302
    assert getattr(fresh(topic), field) is not value


def test_staff_move_a_topic_to_another_space(
    client, client_for, customer, moderator, public_space, members_space
):
    topic = start(customer, public_space, title="Belongs elsewhere")

    response = client_for(moderator).post(action_url(topic, "move"), {"space": members_space.slug})

    assert (response.status_code, response["Location"]) == (302, topic.get_absolute_url())
    assert messages_of(response) == ["Topic moved to Members lounge."]
    assert fresh(topic).space == members_space
    assert (fresh(public_space).topic_count, fresh(members_space).topic_count) == (0, 1)
    assert titles(client_for(customer).get(members_space.get_absolute_url())) == [
        "Belongs elsewhere"
    ]
    assert titles(client.get(public_space.get_absolute_url())) == []


@pytest.mark.parametrize("space", ["", "general", "no-such-space"])
def test_move_to_no_valid_space_redirects_with_a_message(
    client_for, customer, moderator, public_space, space
):
    topic = start(customer, public_space)
    response = client_for(moderator).post(action_url(topic, "move"), {"space": space})
    assert (response.status_code, response["Location"]) == (302, topic.get_absolute_url())
    assert messages_of(response) == ["Choose a space to move the topic to."]
    assert fresh(topic).space == public_space


@pytest.mark.parametrize(
    "action",
    [
        "pin",
        "unpin",
        "lock",
        "unlock",
        "move",
    ],
)
@pytest.mark.parametrize("role_name", ["customer", "partner", "employee"])
def test_non_staff_get_403_for_staff_actions(
    request, client_for, other_customer, public_space, members_space, role_name, action
):
    topic = start(other_customer, public_space)
    client = client_for(request.getfixturevalue(role_name))

    response = client.post(action_url(topic, action), {"space": members_space.slug})

    assert response.status_code == 403
    assert "Only moderators can do that." in response.content.decode()
    topic = fresh(topic)
    assert (topic.is_pinned, topic.is_locked, topic.space_id) == (False, False, public_space.pk)


def test_unknown_staff_action_is_404(client_for, customer, moderator, public_space):
    topic = start(customer, public_space)
    assert client_for(moderator).post(action_url(topic, "explode")).status_code == 404


# --- methods and unknown ids --------------------------------------------------------------


@pytest.mark.parametrize("name", ["reply", "delete", "react", "pin", "lock"])
def test_get_on_post_only_endpoints_is_405(
    client_for, customer, other_customer, public_space, name
):
    topic = start(customer, public_space)
    post = topic.posts.get()
    url = {
        "reply": reply_url(topic),
        "delete": reverse("community:delete_post", args=[post.pk]),
        "react": react_url(post, "like"),
        "pin": action_url(topic, "pin"),
        "lock": action_url(topic, "lock"),
        "move": action_url(topic, "move"),
    }[name]
    assert client_for(other_customer).get(url).status_code == 405


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_on_form_pages_are_405(client_for, customer, public_space, method):
    topic = start(customer, public_space)
    client = client_for(customer)
    assert getattr(client, method)(new_topic_url(public_space)).status_code == 405
    edit = reverse("community:edit_post", args=[topic.posts.get().pk])
    assert getattr(client, method)(edit).status_code == 405


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/t/some-topic/987654/"),
        ("get", "/p/987654/"),
        ("get", "/p/987654/edit/"),
        ("post", "/p/987654/edit/"),
        ("get", "/p/987654/history/"),
        ("post", "/p/987654/delete/"),
        ("post", "/p/987654/react/like/"),
        ("post", "/t/987654/reply/"),
        ("post", "/t/987654/pin/"),
        ("get", "/s/no-such-space/"),
        ("get", "/s/no-such-space/new/"),
        ("get", "/u/nobody-here/"),
    ],
)
def test_unknown_ids_are_404(client_for, customer, public_space, method, url):
    response = getattr(client_for(customer), method)(url, {"body": "x", "title": "xxxxxx"})
    assert response.status_code == 404


# --- profile ------------------------------------------------------------------------------


def test_profile_shows_recent_activity(client, customer, other_customer, public_space):
    topic = start(customer, public_space, title="My first topic")
    services.create_reply(author=customer, topic=topic, body="And a reply of mine")
    response = client.get("/u/cara/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Started <a" in html
    assert "Replied to <a" in html
    assert "And a reply of mine" in html
    assert "<dt>Posts</dt><dd>2</dd>" in html


def test_space_admin_needs_an_affiliation_for_a_limited_space_and_saves_the_choice(
    client_for, manager
):
    client = client_for(manager)
    data = {
        "name": "Dealers",
        "slug": "dealers",
        "description": "",
        "position": 3,
        "visibility": "affiliations",
        "topic_starters": "members",
    }

    refused = client.post("/admin/community/space/add/", data)
    assert refused.status_code == 200
    assert "Choose at least one affiliation." in refused.content.decode()

    saved = client.post(
        "/admin/community/space/add/", {**data, "allowed_affiliations": ["partner", "employee"]}
    )
    assert saved.status_code == 302
    assert Space.objects.get(slug="dealers").allowed_affiliations == ["partner", "employee"]


def test_moderators_choose_where_to_move_a_topic_on_its_own_page(
    client_for, customer, moderator, public_space, members_space
):
    topic = start(customer, public_space)

    page = client_for(moderator).get(f"/t/{topic.pk}/move/")
    refused = client_for(customer).get(f"/t/{topic.pk}/move/")

    assert page.status_code == 200
    assert f'<option value="{members_space.slug}">' in page.content.decode()
    assert refused.status_code == 403


# --- wiki posts ---------------------------------------------------------------------------


def make_wiki_url(post) -> str:
    return reverse("community:make_wiki", args=[post.pk])


def stop_wiki_url(post) -> str:
    return reverse("community:stop_wiki", args=[post.pk])


def post_card(html: str, position: int) -> str:
    match = re.search(rf'<article class="post[^"]*" id="post-{position}".*?</article>', html, re.S)
    assert match, f"no post {position} on the page"
    return match.group(0)


def with_level(member, level: int):
    """A member at trust level `level` (moderation counts levels; here it is set directly)."""
    Member.objects.filter(pk=member.pk).update(trust_level=level)
    return fresh(member)


@pytest.fixture
def wiki_topic(customer, public_space) -> Topic:
    """Cara's topic: her opening post, her reply made a wiki (2) and a plain one (3)."""
    topic = start(customer, public_space, title="Setting up single sign-on")
    wiki = services.create_reply(author=customer, topic=topic, body="Steps so far, add yours")
    services.set_post_wiki(actor=customer, post=wiki, wiki=True)
    services.create_reply(author=customer, topic=topic, body="A plain reply")
    return topic


# Who sees what on each post: (Make wiki on the plain reply, Stop wiki on the wiki, Edit on
# the wiki, Edit on the plain reply).
WIKI_BUTTONS = {
    "anonymous": (False, False, False, False),
    "author": (True, True, True, True),
    "level0": (False, False, False, False),
    "level1": (False, False, True, False),
    "level4": (False, False, True, False),
    "moderator": (True, True, True, True),
    "manager": (True, True, True, True),
}


@pytest.mark.parametrize("viewer", sorted(WIKI_BUTTONS))
def test_wiki_buttons_show_for_the_right_people(
    client_for, wiki_topic, customer, other_customer, moderator, manager, viewer
):
    member = {
        "anonymous": lambda: None,
        "author": lambda: customer,
        "level0": lambda: with_level(other_customer, 0),
        "level1": lambda: with_level(other_customer, 1),
        "level4": lambda: with_level(other_customer, 4),
        "moderator": lambda: moderator,
        "manager": lambda: manager,
    }[viewer]()
    wiki, plain = wiki_topic.posts.get(position=2), wiki_topic.posts.get(position=3)

    html = client_for(member).get(wiki_topic.get_absolute_url()).content.decode()

    wiki_card, plain_card = post_card(html, 2), post_card(html, 3)
    make, stop, edit_wiki, edit_plain = WIKI_BUTTONS[viewer]
    assert (f'action="{make_wiki_url(plain)}"' in plain_card) is make
    assert (f'action="{stop_wiki_url(wiki)}"' in wiki_card) is stop
    assert ("Stop wiki</button>" in wiki_card) is stop
    assert ("Make wiki</button>" in plain_card) is make
    assert "make_wiki" not in wiki_card and f'action="{stop_wiki_url(plain)}"' not in plain_card
    assert (f'href="/p/{wiki.pk}/edit/"' in wiki_card) is edit_wiki
    assert (f'href="/p/{plain.pk}/edit/"' in plain_card) is edit_plain
    # Everyone sees which post is a wiki.
    assert '<span class="badge badge-wiki"' in wiki_card
    assert "badge-wiki" not in plain_card


def test_wiki_edit_button_is_hidden_in_a_locked_topic(
    client_for, wiki_topic, other_customer, moderator
):
    services.set_topic_locked(actor=moderator, topic=wiki_topic, locked=True)
    wiki = wiki_topic.posts.get(position=2)
    html = client_for(with_level(other_customer, 4)).get(wiki_topic.get_absolute_url()).content
    assert f'href="/p/{wiki.pk}/edit/"' not in post_card(html.decode(), 2)


@pytest.mark.parametrize("role_name", ["customer", "moderator", "manager"])
def test_make_wiki_and_stop_wiki_forms_work_without_javascript(
    request, client_for, customer, public_space, role_name
):
    topic = start(customer, public_space)
    post = topic.posts.get()
    client = client_for(request.getfixturevalue(role_name))

    response = client.post(make_wiki_url(post))

    assert response.status_code == 302
    assert response["Location"] == f"/p/{post.pk}/"
    assert messages_of(response) == [
        "This post is now a wiki: trusted members who can reply here can edit it too."
    ]
    assert fresh(post).is_wiki is True

    response = client.post(stop_wiki_url(post))

    assert response.status_code == 302
    assert messages_of(response)[-1] == "This post is no longer a wiki."
    assert fresh(post).is_wiki is False


def test_the_wiki_forms_need_the_csrf_token(customer, public_space):
    from django.test import Client

    topic = start(customer, public_space)
    post = topic.posts.get()
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer)
    assert client.post(make_wiki_url(post)).status_code == 403
    assert fresh(post).is_wiki is False


@pytest.mark.parametrize("level", [0, 4])
def test_others_cannot_make_a_post_a_wiki(
    client_for, customer, other_customer, public_space, level
):
    topic = start(customer, public_space)
    post = topic.posts.get()

    response = client_for(with_level(other_customer, level)).post(make_wiki_url(post))

    assert response.status_code == 403
    assert "Only the post&#x27;s author and the moderators" in response.content.decode()
    assert fresh(post).is_wiki is False


def test_the_wiki_switch_takes_posts_only(client_for, customer, public_space):
    topic = start(customer, public_space)
    post = topic.posts.get()
    response = client_for(customer).get(make_wiki_url(post))
    assert response.status_code == 405
    assert fresh(post).is_wiki is False


def test_visitors_are_sent_to_log_in_by_the_wiki_switch(client, customer, public_space):
    topic = start(customer, public_space)
    post = topic.posts.get()
    response = client.post(make_wiki_url(post))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert fresh(post).is_wiki is False


@pytest.mark.parametrize("url_name", ["community:make_wiki", "community:stop_wiki"])
def test_the_wiki_switch_of_a_missing_or_hidden_post_is_404(
    client_for, customer, employee, employee_space, moderator, url_name
):
    hidden = start(employee, employee_space).posts.get()
    client = client_for(customer)
    assert client.post(reverse(url_name, args=[hidden.pk])).status_code == 404
    assert client.post(reverse(url_name, args=[hidden.pk + 1000])).status_code == 404
    assert client_for(moderator).post(f"/p/{hidden.pk + 1000}/wiki/").status_code == 404
    assert client.post("/p/abc/wiki/").status_code == 404
    assert fresh(hidden).is_wiki is False


def test_a_trusted_member_edits_a_wiki_through_the_edit_page_and_history_names_them(
    client, client_for, customer, other_customer, public_space
):
    topic = start(customer, public_space, title="Setting up single sign-on", body="Step one")
    opening = topic.posts.get()
    client_for(customer).post(make_wiki_url(opening))
    editor = client_for(with_level(other_customer, 1))
    edit = reverse("community:edit_post", args=[opening.pk])

    form = editor.get(edit)

    assert form.status_code == 200
    # The title stays with the author and moderators: no title field for a wiki editor.
    assert list(form.context["form"].fields) == ["body"]
    assert "This is a wiki post" in form.content.decode()
    response = editor.post(edit, {"body": "Step one\n\nStep two", "title": "Hijacked title"})

    assert response.status_code == 302
    assert messages_of(response) == ["Your changes are saved."]
    assert fresh(opening).body == "Step one\n\nStep two"
    assert fresh(topic).title == "Setting up single sign-on"
    history = client.get(reverse("community:post_history", args=[opening.pk]))
    html = history.content.decode()
    assert [(r.number, r.editor.username) for r in history.context["revisions"]] == [
        (2, "omar"),
        (1, "cara"),
    ]
    assert "Every version of this wiki post" in html
    assert "by Omar Other" in html and "by Cara Customer" in html


def test_the_author_still_edits_the_title_of_own_wiki(client_for, customer, public_space):
    topic = start(customer, public_space, title="Setting up single sign-on")
    opening = topic.posts.get()
    client = client_for(customer)
    client.post(make_wiki_url(opening))
    form = client.get(reverse("community:edit_post", args=[opening.pk]))
    assert list(form.context["form"].fields) == ["title", "body"]


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_level_zero_member_cannot_edit_a_wiki_through_the_page(
    client_for, wiki_topic, other_customer, method
):
    wiki = wiki_topic.posts.get(position=2)
    response = getattr(client_for(with_level(other_customer, 0)), method)(
        reverse("community:edit_post", args=[wiki.pk]), {"body": "Mine"}
    )
    assert response.status_code == 302
    assert messages_of(response) == ["You cannot edit this post."]
    assert fresh(wiki).body == "Steps so far, add yours"
