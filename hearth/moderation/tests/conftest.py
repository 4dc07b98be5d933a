"""Fixtures for moderation tests: a thread with a reply to flag, and members of each role."""

import pytest
from django.core.cache import cache

from hearth.accounts.models import Affiliation, Role


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def author(make_member):
    return make_member(username="arlo", display_name="Arlo Author")


@pytest.fixture
def topic(make_topic, author, public_space):
    return make_topic(author=author, space=public_space, title="The new dimmer keeps flickering")


@pytest.fixture
def reply(make_reply, topic, make_member):
    return make_reply(
        topic=topic, author=make_member(username="rita"), body="Try a firmware reset."
    )


@pytest.fixture
def opening(topic):
    return topic.posts.get(position=1)


@pytest.fixture
def expert(make_member):
    return make_member(username="ezra", affiliation=Affiliation.EMPLOYEE, role=Role.EXPERT)


@pytest.fixture
def other_moderator(make_member):
    return make_member(username="moe", role=Role.MODERATOR)


@pytest.fixture
def other_manager(make_member):
    return make_member(username="mona", affiliation=Affiliation.EMPLOYEE, role=Role.MANAGER)


@pytest.fixture
def roles(customer, expert, moderator, manager):
    return {"member": customer, "expert": expert, "moderator": moderator, "manager": manager}
