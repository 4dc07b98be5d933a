"""Reads of spaces, topics and posts, with visibility applied. Views and the API share them."""

import json

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import CharField, Q, QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.http import Http404

from hearth.community.models import Post, PostRevision, Reaction, Space, State, Tag, Topic
from hearth.community.permissions import (
    can_moderate,
    can_view_post,
    can_view_space,
    can_view_topic,
)
from hearth.notifications.models import Watch


def visible_spaces(member) -> list[Space]:
    """The spaces `member` may see, in display order (one query; spaces are few)."""
    return [space for space in Space.objects.all() if can_view_space(member, space)]


def access_space(member, slug: str) -> Space:
    """The space, or Http404 when it does not exist or `member` may not see it."""
    space = Space.objects.filter(slug=slug).first()
    if space is None or not can_view_space(member, space):
        raise Http404("No such space.")
    return space


def access_topic(member, topic_id: int) -> Topic:
    """The topic with its space, or Http404 when missing or hidden from `member`."""
    topic = (
        Topic.objects.select_related(
            "space", "author", "last_poster", "accepted_post__author__organization"
        )
        .filter(pk=topic_id)
        .first()
    )
    if topic is None or not can_view_topic(member, topic):
        raise Http404("No such topic.")
    return topic


def access_topic_alone(member, topic_id: int) -> Topic:
    """`access_topic` with the space only, for pages that show the topic's posts.

    They never show the topic's author or last poster apart from the posts, and a query of six
    joined tables costs more to build than to run.
    """
    topic = Topic.objects.select_related("space").filter(pk=topic_id).first()
    if topic is None or not can_view_topic(member, topic):
        raise Http404("No such topic.")
    return topic


def access_topic_page(member, topic_id: int) -> Topic:
    """The topic page's topic: `access_topic_alone`, with in the same query its tags
    (`topic.tag_list`, by name) and the reader's own watch level on it (`topic.reader_watch`,
    None when they set none); the accepted answer, shown above the thread, comes in a second
    query when there is one."""
    topics = Topic.objects.select_related("space").annotate(tag_pairs=_tag_pairs())
    if member.is_authenticated:
        topics = topics.annotate(reader_watch=_own_watch(member))
    topic = topics.filter(pk=topic_id).first()
    if topic is None or not can_view_topic(member, topic):
        raise Http404("No such topic.")
    pairs = json.loads(topic.tag_pairs or "[]")
    topic.tag_list = sorted((Tag(name=name, slug=slug) for name, slug in pairs), key=_by_name)
    if not member.is_authenticated:
        topic.reader_watch = None
    if topic.accepted_post_id is not None:
        topic.accepted_post = (
            Post.objects.select_related("author__organization")
            .only(*POST_FIELDS)
            .filter(pk=topic.accepted_post_id)
            .first()
        )
    return topic


# The subqueries of the topic page are written out in SQL: built from expressions, the ORM
# takes longer to compile them than the database takes to run them and the queries they
# save. They take no input but the member's id, passed as a parameter. They name the outer
# table, which Django renames when a queryset is nested in another query: the querysets that
# carry them (`access_topic_page`, `post_page`) are run as they are, never used as subqueries.


def _tag_pairs() -> RawSQL:
    """The topic's tags as JSON text, `[[name, slug], ...]` (NULL or [] when it has none)."""
    q = connection.ops.quote_name
    pairs = (
        "json_agg(json_build_array(t.name, t.slug))::text"
        if connection.vendor == "postgresql"
        else "json_group_array(json_array(t.name, t.slug))"
    )
    sql = (
        f"SELECT {pairs} FROM {q(Tag._meta.db_table)} t"  # noqa: S608
        f" JOIN {q(Topic.tags.through._meta.db_table)} tt ON tt.tag_id = t.id"
        f" WHERE tt.topic_id = {q(Topic._meta.db_table)}.id"
    )
    return RawSQL(sql, (), output_field=TextField())  # noqa: S611


def _own_watch(member) -> RawSQL:
    """`member`'s own watch level on the topic (NULL when none: one watch a member a topic)."""
    q = connection.ops.quote_name
    sql = (
        f"SELECT w.level FROM {q(Watch._meta.db_table)} w"  # noqa: S608
        f" WHERE w.member_id = %s AND w.topic_id = {q(Topic._meta.db_table)}.id"
    )
    return RawSQL(sql, (member.pk,), output_field=CharField())  # noqa: S611


def _own_reactions(member) -> RawSQL:
    """The reaction kinds `member` gave the post, joined by commas (NULL when none)."""
    q = connection.ops.quote_name
    joined = "string_agg" if connection.vendor == "postgresql" else "group_concat"
    sql = (
        f"SELECT {joined}(r.kind, ',') FROM {q(Reaction._meta.db_table)} r"  # noqa: S608
        f" WHERE r.member_id = %s AND r.post_id = {q(Post._meta.db_table)}.id"
    )
    return RawSQL(sql, (member.pk,), output_field=CharField())  # noqa: S611


def access_post(member, post_id: int) -> Post:
    post = Post.objects.select_related("topic__space", "author").filter(pk=post_id).first()
    if post is None or not can_view_post(member, post):
        raise Http404("No such post.")
    return post


# What a row of a topic list (page or API) shows: loading only these keeps a page of thirty
# rows cheap to fetch and to turn into objects.
MEMBER_REF_FIELDS = ("username", "display_name", "avatar", "affiliation", "role")
TOPIC_ROW_FIELDS = (
    "space_id",
    "kind",
    "title",
    "slug",
    "created_at",
    "last_activity_at",
    "reply_count",
    "view_count",
    "like_count",
    "is_pinned",
    "is_locked",
    "accepted_post_id",
    "deleted_at",
    "state",
    "space__name",
    "space__slug",
    *(f"author__{name}" for name in MEMBER_REF_FIELDS),
    *(f"last_poster__{name}" for name in MEMBER_REF_FIELDS),
)


def topic_list(
    member, *, space: Space | None = None, spaces: list[Space] | None = None
) -> QuerySet:
    """Topics `member` may see: in one space (pinned first) or across `spaces` (latest first).

    Rows carry only the fields lists show (TOPIC_ROW_FIELDS).
    """
    topics = (
        Topic.objects.filter(deleted_at__isnull=True, state=State.PUBLISHED)
        .select_related("space", "author", "last_poster")
        .only(*TOPIC_ROW_FIELDS)
    )
    if space is not None:
        return topics.filter(space=space).order_by("-is_pinned", "-last_activity_at", "-id")
    if spaces is None:
        spaces = visible_spaces(member)
    return topics.filter(space__in=[s.pk for s in spaces]).order_by("-last_activity_at", "-id")


def _by_name(tag: Tag) -> tuple[str, str]:
    """Tags in the order every page shows them: by name, whatever case, whatever collation."""
    return (tag.name.casefold(), tag.name)


def with_tags(topics) -> list[Topic]:
    """`topics` as a list, each with `tag_list`: its tags by name (one query, no prefetch)."""
    topics = list(topics)
    by_topic: dict[int, list[Tag]] = {}
    for topic in topics:
        topic.tag_list = by_topic.setdefault(topic.pk, [])
    if by_topic:
        rows = Topic.tags.through.objects.filter(topic_id__in=by_topic).values_list(
            "topic_id", "tag_id", "tag__name", "tag__slug"
        )
        for topic_id, tag_id, name, slug in rows:
            by_topic[topic_id].append(Tag(id=tag_id, name=name, slug=slug))
        for tags in by_topic.values():
            tags.sort(key=_by_name)
    return topics


POST_FIELDS = (
    "topic",
    "author",
    "position",
    "body",
    "body_html",
    "created_at",
    "edited_at",
    "revision_count",
    "like_count",
    "helpful_count",
    "deleted_at",
    "deleted_by",
    "source_url",
    "source_author",
    "state",
    "state_reason",
    "is_wiki",
    *(f"author__{name}" for name in MEMBER_REF_FIELDS),
    "author__organization__name",
)


def post_list(topic: Topic, viewer=None) -> QuerySet:
    """A topic's posts in order, with what a post shows of its author.

    Held and hidden posts only for their author and moderators (`viewer`; None: nobody).
    """
    posts = Post.objects.filter(topic=topic)
    if viewer is None or not viewer.is_authenticated:
        posts = posts.filter(state=State.PUBLISHED)
    elif not can_moderate(viewer):
        posts = posts.filter(Q(state=State.PUBLISHED) | Q(author=viewer))
    return posts.select_related("author__organization").only(*POST_FIELDS).order_by("position")


def view_count(topic: Topic) -> int:
    """`topic.view_count` with the views counted in the cache and not yet written."""
    if settings.HEARTH_VIEW_COUNT_BATCH <= 1:
        return topic.view_count
    return topic.view_count + (cache.get(topic.unwritten_views_key) or 0)


def add_unwritten_views(topics: list[Topic]) -> list[Topic]:
    """Add to each topic's `view_count` the views not yet written (one cache read when views
    are batched), so that lists show the count the topic page shows."""
    if settings.HEARTH_VIEW_COUNT_BATCH <= 1 or not topics:
        return topics
    unwritten = cache.get_many([topic.unwritten_views_key for topic in topics])
    for topic in topics:
        topic.view_count += unwritten.get(topic.unwritten_views_key) or 0
    return topics


def post_page(topic: Topic, viewer) -> QuerySet:
    """`post_list` for a topic page: each post also carries `post.given`, the set of
    reaction kinds `viewer` gave it, from a subquery of the same query."""
    posts = post_list(topic, viewer)
    if not viewer.is_authenticated:
        return posts
    return posts.annotate(given_kinds=_own_reactions(viewer))


def reactions_by(member, posts) -> dict[int, set[str]]:
    """For each post id in `posts`, the reaction kinds `member` gave (one query)."""
    if not member.is_authenticated:
        return {}
    given: dict[int, set[str]] = {}
    rows = Reaction.objects.filter(member=member, post__in=[p.pk for p in posts]).values_list(
        "post_id", "kind"
    )
    for post_id, kind in rows:
        given.setdefault(post_id, set()).add(kind)
    return given


def revision_list(post: Post) -> QuerySet:
    return PostRevision.objects.filter(post=post).select_related("editor").order_by("-number")


def member_recent_posts(viewer, member, *, limit: int = 20) -> list[Post]:
    """A member's latest posts that `viewer` may see, newest first."""
    space_ids = [s.pk for s in visible_spaces(viewer)]
    posts = Post.objects.filter(
        author=member,
        deleted_at__isnull=True,
        state=State.PUBLISHED,
        topic__deleted_at__isnull=True,
        topic__state=State.PUBLISHED,
        topic__space__in=space_ids,
    )
    return list(posts.select_related("topic__space").order_by("-created_at", "-id")[:limit])


def moveable_spaces(member, topic: Topic) -> list[Space]:
    if not can_moderate(member):
        return []
    return [s for s in visible_spaces(member) if s.pk != topic.space_id]


QUEUES = {
    "unanswered": ("Unanswered", "Questions nobody has replied to yet, oldest first."),
    "unsolved": ("Unsolved", "Questions without an accepted answer, oldest first."),
    "attention": ("Needs attention", "Questions routed to experts that still wait for a reply."),
    "mine": ("My questions", "Questions you asked, latest activity first."),
}


def question_queue(
    member, queue: str, *, space: Space | None = None, tag: Tag | None = None
) -> QuerySet:
    """Questions `member` may see in one of the support queues, oldest waiting first."""
    questions = topic_list(member, space=space).filter(kind=Topic.Kind.QUESTION)
    if queue == "unanswered":
        questions = questions.filter(reply_count=0)
    elif queue == "unsolved":
        questions = questions.filter(accepted_post__isnull=True)
    elif queue == "attention":
        questions = questions.filter(routed_at__isnull=False, first_response_at__isnull=True)
    elif queue == "mine":
        questions = questions.filter(author=member) if member.is_authenticated else questions.none()
    else:
        raise Http404("No such queue.")
    if tag is not None:
        questions = questions.filter(tags=tag)
    if queue == "mine":
        return questions.order_by("-last_activity_at", "-id")
    return questions.order_by("created_at", "id")


def tag_list() -> list[Tag]:
    return list(Tag.objects.all())
