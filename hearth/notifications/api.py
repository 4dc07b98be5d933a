"""API for the notification centre and notification preferences."""

from django.http import HttpRequest
from ninja import Path, Query, Router

from hearth.accounts.api_auth import MEMBER, require_write
from hearth.core.pagination import MAX_LIMIT, Key, keyset_page
from hearth.core.schemas import ERRORS
from hearth.notifications import selectors, services
from hearth.notifications.models import Trigger
from hearth.notifications.schemas import (
    NotificationOut,
    NotificationPage,
    PreferencesIn,
    PreferencesOut,
    ReadAllOut,
)

router = Router(tags=["notifications"], auth=MEMBER)

KEYS = (Key("updated_at", descending=True, is_datetime=True), Key("id", descending=True))


@router.get(
    "/notifications",
    response={200: NotificationPage, **ERRORS},
    summary="My notifications, newest first",
)
def list_notifications(
    request: HttpRequest,
    limit: int = Query(30, ge=1, le=MAX_LIMIT),
    cursor: str | None = Query(None, max_length=200),
):
    page = keyset_page(
        selectors.notification_list(request.user), keys=KEYS, limit=limit, cursor=cursor
    )
    return {**page, "unread": request.user.unread_notifications}


@router.post(
    "/notifications/{notification_id}/read",
    response={200: NotificationOut, **ERRORS},
    summary="Mark one read",
)
def read_notification(request: HttpRequest, notification_id: int = Path(..., ge=1, le=2**63 - 1)):
    require_write(request)
    notification = selectors.access_notification(request.user, notification_id)
    return services.mark_read(member=request.user, notification=notification)


@router.post(
    "/notifications/read-all", response={200: ReadAllOut, **ERRORS}, summary="Mark all read"
)
def read_all(request: HttpRequest):
    require_write(request)
    return {"marked": services.mark_all_read(member=request.user)}


def _preferences_out(preferences) -> dict:
    return {
        **{t.value: preferences.channel_for(t.value) for t in Trigger},
        "digest_frequency": preferences.digest_frequency,
        "quiet_hours_start": preferences.quiet_hours_start,
        "quiet_hours_end": preferences.quiet_hours_end,
        "time_zone": preferences.time_zone,
    }


@router.get(
    "/notifications/preferences",
    response={200: PreferencesOut, **ERRORS},
    summary="How I hear from you",
)
def get_preferences(request: HttpRequest):
    return _preferences_out(selectors.preferences_for(request.user))


@router.put(
    "/notifications/preferences",
    response={200: PreferencesOut, **ERRORS},
    summary="Change how I hear",
)
def put_preferences(request: HttpRequest, payload: PreferencesIn):
    require_write(request)
    preferences = services.update_preferences(
        member=request.user,
        channels={
            t.value: channel for t in Trigger if (channel := getattr(payload, t.value)) is not None
        },
        digest_frequency=payload.digest_frequency,
        quiet_hours_start=payload.quiet_hours_start,
        quiet_hours_end=payload.quiet_hours_end,
        time_zone=payload.time_zone,
    )
    return _preferences_out(preferences)
