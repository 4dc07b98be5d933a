"""Community services: every write, its permission check, its validation and its counters."""

import contextlib

import pytest
from django.core.cache import cache
from django.http import Http404

from hearth import testing
from hearth.accounts import services as account_services
from hearth.accounts.models import Member
from hearth.community import permissions, selectors, services
from hearth.community.models import Post, PostRevision, Reaction, Space, Topic
from hearth.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from hearth.core.models import Activity

pytestmark = pytest.mark.django_db

BODY = "Here is what I would like to talk about."


@pytest.fixture
def newcomer(db):
    """A member made outside sign-up (as `createsuperuser` or the admin do): never accepted
    the code of conduct."""
    member = Member.objects.create_user(username="nell", password=testing.PASSWORD)
    assert member.conduct_version_accepted == 0
    return member


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def start(author, space, title="A topic worth discussing", body=BODY, **kwargs) -> Topic:
    return services.create_topic(author=author, space=space, title=title, body=body, **kwargs)


def assert_counters_match_rows():
    """Every stored counter equals what the rows say."""
    for space in Space.objects.all():
        live_topics = Topic.objects.filter(space=space, deleted_at__isnull=True)
        live_posts = Post.objects.filter(topic__in=live_topics, deleted_at__isnull=True)
        assert (space.name, space.topic_count) == (space.name, live_topics.count())
        assert (space.name, space.post_count) == (space.name, live_posts.count())
    for topic in Topic.objects.all():
        replies = topic.posts.filter(position__gt=1, deleted_at__isnull=True).count()
        assert (topic.title, topic.reply_count) == (topic.title, replies)
    for member in Member.objects.all():
        posts = Post.objects.filter(author=member, deleted_at__isnull=True).count()
        assert (member.username, member.post_count) == (member.username, posts)


# --- create_topic -------------------------------------------------------------------------


def test_create_topic_makes_topic_and_opening_post_and_counts_them(customer, public_space):
    topic = start(customer, public_space, title="Exporting reports to CSV", kind="question")

    assert topic.title == "Exporting reports to CSV"
    assert topic.slug == "exporting-reports-to-csv"
    assert topic.kind == Topic.Kind.QUESTION
    assert topic.author == customer
    assert topic.last_poster == customer
    assert topic.last_activity_at == topic.created_at
    assert topic.reply_count == 0
    opening = topic.posts.get()
    assert (opening.position, opening.author, opening.body) == (1, customer, BODY)
    assert opening.body_html == f"<p>{BODY}</p>\n"
    space = fresh(public_space)
    assert (space.topic_count, space.post_count) == (1, 1)
    assert space.last_activity_at == topic.created_at
    assert fresh(customer).post_count == 1
    activity = Activity.objects.get(verb="topic.created")
    assert (activity.actor_id, activity.target_id, activity.space_id) == (
        customer.pk,
        topic.pk,
        public_space.pk,
    )


def test_create_topic_collapses_whitespace_in_the_title(customer, public_space):
    topic = start(customer, public_space, title="  Hello    big \n world  ")
    assert topic.title == "Hello big world"
    assert topic.slug == "hello-big-world"


def test_create_topic_without_slug_letters_gets_a_fallback_slug(customer, public_space):
    topic = start(customer, public_space, title="!!! ??? !!!")
    assert topic.slug == "topic"


def test_create_topic_in_hidden_space_is_not_found(customer, employee_space):
    with pytest.raises(NotFound):
        start(customer, employee_space)
    assert Topic.objects.count() == 0


@pytest.mark.parametrize(
    ("starters", "role_name", "allowed"),
    [
        ("members", "customer", True),
        ("members", "partner", True),
        ("employees", "customer", False),
        ("employees", "partner", False),
        ("employees", "employee", True),
        ("employees", "moderator", True),
        ("employees", "manager", True),
        ("staff", "customer", False),
        ("staff", "employee", False),
        ("staff", "moderator", True),
        ("staff", "manager", True),
    ],
)
def test_create_topic_respects_who_may_start_topics(
    request, make_space, starters, role_name, allowed
):
    member = request.getfixturevalue(role_name)
    space = make_space(topic_starters=starters)
    if allowed:
        start(member, space)
        assert Topic.objects.count() == 1
    else:
        with pytest.raises(NotAllowed) as error:
            start(member, space)
        assert error.value.code == "cannot_start_topic"
        assert Topic.objects.count() == 0


def test_create_topic_requires_accepting_the_code_of_conduct(newcomer, public_space):
    with pytest.raises(NotAllowed) as error:
        start(newcomer, public_space)
    assert error.value.code == "cannot_start_topic"
    assert Topic.objects.count() == 0


@pytest.mark.parametrize(
    ("title", "code", "message"),
    [
        ("", "title_too_short", "Titles need at least 5 characters."),
        ("abcd", "title_too_short", "Titles need at least 5 characters."),
        ("  ab   c  ", "title_too_short", "Titles need at least 5 characters."),
        ("     \n\t  ", "title_too_short", "Titles need at least 5 characters."),
        ("x" * 201, "title_too_long", "Titles can be at most 200 characters."),
    ],
    ids=["empty", "four-chars", "short-after-collapsing", "whitespace-only", "201-chars"],
)
def test_create_topic_rejects_bad_titles_and_creates_nothing(
    customer, public_space, title, code, message
):
    with pytest.raises(ValidationFailed) as error:
        start(customer, public_space, title=title)
    assert (error.value.code, error.value.field, error.value.message) == (code, "title", message)
    assert Topic.objects.count() == 0
    assert Post.objects.count() == 0
    assert fresh(public_space).topic_count == 0
    assert fresh(customer).post_count == 0


@pytest.mark.parametrize("title", ["abcde", "x" * 200], ids=["5-chars", "200-chars"])
def test_create_topic_accepts_titles_at_the_limits(customer, public_space, title):
    assert start(customer, public_space, title=title).title == title


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        ("", "body_empty", "Write something first."),
        ("  \n\t \n ", "body_empty", "Write something first."),
        ("x" * 50_001, "body_too_long", "Posts can be at most 50,000 characters."),
    ],
    ids=["empty", "whitespace-only", "50001-chars"],
)
def test_create_topic_rejects_bad_bodies_and_creates_nothing(
    customer, public_space, body, code, message
):
    with pytest.raises(ValidationFailed) as error:
        start(customer, public_space, body=body)
    assert (error.value.code, error.value.field, error.value.message) == (code, "body", message)
    assert Topic.objects.count() == 0
    assert Post.objects.count() == 0


def test_create_topic_accepts_a_body_of_exactly_50000_characters(customer, public_space):
    topic = start(customer, public_space, body="x" * 50_000)
    assert len(topic.posts.get().body) == 50_000


def test_create_topic_rejects_an_unknown_kind(customer, public_space):
    with pytest.raises(ValidationFailed) as error:
        start(customer, public_space, kind="poll")
    assert error.value.field == "kind"
    assert Topic.objects.count() == 0


def test_create_topic_twice_with_one_submit_key_makes_one_topic(customer, public_space):
    first = start(customer, public_space, submit_key="key-1")
    second = start(customer, public_space, submit_key="key-1")

    assert second.pk == first.pk
    assert Topic.objects.count() == 1
    assert Post.objects.count() == 1
    assert (fresh(public_space).topic_count, fresh(public_space).post_count) == (1, 1)
    assert fresh(customer).post_count == 1


def test_create_topic_with_different_or_no_submit_keys_makes_separate_topics(
    customer, public_space
):
    start(customer, public_space, submit_key="key-1")
    start(customer, public_space, submit_key="key-2")
    start(customer, public_space)
    start(customer, public_space)
    assert Topic.objects.count() == 4


def test_one_submit_key_used_by_two_members_makes_two_topics(
    customer, other_customer, public_space
):
    start(customer, public_space, submit_key="same")
    start(other_customer, public_space, submit_key="same")
    assert Topic.objects.count() == 2


# --- create_reply -------------------------------------------------------------------------


def test_create_reply_appends_a_post_and_updates_counters(customer, other_customer, public_space):
    topic = start(customer, public_space)
    first = services.create_reply(author=other_customer, topic=topic, body="First reply")
    second = services.create_reply(author=customer, topic=topic, body="Second reply")

    assert (first.position, second.position) == (2, 3)
    topic = fresh(topic)
    assert topic.reply_count == 2
    assert topic.last_poster == customer
    assert topic.last_activity_at == second.created_at
    space = fresh(public_space)
    assert (space.topic_count, space.post_count) == (1, 3)
    assert space.last_activity_at == second.created_at
    assert (fresh(customer).post_count, fresh(other_customer).post_count) == (2, 1)
    assert Activity.objects.filter(verb="post.created").count() == 2


def test_create_reply_twice_with_one_submit_key_makes_one_reply(
    customer, other_customer, public_space
):
    topic = start(customer, public_space)
    first = services.create_reply(author=other_customer, topic=topic, body="Hi", submit_key="k")
    second = services.create_reply(author=other_customer, topic=topic, body="Hi", submit_key="k")

    assert second.pk == first.pk
    assert topic.posts.count() == 2
    assert fresh(topic).reply_count == 1
    assert fresh(public_space).post_count == 2
    assert fresh(other_customer).post_count == 1


def test_reply_to_locked_topic_is_refused_with_topic_locked(
    customer, other_customer, moderator, public_space
):
    topic = start(customer, public_space)
    services.set_topic_locked(actor=moderator, topic=topic, locked=True)

    for author in (other_customer, customer):
        with pytest.raises(NotAllowed) as error:
            services.create_reply(author=author, topic=topic, body="Hello?")
        assert error.value.code == "topic_locked"
        assert error.value.message == "This topic is locked: it takes no new replies."
    assert fresh(topic).reply_count == 0


@pytest.mark.parametrize("role_name", ["moderator", "manager"])
def test_moderators_still_reply_to_locked_topics(request, customer, public_space, role_name):
    staff = request.getfixturevalue(role_name)
    topic = start(customer, public_space)
    services.set_topic_locked(actor=staff, topic=topic, locked=True)
    post = services.create_reply(author=staff, topic=topic, body="Closing note.")
    assert post.position == 2
    assert fresh(topic).reply_count == 1


def test_reply_requires_accepting_the_code_of_conduct(newcomer, customer, public_space):
    topic = start(customer, public_space)
    with pytest.raises(NotAllowed) as error:
        services.create_reply(author=newcomer, topic=topic, body="Hello")
    assert error.value.code == "cannot_reply"
    assert topic.posts.count() == 1


def test_reply_to_topic_in_hidden_space_is_not_found(customer, employee, employee_space):
    topic = start(employee, employee_space)
    with pytest.raises(NotFound):
        services.create_reply(author=customer, topic=topic, body="Hello")
    assert topic.posts.count() == 1


def test_reply_to_deleted_topic_is_not_found_for_members(customer, other_customer, public_space):
    topic = start(customer, public_space)
    services.delete_post(actor=customer, post=topic.posts.get(position=1))
    with pytest.raises(NotFound):
        services.create_reply(author=other_customer, topic=topic, body="Hello")


@pytest.mark.parametrize(
    ("body", "code"),
    [("", "body_empty"), ("   \n ", "body_empty"), ("y" * 50_001, "body_too_long")],
    ids=["empty", "whitespace-only", "50001-chars"],
)
def test_reply_rejects_bad_bodies(customer, other_customer, public_space, body, code):
    topic = start(customer, public_space)
    with pytest.raises(ValidationFailed) as error:
        services.create_reply(author=other_customer, topic=topic, body=body)
    assert (error.value.code, error.value.field) == (code, "body")
    assert fresh(topic).reply_count == 0
    assert topic.posts.count() == 1


def test_reply_mentioning_a_member_links_to_their_profile(customer, other_customer, public_space):
    topic = start(customer, public_space)
    post = services.create_reply(
        author=other_customer, topic=topic, body="Thanks @cara, and @nobody."
    )
    assert post.body_html == (
        '<p>Thanks <a href="/u/cara/" class="mention" rel="nofollow ugc noopener">@cara</a>,'
        " and @nobody.</p>\n"
    )
    activity = Activity.objects.get(verb="post.created")
    assert activity.payload["mentions"] == ["cara"]


def test_mention_in_other_case_links_to_the_members_real_username(
    customer, other_customer, public_space
):
    topic = start(customer, public_space)
    post = services.create_reply(author=other_customer, topic=topic, body="Thanks @Cara")
    assert 'href="/u/cara/"' in post.body_html


# --- edit_post ----------------------------------------------------------------------------


def test_first_edit_keeps_the_original_as_revision_one(customer, other_customer, public_space):
    topic = start(customer, public_space)
    reply = services.create_reply(author=other_customer, topic=topic, body="Original text")

    edited = services.edit_post(editor=other_customer, post=reply, body="Better text")

    assert (edited.body, edited.body_html) == ("Better text", "<p>Better text</p>\n")
    assert edited.revision_count == 2
    assert edited.edited_at is not None
    revisions = list(PostRevision.objects.filter(post=reply).order_by("number"))
    assert [(r.number, r.body, r.editor_id, r.title) for r in revisions] == [
        (1, "Original text", other_customer.pk, ""),
        (2, "Better text", other_customer.pk, ""),
    ]
    assert revisions[0].created_at == reply.created_at
    assert revisions[1].created_at == edited.edited_at


def test_later_edits_add_one_revision_each(customer, moderator, public_space):
    topic = start(customer, public_space)
    opening = topic.posts.get()
    services.edit_post(editor=customer, post=opening, body="Second version")
    services.edit_post(editor=moderator, post=opening, body="Third version")

    assert fresh(opening).revision_count == 3
    assert list(
        PostRevision.objects.filter(post=opening).values_list("number", "body", "editor__username")
    ) == [(1, BODY, "cara"), (2, "Second version", "cara"), (3, "Third version", "mo")]


@pytest.mark.parametrize(
    ("body", "title"),
    [
        (BODY, None),
        (f"  {BODY}\n", None),
        (BODY, "A topic worth discussing"),
        (BODY, " A topic  worth discussing "),
    ],
    ids=["same-body", "same-body-padded", "same-title", "same-title-padded"],
)
def test_edit_that_changes_nothing_makes_no_revision(customer, public_space, body, title):
    topic = start(customer, public_space)
    opening = topic.posts.get()
    services.edit_post(editor=customer, post=opening, body=body, title=title)

    opening = fresh(opening)
    assert (opening.revision_count, opening.edited_at) == (0, None)
    assert PostRevision.objects.count() == 0
    assert Activity.objects.filter(verb="post.edited").count() == 0


def test_editing_the_opening_post_can_change_title_and_slug(customer, public_space):
    topic = start(customer, public_space, title="Old and busted")
    opening = topic.posts.get()

    services.edit_post(editor=customer, post=opening, body=BODY, title="New  hotness")

    topic = fresh(topic)
    assert (topic.title, topic.slug) == ("New hotness", "new-hotness")
    assert list(PostRevision.objects.values_list("number", "title", "body")) == [
        (1, "Old and busted", BODY),
        (2, "New hotness", BODY),
    ]


def test_title_given_when_editing_a_reply_is_ignored(customer, other_customer, public_space):
    topic = start(customer, public_space, title="Stays as it is")
    reply = services.create_reply(author=other_customer, topic=topic, body="Reply")
    services.edit_post(editor=other_customer, post=reply, body="Reply, edited", title="Hijacked")
    assert fresh(topic).title == "Stays as it is"


@pytest.mark.parametrize(
    ("body", "title", "code"),
    [
        ("", None, "body_empty"),
        (BODY, "abc", "title_too_short"),
        (BODY, "x" * 201, "title_too_long"),
    ],
)
def test_invalid_edit_changes_nothing(customer, public_space, body, title, code):
    topic = start(customer, public_space, title="Original title")
    opening = topic.posts.get()
    with pytest.raises(ValidationFailed) as error:
        services.edit_post(editor=customer, post=opening, body=body, title=title)
    assert error.value.code == code
    assert fresh(opening).body == BODY
    assert fresh(topic).title == "Original title"
    assert PostRevision.objects.count() == 0


def test_author_cannot_edit_in_a_locked_topic_but_a_moderator_can(
    customer, moderator, public_space
):
    topic = start(customer, public_space)
    opening = topic.posts.get()
    services.set_topic_locked(actor=moderator, topic=topic, locked=True)

    with pytest.raises(NotAllowed) as error:
        services.edit_post(editor=customer, post=opening, body="Sneaky edit")
    assert error.value.code == "cannot_edit"
    assert fresh(opening).body == BODY

    services.edit_post(editor=moderator, post=opening, body="Moderated text")
    assert fresh(opening).body == "Moderated text"


@pytest.mark.parametrize("role_name", ["other_customer", "partner", "employee"])
def test_members_cannot_edit_someone_elses_post(request, customer, public_space, role_name):
    topic = start(customer, public_space)
    with pytest.raises(NotAllowed) as error:
        services.edit_post(
            editor=request.getfixturevalue(role_name), post=topic.posts.get(), body="x"
        )
    assert error.value.code == "cannot_edit"


def test_edit_of_post_in_hidden_space_is_not_found(customer, employee, employee_space):
    topic = start(employee, employee_space)
    with pytest.raises(NotFound):
        services.edit_post(editor=customer, post=topic.posts.get(), body="x")


# --- delete_post and counters -------------------------------------------------------------


def test_author_deletes_own_reply(customer, other_customer, public_space):
    topic = start(customer, public_space)
    reply = services.create_reply(author=other_customer, topic=topic, body="Oops")

    services.delete_post(actor=other_customer, post=reply)

    reply = fresh(reply)
    assert reply.is_deleted
    assert reply.deleted_by == other_customer
    assert fresh(topic).reply_count == 0
    assert fresh(topic).deleted_at is None
    assert (fresh(public_space).topic_count, fresh(public_space).post_count) == (1, 1)
    assert fresh(other_customer).post_count == 0
    assert Activity.objects.get(verb="post.deleted").payload == {
        "topic_id": topic.pk,
        "by_staff": False,
    }


@pytest.mark.parametrize("role_name", ["moderator", "manager"])
def test_moderator_deletes_someone_elses_reply(
    request, customer, other_customer, public_space, role_name
):
    staff = request.getfixturevalue(role_name)
    topic = start(customer, public_space)
    reply = services.create_reply(author=other_customer, topic=topic, body="Spam")

    services.delete_post(actor=staff, post=reply)

    assert fresh(reply).deleted_by == staff
    assert fresh(other_customer).post_count == 0
    assert Activity.objects.get(verb="post.deleted").payload["by_staff"] is True


@pytest.mark.parametrize("role_name", ["other_customer", "partner", "employee"])
def test_members_cannot_delete_someone_elses_post(request, customer, public_space, role_name):
    topic = start(customer, public_space)
    with pytest.raises(NotAllowed) as error:
        services.delete_post(actor=request.getfixturevalue(role_name), post=topic.posts.get())
    assert error.value.code == "cannot_delete"
    assert fresh(topic).deleted_at is None


def test_deleting_a_deleted_post_again_is_refused(customer, other_customer, public_space):
    topic = start(customer, public_space)
    reply = services.create_reply(author=other_customer, topic=topic, body="Once")
    services.delete_post(actor=other_customer, post=reply)
    with pytest.raises(NotAllowed):
        services.delete_post(actor=other_customer, post=reply)
    assert fresh(topic).reply_count == 0


def test_deleting_the_opening_post_deletes_the_topic(
    customer, other_customer, moderator, public_space
):
    keep = start(other_customer, public_space, title="This one stays")
    topic = start(customer, public_space, title="This one goes")
    services.create_reply(author=other_customer, topic=topic, body="One")
    services.create_reply(author=moderator, topic=topic, body="Two")

    services.delete_post(actor=customer, post=topic.posts.get(position=1))

    topic = fresh(topic)
    assert topic.is_deleted
    assert (fresh(public_space).topic_count, fresh(public_space).post_count) == (1, 1)
    assert list(selectors.topic_list(customer, space=public_space)) == [keep]
    assert list(selectors.topic_list(customer)) == [keep]
    with pytest.raises(Http404):
        selectors.access_topic(customer, topic.pk)
    assert selectors.access_topic(moderator, topic.pk) == topic
    assert Activity.objects.get(verb="topic.deleted").target_id == topic.pk
    assert_counters_match_rows()


def test_counters_stay_right_through_create_reply_delete_and_move(
    customer, other_customer, moderator, public_space, members_space
):
    assert_counters_match_rows()
    first = start(customer, public_space, title="First topic here")
    assert_counters_match_rows()
    second = start(other_customer, public_space, title="Second topic here")
    replies = [
        services.create_reply(author=author, topic=first, body=f"Reply {n}")
        for n, author in enumerate([other_customer, customer, moderator, other_customer])
    ]
    services.create_reply(author=customer, topic=second, body="On the second")
    assert_counters_match_rows()
    assert (fresh(public_space).topic_count, fresh(public_space).post_count) == (2, 7)

    services.delete_post(actor=other_customer, post=replies[0])
    services.delete_post(actor=moderator, post=replies[1])
    assert_counters_match_rows()
    assert fresh(first).reply_count == 2

    services.move_topic(actor=moderator, topic=first, space=members_space)
    assert_counters_match_rows()
    assert (fresh(public_space).topic_count, fresh(public_space).post_count) == (1, 2)
    assert (fresh(members_space).topic_count, fresh(members_space).post_count) == (1, 3)

    services.create_reply(author=customer, topic=first, body="After the move")
    assert_counters_match_rows()
    assert fresh(members_space).post_count == 4

    services.delete_post(actor=customer, post=first.posts.get(position=1))
    assert_counters_match_rows()
    assert (fresh(members_space).topic_count, fresh(members_space).post_count) == (0, 0)

    services.move_topic(actor=moderator, topic=first, space=public_space)
    assert_counters_match_rows()
    assert (fresh(public_space).topic_count, fresh(public_space).post_count) == (1, 2)
    assert (fresh(members_space).topic_count, fresh(members_space).post_count) == (0, 0)


def test_moderator_deleting_a_reply_in_a_deleted_topic_keeps_space_counters_right(
    customer, other_customer, moderator, public_space
):
    start(other_customer, public_space, title="Unrelated topic")
    topic = start(customer, public_space)
    reply = services.create_reply(author=other_customer, topic=topic, body="Reply")
    services.delete_post(actor=customer, post=topic.posts.get(position=1))
    assert fresh(public_space).post_count == 1

    services.delete_post(actor=moderator, post=reply)

    assert fresh(public_space).post_count == 1
    assert_counters_match_rows()


def test_moderator_replying_to_a_deleted_topic_keeps_space_counters_right(
    customer, other_customer, moderator, public_space
):
    start(other_customer, public_space, title="Unrelated topic")
    topic = start(customer, public_space)
    services.delete_post(actor=customer, post=topic.posts.get(position=1))

    # Refusing the reply would be a fine answer too.
    with contextlib.suppress(NotAllowed):
        services.create_reply(author=moderator, topic=topic, body="Why was this deleted?")

    assert fresh(public_space).post_count == 1
    assert_counters_match_rows()


# --- reactions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "counter", "topic_likes"), [("like", "like_count", 1), ("helpful", "helpful_count", 0)]
)
def test_reaction_toggles_on_and_off(
    customer, other_customer, public_space, kind, counter, topic_likes
):
    topic = start(customer, public_space)
    post = topic.posts.get()

    assert services.toggle_reaction(member=other_customer, post=post, kind=kind) is True
    assert getattr(fresh(post), counter) == 1
    assert fresh(topic).like_count == topic_likes
    assert list(Reaction.objects.values_list("member_id", "kind")) == [(other_customer.pk, kind)]

    assert services.toggle_reaction(member=other_customer, post=post, kind=kind) is False
    assert getattr(fresh(post), counter) == 0
    assert fresh(topic).like_count == 0
    assert Reaction.objects.count() == 0
    assert list(
        Activity.objects.filter(verb__startswith="reaction.")
        .order_by("id")
        .values_list("verb", flat=True)
    ) == ["reaction.added", "reaction.removed"]


def test_reactions_from_several_members_add_up_per_kind(
    customer, other_customer, partner, public_space
):
    topic = start(customer, public_space)
    post = topic.posts.get()
    services.toggle_reaction(member=other_customer, post=post, kind="like")
    services.toggle_reaction(member=partner, post=post, kind="like")
    services.toggle_reaction(member=partner, post=post, kind="helpful")

    post = fresh(post)
    assert (post.like_count, post.helpful_count) == (2, 1)
    assert fresh(topic).like_count == 2


def test_no_reacting_to_own_post(customer, public_space):
    topic = start(customer, public_space)
    with pytest.raises(NotAllowed) as error:
        services.toggle_reaction(member=customer, post=topic.posts.get(), kind="like")
    assert error.value.code == "cannot_react"
    assert error.value.message == "You cannot react to your own post."
    assert fresh(topic.posts.get()).like_count == 0


def test_unknown_reaction_kind_fails_validation(customer, other_customer, public_space):
    topic = start(customer, public_space)
    with pytest.raises(ValidationFailed) as error:
        services.toggle_reaction(member=other_customer, post=topic.posts.get(), kind="love")
    assert (error.value.code, error.value.field) == ("unknown_reaction", "kind")
    assert Reaction.objects.count() == 0


def test_no_reacting_to_a_deleted_post(customer, other_customer, partner, public_space):
    topic = start(customer, public_space)
    reply = services.create_reply(author=other_customer, topic=topic, body="Soon gone")
    services.delete_post(actor=other_customer, post=reply)
    with pytest.raises(NotAllowed) as error:
        services.toggle_reaction(member=partner, post=reply, kind="like")
    assert error.value.code == "cannot_react"


def test_reacting_without_accepting_the_code_of_conduct_is_refused(
    newcomer, customer, public_space
):
    topic = start(customer, public_space)
    with pytest.raises(NotAllowed) as error:
        services.toggle_reaction(member=newcomer, post=topic.posts.get(), kind="like")
    assert error.value.code == "cannot_react"


def test_reacting_to_post_in_hidden_space_is_not_found(customer, employee, employee_space):
    topic = start(employee, employee_space)
    with pytest.raises(NotFound):
        services.toggle_reaction(member=customer, post=topic.posts.get(), kind="like")


# --- staff actions ------------------------------------------------------------------------


@pytest.mark.parametrize("role_name", ["customer", "partner", "employee"])
def test_only_staff_pin_lock_and_move(
    request, other_customer, public_space, members_space, role_name
):
    actor = request.getfixturevalue(role_name)
    topic = start(other_customer, public_space)
    actions = [
        lambda: services.set_topic_pinned(actor=actor, topic=topic, pinned=True),
        lambda: services.set_topic_locked(actor=actor, topic=topic, locked=True),
        lambda: services.move_topic(actor=actor, topic=topic, space=members_space),
    ]
    for action in actions:
        with pytest.raises(NotAllowed) as error:
            action()
        assert error.value.code == "staff_only"
    topic = fresh(topic)
    assert (topic.is_pinned, topic.is_locked, topic.space_id) == (False, False, public_space.pk)


@pytest.mark.parametrize("role_name", ["moderator", "manager"])
def test_staff_pin_and_lock_and_undo(request, customer, public_space, role_name):
    staff = request.getfixturevalue(role_name)
    topic = start(customer, public_space)

    services.set_topic_pinned(actor=staff, topic=topic, pinned=True)
    services.set_topic_locked(actor=staff, topic=topic, locked=True)
    assert (fresh(topic).is_pinned, fresh(topic).is_locked) == (True, True)
    services.set_topic_pinned(actor=staff, topic=topic, pinned=True)  # no change, no log row
    services.set_topic_pinned(actor=staff, topic=topic, pinned=False)
    services.set_topic_locked(actor=staff, topic=topic, locked=False)
    assert (fresh(topic).is_pinned, fresh(topic).is_locked) == (False, False)
    assert list(
        Activity.objects.filter(verb__startswith="topic.")
        .exclude(verb="topic.created")
        .order_by("id")
        .values_list("verb", flat=True)
    ) == ["topic.pinned", "topic.locked", "topic.unpinned", "topic.unlocked"]


def test_move_updates_both_spaces_and_lists(
    customer, other_customer, moderator, public_space, partner_space
):
    topic = start(customer, public_space)
    services.create_reply(author=other_customer, topic=topic, body="A reply")

    moved = services.move_topic(actor=moderator, topic=topic, space=partner_space)

    assert moved.space_id == partner_space.pk
    assert (fresh(public_space).topic_count, fresh(public_space).post_count) == (0, 0)
    assert (fresh(partner_space).topic_count, fresh(partner_space).post_count) == (1, 2)
    assert fresh(partner_space).last_activity_at == fresh(topic).last_activity_at
    assert list(selectors.topic_list(moderator, space=partner_space)) == [topic]
    assert list(selectors.topic_list(moderator, space=public_space)) == []
    assert Activity.objects.get(verb="topic.moved").payload == {"from_space_id": public_space.pk}


def test_move_to_the_same_space_changes_nothing(customer, moderator, public_space):
    topic = start(customer, public_space)
    services.move_topic(actor=moderator, topic=topic, space=public_space)
    assert (fresh(public_space).topic_count, fresh(public_space).post_count) == (1, 1)
    assert not Activity.objects.filter(verb="topic.moved").exists()


def test_staff_action_on_topic_in_hidden_space_is_not_found(customer, employee, employee_space):
    topic = start(employee, employee_space)
    with pytest.raises(NotFound):
        services.set_topic_pinned(actor=customer, topic=topic, pinned=True)


def test_record_topic_view_adds_one_per_call(customer, public_space):
    topic = start(customer, public_space)
    for _ in range(3):
        services.record_topic_view(topic=topic)
    assert selectors.view_count(fresh(topic)) == 3
    assert not Activity.objects.filter(verb__contains="view").exists()


def test_record_topic_view_returns_the_views_the_loaded_topic_lacks(
    customer, public_space, settings
):
    settings.HEARTH_VIEW_COUNT_BATCH = 4
    topic = start(customer, public_space)
    counts = []
    for _ in range(6):
        loaded = fresh(topic)  # as each page view loads it
        counts.append((loaded.view_count, services.record_topic_view(topic=loaded)))
    # The fourth view writes the batch of four; what a page shows is the sum.
    assert counts == [(0, 1), (0, 2), (0, 3), (0, 4), (4, 1), (4, 2)]
    assert selectors.view_count(fresh(topic)) == 6


def test_record_topic_view_writes_every_view_with_a_cache_that_keeps_nothing(
    customer, public_space, settings
):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    topic = start(customer, public_space)
    assert [services.record_topic_view(topic=topic) for _ in range(2)] == [1, 1]
    assert fresh(topic).view_count == 2


def test_a_batch_is_written_once_even_if_the_counter_goes_while_writing(
    customer, public_space, settings, monkeypatch
):
    settings.HEARTH_VIEW_COUNT_BATCH = 2
    topic = start(customer, public_space)
    write = services._write_views

    def write_then_lose_the_cache(topic, views):
        write(topic, views)
        cache.clear()

    monkeypatch.setattr(services, "_write_views", write_then_lose_the_cache)
    assert [services.record_topic_view(topic=fresh(topic)) for _ in range(2)] == [1, 2]
    assert fresh(topic).view_count == 2


def test_views_lost_with_the_cache_are_at_most_a_batch_less_one(customer, public_space, settings):
    settings.HEARTH_VIEW_COUNT_BATCH = 3
    topic = start(customer, public_space)
    for _ in range(5):
        services.record_topic_view(topic=topic)
    cache.clear()
    services.record_topic_view(topic=topic)
    assert fresh(topic).view_count == 3
    assert selectors.view_count(fresh(topic)) == 4  # two views were lost with the cache


# --- create_space -------------------------------------------------------------------------


def test_create_space_requires_a_manager(customer, moderator, manager):
    for actor in (customer, moderator):
        with pytest.raises(NotAllowed):
            services.create_space(actor=actor, name="Secret")
    space = services.create_space(actor=manager, name="Product ideas")
    assert (space.slug, space.visibility, space.topic_starters) == (
        "product-ideas",
        Space.Visibility.PUBLIC,
        Space.TopicStarters.MEMBERS,
    )


def test_affiliation_space_needs_at_least_one_affiliation(manager):
    with pytest.raises(ValidationFailed) as error:
        services.create_space(actor=manager, name="Nobody", visibility="affiliations")
    assert error.value.field == "allowed_affiliations"


def test_space_slug_must_be_unique(manager, public_space):
    with pytest.raises(ValidationFailed) as error:
        services.create_space(actor=manager, name="General")
    assert error.value.code == "slug_taken"


# --- wiki posts ---------------------------------------------------------------------------
# Trust levels, silences and suspensions are moderation's to set: the tests set them through
# moderation's services, as staff would.


@pytest.fixture
def set_level(manager):
    from hearth.moderation import services as moderation

    def run(member: Member, level: int) -> Member:
        moderation.set_trust_level(
            actor=manager, member=member, level=level, locked=True, reason="Testing wikis."
        )
        return fresh(member)

    return run


@pytest.fixture
def restrict(moderator):
    from hearth.moderation import services as moderation

    def run(member: Member, how: str) -> Member:
        act = moderation.silence_member if how == "silenced" else moderation.suspend_member
        act(actor=moderator, member=member, days=1, reason="Cool off.")
        return fresh(member)

    return run


@pytest.fixture
def wiki(customer, public_space) -> Post:
    """Cara's reply, made a wiki by Cara."""
    topic = start(customer, public_space)
    reply = services.create_reply(author=customer, topic=topic, body="Setup steps, add yours")
    return services.set_post_wiki(actor=customer, post=reply, wiki=True)


def wiki_activity(post) -> list[tuple]:
    return list(
        Activity.objects.filter(verb__startswith="post.wiki_", target_id=post.pk)
        .order_by("pk")
        .values_list("verb", "actor__username", "target_type", "space_id", "payload")
    )


@pytest.mark.parametrize("role_name", ["customer", "moderator", "manager"])
def test_author_and_staff_make_a_post_a_wiki_and_back(request, customer, public_space, role_name):
    actor = request.getfixturevalue(role_name)
    topic = start(customer, public_space)
    reply = services.create_reply(author=customer, topic=topic, body="Setup steps")

    made = services.set_post_wiki(actor=actor, post=reply, wiki=True)
    assert made.is_wiki is True
    assert fresh(reply).is_wiki is True
    services.set_post_wiki(actor=actor, post=reply, wiki=False)

    assert fresh(reply).is_wiki is False
    payload = {"topic_id": topic.pk, "by_author": role_name == "customer"}
    assert wiki_activity(reply) == [
        ("post.wiki_made", actor.username, "post", public_space.pk, payload),
        ("post.wiki_stopped", actor.username, "post", public_space.pk, payload),
    ]


def test_making_a_wiki_a_wiki_again_changes_and_records_nothing(customer, wiki):
    services.set_post_wiki(actor=customer, post=wiki, wiki=True)
    assert len(wiki_activity(wiki)) == 1


@pytest.mark.parametrize("level", [0, 4])
@pytest.mark.parametrize("role_name", ["other_customer", "partner", "employee"])
def test_members_cannot_make_someone_elses_post_a_wiki_or_stop_it(
    request, customer, public_space, set_level, role_name, level
):
    actor = set_level(request.getfixturevalue(role_name), level)
    topic = start(customer, public_space)
    opening = topic.posts.get()

    with pytest.raises(NotAllowed) as error:
        services.set_post_wiki(actor=actor, post=opening, wiki=True)
    assert error.value.code == "cannot_set_wiki"
    assert fresh(opening).is_wiki is False

    services.set_post_wiki(actor=customer, post=opening, wiki=True)
    with pytest.raises(NotAllowed) as error:
        services.set_post_wiki(actor=actor, post=opening, wiki=False)
    assert error.value.code == "cannot_set_wiki"
    assert fresh(opening).is_wiki is True
    assert [row[1] for row in wiki_activity(opening)] == ["cara"]


def test_a_post_in_a_space_one_cannot_see_is_not_found_for_the_wiki_switch(
    customer, employee, employee_space
):
    topic = start(employee, employee_space)
    with pytest.raises(NotFound):
        services.set_post_wiki(actor=customer, post=topic.posts.get(), wiki=True)


def test_a_held_post_of_someone_else_is_not_found_for_the_wiki_switch(
    customer, other_customer, moderator, public_space
):
    topic = start(customer, public_space)
    reply = services.create_reply(author=other_customer, topic=topic, body="Held reply")
    services.set_post_state(actor=moderator, post=reply, state="held", reason="Check it.")
    with pytest.raises(NotFound):
        services.set_post_wiki(actor=customer, post=reply, wiki=True)


def test_author_cannot_switch_the_wiki_in_a_locked_topic_but_a_moderator_can(
    customer, moderator, wiki
):
    services.set_topic_locked(actor=moderator, topic=wiki.topic, locked=True)

    with pytest.raises(NotAllowed) as error:
        services.set_post_wiki(actor=customer, post=wiki, wiki=False)
    assert error.value.code == "topic_locked"
    assert fresh(wiki).is_wiki is True

    services.set_post_wiki(actor=moderator, post=wiki, wiki=False)
    assert fresh(wiki).is_wiki is False


@pytest.mark.parametrize(
    ("how", "code"), [("silenced", "silenced"), ("suspended", "account_suspended")]
)
def test_a_restricted_author_cannot_switch_the_wiki(customer, wiki, restrict, how, code):
    customer = restrict(customer, how)
    with pytest.raises(NotAllowed) as error:
        services.set_post_wiki(actor=customer, post=wiki, wiki=False)
    assert error.value.code == code
    assert fresh(wiki).is_wiki is True


def test_the_wiki_switch_needs_the_code_of_conduct_in_force(customer, wiki):
    account_services.publish_code_of_conduct(actor=None, body="New rules: be kinder still.")
    with pytest.raises(NotAllowed) as error:
        services.set_post_wiki(actor=fresh(customer), post=wiki, wiki=False)
    assert error.value.code == "conduct_not_accepted"
    assert fresh(wiki).is_wiki is True


def test_a_deleted_post_cannot_become_a_wiki(customer, moderator, public_space):
    topic = start(customer, public_space)
    reply = services.create_reply(author=customer, topic=topic, body="Gone soon")
    services.delete_post(actor=customer, post=reply)
    for actor in (customer, moderator):
        with pytest.raises(Conflict) as error:
            services.set_post_wiki(actor=actor, post=reply, wiki=True)
        assert error.value.code == "post_deleted"
    assert fresh(reply).is_wiki is False


@pytest.mark.parametrize(("level", "allowed"), [(0, False), (1, True), (2, True), (4, True)])
def test_wikis_are_edited_from_trust_level_one(other_customer, wiki, set_level, level, allowed):
    editor = set_level(other_customer, level)

    if not allowed:
        with pytest.raises(NotAllowed) as error:
            services.edit_post(editor=editor, post=wiki, body="My addition")
        assert error.value.code == "trust_level_too_low"
        assert "trust level 1" in error.value.message
        assert fresh(wiki).body == "Setup steps, add yours"
        assert PostRevision.objects.count() == 0
        return
    services.edit_post(editor=editor, post=wiki, body="Setup steps, and mine")
    assert fresh(wiki).body == "Setup steps, and mine"


def test_a_wiki_edit_keeps_a_revision_with_its_editor(customer, other_customer, wiki, set_level):
    editor = set_level(other_customer, 1)

    edited = services.edit_post(editor=editor, post=wiki, body="Setup steps, and mine")

    assert (edited.revision_count, edited.author_id) == (2, customer.pk)
    assert list(
        PostRevision.objects.filter(post=wiki).values_list("number", "body", "editor__username")
    ) == [(1, "Setup steps, add yours", "cara"), (2, "Setup steps, and mine", "omar")]
    assert [r.editor.username for r in selectors.revision_list(wiki)] == ["omar", "cara"]
    activity = Activity.objects.get(verb="post.edited")
    assert (activity.actor_id, activity.target_id) == (editor.pk, wiki.pk)
    assert activity.payload == {"topic_id": wiki.topic_id, "revision": 2, "as_wiki": True}


def test_the_author_editing_own_wiki_is_not_a_wiki_edit(customer, wiki):
    services.edit_post(editor=customer, post=wiki, body="Setup steps, revised")
    assert Activity.objects.get(verb="post.edited").payload == {
        "topic_id": wiki.topic_id,
        "revision": 2,
    }


@pytest.mark.parametrize(
    ("setting", "level", "allowed"), [(3, 2, False), (3, 3, True), (0, 0, True)]
)
def test_the_wiki_level_is_a_setting(
    settings, other_customer, wiki, set_level, setting, level, allowed
):
    settings.HEARTH_TRUST_WIKI_EDIT_LEVEL = setting
    editor = set_level(other_customer, level)
    context = contextlib.nullcontext() if allowed else pytest.raises(NotAllowed)
    with context:
        services.edit_post(editor=editor, post=wiki, body="Another line")
    assert (fresh(wiki).body == "Another line") is allowed


@pytest.mark.parametrize("role_name", ["other_customer", "partner", "employee"])
def test_trusted_members_cannot_edit_someone_elses_post_that_is_not_a_wiki(
    request, customer, public_space, set_level, role_name
):
    editor = set_level(request.getfixturevalue(role_name), 4)
    topic = start(customer, public_space)
    with pytest.raises(NotAllowed) as error:
        services.edit_post(editor=editor, post=topic.posts.get(), body="Mine now")
    assert error.value.code == "cannot_edit"


def test_stopping_the_wiki_takes_the_edit_back(customer, other_customer, wiki, set_level):
    editor = set_level(other_customer, 2)
    services.set_post_wiki(actor=customer, post=wiki, wiki=False)
    with pytest.raises(NotAllowed) as error:
        services.edit_post(editor=editor, post=wiki, body="Too late")
    assert error.value.code == "cannot_edit"


def test_a_wiki_in_a_locked_topic_is_edited_only_by_moderators(
    other_customer, moderator, wiki, set_level
):
    editor = set_level(other_customer, 4)
    services.set_topic_locked(actor=moderator, topic=wiki.topic, locked=True)

    with pytest.raises(NotAllowed) as error:
        services.edit_post(editor=editor, post=wiki, body="Locked out")
    assert error.value.code == "topic_locked"

    services.edit_post(editor=moderator, post=wiki, body="Moderated")
    assert fresh(wiki).body == "Moderated"


@pytest.mark.parametrize(
    ("how", "code"), [("silenced", "silenced"), ("suspended", "account_suspended")]
)
def test_a_restricted_member_cannot_edit_a_wiki(
    other_customer, wiki, set_level, restrict, how, code
):
    editor = restrict(set_level(other_customer, 4), how)
    with pytest.raises(NotAllowed) as error:
        services.edit_post(editor=editor, post=wiki, body="Not now")
    assert error.value.code == code
    assert PostRevision.objects.count() == 0


def test_a_wiki_edit_needs_the_code_of_conduct_in_force(other_customer, wiki, set_level):
    editor = set_level(other_customer, 1)
    account_services.publish_code_of_conduct(actor=None, body="New rules: be kinder still.")
    with pytest.raises(NotAllowed) as error:
        services.edit_post(editor=fresh(editor), post=wiki, body="Before accepting")
    assert error.value.code == "conduct_not_accepted"


def test_a_member_who_never_accepted_the_conduct_cannot_edit_a_wiki(newcomer, wiki, set_level):
    editor = set_level(newcomer, 2)
    with pytest.raises(NotAllowed) as error:
        services.edit_post(editor=editor, post=wiki, body="Drive-by")
    assert error.value.code == "cannot_edit"


def test_a_wiki_in_a_space_one_cannot_see_is_not_found(
    customer, employee, employee_space, set_level
):
    topic = start(employee, employee_space)
    opening = services.set_post_wiki(actor=employee, post=topic.posts.get(), wiki=True)
    with pytest.raises(NotFound):
        services.edit_post(editor=set_level(customer, 4), post=opening, body="Peek")


def test_a_held_wiki_is_edited_only_by_its_author_and_moderators(
    customer, other_customer, moderator, wiki, set_level
):
    editor = set_level(other_customer, 4)
    services.set_post_state(actor=moderator, post=wiki, state="held", reason="Check it.")
    with pytest.raises(NotAllowed) as error:
        services.edit_post(editor=editor, post=wiki, body="Sneaky")
    assert error.value.code == "cannot_edit"
    services.edit_post(editor=customer, post=wiki, body="Fixed by the author")


def test_a_wiki_editor_changes_an_opening_posts_body_but_not_the_title(
    customer, other_customer, public_space, set_level
):
    editor = set_level(other_customer, 1)
    topic = start(customer, public_space, title="How we set up SSO")
    opening = services.set_post_wiki(actor=customer, post=topic.posts.get(), wiki=True)

    with pytest.raises(NotAllowed) as error:
        services.edit_post(editor=editor, post=opening, body="Steps", title="My title now")
    assert error.value.code == "cannot_edit_title"
    assert (fresh(opening).body, fresh(topic).title) == (BODY, "How we set up SSO")

    services.edit_post(editor=editor, post=opening, body="Steps", title=" How we set up  SSO ")
    assert (fresh(opening).body, fresh(topic).title) == ("Steps", "How we set up SSO")
    services.edit_post(editor=customer, post=opening, body="Steps", title="How we set up SAML")
    assert fresh(topic).title == "How we set up SAML"


@pytest.mark.parametrize(
    ("how", "code"), [("silenced", "silenced"), ("suspended", "account_suspended")]
)
def test_a_restricted_author_cannot_edit_their_own_post(
    customer, public_space, restrict, how, code
):
    topic = start(customer, public_space)
    author = restrict(customer, how)
    opening = topic.posts.get()
    assert not permissions.can_edit_post(author, opening)
    with pytest.raises(NotAllowed) as error:
        services.edit_post(editor=author, post=opening, body="Edited while restricted")
    assert error.value.code == code
    assert fresh(opening).body == BODY
