"""Pytest fixtures shared by every test: members of each kind, spaces of each visibility."""

import pytest
from django.test import Client

from hearth import testing
from hearth.accounts.models import Affiliation, Role
from hearth.community.models import Space


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # Argon2 is the production hasher (see test_settings); tests need speed, not strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    # Primary keys come round again once a test's transaction is rolled back (on SQLite), so
    # anything a test left in the cache under an id could meet another test's row.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _no_post_checks_or_rate_limits(settings):
    # Tests post many times a second as brand-new members; moderation's tests turn the
    # checks and limits back on (the `moderation_checks` fixture).
    settings.HEARTH_POST_CHECKS = []
    settings.HEARTH_RATE_LIMITS_ENABLED = False


@pytest.fixture
def moderation_checks(settings):
    """Screening and rate limits as in production, with an empty rate-limit cache."""
    from django.core.cache import cache

    settings.HEARTH_POST_CHECKS = [
        "hearth.moderation.checks.posting_limits",
        "hearth.moderation.checks.screening",
    ]
    settings.HEARTH_RATE_LIMITS_ENABLED = True
    cache.clear()
    yield settings
    cache.clear()


@pytest.fixture
def make_member(db):
    return testing.make_member


@pytest.fixture
def make_space(db):
    return testing.make_space


@pytest.fixture
def make_topic(db):
    return testing.make_topic


@pytest.fixture
def make_reply(db):
    return testing.make_reply


@pytest.fixture
def customer(db):
    return testing.make_member(username="cara", display_name="Cara Customer")


@pytest.fixture
def other_customer(db):
    return testing.make_member(username="omar", display_name="Omar Other")


@pytest.fixture
def partner(db):
    return testing.make_member(username="pat", affiliation=Affiliation.PARTNER)


@pytest.fixture
def employee(db):
    return testing.make_member(username="emma", affiliation=Affiliation.EMPLOYEE, role=Role.EXPERT)


@pytest.fixture
def moderator(db):
    return testing.make_member(username="mo", role=Role.MODERATOR)


@pytest.fixture
def manager(db):
    return testing.make_member(username="maya", affiliation=Affiliation.EMPLOYEE, role=Role.MANAGER)


@pytest.fixture
def public_space(db):
    return testing.make_space(name="General")


@pytest.fixture
def members_space(db):
    return testing.make_space(name="Members lounge", visibility=Space.Visibility.MEMBERS)


@pytest.fixture
def partner_space(db):
    return testing.make_space(
        name="Partner lounge",
        visibility=Space.Visibility.AFFILIATIONS,
        allowed_affiliations=[Affiliation.PARTNER, Affiliation.EMPLOYEE],
    )


@pytest.fixture
def employee_space(db):
    return testing.make_space(
        name="Team room",
        visibility=Space.Visibility.AFFILIATIONS,
        allowed_affiliations=[Affiliation.EMPLOYEE],
    )


@pytest.fixture
def client_for():
    """A test client logged in as the given member."""

    def build(member) -> Client:
        client = Client()
        if member is not None:
            client.force_login(member)
        return client

    return build
