"""Reads of notifications, watches and preferences."""

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.http import Http404

from hearth.notifications.models import Notification, Preferences, Watch


def notification_list(member) -> QuerySet:
    return Notification.objects.filter(recipient=member).select_related("actor")


def access_notification(member, notification_id: int) -> Notification:
    notification = Notification.objects.filter(pk=notification_id, recipient=member).first()
    if notification is None:
        raise Http404("No such notification.")
    return notification


def preferences_for(member) -> Preferences:
    """The member's preferences, or unsaved defaults when they never changed any."""
    return Preferences.objects.filter(member=member).first() or Preferences(member=member)


def preferences_of(member_ids: Iterable[int]) -> dict[int, Preferences]:
    """Preferences for many members in one query; defaults for those without a row."""
    ids = list(member_ids)
    found = {p.member_id: p for p in Preferences.objects.filter(member_id__in=ids)}
    return {i: found.get(i) or Preferences(member_id=i) for i in ids}


def watch_levels(
    member_ids: Iterable[int] | None, *, topic_id: int | None, space_id: int | None
) -> dict[int, str]:
    """Each member's effective level for a topic: the topic's own watch, else the space's.

    With `member_ids` None, every member who watches either (the fan-out to watchers).
    """
    query = Q()
    if topic_id is not None:
        query |= Q(topic_id=topic_id)
    if space_id is not None:
        query |= Q(space_id=space_id)
    if not query:
        return {}
    watches = Watch.objects.filter(query)
    if member_ids is not None:
        watches = watches.filter(member_id__in=list(member_ids))
    levels: dict[int, str] = {}
    for member_id, level, is_topic in watches.values_list("member_id", "level", "topic_id"):
        if is_topic is not None or member_id not in levels:
            levels[member_id] = level
    return levels


def watch_level(member, *, topic=None, space=None) -> str:
    """The member's own level on exactly this topic or this space (normal when none is set)."""
    if not member.is_authenticated:
        return Watch.Level.NORMAL
    where = {"topic": topic} if topic is not None else {"space": space}
    watch = Watch.objects.filter(member=member, **where).first()
    return watch.level if watch else Watch.Level.NORMAL
