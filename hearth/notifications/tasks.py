"""Background work for notifications: e-mails, with retries, quiet hours and digests.

Nothing here runs inside a web request: services enqueue these once their transaction
commits, and `hearth worker` runs them.
"""

import datetime
import logging
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from hearth.accounts.models import Member
from hearth.notifications.emails import digest_email, notification_email
from hearth.notifications.models import Channel, Notification, Preferences
from hearth.notifications.selectors import preferences_of

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
DIGEST_LIMIT = 50


def retry_delay(attempt: int) -> datetime.timedelta:
    """1, 4, 16, 64 minutes: exponential back-off between e-mail attempts."""
    return datetime.timedelta(minutes=4 ** (attempt - 1))


def _enqueue_later(task_obj, when: datetime.datetime, *args) -> bool:
    """Enqueue to run at `when`; False when the backend cannot defer (then nothing is queued)."""
    if not task_obj.get_backend().supports_defer:
        return False
    task_obj.using(run_after=when).enqueue(*args)
    return True


def quiet_until(preferences: Preferences, now: datetime.datetime) -> datetime.datetime | None:
    """When the member's quiet hours end, if `now` falls inside them; else None."""
    start, end = preferences.quiet_hours_start, preferences.quiet_hours_end
    if start is None or end is None:
        return None
    zone = ZoneInfo(preferences.time_zone or "UTC")
    local = now.astimezone(zone)
    clock = local.time()
    inside = start <= clock < end if start < end else (clock >= start or clock < end)
    if not inside:
        return None
    end_at = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if end_at <= local:
        end_at += datetime.timedelta(days=1)
    return end_at.astimezone(datetime.UTC)


@task()
def send_notification_emails(notification_ids: list[int]) -> int:
    """Send the e-mails of these notifications; returns how many went out."""
    pending = list(
        Notification.objects.filter(
            pk__in=notification_ids,
            email_state__in=[Notification.EmailState.PENDING, Notification.EmailState.RETRYING],
        ).select_related("recipient")
    )
    preferences = preferences_of({n.recipient_id for n in pending})
    now = timezone.now()
    deferred: dict[datetime.datetime, list[int]] = {}
    sent = 0
    for notification in pending:
        recipient = notification.recipient
        if notification.read_at is not None or not recipient.email or not recipient.is_active:
            _set_state(notification, Notification.EmailState.NONE)
            continue
        if preferences[recipient.pk].channel_for(notification.verb) != Channel.EMAIL:
            # They changed their mind (or unsubscribed) since: no e-mail after all.
            _set_state(notification, Notification.EmailState.NONE)
            continue
        until = quiet_until(preferences[recipient.pk], now)
        if until is not None and _can_defer():
            deferred.setdefault(until, []).append(notification.pk)
            continue
        try:
            notification_email(notification).send()
        except Exception as error:
            _record_failure(notification, error)
        else:
            sent += 1
            _set_state(notification, Notification.EmailState.SENT)
    for until, ids in deferred.items():
        _enqueue_later(send_notification_emails, until, ids)
    return sent


def _can_defer() -> bool:
    return send_notification_emails.get_backend().supports_defer


def _set_state(notification: Notification, state: str, **fields) -> None:
    Notification.objects.filter(pk=notification.pk).update(email_state=state, **fields)


def _record_failure(notification: Notification, error: Exception) -> None:
    attempts = notification.email_attempts + 1
    message = f"{type(error).__name__}: {error}"[:500]
    logger.warning(
        "E-mail for notification %s failed (attempt %s): %s", notification.pk, attempts, message
    )
    will_retry = attempts < MAX_ATTEMPTS and _enqueue_later(
        send_notification_emails, timezone.now() + retry_delay(attempts), [notification.pk]
    )
    _set_state(
        notification,
        Notification.EmailState.RETRYING if will_retry else Notification.EmailState.FAILED,
        email_attempts=attempts,
        email_error=message,
    )


def _digest_due(preferences: Preferences, now: datetime.datetime) -> bool:
    if preferences.digest_frequency == Preferences.Digest.NEVER:
        return False
    if preferences.last_digest_at is None:
        return True
    every = datetime.timedelta(days=1 if preferences.digest_frequency == "daily" else 7)
    # A little slack so a digest run at the same hour each day is never a day late.
    return now - preferences.last_digest_at >= every - datetime.timedelta(hours=1)


@task()
def send_digest(member_id: int) -> int:
    """E-mail a member what is waiting for their digest; returns how many items it held."""
    member = Member.objects.filter(pk=member_id, is_active=True).first()
    if member is None or not member.email:
        return 0
    preferences = preferences_of([member_id])[member_id]
    now = timezone.now()
    if not _digest_due(preferences, now):
        return 0
    waiting = Notification.objects.filter(
        recipient=member, email_state=Notification.EmailState.DIGEST
    )
    # What was read meanwhile needs no e-mail; the newest unread go out, the rest next time.
    waiting.filter(read_at__isnull=False).update(email_state=Notification.EmailState.DIGESTED)
    items = list(waiting.filter(read_at__isnull=True).order_by("-updated_at")[:DIGEST_LIMIT])
    if items:
        digest_email(member, items).send()
    with transaction.atomic():
        Notification.objects.filter(pk__in=[n.pk for n in items]).update(
            email_state=Notification.EmailState.DIGESTED
        )
        Preferences.objects.update_or_create(member=member, defaults={"last_digest_at": now})
    return len(items)


@task()
def queue_digests() -> int:
    """Enqueue a digest for every member with something waiting whose digest is due."""
    member_ids = set(
        Notification.objects.filter(email_state=Notification.EmailState.DIGEST)
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    now = timezone.now()
    preferences = preferences_of(member_ids)
    queued = 0
    for member_id in sorted(member_ids):
        if _digest_due(preferences[member_id], now):
            send_digest.enqueue(member_id)
            queued += 1
    return queued
