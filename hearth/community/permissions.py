"""Who may see and do what in spaces and topics. Pure predicates on loaded objects."""

from django.conf import settings

from hearth.accounts.permissions import has_accepted_conduct
from hearth.community.models import Post, Space, Topic


def can_view_space(member, space: Space) -> bool:
    if space.visibility == Space.Visibility.PUBLIC:
        return True
    if not member.is_authenticated:
        return False
    if space.visibility == Space.Visibility.MEMBERS or member.is_moderator:
        return True
    return member.affiliation in space.allowed_affiliations


def can_start_topic(member, space: Space) -> bool:
    if not (can_view_space(member, space) and has_accepted_conduct(member)):
        return False
    if _is_restricted(member):
        return False
    if space.topic_starters == Space.TopicStarters.STAFF:
        return member.is_moderator
    if space.topic_starters == Space.TopicStarters.EMPLOYEES:
        return member.is_moderator or member.is_employee
    return True


def can_view_topic(member, topic: Topic) -> bool:
    if not can_view_space(member, topic.space):
        return False
    if topic.is_deleted and not can_moderate(member):
        return False
    # A held or hidden topic: its author (who is told why) and moderators only.
    return topic.is_published or _is_author_or_moderator(member, topic.author_id)


def can_view_post(member, post: Post) -> bool:
    """The post's topic is visible and the post is published, or `member` wrote it or moderates."""
    if not can_view_topic(member, post.topic):
        return False
    return post.is_published or _is_author_or_moderator(member, post.author_id)


def _is_restricted(member) -> bool:
    """Silenced or suspended by the moderators: reading only (set on the member by moderation)."""
    return member.is_silenced or member.is_suspended


def _is_author_or_moderator(member, author_id: int) -> bool:
    return member.is_authenticated and (member.pk == author_id or member.is_moderator)


def can_reply(member, topic: Topic) -> bool:
    if not (can_view_topic(member, topic) and has_accepted_conduct(member)):
        return False
    if _is_restricted(member):
        return False
    if not topic.is_published and not member.is_moderator:
        return False
    return not topic.is_locked or member.is_moderator


def can_moderate(member) -> bool:
    return member.is_authenticated and member.is_moderator


def can_edit_post(member, post: Post) -> bool:
    if not member.is_authenticated or post.is_deleted:
        return False
    if member.is_moderator:
        return True
    if member.pk == post.author_id:
        # Silenced or suspended members read only: their own posts included.
        return not (post.topic.is_locked or member.is_silenced or member.is_suspended)
    # Someone else's wiki: trusted enough, and allowed to write in the topic (so not in a
    # locked topic, not while silenced or suspended, not before accepting the conduct).
    return (
        post.is_wiki
        and post.is_published
        and can_edit_wikis(member)
        and can_reply(member, post.topic)
    )


def can_edit_wikis(member) -> bool:
    """The trust-level ability to edit wiki posts (HEARTH_TRUST_WIKI_EDIT_LEVEL); staff have it.

    Trust levels are counted by moderation; community reads the level off the member.
    """
    if not member.is_authenticated:
        return False
    return member.is_moderator or member.trust_level >= settings.HEARTH_TRUST_WIKI_EDIT_LEVEL


def edits_as_wiki(member, post: Post) -> bool:
    """`member` may edit `post` only because it is a wiki: the body, not the topic's title."""
    return (
        member.is_authenticated
        and not member.is_moderator
        and member.pk != post.author_id
        and can_edit_post(member, post)
    )


def can_set_wiki(member, post: Post) -> bool:
    """Make a post a wiki, or stop: its author while they may still write there, or staff."""
    if not member.is_authenticated or post.is_deleted:
        return False
    if member.is_moderator:
        return True
    return (
        member.pk == post.author_id
        and not post.topic.is_locked
        and not _is_restricted(member)
        and has_accepted_conduct(member)
    )


def can_delete_post(member, post: Post) -> bool:
    if not member.is_authenticated or post.is_deleted:
        return False
    return member.is_moderator or member.pk == post.author_id


def can_react(member, post: Post) -> bool:
    return (
        member.is_authenticated
        and not post.is_deleted
        and post.is_published
        and member.pk != post.author_id
        and has_accepted_conduct(member)
        and not _is_restricted(member)
    )


def can_accept_answer(member, topic: Topic) -> bool:
    """The asker, or staff (who step in when the asker has gone quiet, and can change it)."""
    if not (member.is_authenticated and can_view_topic(member, topic)):
        return False
    return member.pk == topic.author_id or member.is_moderator
