"""Factories for tests and benchmarks: they create data through the services, as members do."""

import itertools

from hearth.accounts import services as account_services
from hearth.accounts.models import GRANTED_AFFILIATIONS, Affiliation, Member, Role
from hearth.community import services as community_services
from hearth.community.models import Space, Topic

PASSWORD = "correct-horse-battery-staple"
_counter = itertools.count(1)


def ensure_code_of_conduct() -> None:
    if account_services.current_code_of_conduct() is None:
        account_services.publish_code_of_conduct(
            actor=None, body="Be kind. No personal attacks. Assume good faith."
        )


def make_member(
    *,
    username: str | None = None,
    affiliation: str = Affiliation.CUSTOMER,
    role: str = Role.MEMBER,
    display_name: str = "",
    **extra,
) -> Member:
    ensure_code_of_conduct()
    number = next(_counter)
    username = username or f"member{number}"
    return account_services.create_member(
        username=username,
        email=f"{username}@example.com",
        password=PASSWORD,
        display_name=display_name,
        affiliation=affiliation,
        role=role,
        accepted_conduct=True,
        affiliation_verified=affiliation in GRANTED_AFFILIATIONS,
        **extra,
    )


def make_space(
    *,
    name: str | None = None,
    visibility: str = Space.Visibility.PUBLIC,
    allowed_affiliations: list[str] | None = None,
    topic_starters: str = Space.TopicStarters.MEMBERS,
    **extra,
) -> Space:
    name = name or f"Space {next(_counter)}"
    return community_services.create_space(
        actor=None,
        name=name,
        visibility=visibility,
        allowed_affiliations=allowed_affiliations,
        topic_starters=topic_starters,
        **extra,
    )


def make_topic(
    *,
    author: Member | None = None,
    space: Space | None = None,
    title: str | None = None,
    body: str = "Here is what I would like to talk about.",
    kind: str = Topic.Kind.DISCUSSION,
) -> Topic:
    author = author or make_member()
    space = space or make_space()
    title = title or f"A topic worth discussing {next(_counter)}"
    return community_services.create_topic(
        author=author, space=space, title=title, body=body, kind=kind
    )


def make_reply(*, topic: Topic, author: Member | None = None, body: str = "Thanks, that helps."):
    author = author or make_member()
    return community_services.create_reply(author=author, topic=topic, body=body)
