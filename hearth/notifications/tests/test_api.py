"""The notifications API: /api/v1/notifications, mark read, read-all and preferences.

Calls carry a personal API token (`Authorization: Bearer ...`) unless a test is about the
browser session or about calling without credentials.
"""

import pytest
from django.core.cache import cache
from django.test import Client

from hearth.accounts import services as account_services
from hearth.notifications import services
from hearth.notifications.models import Notification, Preferences, Trigger

pytestmark = pytest.mark.django_db

API = "/api/v1/notifications"
PREFERENCES = f"{API}/preferences"
READ_ALL = f"{API}/read-all"
DEFAULTS = {
    "reply": "email",
    "quote": "email",
    "mention": "email",
    "reaction": "in_app",
    "new_topic": "digest",
    "topic_activity": "digest",
    "idea_updates": "email",
    "digest_frequency": "daily",
    "quiet_hours_start": None,
    "quiet_hours_end": None,
    "time_zone": "UTC",
}
CHANGED = {
    "reply": "in_app",
    "quote": "off",
    "mention": "email",
    "reaction": "off",
    "new_topic": "email",
    "topic_activity": "in_app",
    "idea_updates": "digest",
    "digest_frequency": "weekly",
    "quiet_hours_start": "22:00:00",
    "quiet_hours_end": "07:30:00",
    "time_zone": "America/New_York",
}
NOTIFICATION_KEYS = {
    "id",
    "verb",
    "sentence",
    "who",
    "actor_count",
    "title",
    "excerpt",
    "url",
    "created_at",
    "updated_at",
    "read_at",
    "is_unread",
}


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate limits count in the cache: start every test with none spent."""
    cache.clear()
    yield
    cache.clear()


def read_url(notification_id) -> str:
    return f"{API}/{notification_id}/read"


def token_client(member, scope: str = "write") -> Client:
    _, secret = account_services.create_api_token(member=member, name="Tests", scope=scope)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert {"code", "message"} <= set(body), body
    assert isinstance(body["message"], str) and body["message"], body
    if code is not None:
        assert body["code"] == code, body
    return body


def put_json(client, url, data):
    return client.put(url, data, content_type="application/json")


@pytest.fixture
def post(make_topic, customer, public_space):
    return make_topic(author=customer, space=public_space, title="Exporting invoices").posts.get()


@pytest.fixture
def inbox(make_member, customer, post):
    """Five notifications of `customer`, oldest first."""
    made = []
    for n in range(5):
        actor = make_member(username=f"actor{n}", display_name=f"Actor {n}")
        made.append(
            services.notify(
                recipient=customer,
                trigger=Trigger.MENTION if n % 2 else Trigger.REPLY,
                target=post,
                actor=actor,
                title=f"Topic {n}",
                url=post.get_absolute_url(),
                excerpt=f"Excerpt {n}",
            )
        )
    return made


# --- listing -------------------------------------------------------------------------------


def test_list_newest_first_with_the_unread_count(customer, inbox):
    response = token_client(customer, "read").get(API)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"results", "next_cursor", "unread"}
    assert body["unread"] == 5
    assert body["next_cursor"] is None
    assert [n["id"] for n in body["results"]] == [n.pk for n in reversed(inbox)]
    first = body["results"][0]
    assert set(first) == NOTIFICATION_KEYS
    assert first["sentence"] == "Actor 4 replied to Topic 4"
    assert first["who"] == "Actor 4"
    assert first["verb"] == "reply"
    assert first["excerpt"] == "Excerpt 4"
    assert first["url"] == inbox[4].url
    assert first["is_unread"] is True
    assert first["read_at"] is None
    assert body["results"][1]["sentence"] == "Actor 3 mentioned you in Topic 3"


def test_cursor_paging_returns_each_notification_once(customer, inbox):
    client = token_client(customer, "read")
    seen, pages, cursor = [], 0, None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        body = client.get(API, params).json()
        pages += 1
        assert len(body["results"]) <= 2
        assert body["unread"] == 5
        seen += [n["id"] for n in body["results"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
        assert pages < 10, "the cursor never ran out"

    assert pages == 3
    assert seen == [n.pk for n in reversed(inbox)]
    assert len(set(seen)) == 5


def test_paging_is_stable_when_a_notification_arrives_between_pages(customer, inbox, post):
    client = token_client(customer, "read")
    first = client.get(API, {"limit": 2}).json()
    services.notify(
        recipient=customer,
        trigger=Trigger.REPLY,
        target=post,
        actor=None,
        title="Late arrival",
        url=post.get_absolute_url(),
    )
    rest, cursor = [], first["next_cursor"]
    while cursor:
        body = client.get(API, {"limit": 2, "cursor": cursor}).json()
        rest += [n["id"] for n in body["results"]]
        cursor = body["next_cursor"]

    assert [n["id"] for n in first["results"]] + rest == [n.pk for n in reversed(inbox)]


def test_the_list_holds_only_ones_own_notifications(customer, other_customer, inbox):
    body = token_client(other_customer, "read").get(API).json()

    assert body == {"results": [], "next_cursor": None, "unread": 0}


@pytest.mark.parametrize(
    "params",
    [{"cursor": "not-a-cursor"}, {"cursor": "W10"}, {"limit": 0}, {"limit": 101}, {"limit": "x"}],
)
def test_bad_paging_parameters_are_400(customer, inbox, params):
    response = token_client(customer, "read").get(API, params)

    assert_error(response, 400)


def test_the_session_works_too(client_for, customer, inbox):
    response = client_for(customer).get(API)

    assert response.status_code == 200
    assert response.json()["unread"] == 5


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", API),
        ("post", read_url(1)),
        ("post", READ_ALL),
        ("get", PREFERENCES),
        ("put", PREFERENCES),
    ],
)
def test_anonymous_calls_are_401(method, url):
    response = getattr(Client(), method)(url, content_type="application/json")

    assert_error(response, 401, "unauthenticated")


def test_a_wrong_token_is_401(customer):
    response = Client(HTTP_AUTHORIZATION="Bearer hth_000000000000_nope").get(API)

    assert_error(response, 401, "unauthenticated")


# --- marking read --------------------------------------------------------------------------


def test_mark_one_read(customer, inbox):
    client = token_client(customer)
    notification = inbox[2]

    response = client.post(read_url(notification.pk))

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == notification.pk
    assert body["read_at"] is not None
    assert body["is_unread"] is False
    assert Notification.objects.get(pk=notification.pk).read_at is not None
    assert client.get(API).json()["unread"] == 4
    # Again: still read, the count unchanged.
    assert client.post(read_url(notification.pk)).status_code == 200
    assert client.get(API).json()["unread"] == 4


def test_another_members_notification_is_404(customer, other_customer, inbox):
    response = token_client(other_customer).post(read_url(inbox[0].pk))

    assert_error(response, 404, "not_found")
    assert Notification.objects.get(pk=inbox[0].pk).read_at is None


@pytest.mark.parametrize(
    ("notification_id", "statuses"),
    [
        ("0", {400}),
        ("999999", {404}),
        (str(2**63 - 1), {404}),
        (str(2**63), {400, 404}),
        ("99999999999999999999999999", {400, 404}),
        ("-1", {400, 404}),
        ("abc", {400, 404}),
        ("1.5", {400, 404}),
        ("%C2%B2", {400, 404}),
    ],
)
def test_bad_ids_are_400_or_404_never_500(customer, inbox, notification_id, statuses):
    client = token_client(customer)
    client.raise_request_exception = False

    response = client.post(read_url(notification_id))

    assert response.status_code in statuses, (response.status_code, response.content[:300])
    assert_error(response, response.status_code)


def test_read_all(customer, other_customer, inbox, post):
    theirs = services.notify(
        recipient=other_customer,
        trigger=Trigger.REPLY,
        target=post,
        actor=customer,
        title="Not yours",
        url=post.get_absolute_url(),
    )
    client = token_client(customer)
    client.post(read_url(inbox[0].pk))

    response = client.post(READ_ALL)

    assert response.status_code == 200
    assert response.json() == {"marked": 4}
    assert client.get(API).json()["unread"] == 0
    assert not Notification.objects.filter(recipient=customer, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert client.post(READ_ALL).json() == {"marked": 0}


def test_read_all_with_the_session(client_for, customer, inbox):
    response = client_for(customer).post(READ_ALL)

    assert response.status_code == 200
    assert response.json() == {"marked": 5}


def test_a_read_only_token_cannot_change_anything(customer, inbox):
    client = token_client(customer, "read")

    assert client.get(API).status_code == 200
    assert client.get(PREFERENCES).status_code == 200
    assert_error(client.post(read_url(inbox[0].pk)), 403, "token_read_only")
    assert_error(client.post(READ_ALL), 403, "token_read_only")
    assert_error(put_json(client, PREFERENCES, CHANGED), 403, "token_read_only")
    assert not Notification.objects.filter(recipient=customer, read_at__isnull=False).exists()
    assert not Preferences.objects.filter(member=customer).exists()


# --- preferences ---------------------------------------------------------------------------


def test_preferences_start_at_the_defaults(customer):
    response = token_client(customer, "read").get(PREFERENCES)

    assert response.status_code == 200
    assert response.json() == DEFAULTS


def test_preferences_round_trip(customer):
    client = token_client(customer)

    response = put_json(client, PREFERENCES, CHANGED)

    assert response.status_code == 200, response.content
    assert response.json() == CHANGED
    assert client.get(PREFERENCES).json() == CHANGED
    saved = Preferences.objects.get(member=customer)
    assert (saved.reply, saved.quote, saved.time_zone) == ("in_app", "off", "America/New_York")
    # And back, clearing quiet hours.
    cleared = DEFAULTS | {"reply": "off"}
    assert put_json(client, PREFERENCES, cleared).json() == cleared
    assert client.get(PREFERENCES).json() == cleared


def test_a_client_that_leaves_idea_updates_out_keeps_the_members_choice(customer):
    client = token_client(customer)
    put_json(client, PREFERENCES, CHANGED)
    earlier = {key: value for key, value in CHANGED.items() if key != "idea_updates"}

    response = put_json(client, PREFERENCES, earlier | {"reply": "off"})

    assert response.status_code == 200, response.content
    assert response.json() == CHANGED | {"reply": "off"}
    assert Preferences.objects.get(member=customer).idea_updates == "digest"


def test_preferences_set_in_the_api_show_on_the_settings_page(client_for, customer):
    put_json(token_client(customer), PREFERENCES, CHANGED)

    form = client_for(customer).get("/settings/notifications/").context["form"]

    assert form.initial["reply"] == "in_app"
    assert form.initial["time_zone"] == "America/New_York"


@pytest.mark.parametrize(
    "change",
    [
        {"reply": "pigeon"},
        {"reaction": ""},
        {"reply": None},
        {"new_topic": "EMAIL"},
        {"digest_frequency": "hourly"},
        {"quiet_hours_start": "25:00"},
    ],
)
def test_invalid_values_are_400(customer, change):
    response = put_json(token_client(customer), PREFERENCES, CHANGED | change)

    assert_error(response, 400, "invalid")
    assert not Preferences.objects.filter(member=customer).exists()


def test_a_missing_channel_is_400(customer):
    data = {k: v for k, v in CHANGED.items() if k != "mention"}

    assert_error(put_json(token_client(customer), PREFERENCES, data), 400, "invalid")


@pytest.mark.parametrize(
    "time_zone", ["Mars/Olympus_Mons", "Europe", "", "../etc/passwd", "zone.tab", "utc "]
)
def test_an_unknown_time_zone_is_400_with_the_field(customer, time_zone):
    client = token_client(customer)
    client.raise_request_exception = False

    response = put_json(client, PREFERENCES, CHANGED | {"time_zone": time_zone})

    body = assert_error(response, 400, "invalid")
    assert body["field"] == "time_zone"
    assert not Preferences.objects.filter(member=customer).exists()


def test_a_time_zone_too_long_is_400(customer):
    response = put_json(token_client(customer), PREFERENCES, CHANGED | {"time_zone": "x" * 65})

    assert_error(response, 400, "invalid")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quiet_hours_end": None}, "quiet_hours_start"),
        ({"quiet_hours_start": None}, "quiet_hours_start"),
        ({"quiet_hours_end": "22:00:00"}, "quiet_hours_end"),
    ],
)
def test_half_or_empty_quiet_hours_are_400(customer, change, field):
    response = put_json(token_client(customer), PREFERENCES, CHANGED | change)

    body = assert_error(response, 400, "invalid")
    assert body["field"] == field
    assert not Preferences.objects.filter(member=customer).exists()


def test_a_failed_change_keeps_what_was_saved(customer):
    client = token_client(customer)
    put_json(client, PREFERENCES, CHANGED)

    put_json(client, PREFERENCES, CHANGED | {"reply": "off", "time_zone": "Nowhere/Land"})

    assert client.get(PREFERENCES).json() == CHANGED
