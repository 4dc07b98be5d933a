"""Keyset ("cursor") pagination: stable under inserts, constant cost at any depth."""

import base64
import datetime
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from hearth.core.errors import ValidationFailed

MAX_LIMIT = 100


@dataclass(frozen=True)
class Key:
    field: str
    descending: bool = False
    is_datetime: bool = False


def _encode(values: list[Any]) -> str:
    raw = json.dumps(
        [v.isoformat() if isinstance(v, datetime.datetime) else v for v in values],
        separators=(",", ":"),
    )
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, keys: tuple[Key, ...]) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(keys):
            raise ValueError
        decoded = []
        for key, value in zip(keys, values, strict=True):
            if key.is_datetime:
                value = datetime.datetime.fromisoformat(value)
                if value.tzinfo is None:
                    value = value.replace(tzinfo=datetime.UTC)
                value = value.astimezone(datetime.UTC)
            elif not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**63:
                raise ValueError
            decoded.append(value)
        return decoded
    except (ValueError, TypeError, UnicodeDecodeError, OverflowError) as error:
        raise ValidationFailed(
            "That cursor is not one this API gave out.", code="invalid_cursor", field="cursor"
        ) from error


def _after(keys: tuple[Key, ...], values: list[Any]) -> Q:
    """Rows strictly after `values` in the order `keys` describe."""
    condition = Q()
    for index, key in enumerate(keys):
        lookup = "lt" if key.descending else "gt"
        step = Q(**{f"{key.field}__{lookup}": values[index]})
        for previous, value in zip(keys[:index], values[:index], strict=True):
            step &= Q(**{previous.field: value})
        condition |= step
    return condition


def keyset_page(
    queryset: QuerySet, *, keys: tuple[Key, ...], limit: int, cursor: str | None
) -> dict[str, Any]:
    """One page of `queryset` (already filtered) ordered by `keys`, with the next cursor."""
    ordering = [f"-{k.field}" if k.descending else k.field for k in keys]
    queryset = queryset.order_by(*ordering)
    if cursor:
        queryset = queryset.filter(_after(keys, _decode(cursor, keys)))
    rows = list(queryset[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = _encode([getattr(last, k.field) for k in keys])
    return {"results": rows, "next_cursor": next_cursor}
