"""Every decision against every role: who may moderate, and whom."""

import pytest

from hearth.core.errors import NotAllowed
from hearth.moderation import services
from hearth.moderation.models import ModerationAction

POST_ACTIONS = ["approve", "hide", "edit", "move", "delete"]
MEMBER_ACTIONS = ["warn", "silence", "suspend", "ban"]


def _do_post_action(kind, actor, post, space):
    reason = "Because."
    if kind == "approve":
        return services.approve_post(actor=actor, post=post, reason=reason)
    if kind == "hide":
        return services.hide_post(actor=actor, post=post, reason=reason)
    if kind == "edit":
        return services.edit_post(actor=actor, post=post, body="New words.", reason=reason)
    if kind == "move":
        return services.move_topic(actor=actor, post=post, space=space, reason=reason)
    return services.delete_post(actor=actor, post=post, reason=reason)


def _do_member_action(kind, actor, member):
    return services.act_on_member(
        actor=actor, member=member, action=kind, reason="Because.", days=2
    )


@pytest.mark.parametrize("kind", POST_ACTIONS)
@pytest.mark.parametrize(
    ("role", "allowed"),
    [("member", False), ("expert", False), ("moderator", True), ("manager", True)],
)
def test_only_moderators_and_managers_act_on_posts(roles, reply, make_space, kind, role, allowed):
    actor = roles[role]
    space = make_space(name="Elsewhere")

    if allowed:
        action = _do_post_action(kind, actor, reply, space)
        assert action.kind == kind and action.actor == actor
    else:
        with pytest.raises(NotAllowed):
            _do_post_action(kind, actor, reply, space)
        assert not ModerationAction.objects.exists()


@pytest.mark.parametrize("kind", POST_ACTIONS)
def test_a_moderator_cannot_act_on_a_community_managers_post(
    moderator, other_manager, manager, make_topic, public_space, make_space, kind
):
    post = make_topic(author=other_manager, space=public_space).posts.get()
    space = make_space(name="Elsewhere")

    with pytest.raises(NotAllowed) as error:
        _do_post_action(kind, moderator, post, space)
    assert error.value.code == "outranked"
    # Another community manager may.
    assert _do_post_action(kind, manager, post, space).kind == kind


# (actor, target) -> allowed, for warn, silence, suspend and ban alike.
MEMBER_MATRIX = [
    ("member", "customer", False),
    ("expert", "customer", False),
    ("moderator", "customer", True),
    ("moderator", "expert", True),
    ("moderator", "other_moderator", False),
    ("moderator", "manager", False),
    ("moderator", "self", False),
    ("manager", "customer", True),
    ("manager", "expert", True),
    ("manager", "other_moderator", True),
    ("manager", "other_manager", False),
    ("manager", "self", False),
]


@pytest.mark.parametrize("kind", MEMBER_ACTIONS)
@pytest.mark.parametrize(("actor_role", "target_name", "allowed"), MEMBER_MATRIX)
def test_who_may_warn_silence_suspend_and_ban_whom(
    request,
    roles,
    other_customer,
    other_moderator,
    other_manager,
    kind,
    actor_role,
    target_name,
    allowed,
):
    actor = roles[actor_role]
    targets = {
        "customer": other_customer,
        "expert": roles["expert"],
        "other_moderator": other_moderator,
        "other_manager": other_manager,
        "manager": roles["manager"],
        "self": actor,
    }
    target = targets[target_name]

    if allowed:
        assert _do_member_action(kind, actor, target).kind == kind
    else:
        with pytest.raises(NotAllowed):
            _do_member_action(kind, actor, target)
        target.refresh_from_db()
        assert not target.is_suspended and not target.is_silenced


@pytest.mark.parametrize("role", ["member", "expert"])
def test_members_cannot_undo_or_set_trust(roles, moderator, customer, other_customer, role):
    action = services.silence_member(actor=moderator, member=other_customer, days=1, reason="x")

    with pytest.raises(NotAllowed):
        services.undo_action(actor=roles[role], action=action, reason="no")
    with pytest.raises(NotAllowed):
        services.set_trust_level(
            actor=roles[role], member=other_customer, level=3, locked=True, reason="no"
        )


def test_a_suspended_moderator_cannot_moderate(moderator, reply):
    services.suspend_member(
        actor=services.Member.objects.create_superuser("boss", "b@example.com", "pw-1234-xyz"),
        member=moderator,
        days=1,
        reason="Abuse of tools.",
    )
    moderator.refresh_from_db()

    with pytest.raises(NotAllowed):
        services.hide_post(actor=moderator, post=reply, reason="x")
