"""The moderation API: flag (members), queue and decisions (moderators), log (staff)."""

import pytest
from django.test import Client

from hearth.accounts import services as account_services
from hearth.community.models import Post, State
from hearth.moderation import services
from hearth.moderation.models import Flag, ReviewItem

API = "/api/v1/moderation"


def _client(member, scope="write") -> Client:
    _, secret = account_services.create_api_token(member=member, name="Tests", scope=scope)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _error(response, status, code=None):
    assert response.status_code == status, response.content[:400]
    body = response.json()
    assert set(body) >= {"code", "message"}
    if code:
        assert body["code"] == code, body
    return body


def test_a_member_flags_a_post(customer, reply):
    response = _client(customer).post(
        f"{API}/flags",
        {"post_id": reply.pk, "reason": "spam", "note": "Ads"},
        content_type="application/json",
    )

    assert response.status_code == 201
    assert response.json()["reason"] == "spam"
    assert response.json()["member"]["username"] == reply.author.username
    assert Flag.objects.get().flagger == customer


def test_a_member_flags_a_member(customer, author):
    response = _client(customer).post(
        f"{API}/flags",
        {"username": "arlo", "reason": "harassment"},
        content_type="application/json",
    )

    assert response.status_code == 201
    assert response.json()["post_id"] is None


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"reason": "spam"}, 400, "flag_target"),
        ({"post_id": 1, "username": "arlo", "reason": "spam"}, 400, "flag_target"),
        ({"post_id": 999999, "reason": "spam"}, 404, "not_found"),
        ({"username": "nobody-here", "reason": "spam"}, 404, "not_found"),
        ({"post_id": 1, "reason": "rude"}, 400, "invalid"),
        ({"post_id": -4, "reason": "spam"}, 400, "invalid"),
        ({"post_id": 1, "reason": "other"}, 400, "note_required"),
        ({"post_id": 1, "reason": "spam", "note": "x" * 2001}, 400, "invalid"),
    ],
)
def test_bad_flags_are_clear_4xx_errors(customer, author, reply, payload, status, code):
    if payload.get("post_id") == 1:
        payload["post_id"] = reply.pk
    response = _client(customer).post(f"{API}/flags", payload, content_type="application/json")

    _error(response, status, code)


def test_flagging_twice_is_a_409(customer, reply):
    client = _client(customer)
    payload = {"post_id": reply.pk, "reason": "spam"}
    client.post(f"{API}/flags", payload, content_type="application/json")

    _error(
        client.post(f"{API}/flags", payload, content_type="application/json"),
        409,
        "already_flagged",
    )


def test_flags_over_the_limit_answer_429_with_retry_after(customer, make_topic, settings):
    settings.HEARTH_RATE_LIMITS_ENABLED = True
    settings.HEARTH_RATE_FLAG = "1/day"
    first, second = (make_topic().posts.get() for _ in range(2))
    client = _client(customer)
    client.post(
        f"{API}/flags", {"post_id": first.pk, "reason": "spam"}, content_type="application/json"
    )

    response = client.post(
        f"{API}/flags", {"post_id": second.pk, "reason": "spam"}, content_type="application/json"
    )

    body = _error(response, 429, "rate_limited")
    assert body["message"].endswith("Try again in 86400 seconds.")
    assert response["Retry-After"] == "86400"


def test_a_read_token_cannot_flag(customer, reply):
    response = _client(customer, scope="read").post(
        f"{API}/flags", {"post_id": reply.pk, "reason": "spam"}, content_type="application/json"
    )

    _error(response, 403, "token_read_only")


@pytest.mark.parametrize(
    ("role", "status"), [("member", 403), ("expert", 403), ("moderator", 200), ("manager", 200)]
)
def test_only_moderators_read_the_queue(roles, customer, other_customer, reply, role, status):
    services.flag_post(flagger=other_customer, post=reply, reason="spam", note="ads")

    response = _client(roles[role]).get(f"{API}/queue")

    assert response.status_code == status
    if status == 200:
        item = response.json()["results"][0]
        assert item["post"]["id"] == reply.pk
        assert item["flags"][0]["reason"] == "spam"
        assert item["flag_count"] == 1


def test_the_queue_pages_with_cursors(moderator, make_member, make_topic):
    for _ in range(3):
        services.flag_post(flagger=make_member(), post=make_topic().posts.get(), reason="spam")
    client = _client(moderator)

    first = client.get(f"{API}/queue?limit=2").json()
    second = client.get(f"{API}/queue?limit=2&cursor={first['next_cursor']}").json()

    assert len(first["results"]) == 2 and len(second["results"]) == 1
    assert second["next_cursor"] is None
    _error(client.get(f"{API}/queue?cursor=garbage"), 400, "invalid_cursor")
    _error(client.get(f"{API}/queue?show=everything"), 400, "invalid_filter")


def test_a_moderator_hides_a_post_through_the_api(moderator, other_customer, reply):
    services.flag_post(flagger=other_customer, post=reply, reason="personal_attack")
    item = ReviewItem.objects.get()

    response = _client(moderator).post(
        f"{API}/queue/{item.pk}/actions",
        {"action": "hide", "reason": "Attacks a member."},
        content_type="application/json",
    )

    assert response.status_code == 201
    assert response.json()["kind"] == "hide"
    assert Post.objects.get(pk=reply.pk).state == State.HIDDEN


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"action": "hide"}, 400, "invalid"),
        ({"action": "hide", "reason": ""}, 400, "reason_required"),
        ({"action": "explode", "reason": "x"}, 400, "invalid"),
        ({"action": "silence", "reason": "x"}, 400, "invalid_days"),
        ({"action": "silence", "reason": "x", "days": 0}, 400, "invalid"),
        ({"action": "move", "reason": "x"}, 400, "space_required"),
        ({"action": "move", "reason": "x", "space": "nowhere"}, 404, "not_found"),
        ({"action": "edit", "reason": "x"}, 400, "body_required"),
    ],
)
def test_bad_decisions_are_clear_4xx_errors(
    moderator, other_customer, reply, payload, status, code
):
    services.flag_post(flagger=other_customer, post=reply, reason="spam")
    item = ReviewItem.objects.get()

    response = _client(moderator).post(
        f"{API}/queue/{item.pk}/actions", payload, content_type="application/json"
    )

    _error(response, status, code)
    assert ReviewItem.objects.get().is_pending


def test_a_member_cannot_decide_through_the_api(customer, other_customer, reply):
    services.flag_post(flagger=other_customer, post=reply, reason="spam")
    item = ReviewItem.objects.get()

    response = _client(customer).post(
        f"{API}/queue/{item.pk}/actions",
        {"action": "approve", "reason": "x"},
        content_type="application/json",
    )

    _error(response, 403, "staff_only")


def test_unknown_items_are_404(moderator):
    response = _client(moderator).post(
        f"{API}/queue/424242/actions",
        {"action": "approve", "reason": "x"},
        content_type="application/json",
    )

    _error(response, 404, "not_found")


@pytest.mark.parametrize(
    ("actor_role", "target", "status"),
    [
        ("moderator", "customer", 201),
        ("moderator", "manager", 403),
        ("manager", "moderator", 201),
        ("member", "customer", 403),
    ],
)
def test_member_decisions_follow_rank(roles, other_customer, actor_role, target, status):
    username = other_customer.username if target == "customer" else roles[target].username

    response = _client(roles[actor_role]).post(
        f"{API}/members/{username}/actions",
        {"action": "suspend", "reason": "x", "days": 1},
        content_type="application/json",
    )

    assert response.status_code == status, response.content


def test_undo_through_the_api(moderator, customer):
    action = services.silence_member(actor=moderator, member=customer, days=2, reason="x")
    client = _client(moderator)

    response = client.post(
        f"{API}/log/{action.pk}/undo", {"reason": "Appeal."}, content_type="application/json"
    )

    assert response.status_code == 201
    assert response.json()["reverts_id"] == action.pk
    _error(
        client.post(
            f"{API}/log/{action.pk}/undo", {"reason": "Again."}, content_type="application/json"
        ),
        409,
        "already_undone",
    )


@pytest.mark.parametrize(
    ("role", "status"), [("member", 403), ("expert", 403), ("moderator", 200), ("manager", 200)]
)
def test_only_staff_read_the_log(roles, other_customer, moderator, role, status):
    services.warn_member(actor=moderator, member=other_customer, reason="Be kind.")

    response = _client(roles[role]).get(f"{API}/log")

    assert response.status_code == status
    if status == 200:
        assert response.json()["results"][0]["reason"] == "Be kind."


def test_the_log_filters_by_kind_and_refuses_unknown_kinds(moderator, customer):
    services.warn_member(actor=moderator, member=customer, reason="Be kind.")
    client = _client(moderator)

    assert client.get(f"{API}/log?kind=ban").json()["results"] == []
    _error(client.get(f"{API}/log?kind=nonsense"), 400, "invalid_kind")


def test_visitors_get_401(reply):
    _error(Client().get(f"{API}/queue"), 401, "unauthenticated")
    _error(
        Client().post(
            f"{API}/flags", {"post_id": reply.pk, "reason": "spam"}, content_type="application/json"
        ),
        401,
        "unauthenticated",
    )


def test_api_calls_over_the_limit_say_when_to_try_again(customer, monkeypatch):
    from hearth.api.api import api

    for throttle in api.throttle:
        monkeypatch.setattr(throttle, "num_requests", 1)
    client = _client(customer)
    client.get("/api/v1/spaces")

    response = client.get("/api/v1/spaces")

    body = _error(response, 429, "rate_limited")
    assert body["message"] == f"Try again in {response['Retry-After']} seconds."
