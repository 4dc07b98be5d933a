"""Who may see and do what with ideas. Pure predicates on loaded objects, no queries.

Boards follow the same visibility rule as conversation spaces. "Staff" for ideas are
moderators and community managers: they move ideas along, merge them, record votes for
customers and see the breakdowns. Employees may also link an idea to the team's tracker.
"""

from hearth.accounts.models import Affiliation
from hearth.accounts.permissions import has_accepted_conduct
from hearth.ideas.models import Idea, IdeaBoard, IdeaComment

# Staff record votes only for the people the business asks: customers and prospects.
PROXY_AFFILIATIONS = frozenset({Affiliation.CUSTOMER, Affiliation.PROSPECT})


def can_view_board(member, board: IdeaBoard) -> bool:
    if board.visibility == IdeaBoard.Visibility.PUBLIC:
        return True
    if not member.is_authenticated:
        return False
    if board.visibility == IdeaBoard.Visibility.MEMBERS or member.is_moderator:
        return True
    return member.affiliation in board.allowed_affiliations


def is_idea_staff(member) -> bool:
    return member.is_authenticated and member.is_moderator


def is_restricted(member) -> bool:
    """Silenced or suspended by the moderators: reading only (set on the member by moderation)."""
    return member.is_silenced or member.is_suspended


def can_submit_idea(member, board: IdeaBoard) -> bool:
    return (
        member.is_authenticated
        and can_view_board(member, board)
        and has_accepted_conduct(member)
        and not is_restricted(member)
    )


def can_view_idea(member, idea: Idea) -> bool:
    return can_view_board(member, idea.board)


def can_vote(member, idea: Idea) -> bool:
    """Members vote for open ideas they may see; shipped, declined and merged take no votes."""
    return (
        member.is_authenticated
        and can_view_idea(member, idea)
        and has_accepted_conduct(member)
        and not is_restricted(member)
        and not idea.is_merged
        and idea.status.is_open
    )


def can_withdraw_vote(member, idea: Idea) -> bool:
    return member.is_authenticated and can_view_idea(member, idea) and not idea.is_merged


def can_follow(member, idea: Idea) -> bool:
    return member.is_authenticated and can_view_idea(member, idea) and not idea.is_merged


def can_comment(member, idea: Idea) -> bool:
    return (
        member.is_authenticated
        and can_view_idea(member, idea)
        and has_accepted_conduct(member)
        and not is_restricted(member)
        and not idea.is_merged
    )


def can_delete_comment(member, comment: IdeaComment) -> bool:
    if not member.is_authenticated or comment.is_deleted:
        return False
    return member.is_moderator or member.pk == comment.author_id


def can_change_status(member, idea: Idea) -> bool:
    return is_idea_staff(member) and can_view_idea(member, idea)


def can_merge(member, idea: Idea) -> bool:
    return is_idea_staff(member) and can_view_idea(member, idea)


def can_see_tracker(member) -> bool:
    """Tracker references are the team's own: employees and staff see them."""
    return member.is_authenticated and (member.is_employee or member.is_moderator)


def can_link_tracker(member, idea: Idea) -> bool:
    return can_see_tracker(member) and can_view_idea(member, idea)


def can_attach_announcement(member, idea: Idea) -> bool:
    return is_idea_staff(member) and can_view_idea(member, idea)


def can_record_proxy_vote(member, idea: Idea) -> bool:
    return is_idea_staff(member) and can_view_idea(member, idea)


def can_be_proxy_voter(voter, idea: Idea) -> bool:
    """Whom staff may record a vote for: an active customer or prospect who may see the idea."""
    return (
        voter.is_authenticated
        and voter.is_active
        and voter.affiliation in PROXY_AFFILIATIONS
        and can_view_idea(voter, idea)
    )


def can_view_breakdown(member) -> bool:
    """Who voted, by affiliation and organization, with the value-weighted score."""
    return is_idea_staff(member)


def can_export_ideas(member) -> bool:
    return is_idea_staff(member)
