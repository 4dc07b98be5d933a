"""The checks a post goes through before publication: an extension point for higher layers.

Community does not know who screens posts or limits how often members post (moderation
does, and moderation imports community, not the other way round). Instead, the setting
`HEARTH_POST_CHECKS` lists dotted paths of callables; `create_topic`, `create_reply` and
`edit_post` call each one with the author and the draft before writing:

    def check(*, author, draft: Draft) -> Verdict | None

A check returns None (or PUBLISH) to let the post through, `Verdict.hold(reason)` to have it
held for review with the reason shown to its author, or raises a HearthError (RateLimited,
NotAllowed, ...) to refuse it outright. A holding verdict may carry `on_held`, called with
the post once it is written, in the same transaction (moderation puts it in its queue).
See docs/decisions/0006-post-checks-extension-point.md.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Draft:
    """What a member is about to publish: a new topic, a reply, or an edit of a post."""

    kind: str  # "topic", "reply" or "edit"
    body: str
    space: object
    title: str = ""
    topic: object | None = None
    post: object | None = None


@dataclass(frozen=True)
class Verdict:
    held: bool = False
    reason: str = ""
    code: str = ""
    on_held: Callable | None = field(default=None, compare=False)

    @classmethod
    def hold(cls, reason: str, *, code: str = "held", on_held: Callable | None = None):
        return cls(held=True, reason=reason, code=code, on_held=on_held)


PUBLISH = Verdict()


@cache
def _load(paths: tuple[str, ...]) -> tuple[Callable, ...]:
    return tuple(import_string(path) for path in paths)


def post_checks() -> tuple[Callable, ...]:
    return _load(tuple(getattr(settings, "HEARTH_POST_CHECKS", ())))


def run_post_checks(*, author, draft: Draft) -> list[Verdict]:
    """Every check's verdict that holds the post (empty: publish). Errors propagate."""
    held = []
    for check in post_checks():
        verdict = check(author=author, draft=draft)
        if verdict is not None and verdict.held:
            held.append(verdict)
    return held


def held_reason(verdicts: list[Verdict]) -> str:
    """The reasons of the holding verdicts, as one text for the author."""
    return " ".join(dict.fromkeys(v.reason for v in verdicts if v.reason))[:500]
