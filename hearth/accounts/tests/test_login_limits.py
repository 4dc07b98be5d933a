"""Rate limits on logging in and signing up: per address, per account with a lock-out."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from hearth.core import ratelimit
from hearth.testing import PASSWORD


@pytest.fixture(autouse=True)
def limits_on(settings):
    settings.HEARTH_RATE_LIMITS_ENABLED = True
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        now = 1_800_000_000.0

    frozen = Clock()
    monkeypatch.setattr(ratelimit, "now", lambda: frozen.now)
    return frozen


def _log_in(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_six_log_ins_a_minute_from_one_address(customer, clock):
    client = Client(REMOTE_ADDR="198.51.100.7")
    statuses = [_log_in(client, f"nobody{n}", "wrong").status_code for n in range(6)]

    limited = _log_in(client, "cara", PASSWORD)

    assert statuses == [200] * 6
    assert limited.status_code == 429
    assert "Try again in 60 seconds" in limited.content.decode()
    assert "_auth_user_id" not in client.session
    clock.now += 60
    assert _log_in(client, "cara", PASSWORD).status_code == 302


def test_another_address_is_not_held_back(customer, clock):
    busy = Client(REMOTE_ADDR="198.51.100.7")
    for number in range(6):
        _log_in(busy, f"nobody{number}", "wrong")

    assert _log_in(Client(REMOTE_ADDR="198.51.100.8"), "cara", PASSWORD).status_code == 302


def test_an_account_locks_after_repeated_wrong_passwords(customer, clock, settings):
    settings.HEARTH_RATE_LOGIN_FAILURES = "3/15min"
    for number in range(3):
        client = Client(REMOTE_ADDR=f"203.0.113.{number}")
        assert _log_in(client, "Cara", "wrong-password").status_code == 200

    locked = _log_in(Client(REMOTE_ADDR="203.0.113.99"), "cara", PASSWORD)

    assert locked.status_code == 429
    assert "locked after too many wrong passwords" in locked.content.decode()
    assert "Try again in 900 seconds" in locked.content.decode()
    clock.now += 900
    assert _log_in(Client(REMOTE_ADDR="203.0.113.99"), "cara", PASSWORD).status_code == 302


def test_a_right_password_clears_the_failures(customer, clock, settings):
    settings.HEARTH_RATE_LOGIN_FAILURES = "3/15min"
    client = Client(REMOTE_ADDR="203.0.113.1")
    _log_in(client, "cara", "wrong")
    _log_in(client, "cara", "wrong")
    assert _log_in(client, "cara", PASSWORD).status_code == 302
    client.logout()

    _log_in(client, "cara", "wrong")
    _log_in(client, "cara", "wrong")
    assert _log_in(client, "cara", PASSWORD).status_code == 302


def test_sign_ups_are_limited_per_address(db, clock, settings):
    settings.HEARTH_RATE_SIGNUP_IP = "2/h"
    from hearth import testing

    testing.ensure_code_of_conduct()

    def sign_up(name):
        client = Client(REMOTE_ADDR="192.0.2.10")
        return client.post(
            reverse("accounts:signup"),
            {
                "username": name,
                "email": f"{name}@example.com",
                "password": PASSWORD,
                "affiliation": "customer",
                "accept_conduct": "on",
            },
        )

    assert sign_up("first").status_code == 302
    assert sign_up("second").status_code == 302
    third = sign_up("third")

    assert third.status_code == 429
    assert "Try again in 3600 seconds" in third.content.decode()
    clock.now += 3600
    assert sign_up("third").status_code == 302
