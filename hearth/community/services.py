"""Every write in conversations: topics, replies, edits, deletions, reactions, staff actions.

Each function is one business action in one transaction, checks permission itself, and
appends its row to the activity log.
"""

import datetime
from collections.abc import Sequence
from typing import NoReturn

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify

from hearth.accounts.models import Affiliation, Member, Role
from hearth.accounts.services import require_current_conduct, require_unrestricted
from hearth.community.checks import Draft, Verdict, held_reason, run_post_checks
from hearth.community.models import (
    BODY_MAX_LENGTH,
    STATE_REASON_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    TITLE_MIN_LENGTH,
    Post,
    PostRevision,
    Reaction,
    Space,
    State,
    Tag,
    Topic,
)
from hearth.community.permissions import (
    can_accept_answer,
    can_delete_post,
    can_edit_post,
    can_edit_wikis,
    can_moderate,
    can_react,
    can_reply,
    can_set_wiki,
    can_start_topic,
    can_view_post,
    can_view_space,
    can_view_topic,
    edits_as_wiki,
)
from hearth.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from hearth.core.markdown import Rendered, mention_candidates, render_markdown
from hearth.core.services import record_activity
from hearth.core.templatetags.hearth import plain_text
from hearth.notifications.models import Trigger
from hearth.notifications.services import (
    Delivery,
    notify,
    notify_many,
    watch_by_default,
    withdraw_post_text,
)

# A post may name many @words (code, e-mail handles): look them all up, within reason.
MAX_MENTION_CANDIDATES = 500
MAX_TAGS = 5


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if len(title) < TITLE_MIN_LENGTH:
        raise ValidationFailed(
            f"Titles need at least {TITLE_MIN_LENGTH} characters.",
            code="title_too_short",
            field="title",
        )
    if len(title) > TITLE_MAX_LENGTH:
        raise ValidationFailed(
            f"Titles can be at most {TITLE_MAX_LENGTH} characters.",
            code="title_too_long",
            field="title",
        )
    return title


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationFailed("Write something first.", code="body_empty", field="body")
    if len(body) > BODY_MAX_LENGTH:
        raise ValidationFailed(
            f"Posts can be at most {BODY_MAX_LENGTH:,} characters.",
            code="body_too_long",
            field="body",
        )
    return body


def _clean_submit_key(submit_key: str) -> str:
    return (submit_key or "").strip()[:64]


def render_post_body(body: str) -> Rendered:
    """Render a post, linking @mentions of members that exist (one query at most)."""
    candidates = mention_candidates(body)
    known: dict[str, str] = {}
    if candidates:
        # Candidates are lower-cased; usernames are unique ignoring case.
        rows = (
            Member.objects.annotate(username_lower=Lower("username"))
            .filter(username_lower__in=sorted(candidates)[:MAX_MENTION_CANDIDATES])
            .values_list("username_lower", "username")
        )
        known = dict(rows)
    return render_markdown(body, known_usernames=known)


def _notify_on_commit(post: Post) -> None:
    """Tell watchers, the mentioned and the topic's author, in the background."""
    from hearth.community.tasks import notify_about_post

    transaction.on_commit(lambda: notify_about_post.enqueue(post.pk))


def _embed_on_commit(topic: Topic) -> None:
    """Have search compute the question's vector for similar questions, when set up to."""
    from hearth.search.services import schedule_question_embedding

    schedule_question_embedding(topic.pk)


# The same refusals, codes and messages as every app that lets members write.
_require_current_conduct = require_current_conduct
_require_unrestricted = require_unrestricted


def _run_held_hooks(verdicts: list[Verdict], post: Post) -> None:
    for verdict in verdicts:
        if verdict.on_held is not None:
            verdict.on_held(post)


def _topic_slug(title: str) -> str:
    return slugify(title)[:80].strip("-") or "topic"


def _existing_submission(author: Member, submit_key: str) -> Post | None:
    """The post an earlier submit with this key created, marked `is_repeat_submit`."""
    if not submit_key:
        return None
    post = Post.objects.select_related("topic").filter(author=author, submit_key=submit_key).first()
    if post is not None:
        post.is_repeat_submit = True
    return post


@transaction.atomic
def create_topic(
    *,
    author: Member,
    space: Space,
    title: str,
    body: str,
    kind: str = Topic.Kind.DISCUSSION,
    submit_key: str = "",
    tags: list[Tag] | None = None,
) -> Topic:
    """Start a topic in `space` with its opening post, labelled with `tags` from the list.

    A second submit with the same `submit_key` returns the topic the first one created.
    """
    if not can_view_space(author, space):
        raise NotFound("No such space.")
    _require_unrestricted(author)
    if not can_start_topic(author, space):
        raise NotAllowed("You cannot start topics in this space.", code="cannot_start_topic")
    title = _clean_title(title)
    body = _clean_body(body)
    if kind not in Topic.Kind.values:
        raise ValidationFailed("Choose discussion or question.", field="kind")
    submit_key = _clean_submit_key(submit_key)
    if existing := _existing_submission(author, submit_key):
        existing.topic.is_repeat_submit = True
        return existing.topic
    if tags and len(tags) > MAX_TAGS:
        raise ValidationFailed(f"Pick at most {MAX_TAGS} tags.", code="too_many_tags")
    _require_current_conduct(author)
    held = run_post_checks(
        author=author, draft=Draft(kind="topic", body=body, space=space, title=title)
    )
    state = State.HELD if held else State.PUBLISHED
    now = timezone.now()
    topic = Topic.objects.create(
        space=space,
        author=author,
        kind=kind,
        title=title,
        slug=_topic_slug(title),
        created_at=now,
        last_activity_at=now,
        last_poster=author,
        state=state,
    )
    rendered = render_post_body(body)
    post = Post.objects.create(
        topic=topic,
        author=author,
        position=1,
        body=body,
        body_html=rendered.html,
        created_at=now,
        submit_key=submit_key,
        state=state,
        state_reason=held_reason(held),
    )
    if tags:
        topic.tags.set(tags)
    watch_by_default(member=author, topic=topic)
    if held:
        _run_held_hooks(held, post)
    else:
        Space.objects.filter(pk=space.pk).update(
            topic_count=F("topic_count") + 1, post_count=F("post_count") + 1, last_activity_at=now
        )
        Member.objects.filter(pk=author.pk).update(post_count=F("post_count") + 1)
        _notify_on_commit(post)
        if kind == Topic.Kind.QUESTION:
            _embed_on_commit(topic)
    record_activity(
        actor=author,
        verb="topic.created",
        target=topic,
        space_id=space.pk,
        payload={"kind": kind, "post_id": post.pk, "mentions": rendered.mentions, "state": state},
    )
    topic.opening = post
    return topic


@transaction.atomic
def create_reply(*, author: Member, topic: Topic, body: str, submit_key: str = "") -> Post:
    """Reply to `topic`. A repeated `submit_key` returns the first reply instead of a copy."""
    topic = Topic.objects.select_for_update().select_related("space").get(pk=topic.pk)
    if not can_view_topic(author, topic):
        raise NotFound("No such topic.")
    _require_unrestricted(author)
    if topic.is_locked and not author.is_moderator:
        raise NotAllowed("This topic is locked: it takes no new replies.", code="topic_locked")
    if not can_reply(author, topic):
        raise NotAllowed("You cannot reply here.", code="cannot_reply")
    body = _clean_body(body)
    submit_key = _clean_submit_key(submit_key)
    if existing := _existing_submission(author, submit_key):
        return existing
    _require_current_conduct(author)
    held = run_post_checks(
        author=author, draft=Draft(kind="reply", body=body, space=topic.space, topic=topic)
    )
    now = timezone.now()
    rendered = render_post_body(body)
    position = topic.last_position + 1
    try:
        with transaction.atomic():
            post = Post.objects.create(
                topic=topic,
                author=author,
                position=position,
                body=body,
                body_html=rendered.html,
                created_at=now,
                submit_key=submit_key,
                state=State.HELD if held else State.PUBLISHED,
                state_reason=held_reason(held),
            )
    except IntegrityError:
        # Two submits with one key raced: the other one won; return its reply.
        if existing := _existing_submission(author, submit_key):
            return existing
        raise
    # Positions have no gaps, whatever the post's state: the place is taken now.
    Topic.objects.filter(pk=topic.pk).update(last_position=position)
    watch_by_default(member=author, topic=topic)
    if held:
        _run_held_hooks(held, post)
    else:
        _count_reply_in(topic, post, now)
        _notify_on_commit(post)
    record_activity(
        actor=author,
        verb="post.created",
        target=post,
        space_id=topic.space_id,
        payload={"topic_id": topic.pk, "mentions": rendered.mentions, "state": post.state},
    )
    return post


def _count_reply_in(topic: Topic, post: Post, now=None) -> None:
    """A reply becomes public: it counts in its topic, space and author; as new (`now` given)
    it also moves the topic up and may be its first response."""
    changes = {"reply_count": F("reply_count") + 1}
    space_changes = {"post_count": F("post_count") + 1}
    if now is not None:
        changes.update(last_activity_at=now, last_poster_id=post.author_id)
        space_changes["last_activity_at"] = now
        if topic.first_response_at is None and post.author_id != topic.author_id:
            changes["first_response_at"] = now
    Topic.objects.filter(pk=topic.pk).update(**changes)
    if not topic.is_deleted and topic.is_published:
        # A deleted or unpublished topic's posts are already off the space's count.
        Space.objects.filter(pk=topic.space_id).update(**space_changes)
    Member.objects.filter(pk=post.author_id).update(post_count=F("post_count") + 1)


def _count_topic_in(topic: Topic, step: int, now=None) -> None:
    """A topic becomes public (`step` 1) or stops being public (-1): its space's counts follow."""
    posts = topic.reply_count + 1
    changes = {"topic_count": F("topic_count") + step, "post_count": F("post_count") + step * posts}
    if now is not None:
        changes["last_activity_at"] = now
    if not topic.is_deleted:
        Space.objects.filter(pk=topic.space_id).update(**changes)


def _uncount_reply(topic: Topic, post: Post) -> None:
    Topic.objects.filter(pk=topic.pk).update(reply_count=F("reply_count") - 1)
    if not topic.is_deleted and topic.is_published:
        Space.objects.filter(pk=topic.space_id).update(post_count=F("post_count") - 1)


def _uncount_author(post: Post) -> None:
    Member.objects.filter(pk=post.author_id, post_count__gt=0).update(
        post_count=F("post_count") - 1
    )


def _clean_reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed("Give a reason.", code="reason_required", field="reason")
    if len(reason) > STATE_REASON_MAX_LENGTH:
        raise ValidationFailed(
            f"Keep the reason under {STATE_REASON_MAX_LENGTH} characters.",
            code="reason_too_long",
            field="reason",
        )
    return reason


@transaction.atomic
def set_post_state(*, actor: Member | None, post: Post, state: str, reason: str = "") -> Post:
    """Publish, hold or hide a post (and, for an opening post, its topic) on moderation's word.

    Counts, lists, search and notifications follow: a post that becomes public counts in its
    topic, space and author and notifies as a new post would; one that stops being public is
    taken off the counts. `actor` None is the system (screening, flags). `reason` is shown
    to the author while the post is held or hidden.
    """
    if actor is not None and not can_moderate(actor):
        raise NotAllowed("Only moderators can do that.", code="staff_only")
    if state not in State.values:
        raise ValidationFailed("Unknown state.", code="invalid_state", field="state")
    post = Post.objects.select_for_update().select_related("topic__space").get(pk=post.pk)
    if post.is_deleted:
        raise Conflict("That post is deleted.", code="post_deleted")
    reason = "" if state == State.PUBLISHED else _clean_reason(reason)
    if post.state == state:
        if reason and reason != post.state_reason:
            Post.objects.filter(pk=post.pk).update(state_reason=reason)
            post.state_reason = reason
        return post
    topic = Topic.objects.select_for_update().get(pk=post.topic_id)
    previous = post.state
    now = timezone.now()
    post.state = state
    post.state_reason = reason
    post.save(update_fields=["state", "state_reason"])
    if state != State.PUBLISHED:
        # Nobody but its author and the moderators may read it now, notifications included.
        withdraw_post_text(post_ids=[post.pk])
    if post.is_opening:
        Topic.objects.filter(pk=topic.pk).update(state=state)
        if state == State.PUBLISHED:
            topic.state = state
            Member.objects.filter(pk=post.author_id).update(post_count=F("post_count") + 1)
            if previous == State.HELD:
                # Published now, it is news now.
                Topic.objects.filter(pk=topic.pk).update(last_activity_at=now)
                _count_topic_in(topic, 1, now)
                _notify_on_commit(post)
                if topic.kind == Topic.Kind.QUESTION:
                    _embed_on_commit(topic)
            else:
                _count_topic_in(topic, 1)
        elif previous == State.PUBLISHED:
            _count_topic_in(topic, -1)
            _uncount_author(post)
            topic.state = state
    elif state == State.PUBLISHED:
        _count_reply_in(topic, post, now if previous == State.HELD else None)
        if previous == State.HELD:
            _notify_on_commit(post)
    elif previous == State.PUBLISHED:
        _uncount_reply(topic, post)
        _uncount_author(post)
    if state != State.PUBLISHED and topic.accepted_post_id == post.pk:
        # A hidden answer solves nothing: the question is open again.
        Topic.objects.filter(pk=topic.pk).update(accepted_post=None, solved_at=None)
    record_activity(
        actor=actor,
        verb=f"post.{state}",
        target=post,
        space_id=topic.space_id,
        payload={"topic_id": topic.pk, "from": previous, "reason": reason},
    )
    return post


@transaction.atomic
def edit_post(*, editor: Member, post: Post, body: str, title: str | None = None) -> Post:
    """Change a post (and, for an opening post, its topic's title), keeping the old text."""
    post = Post.objects.select_for_update().select_related("topic__space").get(pk=post.pk)
    if not can_view_topic(editor, post.topic):
        raise NotFound("No such post.")
    if not can_edit_post(editor, post):
        _refuse_edit(editor, post)
    as_wiki = edits_as_wiki(editor, post)
    body = _clean_body(body)
    topic = post.topic
    new_title = _clean_title(title) if (title is not None and post.is_opening) else None
    if as_wiki and new_title is not None and new_title != topic.title:
        # A wiki opens the post's text to the community, not the topic's title (lists,
        # notifications and the address show it).
        raise NotAllowed(
            "Only the topic's author and the moderators can change its title.",
            code="cannot_edit_title",
        )
    if body == post.body and (new_title is None or new_title == topic.title):
        return post
    _require_current_conduct(editor)
    held = run_post_checks(
        author=editor,
        draft=Draft(
            kind="edit",
            body=body,
            space=topic.space,
            title=new_title or (topic.title if post.is_opening else ""),
            topic=topic,
            post=post,
        ),
    )
    now = timezone.now()
    if post.revision_count == 0:
        # Keep the original as revision 1 so history shows every version.
        PostRevision.objects.create(
            post=post,
            number=1,
            title=topic.title if post.is_opening else "",
            body=post.body,
            body_html=post.body_html,
            editor=post.author,
            created_at=post.created_at,
        )
        post.revision_count = 1
    rendered = render_post_body(body)
    post.body = body
    post.body_html = rendered.html
    post.edited_at = now
    post.revision_count += 1
    PostRevision.objects.create(
        post=post,
        number=post.revision_count,
        title=new_title or (topic.title if post.is_opening else ""),
        body=body,
        body_html=rendered.html,
        editor=editor,
        created_at=now,
    )
    post.save(update_fields=["body", "body_html", "edited_at", "revision_count"])
    if new_title is not None and new_title != topic.title:
        topic.title = new_title
        topic.slug = _topic_slug(new_title)
        topic.save(update_fields=["title", "slug"])
    if post.is_opening and topic.kind == Topic.Kind.QUESTION:
        _embed_on_commit(topic)
    if held and post.state != State.HIDDEN:
        # An edit that screening would have held goes back for review (a hidden post is
        # already out of sight, waiting for the moderators).
        reason = held_reason(held)
        if post.state == State.PUBLISHED:
            set_post_state(actor=None, post=post, state=State.HELD, reason=reason)
            post.state, post.state_reason = State.HELD, reason
        else:
            Post.objects.filter(pk=post.pk).update(state_reason=reason)
            post.state_reason = reason
        _run_held_hooks(held, post)
    record_activity(
        actor=editor,
        verb="post.edited",
        target=post,
        space_id=topic.space_id,
        payload={
            "topic_id": topic.pk,
            "revision": post.revision_count,
            # Someone other than the author or a moderator, through the wiki.
            **({"as_wiki": True} if as_wiki else {}),
        },
    )
    return post


def _refuse_edit(editor: Member, post: Post) -> NoReturn:
    """Say why `editor` may not edit `post`: for a wiki they can see, the precise reason."""
    if editor.is_authenticated and editor.pk == post.author_id:
        _require_unrestricted(editor)
    if (
        post.is_wiki
        and post.is_published
        and not post.is_deleted
        and editor.is_authenticated
        and editor.pk != post.author_id
    ):
        _require_unrestricted(editor)
        if post.topic.is_locked:
            raise NotAllowed(
                "This topic is locked: its wiki posts cannot be edited.", code="topic_locked"
            )
        if not can_edit_wikis(editor):
            raise NotAllowed(
                "Members can edit wiki posts from trust level "
                f"{settings.HEARTH_TRUST_WIKI_EDIT_LEVEL}.",
                code="trust_level_too_low",
            )
    raise NotAllowed("You cannot edit this post.", code="cannot_edit")


@transaction.atomic
def set_post_wiki(*, actor: Member, post: Post, wiki: bool) -> Post:
    """Make a post a wiki, which trusted members who may reply in its topic can edit too, or
    stop. Its author (while they may still write in the topic) or a moderator decides."""
    post = Post.objects.select_for_update().select_related("topic__space").get(pk=post.pk)
    if not can_view_post(actor, post):
        raise NotFound("No such post.")
    if post.is_deleted:
        raise Conflict("That post is deleted.", code="post_deleted")
    if not can_set_wiki(actor, post):
        if actor.pk == post.author_id:
            _require_unrestricted(actor)
            if post.topic.is_locked:
                raise NotAllowed("This topic is locked.", code="topic_locked")
            _require_current_conduct(actor)
        raise NotAllowed(
            "Only the post's author and the moderators can make it a wiki or stop it.",
            code="cannot_set_wiki",
        )
    if post.is_wiki == wiki:
        return post
    _require_current_conduct(actor)
    post.is_wiki = wiki
    post.save(update_fields=["is_wiki"])
    record_activity(
        actor=actor,
        verb="post.wiki_made" if wiki else "post.wiki_stopped",
        target=post,
        space_id=post.topic.space_id,
        payload={"topic_id": post.topic_id, "by_author": actor.pk == post.author_id},
    )
    return post


@transaction.atomic
def delete_post(*, actor: Member, post: Post) -> Post:
    """Soft-delete a post; deleting the opening post deletes the whole topic."""
    post = Post.objects.select_for_update().select_related("topic__space").get(pk=post.pk)
    if not can_view_topic(actor, post.topic):
        raise NotFound("No such post.")
    if not can_delete_post(actor, post):
        raise NotAllowed("You cannot delete this post.", code="cannot_delete")
    now = timezone.now()
    post.deleted_at = now
    post.deleted_by = actor
    post.save(update_fields=["deleted_at", "deleted_by"])
    withdraw_post_text(post_ids=[post.pk])
    topic = post.topic
    if topic.accepted_post_id == post.pk:
        # A deleted answer solves nothing: the question is open again.
        Topic.objects.filter(pk=topic.pk).update(accepted_post=None, solved_at=None)
    # Held and hidden posts never counted: only a published post comes off the counts.
    if post.is_opening:
        if topic.is_published and post.is_published:
            _count_topic_in(topic, -1)
        topic.deleted_at = now
        topic.save(update_fields=["deleted_at"])
    elif post.is_published:
        _uncount_reply(topic, post)
    if post.is_published:
        _uncount_author(post)
    record_activity(
        actor=actor,
        verb="topic.deleted" if post.is_opening else "post.deleted",
        target=topic if post.is_opening else post,
        space_id=topic.space_id,
        payload={"topic_id": topic.pk, "by_staff": actor.pk != post.author_id},
    )
    return post


_REACTION_COUNTER = {Reaction.Kind.LIKE: "like_count", Reaction.Kind.HELPFUL: "helpful_count"}


@transaction.atomic
def set_reaction(*, member: Member, post: Post, kind: str, active: bool) -> bool:
    """Give (`active`) or take back a reaction; doing what is already done changes nothing.

    Returns whether the reaction is now on.
    """
    post = Post.objects.select_related("topic__space").get(pk=post.pk)
    if not can_view_topic(member, post.topic):
        raise NotFound("No such post.")
    if kind not in Reaction.Kind.values:
        raise ValidationFailed("Unknown reaction.", code="unknown_reaction", field="kind")
    _require_unrestricted(member)
    if not can_react(member, post):
        raise NotAllowed(
            "You cannot react to your own post."
            if member.pk == post.author_id
            else "You cannot react to this post.",
            code="cannot_react",
        )
    existing = Reaction.objects.filter(post=post, member=member, kind=kind)
    if existing.exists() == active:
        return active
    counter = _REACTION_COUNTER[kind]
    step = 1 if active else -1
    if active:
        Reaction.objects.create(post=post, member=member, kind=kind)
    else:
        existing.delete()
    Post.objects.filter(pk=post.pk).update(**{counter: F(counter) + step})
    if kind == Reaction.Kind.LIKE:
        Topic.objects.filter(pk=post.topic_id).update(like_count=F("like_count") + step)
    if active and post.author.is_active and can_view_topic(post.author, post.topic):
        notify(
            recipient=post.author,
            trigger=Trigger.REACTION,
            target=post,
            actor=member,
            title=post.topic.title,
            url=post.get_absolute_url(),
            excerpt=f"{Reaction.Kind(kind).label}: {plain_text(post.body_html)[:180]}",
            group_key=f"reaction:{post.pk}",
            topic_id=post.topic_id,
            space_id=post.topic.space_id,
        )
    record_activity(
        actor=member,
        verb="reaction.added" if active else "reaction.removed",
        target=post,
        space_id=post.topic.space_id,
        payload={"kind": kind, "topic_id": post.topic_id, "post_author_id": post.author_id},
    )
    return active


def toggle_reaction(*, member: Member, post: Post, kind: str) -> bool:
    """Give a reaction, or take it back if given; returns whether it is now on."""
    given = Reaction.objects.filter(post_id=post.pk, member_id=member.pk, kind=kind).exists()
    return set_reaction(member=member, post=post, kind=kind, active=not given)


def _staff_topic(actor: Member, topic: Topic) -> Topic:
    topic = Topic.objects.select_for_update().select_related("space").get(pk=topic.pk)
    if not can_view_topic(actor, topic):
        raise NotFound("No such topic.")
    if not can_moderate(actor):
        raise NotAllowed("Only moderators can do that.", code="staff_only")
    return topic


@transaction.atomic
def set_topic_pinned(*, actor: Member, topic: Topic, pinned: bool) -> Topic:
    topic = _staff_topic(actor, topic)
    if topic.is_pinned != pinned:
        topic.is_pinned = pinned
        topic.save(update_fields=["is_pinned"])
        record_activity(
            actor=actor,
            verb="topic.pinned" if pinned else "topic.unpinned",
            target=topic,
            space_id=topic.space_id,
        )
    return topic


@transaction.atomic
def set_topic_locked(*, actor: Member, topic: Topic, locked: bool) -> Topic:
    topic = _staff_topic(actor, topic)
    if topic.is_locked != locked:
        topic.is_locked = locked
        topic.save(update_fields=["is_locked"])
        record_activity(
            actor=actor,
            verb="topic.locked" if locked else "topic.unlocked",
            target=topic,
            space_id=topic.space_id,
        )
    return topic


@transaction.atomic
def move_topic(*, actor: Member, topic: Topic, space: Space) -> Topic:
    topic = _staff_topic(actor, topic)
    if not can_view_space(actor, space):
        raise NotFound("No such space.")
    if space.pk == topic.space_id:
        return topic
    source_id = topic.space_id
    posts = 0 if topic.is_deleted else topic.reply_count + 1
    topics = 0 if topic.is_deleted else 1
    Space.objects.filter(pk=source_id).update(
        topic_count=F("topic_count") - topics, post_count=F("post_count") - posts
    )
    Space.objects.filter(pk=space.pk).update(
        topic_count=F("topic_count") + topics,
        post_count=F("post_count") + posts,
        last_activity_at=topic.last_activity_at,
    )
    topic.space = space
    topic.save(update_fields=["space"])
    record_activity(
        actor=actor,
        verb="topic.moved",
        target=topic,
        space_id=space.pk,
        payload={"from_space_id": source_id},
    )
    return topic


# How long the highest post a member has been credited with reading in a topic is remembered.
READ_MARK_SECONDS = 90 * 24 * 3600


def record_topic_view(
    *, topic: Topic, reader: Member | None = None, positions: Sequence[int] = ()
) -> int:
    """Count a view (no activity row: views are not actions). Returns how many views to add
    to `topic.view_count` as it was loaded to get the count with this view.

    Each view is an UPDATE, unless `HEARTH_VIEW_COUNT_BATCH` is above 1: then views are
    counted in the cache and written a batch at a time, so a busy topic takes one UPDATE per
    batch; were the cache evicted, up to a batch less one of a topic's views would be lost.

    A signed-in reader is credited with the posts `positions` shown that lie beyond the
    furthest post of this topic they were credited with before (one more UPDATE), so reading
    a thread once counts its posts once, however often the page is reloaded; trust levels
    count posts read. The mark lives in the cache: were it evicted, a page could count again.
    """
    unwritten = _count_view(topic)
    if reader is not None and reader.is_authenticated and positions:
        key = f"hearth:read-mark:{reader.pk}:{topic.pk}"
        mark = cache.get(key, 0)
        new = sum(1 for position in positions if position > mark)
        if new:
            cache.set(key, max(positions), READ_MARK_SECONDS)
            Member.objects.filter(pk=reader.pk).update(posts_read=F("posts_read") + new)
    return unwritten


def _write_views(topic: Topic, views: int) -> None:
    Topic.objects.filter(pk=topic.pk).update(view_count=F("view_count") + views)


def _count_view(topic: Topic) -> int:
    """Count one view; return the views (this one included) that the loaded `topic` lacks."""
    batch = settings.HEARTH_VIEW_COUNT_BATCH
    pending = _count_in_cache(topic.unwritten_views_key) if batch > 1 else None
    if pending is None:
        _write_views(topic, 1)
        return 1
    # incr hands each view its own number, so exactly one view writes each full batch.
    if pending % batch:
        return pending
    _write_views(topic, batch)
    try:
        return batch + cache.decr(topic.unwritten_views_key, batch)
    except ValueError:  # the counter went meanwhile: the batch is written all the same
        return batch


def _count_in_cache(key: str) -> int | None:
    """Add one to the counter at `key`; None from a cache that keeps nothing."""
    for _ in range(2):
        try:
            return cache.incr(key)
        except ValueError:  # the first view since the last write (or since an eviction)
            cache.add(key, 0, timeout=None)
    return None


@transaction.atomic
def create_space(
    *,
    actor: Member | None,
    name: str,
    slug: str = "",
    description: str = "",
    visibility: str = Space.Visibility.PUBLIC,
    allowed_affiliations: list[str] | None = None,
    topic_starters: str = Space.TopicStarters.MEMBERS,
    position: int = 0,
) -> Space:
    if actor is not None and not (actor.is_authenticated and actor.is_manager):
        raise NotAllowed("Only community managers can create spaces.")
    name = name.strip()
    if not name or len(name) > 80:
        raise ValidationFailed("Give the space a name of up to 80 characters.", field="name")
    slug = slugify(slug or name)[:80]
    if not slug:
        raise ValidationFailed("The space needs a web address made of letters.", field="slug")
    if Space.objects.filter(slug=slug).exists():
        raise ValidationFailed("A space with that address exists.", code="slug_taken", field="slug")
    if visibility not in Space.Visibility.values:
        raise ValidationFailed("Unknown visibility.", field="visibility")
    if topic_starters not in Space.TopicStarters.values:
        raise ValidationFailed("Unknown choice of who may start topics.", field="topic_starters")
    allowed = sorted(set(allowed_affiliations or []))
    if visibility == Space.Visibility.AFFILIATIONS and not allowed:
        raise ValidationFailed(
            "Choose at least one affiliation that may see this space.", field="allowed_affiliations"
        )
    space = Space.objects.create(
        name=name,
        slug=slug,
        description=description.strip(),
        visibility=visibility,
        allowed_affiliations=allowed if visibility == Space.Visibility.AFFILIATIONS else [],
        topic_starters=topic_starters,
        position=position,
    )
    record_activity(actor=actor, verb="space.created", target=space, space_id=space.pk)
    return space


@transaction.atomic
def accept_answer(*, actor: Member, post: Post) -> Topic:
    """Mark `post` as the answer that solved its question (replacing any earlier one)."""
    post = Post.objects.select_related("topic__space", "author").get(pk=post.pk)
    topic = Topic.objects.select_for_update().select_related("space").get(pk=post.topic_id)
    if not can_view_topic(actor, topic):
        raise NotFound("No such post.")
    if topic.kind != Topic.Kind.QUESTION:
        raise ValidationFailed("Only questions have accepted answers.", code="not_a_question")
    if post.is_opening or post.is_deleted:
        raise ValidationFailed("Only a reply can be the accepted answer.", code="not_an_answer")
    if not post.is_published:
        # Held or hidden: the answer box shows it to everyone, so it must be public first.
        raise ValidationFailed(
            "Only a published reply can be the accepted answer.", code="not_published"
        )
    if not can_accept_answer(actor, topic):
        raise NotAllowed(
            "Only the person who asked, or a moderator, can accept an answer.",
            code="cannot_accept",
        )
    if topic.accepted_post_id == post.pk:
        return topic
    previous = topic.accepted_post_id
    topic.accepted_post = post
    topic.solved_at = timezone.now()
    topic.save(update_fields=["accepted_post", "solved_at"])
    record_activity(
        actor=actor,
        verb="answer.accepted",
        target=post,
        space_id=topic.space_id,
        payload={
            "topic_id": topic.pk,
            "answer_author_id": post.author_id,
            "replaced_post_id": previous,
            "by_staff": actor.pk != topic.author_id,
        },
    )
    if can_view_topic(post.author, topic):
        notify(
            recipient=post.author,
            trigger="accepted",
            target=post,
            actor=actor,
            title=topic.title,
            url=post.get_absolute_url(),
            excerpt=plain_text(post.body_html)[:200],
            topic_id=topic.pk,
            space_id=topic.space_id,
        )
    return topic


@transaction.atomic
def unaccept_answer(*, actor: Member, topic: Topic) -> Topic:
    """Take back the accepted answer: the question is unsolved again."""
    topic = Topic.objects.select_for_update().select_related("space").get(pk=topic.pk)
    if not can_view_topic(actor, topic):
        raise NotFound("No such topic.")
    if not can_accept_answer(actor, topic):
        raise NotAllowed(
            "Only the person who asked, or a moderator, can change the accepted answer.",
            code="cannot_accept",
        )
    if topic.accepted_post_id is None:
        return topic
    previous = topic.accepted_post_id
    topic.accepted_post = None
    topic.solved_at = None
    topic.save(update_fields=["accepted_post", "solved_at"])
    record_activity(
        actor=actor,
        verb="answer.unaccepted",
        target=topic,
        space_id=topic.space_id,
        payload={"post_id": previous},
    )
    return topic


ROUTING_BATCH = 200


def _experts_for(topic: Topic) -> list[Member]:
    """Employee experts whose expertise matches the question's tags (all experts if none do)."""
    experts = Member.objects.filter(
        role=Role.EXPERT, affiliation=Affiliation.EMPLOYEE, is_active=True
    ).prefetch_related("expertise")
    tags = {slugify(tag.name) for tag in topic.tags.all()} | {tag.slug for tag in topic.tags.all()}
    candidates = [m for m in experts if can_view_topic(m, topic)]
    matching = [m for m in candidates if tags & {e.name for e in m.expertise.all()}]
    return matching or candidates


def route_waiting_questions(*, now=None) -> dict[str, int]:
    """Give peers time first, then bring in the experts, then the community manager.

    A question nobody but the asker replied to within its space's `routing_hours` goes to the
    employee experts whose expertise matches its tags; still unanswered after as long again,
    it goes to the community managers. Each step happens once per question.
    """
    now = now or timezone.now()
    counts = {"routed": 0, "escalated": 0}
    waiting = Topic.objects.filter(
        kind=Topic.Kind.QUESTION,
        deleted_at__isnull=True,
        first_response_at__isnull=True,
        space__routing_hours__isnull=False,
    ).select_related("space", "author")
    for topic in waiting.filter(routed_at__isnull=True).prefetch_related("tags")[:ROUTING_BATCH]:
        if topic.created_at > now - datetime.timedelta(hours=topic.space.routing_hours):
            continue
        with transaction.atomic():
            if not Topic.objects.filter(pk=topic.pk, routed_at__isnull=True).update(routed_at=now):
                continue
            experts = _experts_for(topic)
            notify_many(
                [Delivery(expert.pk, "routed") for expert in experts],
                target=topic,
                actor=None,
                title=topic.title,
                url=topic.get_absolute_url(),
                excerpt="Nobody has answered this yet: can you help?",
                topic_id=topic.pk,
                space_id=topic.space_id,
            )
            record_activity(
                actor=None,
                verb="question.routed",
                target=topic,
                space_id=topic.space_id,
                payload={"experts": [e.pk for e in experts]},
            )
        counts["routed"] += 1
    for topic in waiting.filter(routed_at__isnull=False, escalated_at__isnull=True)[:ROUTING_BATCH]:
        if topic.routed_at > now - datetime.timedelta(hours=topic.space.routing_hours):
            continue
        with transaction.atomic():
            if not Topic.objects.filter(pk=topic.pk, escalated_at__isnull=True).update(
                escalated_at=now
            ):
                continue
            managers = Member.objects.filter(role=Role.MANAGER, is_active=True)
            notify_many(
                [Delivery(manager.pk, "escalated") for manager in managers],
                target=topic,
                actor=None,
                title=topic.title,
                url=topic.get_absolute_url(),
                excerpt="Still unanswered after the experts were asked.",
                topic_id=topic.pk,
                space_id=topic.space_id,
            )
            record_activity(
                actor=None, verb="question.escalated", target=topic, space_id=topic.space_id
            )
        counts["escalated"] += 1
    return counts


def remind_askers_to_accept(*, now=None, after_days: int = 3) -> int:
    """Once per question: remind an asker who got answers but accepted none to mark one."""
    now = now or timezone.now()
    due = Topic.objects.filter(
        kind=Topic.Kind.QUESTION,
        deleted_at__isnull=True,
        accepted_post__isnull=True,
        accept_reminded_at__isnull=True,
        first_response_at__lte=now - datetime.timedelta(days=after_days),
    ).select_related("author", "space")[:ROUTING_BATCH]
    reminded = 0
    for topic in due:
        with transaction.atomic():
            if not Topic.objects.filter(pk=topic.pk, accept_reminded_at__isnull=True).update(
                accept_reminded_at=now
            ):
                continue
            if can_view_topic(topic.author, topic):
                notify(
                    recipient=topic.author,
                    trigger="accept_reminder",
                    target=topic,
                    actor=None,
                    title=topic.title,
                    url=topic.get_absolute_url(),
                    excerpt="Did one of the answers help? Mark it as accepted for the next person.",
                    topic_id=topic.pk,
                    space_id=topic.space_id,
                )
                reminded += 1
    return reminded
