"""The demo's moderation queue: a post screening held, flagged posts and a flagged member.

Made through the same services members and screening use, after the community's history is
written, so `make demo` opens a queue with something in it.
"""

from collections import Counter

from django.db.models import Count
from django.test.utils import override_settings

from hearth.accounts.models import Member
from hearth.community import services as community
from hearth.community.models import Post, State, Topic
from hearth.core.errors import HearthError
from hearth.moderation import services as moderation

HELD_REPLY = (
    "Seriously, whoever wrote this firmware is an idiot. Three resets and the hub still "
    "drops every bulb overnight."
)
SCREENING = ["hearth.moderation.checks.screening"]


def settle_trust_levels(members: dict[str, Member]) -> None:
    """The demo's members have been around for weeks: those who post are trusted members."""
    posters = dict(
        Post.objects.filter(author__in=members.values())
        .values("author_id")
        .annotate(n=Count("id"))
        .values_list("author_id", "n")
    )
    for member in members.values():
        level = 2 if posters.get(member.pk, 0) >= 3 else 1
        Member.objects.filter(pk=member.pk).update(trust_level=level)
        member.trust_level = level


def load_moderation(*, members: dict[str, Member]) -> Counter:
    counts: Counter = Counter()
    settle_trust_levels(members)
    topic = (
        Topic.objects.filter(space__slug="troubleshooting", state=State.PUBLISHED)
        .exclude(author=members["prospect"])
        .order_by("-created_at")
        .first()
    )
    if topic is not None:
        with override_settings(HEARTH_POST_CHECKS=SCREENING):
            held = community.create_reply(author=members["prospect"], topic=topic, body=HELD_REPLY)
        counts["held"] += held.state == State.HELD
    flagged = (
        Post.objects.filter(author=members["marco"], position__gt=1, state=State.PUBLISHED)
        .order_by("-created_at")
        .first()
    )
    # Two flags (weights 1.5 and 1) short of the weight that hides a post: it waits, public.
    if flagged is not None:
        for name, reason, note in (
            ("claire", "off_topic", "This is about the app, not the hub firmware."),
            ("supplier", "personal_attack", "The last sentence is aimed at another member."),
        ):
            try:
                moderation.flag_post(flagger=members[name], post=flagged, reason=reason, note=note)
            except HearthError:
                continue
            counts["flags"] += 1
    try:
        moderation.flag_member(
            flagger=members["ben"],
            member=members["supplier"],
            reason="spam",
            note="Posts the same catalogue link in every thread.",
        )
        counts["flags"] += 1
    except HearthError:
        pass
    return counts
