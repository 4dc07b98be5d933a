"""Wrong, missing, empty, huge and garbled input: always a 4xx with the error shape, never a 500.

The test clients here do not re-raise server exceptions, so a crash shows as a 500 status
and the assertions say which input caused it.
"""

import base64
import json

import pytest
from django.conf import settings
from django.test import Client

from hearth.accounts import services as account_services
from hearth.api.tests.conftest import assert_error, bearer, url
from hearth.community import services
from hearth.community.models import Post, Topic

pytestmark = pytest.mark.django_db

ON_SQLITE = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
MISSING_ID = 999_999


@pytest.fixture
def topic(customer, public_space):
    return services.create_topic(
        author=customer, space=public_space, title="A topic to poke at", body="Opening words"
    )


@pytest.fixture
def reply(topic, other_customer):
    return services.create_reply(author=other_customer, topic=topic, body="A reply")


@pytest.fixture
def client(customer):
    """A write token of the topic's author, which may do everything a member may."""
    _, secret = account_services.create_api_token(member=customer, name="Tests", scope="write")
    return Client(raise_request_exception=False, **bearer(secret))


@pytest.fixture
def moderator_client(moderator):
    _, secret = account_services.create_api_token(member=moderator, name="Tests", scope="write")
    return Client(raise_request_exception=False, **bearer(secret))


def send(client, method: str, path: str, payload=None, **extra):
    if payload is None:
        return getattr(client, method)(url(path), **extra)
    return getattr(client, method)(
        url(path), json.dumps(payload), content_type="application/json", **extra
    )


def cursor_of(value) -> str:
    """A cursor in the API's own encoding (URL-safe base64 of JSON, unpadded)."""
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def assert_invalid(response, *where: str) -> dict:
    """A schema validation error (400 "invalid"), naming where in the request it is."""
    body = assert_error(response, 400, "invalid")
    assert isinstance(body["errors"], list) and body["errors"], body
    for error in body["errors"]:
        assert set(error) == {"loc", "msg", "type"}, error
    if where:
        locations = [tuple(error["loc"][: len(where)]) for error in body["errors"]]
        assert where in locations, (where, locations)
    return body


# Request bodies: wrong types and missing fields


TOPIC_SHAPES = [
    pytest.param({"title": 12345, "body": "Fine body"}, "title", id="title-number"),
    pytest.param({"title": ["A list title"], "body": "Fine body"}, "title", id="title-list"),
    pytest.param({"title": {"a": "b"}, "body": "Fine body"}, "title", id="title-object"),
    pytest.param({"title": None, "body": "Fine body"}, "title", id="title-null"),
    pytest.param({"title": True, "body": "Fine body"}, "title", id="title-bool"),
    pytest.param({"title": "A fine title", "body": None}, "body", id="body-null"),
    pytest.param({"title": "A fine title", "body": 42}, "body", id="body-number"),
    pytest.param({"title": "A fine title", "body": ["x"]}, "body", id="body-list"),
    pytest.param({"body": "Fine body"}, "title", id="title-missing"),
    pytest.param({"title": "A fine title"}, "body", id="body-missing"),
    pytest.param({}, "title", id="empty-object"),
    pytest.param(
        {"title": "A fine title", "body": "Fine", "kind": "poll"}, "kind", id="kind-unknown"
    ),
    pytest.param(
        {"title": "A fine title", "body": "Fine", "submit_key": "k" * 65},
        "submit_key",
        id="submit-key-too-long",
    ),
    pytest.param({"title": "t" * 401, "body": "Fine"}, "title", id="title-over-schema-limit"),
    pytest.param({"title": "A fine title", "body": "b" * 100_001}, "body", id="body-over-limit"),
]


@pytest.mark.parametrize(("payload", "field"), TOPIC_SHAPES)
def test_a_topic_of_the_wrong_shape_is_refused(client, public_space, payload, field):
    response = send(client, "post", "/spaces/general/topics", payload)

    assert_invalid(response, "body", "payload", field)
    assert Topic.objects.count() == 0


POST_SHAPES = [
    pytest.param({"body": None}, "body", id="body-null"),
    pytest.param({"body": 7}, "body", id="body-number"),
    pytest.param({"body": {"text": "x"}}, "body", id="body-object"),
    pytest.param({}, "body", id="body-missing"),
    pytest.param({"body": "Fine", "submit_key": 12}, "submit_key", id="submit-key-number"),
    pytest.param({"body": "b" * 100_001}, "body", id="body-over-limit"),
]


@pytest.mark.parametrize(("payload", "field"), POST_SHAPES)
def test_a_reply_of_the_wrong_shape_is_refused(client, topic, payload, field):
    response = send(client, "post", f"/topics/{topic.pk}/posts", payload)

    assert_invalid(response, "body", "payload", field)
    assert Post.objects.count() == 1


EDIT_SHAPES = [
    *POST_SHAPES[:4],
    pytest.param({"body": "Fine", "title": 5}, "title", id="title-number"),
    pytest.param({"body": "Fine", "title": ["x"]}, "title", id="title-list"),
]


@pytest.mark.parametrize(("payload", "field"), EDIT_SHAPES)
def test_an_edit_of_the_wrong_shape_is_refused(client, topic, payload, field):
    post = Post.objects.get(topic=topic)

    response = send(client, "patch", f"/posts/{post.pk}", payload)

    assert_invalid(response, "body", "payload", field)
    post.refresh_from_db()
    assert post.revision_count == 0


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"is_pinned": "maybe"}, "is_pinned"),
        ({"is_pinned": [True]}, "is_pinned"),
        ({"is_locked": {"on": True}}, "is_locked"),
        ({"space": 12}, "space"),
        ({"space": "s" * 81}, "space"),
    ],
)
def test_a_topic_patch_of_the_wrong_shape_is_refused(moderator_client, topic, payload, field):
    response = send(moderator_client, "patch", f"/topics/{topic.pk}", payload)

    assert_invalid(response, "body", "payload", field)
    topic.refresh_from_db()
    assert (topic.is_pinned, topic.is_locked) == (False, False)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        pytest.param({}, "is_wiki", id="missing"),
        pytest.param({"is_wiki": None}, "is_wiki", id="null"),
        pytest.param({"is_wiki": "maybe"}, "is_wiki", id="string"),
        pytest.param({"is_wiki": [True]}, "is_wiki", id="list"),
        pytest.param({"is_wiki": {"on": True}}, "is_wiki", id="object"),
        pytest.param({"is_wiki": 2}, "is_wiki", id="number"),
    ],
)
def test_a_wiki_switch_of_the_wrong_shape_is_refused(client, topic, payload, field):
    post = Post.objects.get(topic=topic)

    response = send(client, "put", f"/posts/{post.pk}/wiki", payload)

    assert_invalid(response, "body", "payload", field)
    post.refresh_from_db()
    assert post.is_wiki is False


@pytest.mark.parametrize(
    "raw", [b"", b"not json", b"[true]", b"true", b'{"is_wiki": tru', "\u00ff".encode()]
)
def test_a_wiki_switch_with_a_garbled_body_is_a_4xx(client, topic, raw):
    post = Post.objects.get(topic=topic)

    response = client.put(url(f"/posts/{post.pk}/wiki"), raw, content_type="application/json")

    assert 400 <= response.status_code < 500, (raw, response.status_code)
    assert_error(response, response.status_code)
    post.refresh_from_db()
    assert post.is_wiki is False


# Empty, short and long text: the services' own codes


@pytest.mark.parametrize(
    ("title", "body", "code", "field"),
    [
        ("", "Fine body", "title_too_short", "title"),
        ("     ", "Fine body", "title_too_short", "title"),
        (" \t\n ", "Fine body", "title_too_short", "title"),
        ("Four", "Fine body", "title_too_short", "title"),
        ("t" * 201, "Fine body", "title_too_long", "title"),
        ("t" * 400, "Fine body", "title_too_long", "title"),
        ("A fine title", "", "body_empty", "body"),
        ("A fine title", "   \n\t  ", "body_empty", "body"),
        ("A fine title", "b" * 50_001, "body_too_long", "body"),
    ],
)
def test_empty_short_and_long_topics_get_the_service_codes(
    client, public_space, title, body, code, field
):
    response = send(client, "post", "/spaces/general/topics", {"title": title, "body": body})

    assert assert_error(response, 400, code)["field"] == field
    assert Topic.objects.count() == 0


def test_a_title_of_200_characters_is_accepted(client, public_space):
    response = send(client, "post", "/spaces/general/topics", {"title": "t" * 200, "body": "ok"})

    assert response.status_code == 201


@pytest.mark.parametrize(
    ("body", "code"), [("", "body_empty"), ("  \n ", "body_empty"), ("b" * 50_001, "body_too_long")]
)
def test_empty_and_long_replies_get_the_service_codes(client, topic, body, code):
    response = send(client, "post", f"/topics/{topic.pk}/posts", {"body": body})

    assert assert_error(response, 400, code)["field"] == "body"
    assert Post.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "code", "field"),
    [
        ({"body": "  "}, "body_empty", "body"),
        ({"body": "Fine", "title": "   "}, "title_too_short", "title"),
        ({"body": "Fine", "title": "t" * 201}, "title_too_long", "title"),
    ],
)
def test_empty_and_long_edits_get_the_service_codes(client, topic, payload, code, field):
    post = Post.objects.get(topic=topic)

    response = send(client, "patch", f"/posts/{post.pk}", payload)

    assert assert_error(response, 400, code)["field"] == field
    topic.refresh_from_db()
    assert topic.title == "A topic to poke at"


# Huge values


def test_a_ten_megabyte_body_is_refused_without_a_server_error(client, public_space):
    payload = {"title": "A fine title", "body": "b" * 10_000_000}

    response = send(client, "post", "/spaces/general/topics", payload)

    assert response.status_code in (400, 413)
    assert Topic.objects.count() == 0


def test_a_ten_megabyte_body_gets_the_error_shape(client, public_space):
    payload = {"title": "A fine title", "body": "b" * 10_000_000}

    response = send(client, "post", "/spaces/general/topics", payload)

    assert_error(response, 413, "too_large")


LIST_PATHS = ["/spaces", "/topics", "/spaces/general/topics", "/topics/{topic}/posts"]


@pytest.mark.parametrize("limit", ["0", "101", "-1", str(10**30), "abc", "", "1e3", "2.5"])
@pytest.mark.parametrize("path", LIST_PATHS)
def test_a_limit_out_of_range_is_refused(client, topic, path, limit):
    response = client.get(url(path.format(topic=topic.pk)), {"limit": limit})

    assert_invalid(response, "query", "limit")


@pytest.mark.parametrize("limit", ["1", "100"])
@pytest.mark.parametrize("path", LIST_PATHS)
def test_the_limits_of_limit_are_accepted(client, topic, path, limit):
    response = client.get(url(path.format(topic=topic.pk)), {"limit": limit})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


ID_CALLS = [
    ("get", "/topics/{id}", None),
    ("patch", "/topics/{id}", {"is_pinned": True}),
    ("get", "/topics/{id}/posts", None),
    ("post", "/topics/{id}/posts", {"body": "A reply"}),
    ("get", "/posts/{id}", None),
    ("patch", "/posts/{id}", {"body": "An edit"}),
    ("delete", "/posts/{id}", None),
    ("put", "/posts/{id}/reactions/like", None),
    ("delete", "/posts/{id}/reactions/like", None),
    ("put", "/posts/{id}/wiki", {"is_wiki": True}),
    ("post", "/notifications/{id}/read", None),
]


@pytest.mark.parametrize("bad_id", ["0", "-1", str(2**63), str(10**30), "abc", "1e3", "\uff11"])
@pytest.mark.parametrize(("method", "path", "payload"), ID_CALLS)
def test_an_id_that_cannot_be_one_is_refused(moderator_client, method, path, payload, bad_id):
    response = send(moderator_client, method, path.format(id=bad_id), payload)

    assert_invalid(response, "path")


@pytest.mark.parametrize("missing_id", [MISSING_ID, 2**63 - 1])
@pytest.mark.parametrize(("method", "path", "payload"), ID_CALLS)
def test_an_unknown_id_is_not_found(moderator_client, reply, method, path, payload, missing_id):
    response = send(moderator_client, method, path.format(id=missing_id), payload)

    assert_error(response, 404, "not_found")


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("get", "/spaces/no-such-space", None),
        ("get", "/spaces/no-such-space/topics", None),
        ("post", "/spaces/no-such-space/topics", {"title": "A fine title", "body": "Fine"}),
        ("get", "/spaces/caf%C3%A9", None),
        ("get", "/members/no-such-member", None),
    ],
)
def test_an_unknown_slug_or_username_is_not_found(client, method, path, payload):
    assert_error(send(client, method, path, payload), 404, "not_found")


@pytest.mark.parametrize(
    "path", ["/spaces/" + "s" * 81, "/spaces/" + "s" * 81 + "/topics", "/members/" + "m" * 151]
)
def test_an_overlong_slug_or_username_is_refused(client, path):
    assert_invalid(client.get(url(path)), "path")


def test_an_overlong_reaction_kind_is_refused(client, reply):
    assert_invalid(client.put(url(f"/posts/{reply.pk}/reactions/{'k' * 17}")), "path", "kind")


# Bodies that are not JSON, or not the JSON asked for


@pytest.mark.parametrize(
    "raw", ['{"title": ', "not json", b"\xff\xfe\x00", "{'title': 'single quotes'}", "[1, 2"]
)
def test_a_body_that_is_not_json_is_refused(client, public_space, raw):
    response = client.post(url("/spaces/general/topics"), raw, content_type="application/json")

    assert_error(response, 400, "bad_request")
    assert Topic.objects.count() == 0


@pytest.mark.parametrize("raw", ["", "null", "[]", '"a string"', "1", "true"])
def test_json_that_is_not_an_object_is_refused(client, public_space, raw):
    response = client.post(url("/spaces/general/topics"), raw, content_type="application/json")

    assert_invalid(response, "body", "payload")
    assert Topic.objects.count() == 0


@pytest.mark.parametrize(
    ("raw", "content_type"),
    [
        ("title=A+fine+title&body=Fine", "application/x-www-form-urlencoded"),
        ("<topic><title>A fine title</title></topic>", "application/xml"),
        (
            '--b\r\nContent-Disposition: form-data; name="title"\r\n\r\nA fine title\r\n--b--\r\n',
            "multipart/form-data; boundary=b",
        ),
    ],
)
def test_a_body_in_another_format_is_refused(client, public_space, raw, content_type):
    response = client.post(url("/spaces/general/topics"), raw, content_type=content_type)

    assert_error(response, 400, "bad_request")
    assert Topic.objects.count() == 0


# Cursors


ACTIVITY_CURSORS = [
    pytest.param("!!!", id="garbage"),
    pytest.param("abc", id="base64-of-bytes"),
    pytest.param("%%%%", id="percent-signs"),
    pytest.param("eyJhIjox", id="truncated-base64"),
    pytest.param(cursor_of({"a": 1}), id="object"),
    pytest.param(cursor_of("2024-01-01"), id="string"),
    pytest.param(cursor_of([]), id="empty-list"),
    pytest.param(cursor_of(["2024-01-01T00:00:00+00:00"]), id="too-short"),
    pytest.param(cursor_of(["2024-01-01T00:00:00+00:00", 1, 2]), id="too-long"),
    pytest.param(cursor_of(["2024-01-01T00:00:00+00:00", -1]), id="negative-id"),
    pytest.param(cursor_of(["2024-01-01T00:00:00+00:00", 2**63]), id="id-past-bigint"),
    pytest.param(cursor_of(["2024-01-01T00:00:00+00:00", 10**30]), id="huge-id"),
    pytest.param(cursor_of(["2024-01-01T00:00:00+00:00", 1.5]), id="fractional-id"),
    pytest.param(cursor_of(["2024-01-01T00:00:00+00:00", True]), id="boolean-id"),
    pytest.param(cursor_of(["2024-01-01T00:00:00+00:00", "7"]), id="string-id"),
    pytest.param(cursor_of(["2024-01-01T00:00:00+00:00", None]), id="null-id"),
    pytest.param(cursor_of(["yesterday", 1]), id="words-for-a-date"),
    pytest.param(cursor_of(["2024-13-45T00:00:00", 1]), id="impossible-date"),
    pytest.param(cursor_of([1700000000, 1]), id="number-for-a-date"),
    pytest.param(cursor_of([None, 1]), id="null-date"),
    pytest.param(cursor_of([[2024, 1, 1], 1]), id="list-for-a-date"),
    pytest.param(cursor_of([1]), id="a-posts-cursor"),
    pytest.param("c" * 201, id="over-200-characters"),
]

POSITION_CURSORS = [
    pytest.param("!!!", id="garbage"),
    pytest.param("abc", id="base64-of-bytes"),
    pytest.param(cursor_of({"position": 1}), id="object"),
    pytest.param(cursor_of(5), id="bare-number"),
    pytest.param(cursor_of([]), id="empty-list"),
    pytest.param(cursor_of([1, 2]), id="too-long"),
    pytest.param(cursor_of([-1]), id="negative"),
    pytest.param(cursor_of([2**63]), id="past-bigint"),
    pytest.param(cursor_of([10**30]), id="huge"),
    pytest.param(cursor_of([1.5]), id="fractional"),
    pytest.param(cursor_of([True]), id="boolean"),
    pytest.param(cursor_of(["3"]), id="string"),
    pytest.param(cursor_of([None]), id="null"),
    pytest.param(cursor_of(["2024-01-01T00:00:00+00:00", 1]), id="a-topics-cursor"),
    pytest.param("c" * 201, id="over-200-characters"),
]

SPACE_CURSORS = ["abc", "-1", "-0x1", "1.5", "1e3", str(10**30), "99", "0x10", "two"]


def _assert_bad_cursor(response, cursor: str):
    if len(cursor) > 200:
        assert_invalid(response, "query", "cursor")
    else:
        assert assert_error(response, 400, "invalid_cursor")["field"] == "cursor"


@pytest.mark.parametrize("cursor", ACTIVITY_CURSORS)
@pytest.mark.parametrize("path", ["/topics", "/spaces/general/topics", "/notifications"])
def test_a_topic_cursor_the_api_never_gave_is_refused(client, topic, path, cursor):
    _assert_bad_cursor(client.get(url(path), {"cursor": cursor}), cursor)


@pytest.mark.parametrize("cursor", POSITION_CURSORS)
def test_a_post_cursor_the_api_never_gave_is_refused(client, reply, cursor):
    response = client.get(url(f"/topics/{reply.topic_id}/posts"), {"cursor": cursor})

    _assert_bad_cursor(response, cursor)


@pytest.mark.parametrize("cursor", SPACE_CURSORS)
def test_a_space_cursor_the_api_never_gave_is_refused(client, public_space, cursor):
    response = client.get(url("/spaces"), {"cursor": cursor})

    assert_error(response, 400, "invalid_cursor")


@pytest.mark.parametrize(
    "moment",
    ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"],
    ids=["year-1", "year-9999"],
)
@pytest.mark.parametrize("path", ["/topics", "/spaces/general/topics", "/notifications"])
def test_a_cursor_at_the_edge_of_the_calendar_is_no_server_error(client, topic, path, moment):
    response = client.get(url(path), {"cursor": cursor_of([moment, 1])})

    assert response.status_code != 500
    if response.status_code != 200:
        assert_error(response, 400, "invalid_cursor")


# Notification preferences


@pytest.fixture
def preferences(client):
    return client.get(url("/notifications/preferences")).json()


@pytest.mark.parametrize(
    "time_zone",
    [
        "Mars/Olympus",
        "",
        "../etc/passwd",
        "/UTC",
        "UTC/",
        "Europe/../UTC",
        "x" * 64,
        "America",  # a folder of the tz database, not a zone
        "Europe",
    ],
)
def test_an_unknown_time_zone_is_refused(client, preferences, time_zone):
    response = send(
        client, "put", "/notifications/preferences", {**preferences, "time_zone": time_zone}
    )

    assert assert_error(response, 400, "invalid")["field"] == "time_zone"


@pytest.mark.parametrize(
    ("start", "end"), [("22:00:00+02:00", "07:00:00+02:00"), ("22:00:00Z", "07:00:00")]
)
def test_quiet_hours_with_a_utc_offset_are_refused(client, preferences, start, end):
    payload = {**preferences, "quiet_hours_start": start, "quiet_hours_end": end}

    response = send(client, "put", "/notifications/preferences", payload)

    assert assert_error(response, 400, "invalid")["field"] in (
        "quiet_hours_start",
        "quiet_hours_end",
    )


def test_quiet_hours_without_an_offset_are_saved(client, preferences):
    payload = {**preferences, "quiet_hours_start": "22:00:00", "quiet_hours_end": "07:00:00"}

    response = send(client, "put", "/notifications/preferences", payload)

    assert response.status_code == 200
    assert (response.json()["quiet_hours_start"], response.json()["quiet_hours_end"]) == (
        "22:00:00",
        "07:00:00",
    )


# Addresses and methods the API does not have


@pytest.mark.parametrize("path", ["/nothing-here", "/spaces/general/nothing", "/topics/1/nothing"])
def test_an_unknown_api_address_gets_the_error_shape(client, path):
    assert_error(client.get(url(path)), 404, "not_found")


@pytest.mark.parametrize(
    ("method", "path"),
    [("delete", "/spaces"), ("post", "/topics"), ("put", "/me"), ("post", "/posts/1")],
)
def test_a_method_the_address_does_not_take_gets_the_error_shape(client, method, path):
    assert_error(send(client, method, path), 405, "method_not_allowed")
