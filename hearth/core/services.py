"""Writes shared by every app: the activity log and visit days."""

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from hearth.core.models import Activity, VisitDay


def record_activity(
    *,
    actor: Any | None,
    verb: str,
    target: Any | None = None,
    target_type: str | None = None,
    target_id: int | None = None,
    space_id: int | None = None,
    payload: dict | None = None,
) -> Activity:
    """Append one row to the activity log; call it inside the service's transaction.

    `target` may be a model instance (its model name and pk are used) or None with explicit
    `target_type` and `target_id`.
    """
    if target is not None:
        target_type = target_type or target._meta.model_name
        target_id = target.pk
    return Activity.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        verb=verb,
        target_type=target_type or "",
        target_id=target_id,
        space_id=space_id,
        occurred_at=timezone.now(),
        payload=payload or {},
    )


def record_visit(*, member: Any, day: datetime.date | None = None) -> bool:
    """Note that `member` visited on `day`; returns True when this is the day's first visit."""
    day = day or timezone.localdate()
    try:
        with transaction.atomic():
            VisitDay.objects.create(member=member, day=day)
    except IntegrityError:
        return False
    return True
