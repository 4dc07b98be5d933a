"""The pure permission predicates, as role-by-space matrices on unsaved objects (no database)."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from hearth.accounts.models import Affiliation, Member, Role
from hearth.community.models import Post, Space, Topic
from hearth.community.permissions import (
    can_delete_post,
    can_edit_post,
    can_edit_wikis,
    can_moderate,
    can_react,
    can_reply,
    can_set_wiki,
    can_start_topic,
    can_view_space,
    can_view_topic,
    edits_as_wiki,
)

ROLES = [
    "anonymous",
    "customer",
    "prospect",
    "partner",
    "employee",
    "expert",
    "moderator",
    "manager",
]
SPACES = ["public", "members", "partners", "partners_employees", "employees"]

# (affiliation, role) of each signed-in kind of member.
MEMBER_KINDS = {
    "customer": (Affiliation.CUSTOMER, Role.MEMBER),
    "prospect": (Affiliation.PROSPECT, Role.MEMBER),
    "partner": (Affiliation.PARTNER, Role.MEMBER),
    "employee": (Affiliation.EMPLOYEE, Role.MEMBER),
    "expert": (Affiliation.EMPLOYEE, Role.EXPERT),
    "moderator": (Affiliation.CUSTOMER, Role.MODERATOR),
    "manager": (Affiliation.EMPLOYEE, Role.MANAGER),
}

SPACE_KINDS = {
    "public": (Space.Visibility.PUBLIC, []),
    "members": (Space.Visibility.MEMBERS, []),
    "partners": (Space.Visibility.AFFILIATIONS, [Affiliation.PARTNER]),
    "partners_employees": (
        Space.Visibility.AFFILIATIONS,
        [Affiliation.PARTNER, Affiliation.EMPLOYEE],
    ),
    "employees": (Space.Visibility.AFFILIATIONS, [Affiliation.EMPLOYEE]),
}

# Who sees which space: the product's rule written out by hand.
SEES = {
    "anonymous": {"public"},
    "customer": {"public", "members"},
    "prospect": {"public", "members"},
    "partner": {"public", "members", "partners", "partners_employees"},
    "employee": {"public", "members", "partners_employees", "employees"},
    "expert": {"public", "members", "partners_employees", "employees"},
    "moderator": set(SPACES),
    "manager": set(SPACES),
}
MODERATORS = {"moderator", "manager"}
EMPLOYEES_AND_STAFF = {"employee", "expert", "moderator", "manager"}

AUTHOR_PK = 900
ACTOR_PK = 100


def build_member(kind: str, *, pk: int = ACTOR_PK, conduct: int = 1, **extra):
    if kind == "anonymous":
        return AnonymousUser()
    affiliation, role = MEMBER_KINDS[kind]
    return Member(
        pk=pk,
        username=f"{kind}{pk}",
        affiliation=affiliation,
        role=role,
        conduct_version_accepted=conduct,
        **extra,
    )


def build_space(kind: str, *, starters: str = Space.TopicStarters.MEMBERS) -> Space:
    visibility, allowed = SPACE_KINDS[kind]
    return Space(
        pk=SPACES.index(kind) + 1,
        name=kind,
        slug=kind,
        visibility=visibility,
        allowed_affiliations=list(allowed),
        topic_starters=starters,
    )


def build_topic(space_kind: str = "public", *, locked: bool = False, deleted: bool = False):
    return Topic(
        pk=1,
        space=build_space(space_kind),
        title="A topic",
        is_locked=locked,
        deleted_at=timezone.now() if deleted else None,
    )


def build_post(
    *,
    author_pk: int = AUTHOR_PK,
    locked: bool = False,
    deleted: bool = False,
    space="public",
    wiki: bool = False,
    state: str = "published",
):
    author = build_member("customer", pk=author_pk)
    return Post(
        pk=1,
        topic=build_topic(space, locked=locked),
        author=author,
        position=2,
        body="Hello",
        deleted_at=timezone.now() if deleted else None,
        is_wiki=wiki,
        state=state,
    )


VIEW_MATRIX = [(role, space) for role in ROLES for space in SPACES]


@pytest.mark.parametrize(("role", "space"), VIEW_MATRIX)
def test_can_view_space_follows_visibility_and_affiliation(role, space):
    assert can_view_space(build_member(role), build_space(space)) is (space in SEES[role])


@pytest.mark.parametrize(("role", "space"), VIEW_MATRIX)
def test_can_view_topic_matches_its_space_while_not_deleted(role, space):
    assert can_view_topic(build_member(role), build_topic(space)) is (space in SEES[role])


@pytest.mark.parametrize(("role", "space"), VIEW_MATRIX)
def test_deleted_topic_is_visible_only_to_moderators_who_see_the_space(role, space):
    expected = space in SEES[role] and role in MODERATORS
    assert can_view_topic(build_member(role), build_topic(space, deleted=True)) is expected


@pytest.mark.parametrize(
    ("starters", "allowed_roles"),
    [
        (Space.TopicStarters.MEMBERS, set(ROLES) - {"anonymous"}),
        (Space.TopicStarters.EMPLOYEES, EMPLOYEES_AND_STAFF),
        (Space.TopicStarters.STAFF, MODERATORS),
    ],
)
@pytest.mark.parametrize(("role", "space"), VIEW_MATRIX)
def test_can_start_topic_needs_sight_of_the_space_and_the_right_starter_kind(
    role, space, starters, allowed_roles
):
    expected = space in SEES[role] and role in allowed_roles
    assert can_start_topic(build_member(role), build_space(space, starters=starters)) is expected


@pytest.mark.parametrize(
    "starters",
    [Space.TopicStarters.MEMBERS, Space.TopicStarters.EMPLOYEES, Space.TopicStarters.STAFF],
)
@pytest.mark.parametrize("role", sorted(set(ROLES) - {"anonymous"}))
def test_nobody_starts_topics_without_accepting_the_code_of_conduct(role, starters):
    member = build_member(role, conduct=0)
    assert can_start_topic(member, build_space("public", starters=starters)) is False


@pytest.mark.parametrize("locked", [False, True], ids=["unlocked", "locked"])
@pytest.mark.parametrize(("role", "space"), VIEW_MATRIX)
def test_can_reply_when_seeing_the_topic_and_only_moderators_reply_when_locked(role, space, locked):
    expected = role != "anonymous" and space in SEES[role] and (not locked or role in MODERATORS)
    assert can_reply(build_member(role), build_topic(space, locked=locked)) is expected


@pytest.mark.parametrize("role", sorted(set(ROLES) - {"anonymous"}))
def test_nobody_replies_without_accepting_the_code_of_conduct(role):
    assert can_reply(build_member(role, conduct=0), build_topic("public")) is False


@pytest.mark.parametrize("role", ROLES)
def test_only_moderators_reply_to_a_deleted_topic(role):
    assert can_reply(build_member(role), build_topic("public", deleted=True)) is (
        role in MODERATORS
    )


@pytest.mark.parametrize("role", ROLES)
def test_can_moderate_only_moderators_and_managers(role):
    assert can_moderate(build_member(role)) is (role in MODERATORS)


@pytest.mark.parametrize("locked", [False, True], ids=["unlocked", "locked"])
@pytest.mark.parametrize("role", ROLES)
def test_can_edit_post_of_someone_else_only_as_moderator(role, locked):
    post = build_post(locked=locked)
    assert can_edit_post(build_member(role), post) is (role in MODERATORS)


@pytest.mark.parametrize(
    ("locked", "expected"), [(False, True), (True, False)], ids=["unlocked", "locked"]
)
@pytest.mark.parametrize("role", sorted(set(ROLES) - {"anonymous"} - MODERATORS))
def test_author_edits_own_post_unless_the_topic_is_locked(role, locked, expected):
    post = build_post(author_pk=ACTOR_PK, locked=locked)
    assert can_edit_post(build_member(role), post) is expected


@pytest.mark.parametrize("locked", [False, True], ids=["unlocked", "locked"])
@pytest.mark.parametrize("role", sorted(MODERATORS))
def test_moderator_edits_own_post_even_when_locked(role, locked):
    post = build_post(author_pk=ACTOR_PK, locked=locked)
    assert can_edit_post(build_member(role), post) is True


@pytest.mark.parametrize("own", [False, True], ids=["others", "own"])
@pytest.mark.parametrize("role", ROLES)
def test_nobody_edits_or_deletes_a_deleted_post(role, own):
    post = build_post(author_pk=ACTOR_PK if own else AUTHOR_PK, deleted=True)
    member = build_member(role)
    assert can_edit_post(member, post) is False
    assert can_delete_post(member, post) is False


@pytest.mark.parametrize("locked", [False, True], ids=["unlocked", "locked"])
@pytest.mark.parametrize("role", ROLES)
def test_can_delete_post_of_someone_else_only_as_moderator(role, locked):
    post = build_post(locked=locked)
    assert can_delete_post(build_member(role), post) is (role in MODERATORS)


@pytest.mark.parametrize("locked", [False, True], ids=["unlocked", "locked"])
@pytest.mark.parametrize("role", sorted(set(ROLES) - {"anonymous"}))
def test_author_may_delete_own_post_even_when_locked(role, locked):
    post = build_post(author_pk=ACTOR_PK, locked=locked)
    assert can_delete_post(build_member(role), post) is True


@pytest.mark.parametrize("role", ROLES)
def test_can_react_to_someone_elses_post_when_signed_in(role):
    assert can_react(build_member(role), build_post()) is (role != "anonymous")


@pytest.mark.parametrize("role", sorted(set(ROLES) - {"anonymous"}))
def test_nobody_reacts_to_own_post(role):
    assert can_react(build_member(role), build_post(author_pk=ACTOR_PK)) is False


@pytest.mark.parametrize("role", ROLES)
def test_nobody_reacts_to_a_deleted_post(role):
    assert can_react(build_member(role), build_post(deleted=True)) is False


@pytest.mark.parametrize("role", sorted(set(ROLES) - {"anonymous"}))
def test_nobody_reacts_without_accepting_the_code_of_conduct(role):
    assert can_react(build_member(role, conduct=0), build_post()) is False


# --- wiki posts ---------------------------------------------------------------------------

SILENCED = {"silenced_until": timezone.now() + datetime.timedelta(days=1)}
SUSPENDED = {"suspended_until": timezone.now() + datetime.timedelta(days=1)}


@pytest.mark.parametrize("level", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("role", ROLES)
def test_editing_wikis_opens_at_the_trust_level_setting(settings, role, level):
    settings.HEARTH_TRUST_WIKI_EDIT_LEVEL = 1
    member = build_member(role, trust_level=level)
    expected = role != "anonymous" and (role in MODERATORS or level >= 1)
    assert can_edit_wikis(member) is expected


@pytest.mark.parametrize(
    ("setting", "level", "expected"), [(0, 0, True), (3, 2, False), (3, 3, True)]
)
def test_the_wiki_level_follows_the_setting(settings, setting, level, expected):
    settings.HEARTH_TRUST_WIKI_EDIT_LEVEL = setting
    assert can_edit_wikis(build_member("customer", trust_level=level)) is expected


WIKI_MATRIX = [(role, space, level) for role in ROLES for space in SPACES for level in (0, 1)]


@pytest.mark.parametrize(("role", "space", "level"), WIKI_MATRIX)
def test_someone_elses_wiki_is_edited_by_trusted_members_who_may_reply(role, space, level):
    member = build_member(role, trust_level=level)
    post = build_post(wiki=True, space=space)
    if role in MODERATORS:
        expected = True
    else:
        expected = role != "anonymous" and space in SEES[role] and level >= 1
    assert can_edit_post(member, post) is expected
    assert edits_as_wiki(member, post) is (expected and role not in MODERATORS)


@pytest.mark.parametrize("role", sorted(set(ROLES) - {"anonymous"}))
def test_a_post_that_is_not_a_wiki_stays_with_its_author_and_moderators(role):
    member = build_member(role, trust_level=4)
    assert can_edit_post(member, build_post(wiki=False)) is (role in MODERATORS)


@pytest.mark.parametrize(
    ("case", "post_kwargs", "member_kwargs"),
    [
        ("locked", {"locked": True}, {}),
        ("deleted", {"deleted": True}, {}),
        ("held", {"state": "held"}, {}),
        ("hidden", {"state": "hidden"}, {}),
        ("silenced", {}, SILENCED),
        ("suspended", {}, SUSPENDED),
        ("no-conduct", {}, {"conduct": 0}),
    ],
)
@pytest.mark.parametrize("role", sorted(set(ROLES) - {"anonymous"}))
def test_a_wiki_is_not_edited_by_others_where_they_may_not_write(
    role, case, post_kwargs, member_kwargs
):
    member = build_member(role, trust_level=4, **member_kwargs)
    post = build_post(wiki=True, **post_kwargs)
    # Moderators edit whatever is not deleted, as before wikis.
    expected = role in MODERATORS and case != "deleted"
    assert can_edit_post(member, post) is expected
    assert edits_as_wiki(member, post) is False


@pytest.mark.parametrize("role", sorted(set(ROLES) - {"anonymous"}))
def test_the_author_edits_own_wiki_as_the_author_title_included(role):
    member = build_member(role, trust_level=0)
    post = build_post(author_pk=ACTOR_PK, wiki=True)
    assert can_edit_post(member, post) is True
    assert edits_as_wiki(member, post) is False


@pytest.mark.parametrize("wiki", [False, True], ids=["plain", "wiki"])
@pytest.mark.parametrize("own", [False, True], ids=["others", "own"])
@pytest.mark.parametrize("role", ROLES)
def test_the_author_and_moderators_make_a_post_a_wiki_and_back(role, own, wiki):
    post = build_post(author_pk=ACTOR_PK if own else AUTHOR_PK, wiki=wiki)
    member = build_member(role, trust_level=4)
    expected = role in MODERATORS or (own and role != "anonymous")
    assert can_set_wiki(member, post) is expected


@pytest.mark.parametrize(
    ("case", "post_kwargs", "member_kwargs"),
    [
        ("locked", {"locked": True}, {}),
        ("deleted", {"deleted": True}, {}),
        ("silenced", {}, SILENCED),
        ("suspended", {}, SUSPENDED),
        ("no-conduct", {}, {"conduct": 0}),
    ],
)
@pytest.mark.parametrize("role", sorted(set(ROLES) - {"anonymous"}))
def test_the_author_cannot_toggle_the_wiki_where_they_may_not_write(
    role, case, post_kwargs, member_kwargs
):
    member = build_member(role, **member_kwargs)
    post = build_post(author_pk=ACTOR_PK, **post_kwargs)
    expected = role in MODERATORS and case != "deleted"
    assert can_set_wiki(member, post) is expected
