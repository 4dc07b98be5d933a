"""Who may do what with members and profiles. Pure predicates, no queries."""

from hearth.accounts.models import Member


def can_edit_profile(actor, member: Member) -> bool:
    return actor.is_authenticated and (actor.pk == member.pk or actor.is_manager)


def can_change_role(actor) -> bool:
    return actor.is_authenticated and actor.is_manager


def can_edit_code_of_conduct(actor) -> bool:
    return actor.is_authenticated and actor.is_manager


def has_accepted_conduct(member) -> bool:
    return member.is_authenticated and member.conduct_version_accepted > 0
