"""Background work for conversations: telling the right people about new posts.

Community decides who hears about a post, because it knows who may see it; the
notifications app decides how each of them hears about it.
"""

from django.conf import settings
from django.db.models.functions import Lower
from django_tasks import task

from hearth.accounts.models import Member
from hearth.community.models import Post
from hearth.community.permissions import can_view_topic
from hearth.community.services import render_post_body
from hearth.core.templatetags.hearth import plain_text
from hearth.notifications.models import Trigger, Watch
from hearth.notifications.selectors import watch_levels
from hearth.notifications.services import Delivery, notify_many

EXCERPT_LENGTH = 200
CHUNK = 5000


def excerpt_of(post: Post) -> str:
    text = plain_text(post.body_html)
    return text if len(text) <= EXCERPT_LENGTH else text[: EXCERPT_LENGTH - 1].rstrip() + "…"


@task()
def notify_about_post(post_id: int) -> int:
    """Notify everyone a new topic or reply concerns; returns how many were notified.

    In order of what matters most to them, each person once: mentioned or quoted, the topic's
    author (for a reply), then those watching or tracking the topic (for a reply) or the
    space (for a new topic). Nobody hears about what they may not see, or about their own post.
    """
    post = Post.objects.select_related("topic__space", "author").filter(pk=post_id).first()
    if post is None or post.is_deleted or post.topic.is_deleted:
        return 0
    if not (post.is_published and post.topic.is_published):
        # Held or hidden: nobody hears of it unless and until the moderators publish it.
        return 0
    topic = post.topic
    opening = post.position == 1
    rendered = render_post_body(post.body)
    # Every reason each person has, most important first; notify_many picks the first one
    # they have not switched off.
    wanted: dict[int, list[Delivery]] = {}

    def add(member_id: int, trigger: str, in_app_only: bool = False) -> None:
        wanted.setdefault(member_id, []).append(Delivery(member_id, trigger, in_app_only))

    if rendered.mentions:
        named = dict(
            Member.objects.annotate(name_lower=Lower("username"))
            .filter(name_lower__in=rendered.mentions)
            .values_list("name_lower", "pk")
        )
        for name in rendered.mentions:
            if name in named:
                add(named[name], Trigger.QUOTE if name in rendered.quoted else Trigger.MENTION)
    if not opening:
        add(topic.author_id, Trigger.REPLY)
    watchers = (
        watch_levels(None, topic_id=None, space_id=topic.space_id)
        if opening
        else watch_levels(None, topic_id=topic.pk, space_id=None)
    )
    trigger = Trigger.NEW_TOPIC if opening else Trigger.TOPIC_ACTIVITY
    for member_id, level in watchers.items():
        if not opening and member_id == topic.author_id:
            continue  # "A reply to my topic" is the author's reason; it has its own setting.
        if level in (Watch.Level.WATCHING, Watch.Level.TRACKING):
            add(member_id, trigger, in_app_only=level == Watch.Level.TRACKING)
    wanted.pop(post.author_id, None)
    if not wanted:
        return 0
    ids = list(wanted)
    allowed: set[int] = set()
    for start in range(0, len(ids), CHUNK):
        members = Member.objects.filter(pk__in=ids[start : start + CHUNK], is_active=True).only(
            "pk", "affiliation", "role", "conduct_version_accepted", "is_active"
        )
        allowed.update(member.pk for member in members if can_view_topic(member, topic))
    created = notify_many(
        [
            delivery
            for member_id, reasons in wanted.items()
            if member_id in allowed
            for delivery in reasons
        ],
        target=post,
        actor=post.author,
        title=topic.title,
        url=post.get_absolute_url(),
        excerpt=excerpt_of(post),
        topic_id=topic.pk,
        space_id=topic.space_id,
    )
    return len(created)


@task()
def route_waiting_questions() -> dict:
    """Bring experts, then managers, to questions peers have left unanswered."""
    from hearth.community.services import route_waiting_questions as route

    return route()


@task()
def remind_askers_to_accept() -> int:
    from hearth.community.services import remind_askers_to_accept as remind

    return remind(after_days=settings.HEARTH_ACCEPT_REMINDER_DAYS)
