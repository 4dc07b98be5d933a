"""Fixtures and small helpers for the API tests.

Every test starts with an empty cache, so rate-limit counters from one test never reach the
next. Token calls go through `token_client` (or `bearer`), session calls through
`client_for` from hearth/pytest_fixtures.py.
"""

import pytest
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.test import Client

from hearth.accounts import services as account_services

API = "/api/v1"
ERROR_KEYS = {"code", "message", "errors", "field"}


def url(path: str) -> str:
    """The full address of an API path such as "/spaces"."""
    return f"{API}{path}"


def bearer(secret: str) -> dict[str, str]:
    """Test-client keyword arguments that send `secret` as the API token."""
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def ts(value) -> str | None:
    """A datetime as the API writes it (ISO 8601, milliseconds, "Z" for UTC)."""
    return None if value is None else DjangoJSONEncoder().default(value)


def member_ref(member) -> dict:
    """A member as the API shows them next to what they wrote."""
    return {
        "username": member.username,
        "display_name": member.display_name,
        "affiliation": member.affiliation,
        "role": member.role,
    }


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The response is an API error: the status and a JSON body {"code", "message", ...}."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert isinstance(body, dict), body
    assert {"code", "message"} <= set(body), body
    assert set(body) <= ERROR_KEYS, body
    assert isinstance(body["code"], str) and body["code"], body
    assert isinstance(body["message"], str) and body["message"], body
    if code is not None:
        assert body["code"] == code, body
    return body


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate limits count in the cache: start every test with none spent."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def token_client(db):
    """Build a test client that sends a new API token of `member` with every request."""

    def build(member, scope: str = "write", **client_kwargs) -> Client:
        _, secret = account_services.create_api_token(member=member, name="Tests", scope=scope)
        return Client(**client_kwargs, **bearer(secret))

    return build
