"""The idea permission predicates as role-by-board matrices on unsaved objects (no database)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from hearth.accounts.models import Affiliation, Member, Role
from hearth.ideas.models import Idea, IdeaBoard, IdeaComment, IdeaStatus
from hearth.ideas.permissions import (
    can_attach_announcement,
    can_be_proxy_voter,
    can_change_status,
    can_comment,
    can_delete_comment,
    can_export_ideas,
    can_follow,
    can_link_tracker,
    can_merge,
    can_record_proxy_vote,
    can_see_tracker,
    can_submit_idea,
    can_view_board,
    can_view_breakdown,
    can_view_idea,
    can_vote,
    can_withdraw_vote,
)

ROLES = [
    "anonymous",
    "customer",
    "prospect",
    "partner",
    "employee",
    "expert",
    "journalist",
    "moderator",
    "manager",
]
BOARDS = ["public", "members", "partners", "partners_employees", "employees", "customers"]

MEMBER_KINDS = {
    "customer": (Affiliation.CUSTOMER, Role.MEMBER),
    "prospect": (Affiliation.PROSPECT, Role.MEMBER),
    "partner": (Affiliation.PARTNER, Role.MEMBER),
    "employee": (Affiliation.EMPLOYEE, Role.MEMBER),
    "expert": (Affiliation.EMPLOYEE, Role.EXPERT),
    "journalist": (Affiliation.JOURNALIST, Role.MEMBER),
    "moderator": (Affiliation.CUSTOMER, Role.MODERATOR),
    "manager": (Affiliation.EMPLOYEE, Role.MANAGER),
}
BOARD_KINDS = {
    "public": (IdeaBoard.Visibility.PUBLIC, []),
    "members": (IdeaBoard.Visibility.MEMBERS, []),
    "partners": (IdeaBoard.Visibility.AFFILIATIONS, [Affiliation.PARTNER]),
    "partners_employees": (
        IdeaBoard.Visibility.AFFILIATIONS,
        [Affiliation.PARTNER, Affiliation.EMPLOYEE],
    ),
    "employees": (IdeaBoard.Visibility.AFFILIATIONS, [Affiliation.EMPLOYEE]),
    "customers": (IdeaBoard.Visibility.AFFILIATIONS, [Affiliation.CUSTOMER, Affiliation.PROSPECT]),
}

# Who sees which board: the product's rule written out by hand.
EVERYWHERE = set(BOARDS)
SEES = {
    "anonymous": {"public"},
    "customer": {"public", "members", "customers"},
    "prospect": {"public", "members", "customers"},
    "partner": {"public", "members", "partners", "partners_employees"},
    "employee": {"public", "members", "partners_employees", "employees"},
    "expert": {"public", "members", "partners_employees", "employees"},
    "journalist": {"public", "members"},
    "moderator": EVERYWHERE,
    "manager": EVERYWHERE,
}
STAFF = {"moderator", "manager"}
EMPLOYEES_AND_STAFF = {"employee", "expert", "moderator", "manager"}
SIGNED_IN = set(ROLES) - {"anonymous"}
MATRIX = [(role, board) for role in ROLES for board in BOARDS]


def build_member(kind: str, *, pk: int = 100, conduct: int = 1, active: bool = True):
    if kind == "anonymous":
        return AnonymousUser()
    affiliation, role = MEMBER_KINDS[kind]
    return Member(
        pk=pk,
        username=f"{kind}{pk}",
        affiliation=affiliation,
        role=role,
        conduct_version_accepted=conduct,
        is_active=active,
    )


def build_board(kind: str) -> IdeaBoard:
    visibility, allowed = BOARD_KINDS[kind]
    return IdeaBoard(
        pk=BOARDS.index(kind) + 1, slug=kind, visibility=visibility, allowed_affiliations=allowed
    )


def build_idea(board: str = "public", *, meaning: str = "open", merged: bool = False) -> Idea:
    return Idea(
        pk=1,
        board=build_board(board),
        status=IdeaStatus(pk=1, slug=meaning, meaning=meaning),
        author_id=900,
        title="An idea",
        merged_into_id=2 if merged else None,
    )


@pytest.mark.parametrize(("role", "board"), MATRIX)
def test_boards_and_ideas_are_seen_by_visibility_and_affiliation(role, board):
    member = build_member(role)
    expected = board in SEES[role]

    assert can_view_board(member, build_board(board)) is expected
    assert can_view_idea(member, build_idea(board)) is expected


@pytest.mark.parametrize(("role", "board"), MATRIX)
def test_members_who_see_a_board_submit_vote_comment_and_follow(role, board):
    member = build_member(role)
    idea = build_idea(board)
    expected = role in SIGNED_IN and board in SEES[role]

    assert can_submit_idea(member, build_board(board)) is expected
    assert can_vote(member, idea) is expected
    assert can_withdraw_vote(member, idea) is expected
    assert can_comment(member, idea) is expected
    assert can_follow(member, idea) is expected


@pytest.mark.parametrize("role", sorted(SIGNED_IN))
def test_without_the_code_of_conduct_nobody_submits_votes_or_comments(role):
    member = build_member(role, conduct=0)
    idea = build_idea()

    assert can_submit_idea(member, idea.board) is False
    assert can_vote(member, idea) is False
    assert can_comment(member, idea) is False
    # Taking a vote back and following need no consent.
    assert can_withdraw_vote(member, idea) is True
    assert can_follow(member, idea) is True


@pytest.mark.parametrize("meaning", [IdeaStatus.Meaning.SHIPPED, IdeaStatus.Meaning.DECLINED])
@pytest.mark.parametrize("role", ROLES)
def test_closed_ideas_take_no_votes_but_give_them_back(role, meaning):
    idea = build_idea(meaning=meaning)
    member = build_member(role)

    assert can_vote(member, idea) is False
    assert can_withdraw_vote(member, idea) is (role in SIGNED_IN)


@pytest.mark.parametrize("role", ROLES)
def test_merged_ideas_take_nothing(role):
    idea = build_idea(merged=True)
    member = build_member(role)

    assert not any(
        check(member, idea)
        for check in (
            can_vote,
            can_withdraw_vote,
            can_comment,
            can_follow,
        )
    )


@pytest.mark.parametrize(("role", "board"), MATRIX)
def test_staff_move_merge_announce_and_record_votes_where_they_see(role, board):
    member = build_member(role)
    idea = build_idea(board)
    expected = role in STAFF and board in SEES[role]

    assert can_change_status(member, idea) is expected
    assert can_merge(member, idea) is expected
    assert can_attach_announcement(member, idea) is expected
    assert can_record_proxy_vote(member, idea) is expected


@pytest.mark.parametrize("role", ROLES)
def test_only_staff_see_breakdowns_and_export(role):
    member = build_member(role)

    assert can_view_breakdown(member) is (role in STAFF)
    assert can_export_ideas(member) is (role in STAFF)


@pytest.mark.parametrize(("role", "board"), MATRIX)
def test_employees_and_staff_see_and_link_the_tracker(role, board):
    member = build_member(role)

    assert can_see_tracker(member) is (role in EMPLOYEES_AND_STAFF)
    assert can_link_tracker(member, build_idea(board)) is (
        role in EMPLOYEES_AND_STAFF and board in SEES[role]
    )


@pytest.mark.parametrize(("role", "board"), MATRIX)
def test_proxy_votes_are_for_active_customers_and_prospects_who_see_the_idea(role, board):
    voter = build_member(role)
    # By affiliation, whatever the role: the moderator here is a customer.
    expected = role in {"customer", "prospect", "moderator"} and board in SEES[role]

    assert can_be_proxy_voter(voter, build_idea(board)) is expected
    if role != "anonymous":
        assert can_be_proxy_voter(build_member(role, active=False), build_idea(board)) is False


@pytest.mark.parametrize("role", ROLES)
def test_comments_are_deleted_by_their_author_or_moderators(role):
    member = build_member(role, pk=100)
    others = IdeaComment(pk=1, author_id=900, idea=build_idea())
    own = IdeaComment(pk=2, author_id=100, idea=build_idea())
    gone = IdeaComment(pk=3, author_id=100, idea=build_idea(), deleted_at=timezone.now())

    assert can_delete_comment(member, others) is (role in STAFF)
    assert can_delete_comment(member, own) is (role in SIGNED_IN)
    assert can_delete_comment(member, gone) is False
