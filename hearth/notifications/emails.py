"""The e-mails notifications send: one notification, or a digest; both with unsubscribe."""

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from hearth.notifications.models import Trigger, preference_for

PREFERENCE_FIELDS = frozenset(Trigger.values)

UNSUBSCRIBE_SALT = "hearth.notifications.unsubscribe"


def unsubscribe_token(member_id: int, what: str) -> str:
    return signing.dumps({"m": member_id, "w": what}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """(member id, what) from a token; raises signing.BadSignature when forged."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if not isinstance(data, dict) or not isinstance(data.get("m"), int) or "w" not in data:
        raise signing.BadSignature("Malformed unsubscribe token.")
    return data["m"], str(data["w"])


def absolute(path: str) -> str:
    return settings.HEARTH_BASE_URL.rstrip("/") + path


def _message(*, member, subject: str, template: str, context: dict, what: str):
    unsubscribe_url = absolute(
        reverse("notifications:unsubscribe", args=[unsubscribe_token(member.pk, what)])
    )
    context = {
        **context,
        "member": member,
        "site_name": settings.SITE_NAME,
        "unsubscribe_url": unsubscribe_url,
        "preferences_url": absolute(reverse("notifications:preferences")),
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"notifications/email/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[member.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(
        render_to_string(f"notifications/email/{template}.html", context), "text/html"
    )
    return message


def unsubscribe_target(verb: str) -> str:
    """What a notification e-mail's unsubscribe link stops: the setting that sent it (idea
    news stops idea news); a kind of notification without a setting stops all e-mail."""
    preference = preference_for(verb)
    return preference if preference in PREFERENCE_FIELDS else "all"


def notification_email(notification) -> EmailMultiAlternatives:
    member = notification.recipient
    return _message(
        member=member,
        subject=f"[{settings.SITE_NAME}] {notification.sentence}"[:200],
        template="notification",
        context={
            "notification": notification,
            "link": absolute(notification.url),
            "conduct_url": absolute(reverse("accounts:conduct")),
        },
        what=unsubscribe_target(notification.verb),
    )


def digest_email(member, notifications: list) -> EmailMultiAlternatives:
    count = len(notifications)
    for notification in notifications:
        notification.link = absolute(notification.url)
    return _message(
        member=member,
        subject=f"[{settings.SITE_NAME}] {count} thing{'s' if count != 1 else ''} you missed",
        template="digest",
        context={"notifications": notifications},
        what="digest",
    )
