"""Rate limits kept in the default cache (memory in each process, or Redis when configured).

A limit is "at most `limit` hits in any `period` seconds" for one key (a member, an address,
an account name). Each key keeps the times of its latest hits, so the window slides: six
log-ins a minute means six in any sixty seconds, not twelve across a minute's edge. Two
processes hitting the same key at the same instant may both get through (the cache has no
compare-and-set): a limit can be off by the number of concurrent requests, never more.
"""

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from hearth.core.errors import RateLimited

PREFIX = "ratelimit"


def now() -> float:
    """The clock limits read; tests move it instead of sleeping."""
    return time.time()


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int  # seconds

    @classmethod
    def parse(cls, text: str) -> "Rate":
        """`"6/min"`, `"1/5s"`, `"10/15min"`, `"100/h"`, `"20/day"`."""
        units = {"s": 1, "sec": 1, "min": 60, "m": 60, "h": 3600, "hour": 3600, "day": 86400}
        count, _, per = text.strip().partition("/")
        digits = "".join(ch for ch in per if ch.isdigit())
        unit = per[len(digits) :] if per[: len(digits)] == digits else per
        if not count.strip().isdigit() or unit not in units:
            raise ValueError(f"Not a rate: {text!r} (try '6/min' or '1/5s').")
        return cls(int(count), int(digits or 1) * units[unit])


def enabled() -> bool:
    return getattr(settings, "HEARTH_RATE_LIMITS_ENABLED", True)


def _key(scope: str, ident: object) -> str:
    return f"{PREFIX}:{scope}:{ident}"


def _recent(key: str, period: int, at: float) -> list[float]:
    return [t for t in cache.get(key, ()) if t > at - period]


def retry_after(scope: str, ident: object, rate: Rate) -> int:
    """Seconds until one more hit is allowed; 0 when it is allowed now."""
    if not enabled() or rate.limit <= 0:
        return 0
    at = now()
    recent = _recent(_key(scope, ident), rate.period, at)
    if len(recent) < rate.limit:
        return 0
    return max(1, math.ceil(sorted(recent)[-rate.limit] + rate.period - at))


def hit(scope: str, ident: object, rate: Rate, *, message: str | None = None) -> None:
    """Count one hit, or raise RateLimited (without counting it) when over the limit."""
    if not enabled() or rate.limit <= 0:
        return
    key = _key(scope, ident)
    at = now()
    recent = _recent(key, rate.period, at)
    if len(recent) >= rate.limit:
        wait = max(1, math.ceil(sorted(recent)[-rate.limit] + rate.period - at))
        raise RateLimited(
            (message or "You are doing that too often.") + f" Try again in {wait} seconds.",
            retry_after=wait,
        )
    recent = sorted(recent)[-(rate.limit - 1) :] if rate.limit > 1 else []
    cache.set(key, [*recent, at], timeout=rate.period + 1)


def record(scope: str, ident: object, rate: Rate) -> None:
    """Count one hit without checking (failed log-ins count towards a lock-out)."""
    if not enabled() or rate.limit <= 0:
        return
    key = _key(scope, ident)
    at = now()
    recent = sorted(_recent(key, rate.period, at))[-rate.limit :]
    cache.set(key, [*recent, at], timeout=rate.period + 1)


def reset(scope: str, ident: object) -> None:
    cache.delete(_key(scope, ident))


def client_address(request) -> str:
    """The visitor's address: REMOTE_ADDR, or the last X-Forwarded-For hop behind a proxy.

    Only the last hop is the one our own proxy appended; every hop before it arrived in the
    request and is whatever the client chose to send, so trusting it would let anyone pick
    a fresh address (and a fresh rate limit) for each request.
    """
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if hops[-1]:
            return hops[-1][:64]
    return request.META.get("REMOTE_ADDR", "")[:64] or "unknown"
