"""Who may flag, moderate, and act on whom. Pure predicates, no queries.

Staff rank above members: moderators act on members and experts, community managers on
moderators too; nobody acts on a community manager's account (a manager who must be
stopped is first given another role by another manager). Peers may tidy each other's posts.
"""

from hearth.accounts.models import Role

RANK = {Role.MEMBER: 0, Role.EXPERT: 0, Role.MODERATOR: 1, Role.MANAGER: 2}


def rank(member) -> int:
    return RANK.get(member.role, 0) if member.is_authenticated else -1


def can_moderate(actor) -> bool:
    return actor.is_authenticated and actor.is_moderator and not actor.is_suspended


def can_view_audit_log(actor) -> bool:
    return can_moderate(actor)


def can_act_on_post(actor, post) -> bool:
    return can_moderate(actor) and rank(actor) >= RANK.get(post.author.role, 0)


def can_act_on_member(actor, member) -> bool:
    """Warn, silence, suspend, ban, set trust: only on someone of lower rank, never oneself."""
    return can_moderate(actor) and actor.pk != member.pk and rank(actor) > rank(member)


def can_flag(member) -> bool:
    return (
        member.is_authenticated
        and member.conduct_version_accepted > 0
        and not member.is_silenced
        and not member.is_suspended
    )


def can_edit_screening_words(actor) -> bool:
    return can_moderate(actor)
