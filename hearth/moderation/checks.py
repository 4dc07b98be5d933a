"""Moderation's checks on every post before publication (listed in HEARTH_POST_CHECKS).

`posting_limits` refuses what comes too fast (429 with "try again in N seconds") or from a
silenced or suspended member; `screening` holds for review what looks offensive or like
spam, with the reason shown to the author. Moderators and community managers pass both.
"""

import datetime
import hashlib
import math
from functools import partial

from django.conf import settings
from django.utils import timezone

from hearth.community.checks import Draft, Verdict
from hearth.community.models import Post
from hearth.core import ratelimit
from hearth.core.errors import NotAllowed, RateLimited
from hearth.moderation import screening as screen
from hearth.moderation import trust
from hearth.moderation.services import hold_for_review

CONDUCT_HINT = "See the code of conduct."


def _until(when: datetime.datetime) -> str:
    return f"{timezone.localtime(when):%d %B %Y, %H:%M %Z}"


def posting_limits(*, author, draft: Draft) -> Verdict | None:
    if author.is_moderator:
        return None
    if author.is_suspended:
        raise NotAllowed("Your account is suspended.", code="account_suspended")
    if author.is_silenced:
        raise NotAllowed(
            f"You are silenced until {_until(author.silenced_until)}: you can read, but not "
            f"post. {CONDUCT_HINT}",
            code="silenced",
        )
    if draft.kind == "edit" or not ratelimit.enabled():
        return None
    new = author.trust_level == trust.NEW
    if draft.kind == "topic":
        rate = settings.HEARTH_RATE_TOPIC_NEW if new else settings.HEARTH_RATE_TOPIC
        what = "You can start another topic soon."
    else:
        rate = settings.HEARTH_RATE_REPLY_NEW if new else settings.HEARTH_RATE_REPLY
        what = "You can post again soon."
    _posts_per_day(author)
    fingerprint = hashlib.sha256(" ".join(draft.body.lower().split()).encode()).hexdigest()[:32]
    # Both limits are checked before either is counted: a refused post spends nothing.
    limits = [
        (f"post-{draft.kind}", author.pk, ratelimit.Rate.parse(rate), what),
        (
            "same-post",
            f"{author.pk}:{fingerprint}",
            ratelimit.Rate(1, settings.HEARTH_DUPLICATE_POST_SECONDS),
            "You posted exactly this a moment ago.",
        ),
    ]
    for scope, ident, limit, message in limits:
        if wait := ratelimit.retry_after(scope, ident, limit):
            raise RateLimited(f"{message} Try again in {wait} seconds.", retry_after=wait)
    for scope, ident, limit, _message in limits:
        ratelimit.record(scope, ident, limit)
    return None


def _posts_per_day(author) -> None:
    allowed = trust.posts_per_day(author)
    if not allowed:
        return
    since = timezone.now() - datetime.timedelta(days=1)
    recent = list(
        Post.objects.filter(author=author, created_at__gte=since)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:allowed]
    )
    if len(recent) >= allowed:
        wait = math.ceil((recent[-1] + datetime.timedelta(days=1) - timezone.now()).total_seconds())
        raise RateLimited(
            f"You have reached {allowed} posts a day for your trust level. "
            f"Try again in {max(wait, 1)} seconds.",
            retry_after=max(wait, 1),
        )


REASONS = {
    "offensive": "it may contain offensive language or a personal attack",
    "listed_word": "it contains a word the moderators review first",
    "new_member_links": "links and images from new members are checked by a moderator first",
    "repeated": "the same text was posted several times",
    "burst": "many posts came in a short time",
    "premoderation": "a new member's first posts are checked by a moderator",
}


def screening_codes(*, author, draft: Draft) -> list[str]:
    """Why `draft` should wait for a moderator (empty: publish it)."""
    codes = []
    text = f"{draft.title}\n{draft.body}" if draft.title else draft.body
    if screen.is_offensive(text):
        codes.append("offensive")
    if screen.listed_words(text):
        codes.append("listed_word")
    if not trust.may_post_links(author) and screen.has_links_or_images(draft.body):
        codes.append("new_member_links")
    if draft.kind != "edit":
        now = timezone.now()
        mine = Post.objects.filter(author=author)
        repeats = settings.HEARTH_SCREENING_REPEATS
        if repeats and (
            mine.filter(
                created_at__gte=now - datetime.timedelta(days=1), body=draft.body.strip()
            ).count()
            >= repeats - 1
        ):
            codes.append("repeated")
        burst = ratelimit.Rate.parse(settings.HEARTH_SCREENING_BURST)
        if author.trust_level < trust.NO_BURST_CHECK_FROM and (
            mine.filter(created_at__gte=now - datetime.timedelta(seconds=burst.period)).count()
            >= burst.limit
        ):
            codes.append("burst")
        premoderated = settings.HEARTH_PREMODERATION_POSTS
        if premoderated and author.trust_level == trust.NEW and mine.count() < premoderated:
            codes.append("premoderation")
    return codes


def screening(*, author, draft: Draft) -> Verdict | None:
    if author.is_moderator:
        return None
    codes = screening_codes(author=author, draft=draft)
    if not codes:
        return None
    reason = "Held for review: " + "; ".join(REASONS[code] for code in codes) + "."
    return Verdict.hold(
        reason, code=codes[0], on_held=partial(hold_for_review, reason=reason, codes=codes)
    )
