"""Trust levels 0 (new) to 4 (leader): what earns them and what they unlock.

A level is reached when every requirement of it (and of the levels below) is met; the
thresholds are the HEARTH_TRUST_THRESHOLDS setting. "posts_read" counts the posts shown to a
member on topic pages. "max_flags_upheld" is a ceiling: members with more upheld flags
against them stay below the level.
"""

from dataclasses import asdict, dataclass

from django.conf import settings

NEW, BASIC, MEMBER, REGULAR, LEADER = range(5)
LEVELS = (NEW, BASIC, MEMBER, REGULAR, LEADER)
LEVEL_NAMES = {NEW: "New", BASIC: "Basic", MEMBER: "Member", REGULAR: "Regular", LEADER: "Leader"}
# Abilities fixed by level; the per-level numbers (posts a day, flag weight) and the level
# that edits wiki posts (HEARTH_TRUST_WIKI_EDIT_LEVEL) are settings.
LINKS_AND_IMAGES_FROM = BASIC
NO_BURST_CHECK_FROM = MEMBER


@dataclass
class Stats:
    days_visited: int = 0
    posts_read: int = 0
    replies: int = 0
    likes_given: int = 0
    likes_received: int = 0
    accepted_answers: int = 0
    flags_upheld: int = 0


def thresholds() -> dict[int, dict[str, int]]:
    return {int(level): dict(needs) for level, needs in settings.HEARTH_TRUST_THRESHOLDS.items()}


def meets(stats: Stats, needs: dict[str, int]) -> bool:
    values = asdict(stats)
    for name, wanted in needs.items():
        if name == "max_flags_upheld":
            if stats.flags_upheld > wanted:
                return False
        elif values.get(name, 0) < wanted:
            return False
    return True


def level_for(stats: Stats) -> int:
    table = thresholds()
    level = NEW
    for candidate in LEVELS[1:]:
        if candidate not in table or not meets(stats, table[candidate]):
            break
        level = candidate
    return level


def _per_level(values: list, level: int):
    return values[min(level, len(values) - 1)]


def posts_per_day(member) -> int:
    """How many posts a day `member` may write (0: no limit)."""
    return int(_per_level(settings.HEARTH_TRUST_POSTS_PER_DAY, member.trust_level))


def flag_weight(member) -> float:
    if member.is_moderator:
        return float(settings.HEARTH_FLAG_HIDE_WEIGHT)
    return float(_per_level(settings.HEARTH_FLAG_WEIGHTS, member.trust_level))


def may_post_links(member) -> bool:
    return member.is_moderator or member.trust_level >= LINKS_AND_IMAGES_FROM


def abilities(level: int) -> list[str]:
    """What a level unlocks, in words, for the member's moderation page."""
    posts = _per_level(settings.HEARTH_TRUST_POSTS_PER_DAY, level)
    weight = _per_level(settings.HEARTH_FLAG_WEIGHTS, level)
    said = [f"{'no limit on posts' if not posts else f'{posts} posts a day'}"]
    said.append(f"flags weigh {weight:g}")
    said.append(
        "links and images"
        if level >= LINKS_AND_IMAGES_FROM
        else "links and images wait for a moderator"
    )
    if level < NO_BURST_CHECK_FROM:
        said.append("bursts of posts are held")
    # Community checks the same setting (community.permissions.can_edit_wikis).
    if level >= settings.HEARTH_TRUST_WIKI_EDIT_LEVEL:
        said.append("edits wiki posts")
    return said
