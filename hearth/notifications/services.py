"""Every write about notifications: creating them, reading them, watching, preferences.

Domain services decide *who* should hear about something (they know who may see it) and call
`notify()` or `notify_many()`; this module decides *how*, from each member's preferences and
watch levels, and hands e-mail to background tasks once the transaction commits.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from hearth.accounts.models import Member
from hearth.core.errors import ValidationFailed
from hearth.core.services import record_activity
from hearth.notifications.models import Channel, Notification, Preferences, Trigger, Watch
from hearth.notifications.selectors import preferences_of, watch_levels

BULK_BATCH = 1000
MAX_ACTOR_IDS = 500
EMAIL_BATCH = 100


@dataclass(frozen=True)
class Delivery:
    """One recipient and why they hear about it; `in_app_only` for tracking levels."""

    recipient_id: int
    trigger: str
    in_app_only: bool = False


def _email_state(channel: str, in_app_only: bool) -> str:
    if in_app_only or channel == Channel.IN_APP:
        return Notification.EmailState.NONE
    if channel == Channel.EMAIL:
        return Notification.EmailState.PENDING
    return Notification.EmailState.DIGEST


def _queue_emails(notification_ids: list[int]) -> None:
    from hearth.notifications.tasks import send_notification_emails

    for start in range(0, len(notification_ids), EMAIL_BATCH):
        chunk = notification_ids[start : start + EMAIL_BATCH]
        transaction.on_commit(lambda chunk=chunk: send_notification_emails.enqueue(chunk))


def notify_many(
    deliveries: Iterable[Delivery],
    *,
    target,
    actor: Member | None,
    title: str,
    url: str,
    excerpt: str = "",
    topic_id: int | None = None,
    space_id: int | None = None,
) -> list[Notification]:
    """Notify many members about one thing, in bulk. The caller has checked visibility.

    Drops the actor, inactive members, members who muted the topic or space, and triggers a
    member switched off; gives each recipient at most one notification: the first of their
    reasons (callers list the most important first) that they have not switched off.
    """
    by_recipient: dict[int, list[Delivery]] = {}
    for delivery in deliveries:
        if actor is not None and delivery.recipient_id == actor.pk:
            continue
        by_recipient.setdefault(delivery.recipient_id, []).append(delivery)
    ids = list(by_recipient)
    created: list[Notification] = []
    for start in range(0, len(ids), BULK_BATCH):
        chunk = {i: by_recipient[i] for i in ids[start : start + BULK_BATCH]}
        created += _notify_chunk(
            chunk,
            target=target,
            actor=actor,
            title=title,
            url=url,
            excerpt=excerpt,
            topic_id=topic_id,
            space_id=space_id,
        )
    emails = [row.pk for row in created if row.email_state == Notification.EmailState.PENDING]
    if emails:
        _queue_emails(emails)
    return created


def _notify_chunk(
    by_recipient: dict[int, list[Delivery]],
    *,
    target,
    actor,
    title,
    url,
    excerpt,
    topic_id,
    space_id,
) -> list[Notification]:
    active = set(
        Member.objects.filter(pk__in=list(by_recipient), is_active=True).values_list(
            "pk", flat=True
        )
    )
    levels = watch_levels(active, topic_id=topic_id, space_id=space_id)
    muted = {member_id for member_id, level in levels.items() if level == Watch.Level.MUTED}
    preferences = preferences_of(active)
    now = timezone.now()
    actor_names = [actor.name] if actor is not None else []
    actor_ids = [actor.pk] if actor is not None else []
    rows = []
    for recipient_id, reasons in by_recipient.items():
        if recipient_id not in active or recipient_id in muted:
            continue
        chosen = [
            (delivery, channel)
            for delivery in reasons
            if (channel := preferences[recipient_id].channel_for(delivery.trigger)) != Channel.OFF
        ]
        if not chosen:
            continue
        delivery, channel = chosen[0]
        rows.append(
            Notification(
                recipient_id=recipient_id,
                verb=delivery.trigger,
                actor=actor,
                actor_names=actor_names,
                actor_ids=actor_ids,
                target_type=target._meta.model_name,
                target_id=target.pk,
                title=title[:300],
                excerpt=excerpt[:300],
                url=url,
                channel=Channel.IN_APP if delivery.in_app_only else channel,
                email_state=_email_state(channel, delivery.in_app_only),
                created_at=now,
                updated_at=now,
            )
        )
    created = Notification.objects.bulk_create(rows)
    Member.objects.filter(pk__in=[row.recipient_id for row in created]).update(
        unread_notifications=F("unread_notifications") + 1
    )
    return created


@transaction.atomic
def notify(
    *,
    recipient: Member,
    trigger: str,
    target,
    actor: Member | None,
    title: str,
    url: str,
    excerpt: str = "",
    group_key: str = "",
    topic_id: int | None = None,
    space_id: int | None = None,
) -> Notification | None:
    """Notify one member. With a `group_key`, an unread notification with the same key
    absorbs this one ("Ana and 4 others liked your post") instead of adding another."""
    if group_key and actor is not None and actor.pk != recipient.pk:
        folded = _fold_into_unread(recipient, group_key, actor, title, url, excerpt)
        if folded is not None:
            return folded
    created = notify_many(
        [Delivery(recipient.pk, trigger)],
        target=target,
        actor=actor,
        title=title,
        url=url,
        excerpt=excerpt,
        topic_id=topic_id,
        space_id=space_id,
    )
    if not created:
        return None
    notification = created[0]
    if group_key:
        try:
            with transaction.atomic():
                Notification.objects.filter(pk=notification.pk).update(group_key=group_key)
        except IntegrityError:
            # Another request folded first; this one stays on its own.
            pass
        else:
            notification.group_key = group_key
    return notification


def _fold_into_unread(recipient, group_key, actor, title, url, excerpt) -> Notification | None:
    notification = (
        Notification.objects.select_for_update()
        .filter(recipient=recipient, group_key=group_key, read_at__isnull=True)
        .first()
    )
    if notification is None:
        return None
    if actor.pk in notification.actor_ids:
        # The same person again (liked, unliked, liked): news, but not another person.
        names = [actor.name] + [n for n in notification.actor_names if n != actor.name]
    else:
        names = [actor.name, *notification.actor_names]
        notification.actor_ids = [actor.pk, *notification.actor_ids][:MAX_ACTOR_IDS]
        notification.actor_count += 1
    notification.actor_names = names[:3]
    notification.actor = actor
    notification.title = title[:300]
    notification.url = url
    notification.excerpt = excerpt[:300]
    notification.updated_at = timezone.now()
    notification.save(
        update_fields=[
            "actor_names",
            "actor_ids",
            "actor_count",
            "actor",
            "title",
            "url",
            "excerpt",
            "updated_at",
        ]
    )
    return notification


@transaction.atomic
def withdraw_post_text(*, post_ids: Iterable[int]) -> int:
    """Notifications about posts taken down (held, hidden, deleted) stop carrying their words.

    Their excerpt is blanked, and an e-mail not sent yet (alone or in a digest) is not sent:
    it would quote the post. The notifications stay, with their titles and links, which the
    post's page answers for itself. Returns how many notifications were changed.
    """
    about = Notification.objects.filter(target_type="post", target_id__in=list(post_ids))
    waiting = [
        Notification.EmailState.PENDING,
        Notification.EmailState.RETRYING,
        Notification.EmailState.DIGEST,
    ]
    now = timezone.now()
    held_back = about.filter(email_state__in=waiting).update(
        email_state=Notification.EmailState.NONE, excerpt="", updated_at=now
    )
    return held_back + about.exclude(excerpt="").update(excerpt="", updated_at=now)


def mark_read(*, member: Member, notification: Notification) -> Notification:
    if notification.recipient_id != member.pk:
        raise ValidationFailed("That notification is not yours.", code="not_yours")
    updated = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if updated:
        Member.objects.filter(pk=member.pk, unread_notifications__gt=0).update(
            unread_notifications=F("unread_notifications") - 1
        )
        member.unread_notifications = max(0, member.unread_notifications - 1)
    notification.refresh_from_db(fields=["read_at"])
    return notification


@transaction.atomic
def mark_all_read(*, member: Member) -> int:
    """Mark every unread notification read; returns how many there were."""
    count = Notification.objects.filter(recipient=member, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    Member.objects.filter(pk=member.pk).update(unread_notifications=0)
    member.unread_notifications = 0
    return count


def set_watch(*, member: Member, level: str, topic=None, space=None) -> Watch | None:
    """Set how closely `member` follows a topic or a space; normal removes the watch."""
    if level not in Watch.Level.values:
        raise ValidationFailed("Choose watching, tracking, normal or muted.", field="level")
    if (topic is None) == (space is None):
        raise ValueError("Watch either a topic or a space.")
    where = {"topic": topic} if topic is not None else {"space": space}
    with transaction.atomic():
        if level == Watch.Level.NORMAL:
            Watch.objects.filter(member=member, **where).delete()
            watch = None
        else:
            watch, _ = Watch.objects.update_or_create(
                member=member, **where, defaults={"level": level}
            )
        record_activity(
            actor=member,
            verb="watch.changed",
            target=topic if topic is not None else space,
            space_id=space.pk if space is not None else topic.space_id,
            payload={"level": level},
        )
    return watch


def watch_by_default(*, member: Member, topic) -> None:
    """Start watching a topic one started or replied to, unless one chose a level already."""
    Watch.objects.get_or_create(
        member=member, topic=topic, defaults={"level": Watch.Level.WATCHING}
    )


PREFERENCE_FIELDS = [t.value for t in Trigger]


@transaction.atomic
def update_preferences(
    *,
    member: Member,
    channels: dict[str, str],
    digest_frequency: str,
    quiet_hours_start: datetime.time | None,
    quiet_hours_end: datetime.time | None,
    time_zone: str,
) -> Preferences:
    """Save how `member` wants to hear from us."""
    preferences = Preferences.objects.filter(member=member).first() or Preferences(member=member)
    for trigger, channel in channels.items():
        if trigger not in PREFERENCE_FIELDS:
            raise ValidationFailed(f"Unknown kind of notification: {trigger}.", field=trigger)
        if channel not in Channel.values:
            raise ValidationFailed("Choose in-app, e-mail, digest or off.", field=trigger)
        setattr(preferences, trigger, channel)
    if digest_frequency not in Preferences.Digest.values:
        raise ValidationFailed("Choose daily, weekly or never.", field="digest_frequency")
    for name, value in (
        ("quiet_hours_start", quiet_hours_start),
        ("quiet_hours_end", quiet_hours_end),
    ):
        if value is not None and value.tzinfo is not None:
            raise ValidationFailed(
                "Give quiet hours as a plain time of day; the time zone is set apart.", field=name
            )
    if (quiet_hours_start is None) != (quiet_hours_end is None):
        raise ValidationFailed(
            "Give both ends of your quiet hours, or neither.", field="quiet_hours_start"
        )
    if quiet_hours_start is not None and quiet_hours_start == quiet_hours_end:
        raise ValidationFailed(
            "Quiet hours must not start and end together.", field="quiet_hours_end"
        )
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError, OSError) as error:
        raise ValidationFailed("Unknown time zone.", field="time_zone") from error
    preferences.digest_frequency = digest_frequency
    preferences.quiet_hours_start = quiet_hours_start
    preferences.quiet_hours_end = quiet_hours_end
    preferences.time_zone = time_zone
    preferences.save()
    record_activity(actor=member, verb="notification_preferences.updated", target=member)
    return preferences


@transaction.atomic
def unsubscribe(*, member: Member, what: str) -> Preferences:
    """What an e-mail's unsubscribe link does: `digest`, `all`, or one trigger's e-mails.

    Notifications stay in the notification centre; only e-mail stops.
    """
    preferences = Preferences.objects.filter(member=member).first() or Preferences(member=member)
    if what == "digest":
        preferences.digest_frequency = Preferences.Digest.NEVER
    elif what == "all":
        preferences.digest_frequency = Preferences.Digest.NEVER
        for trigger in PREFERENCE_FIELDS:
            if getattr(preferences, trigger) in (Channel.EMAIL, Channel.DIGEST):
                setattr(preferences, trigger, Channel.IN_APP)
    elif what in PREFERENCE_FIELDS:
        if getattr(preferences, what) in (Channel.EMAIL, Channel.DIGEST):
            setattr(preferences, what, Channel.IN_APP)
    else:
        raise ValidationFailed("Unknown kind of e-mail.", code="unknown_unsubscribe")
    preferences.save()
    record_activity(
        actor=member,
        verb="notification_preferences.unsubscribed",
        target=member,
        payload={"what": what},
    )
    return preferences
