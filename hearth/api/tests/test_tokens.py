"""Personal API tokens: scopes, revocation, wrong tokens, what is stored, and the limits."""

import datetime
import hashlib

import pytest
from django.apps import apps
from django.db import connection, models
from django.test import Client
from django.utils import timezone

from hearth.accounts import services as account_services
from hearth.accounts.models import ApiToken
from hearth.api.api import api
from hearth.api.tests.conftest import assert_error, bearer, url
from hearth.community import services
from hearth.community.models import Post, Reaction, Topic
from hearth.core.errors import Conflict, NotFound, ValidationFailed

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic(customer, public_space):
    return services.create_topic(
        author=customer, space=public_space, title="A topic for tokens", body="Opening words"
    )


@pytest.fixture
def reply(topic, other_customer):
    return services.create_reply(author=other_customer, topic=topic, body="A reply")


def issue(member, scope: str = "write", name: str = "Script") -> tuple[ApiToken, str]:
    return account_services.create_api_token(member=member, name=name, scope=scope)


def preferences_payload() -> dict:
    return {
        "reply": "in_app",
        "quote": "in_app",
        "mention": "in_app",
        "reaction": "off",
        "new_topic": "off",
        "topic_activity": "off",
        "digest_frequency": "never",
        "quiet_hours_start": None,
        "quiet_hours_end": None,
        "time_zone": "UTC",
    }


# Every call that changes something, with a payload that would succeed for the customer (as a
# moderator for the topic patch). Kept in step with the API by the test below.
WRITES = {
    ("post", "/api/v1/spaces/{slug}/topics"): (
        "/spaces/general/topics",
        {"title": "New one", "body": "Hi"},
    ),
    ("patch", "/api/v1/topics/{topic_id}"): ("/topics/{topic}", {"is_pinned": True}),
    ("post", "/api/v1/topics/{topic_id}/posts"): ("/topics/{topic}/posts", {"body": "Hi"}),
    ("patch", "/api/v1/posts/{post_id}"): ("/posts/{opening}", {"body": "Edited"}),
    ("delete", "/api/v1/posts/{post_id}"): ("/posts/{opening}", None),
    ("put", "/api/v1/posts/{post_id}/wiki"): ("/posts/{opening}/wiki", {"is_wiki": True}),
    ("put", "/api/v1/posts/{post_id}/reactions/{kind}"): ("/posts/{reply}/reactions/like", None),
    ("delete", "/api/v1/posts/{post_id}/reactions/{kind}"): ("/posts/{reply}/reactions/like", None),
    ("post", "/api/v1/notifications/{notification_id}/read"): ("/notifications/1/read", None),
    ("post", "/api/v1/notifications/read-all"): ("/notifications/read-all", None),
    ("put", "/api/v1/notifications/preferences"): ("/notifications/preferences", "preferences"),
    # A read-only token is refused before the idea (or board) is looked up.
    ("post", "/api/v1/ideas"): (
        "/ideas",
        {"board": "ideas", "title": "New idea", "description": "Hi"},
    ),
    ("put", "/api/v1/ideas/{idea_id}/vote"): ("/ideas/1/vote", None),
    ("delete", "/api/v1/ideas/{idea_id}/vote"): ("/ideas/1/vote", None),
    ("post", "/api/v1/ideas/{idea_id}/status"): ("/ideas/1/status", {"status": "planned"}),
    ("post", "/api/v1/ideas/{idea_id}/merge"): ("/ideas/1/merge", {"into": 2}),
    # Moderation: refused before the post, item, member or decision is looked up.
    ("post", "/api/v1/moderation/flags"): (
        "/moderation/flags",
        {"post_id": 1, "reason": "spam"},
    ),
    ("post", "/api/v1/moderation/queue/{item_id}/actions"): (
        "/moderation/queue/1/actions",
        {"action": "approve", "reason": "Fine."},
    ),
    ("post", "/api/v1/moderation/members/{username}/actions"): (
        "/moderation/members/omar/actions",
        {"action": "warn", "reason": "Careful."},
    ),
    ("post", "/api/v1/moderation/log/{action_id}/undo"): (
        "/moderation/log/1/undo",
        {"reason": "Appeal."},
    ),
}

READS = [
    "/spaces",
    "/spaces/general",
    "/spaces/general/topics",
    "/topics",
    "/topics/{topic}",
    "/topics/{topic}/posts",
    "/posts/{reply}",
    "/me",
    "/members/omar",
    "/notifications",
    "/notifications/preferences",
]


def call(client, method: str, path: str, payload, topic, reply):
    path = path.format(topic=topic.pk, reply=reply.pk, opening=topic.posts.get(position=1).pk)
    if payload == "preferences":
        payload = preferences_payload()
    if payload is None:
        return getattr(client, method)(url(path))
    return getattr(client, method)(url(path), payload, content_type="application/json")


def database_state() -> tuple:
    posts = list(Post.objects.order_by("pk").values_list("pk", "body", "deleted_at"))
    topics = list(Topic.objects.order_by("pk").values_list("pk", "title", "is_pinned"))
    return posts, topics, Reaction.objects.count()


def test_every_write_of_the_api_is_in_the_read_only_list():
    schema = api.get_openapi_schema()
    writes = {
        (method, path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in ("post", "put", "patch", "delete")
    }

    assert writes == set(WRITES)


@pytest.mark.parametrize("path", READS)
def test_a_read_token_reads(customer, topic, reply, path):
    _, secret = issue(customer, scope="read")

    response = Client().get(url(path.format(topic=topic.pk, reply=reply.pk)), **bearer(secret))

    assert response.status_code == 200


@pytest.mark.parametrize(("method", "path", "payload"), [(m, *v) for (m, _), v in WRITES.items()])
def test_a_read_token_may_not_write(customer, topic, reply, method, path, payload):
    _, secret = issue(customer, scope="read")
    before = database_state()

    response = call(Client(**bearer(secret)), method, path, payload, topic, reply)

    assert_error(response, 403, "token_read_only")
    assert database_state() == before


@pytest.mark.parametrize(("method", "path", "payload"), [(m, *v) for (m, _), v in WRITES.items()])
def test_a_read_token_of_a_moderator_may_not_write_either(
    moderator, topic, reply, method, path, payload
):
    _, secret = issue(moderator, scope="read")

    response = call(Client(**bearer(secret)), method, path, payload, topic, reply)

    assert_error(response, 403, "token_read_only")


@pytest.mark.parametrize(
    ("method", "path", "payload", "status"),
    [
        ("post", "/spaces/general/topics", {"title": "New one", "body": "Hi"}, 201),
        ("post", "/topics/{topic}/posts", {"body": "Hi"}, 201),
        ("patch", "/posts/{opening}", {"body": "Edited"}, 200),
        ("put", "/posts/{reply}/reactions/like", None, 200),
        ("delete", "/posts/{reply}/reactions/like", None, 200),
        ("delete", "/posts/{opening}", None, 204),
        ("post", "/notifications/read-all", None, 200),
        ("put", "/notifications/preferences", "preferences", 200),
    ],
)
def test_a_write_token_writes(customer, topic, reply, method, path, payload, status):
    _, secret = issue(customer, scope="write")

    response = call(Client(**bearer(secret)), method, path, payload, topic, reply)

    assert response.status_code == status, response.content


def test_a_write_token_of_a_moderator_pins(moderator, topic):
    _, secret = issue(moderator, scope="write")

    response = Client().patch(
        url(f"/topics/{topic.pk}"),
        {"is_pinned": True},
        content_type="application/json",
        **bearer(secret),
    )

    assert response.status_code == 200
    topic.refresh_from_db()
    assert topic.is_pinned is True


def test_the_token_acts_as_its_member(customer, other_customer, public_space):
    _, secret = issue(other_customer)

    response = Client().post(
        url("/spaces/general/topics"),
        {"title": "Whose topic is it", "body": "Hi"},
        content_type="application/json",
        **bearer(secret),
    )

    assert response.json()["author"]["username"] == "omar"
    assert Topic.objects.get().author == other_customer


@pytest.mark.parametrize("path", ["/spaces", "/topics", "/me"])
def test_a_revoked_token_is_refused(customer, path):
    token, secret = issue(customer)
    assert Client().get(url("/me"), **bearer(secret)).status_code == 200

    account_services.revoke_api_token(actor=customer, token=token)

    assert_error(Client().get(url(path), **bearer(secret)), 401, "unauthenticated")


def test_revoking_leaves_the_members_other_tokens_working(customer):
    first, first_secret = issue(customer, name="First")
    _, second_secret = issue(customer, name="Second")

    account_services.revoke_api_token(actor=customer, token=first)

    assert Client().get(url("/me"), **bearer(first_secret)).status_code == 401
    assert Client().get(url("/me"), **bearer(second_secret)).status_code == 200


def test_only_the_owner_or_a_manager_may_revoke(customer, other_customer, manager):
    token, secret = issue(customer)

    with pytest.raises(NotFound):
        account_services.revoke_api_token(actor=other_customer, token=token)
    token.refresh_from_db()
    assert token.revoked_at is None

    account_services.revoke_api_token(actor=manager, token=token)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client().get(url("/me"), **bearer(secret)).status_code == 401


def test_revoking_twice_keeps_the_first_time(customer):
    token, _ = issue(customer)
    account_services.revoke_api_token(actor=customer, token=token)
    token.refresh_from_db()
    first = token.revoked_at

    account_services.revoke_api_token(actor=customer, token=token)

    token.refresh_from_db()
    assert token.revoked_at == first


def _wrong_headers(secret: str, other_secret: str) -> dict[str, str]:
    prefix, _, rest = secret.removeprefix("hth_").partition("_")
    other_prefix = other_secret.removeprefix("hth_").partition("_")[0]
    return {
        "no hth_ prefix": f"Bearer {prefix}_{rest}",
        "wrong secret": f"Bearer hth_{prefix}_{'x' * len(rest)}",
        "secret of another token": f"Bearer hth_{other_prefix}_{rest}",
        "prefix only": f"Bearer hth_{prefix}",
        "prefix and underscore": f"Bearer hth_{prefix}_",
        "hth_ only": "Bearer hth_",
        "unknown prefix": f"Bearer hth_000000000000_{rest}",
        "secret cut short": f"Bearer hth_{prefix}_{rest[:-1]}",
        "secret with more": f"Bearer hth_{prefix}_{rest}x",
        "empty bearer": "Bearer ",
        "bearer word only": "Bearer",
        "empty header": "",
        "other scheme": f"Token {secret}",
        "basic auth": "Basic Y2FyYTpwYXNzd29yZA==",
        "bare secret": secret,
        "two tokens": f"Bearer {secret} {secret}",
    }


WRONG = list(_wrong_headers("hth_aaaaaaaaaaaa_bbbb", "hth_cccccccccccc_dddd"))


@pytest.mark.parametrize("path", ["/spaces", "/topics", "/spaces/general", "/me"])
@pytest.mark.parametrize("kind", WRONG)
def test_a_wrong_token_is_refused_even_where_visitors_may_read(customer, public_space, kind, path):
    _, secret = issue(customer)
    _, other_secret = issue(customer, name="Other")
    header = _wrong_headers(secret, other_secret)[kind]

    response = Client().get(url(path), HTTP_AUTHORIZATION=header)

    assert_error(response, 401, "unauthenticated")


def test_a_bearer_token_is_case_insensitive_in_its_scheme_only(customer):
    _, secret = issue(customer)

    assert Client().get(url("/me"), HTTP_AUTHORIZATION=f"bearer {secret}").status_code == 200
    assert (
        Client().get(url("/me"), HTTP_AUTHORIZATION=f"Bearer {secret.upper()}").status_code == 401
    )


def test_only_a_hash_of_the_secret_is_stored(customer):
    token, secret = issue(customer)
    prefix, _, raw = secret.removeprefix("hth_").partition("_")

    token.refresh_from_db()
    assert secret.startswith("hth_")
    assert token.prefix == prefix
    assert token.secret_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert len(raw) >= 40


def test_the_secret_is_in_no_database_field(customer, topic):
    token, secret = issue(customer)
    Client().get(url("/me"), **bearer(secret))
    account_services.revoke_api_token(actor=customer, token=token)
    raw = secret.removeprefix("hth_").partition("_")[2]

    text_fields = (models.CharField, models.TextField, models.JSONField)
    tables = set(connection.introspection.table_names())
    checked = 0
    for model in apps.get_models():
        if model._meta.db_table not in tables:
            continue
        names = [f.attname for f in model._meta.concrete_fields if isinstance(f, text_fields)]
        if not names:
            continue
        for row in model._default_manager.values_list(*names):
            for value in row:
                assert raw not in str(value), (model.__name__, names)
                assert secret not in str(value), (model.__name__, names)
        checked += 1
    assert checked > 10


def test_using_a_token_notes_when_once_a_minute(customer):
    token, secret = issue(customer)
    assert token.last_used_at is None

    Client().get(url("/spaces"), **bearer(secret))
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    assert timezone.now() - first < datetime.timedelta(seconds=30)

    Client().get(url("/spaces"), **bearer(secret))
    token.refresh_from_db()
    assert token.last_used_at == first

    long_ago = timezone.now() - datetime.timedelta(minutes=5)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=long_ago)
    Client().get(url("/spaces"), **bearer(secret))
    token.refresh_from_db()
    assert token.last_used_at > long_ago + datetime.timedelta(minutes=4)


def test_a_refused_token_is_not_noted_as_used(customer):
    token, secret = issue(customer)
    prefix = secret.removeprefix("hth_").partition("_")[0]

    Client().get(url("/spaces"), HTTP_AUTHORIZATION=f"Bearer hth_{prefix}_wrong")

    token.refresh_from_db()
    assert token.last_used_at is None


def test_a_deactivated_members_token_is_refused(customer, public_space):
    _, secret = issue(customer)
    customer.is_active = False
    customer.save(update_fields=["is_active"])

    for path in ("/spaces", "/me"):
        assert_error(Client().get(url(path), **bearer(secret)), 401, "unauthenticated")


def test_a_member_may_hold_twenty_active_tokens_and_no_more(customer):
    tokens = [issue(customer, name=f"Token {n}")[0] for n in range(20)]

    with pytest.raises(Conflict) as refused:
        issue(customer, name="One too many")

    assert refused.value.code == "too_many_tokens"
    assert refused.value.status == 409
    assert ApiToken.objects.filter(member=customer).count() == 20

    account_services.revoke_api_token(actor=customer, token=tokens[0])
    _, secret = issue(customer, name="Room again")
    assert Client().get(url("/me"), **bearer(secret)).status_code == 200


def test_the_token_limit_is_per_member(customer, other_customer):
    for n in range(20):
        issue(customer, name=f"Token {n}")

    _, secret = issue(other_customer)

    assert Client().get(url("/me"), **bearer(secret)).json()["username"] == "omar"


@pytest.mark.parametrize(
    ("name", "scope", "field"),
    [
        ("", "read", "name"),
        ("   ", "write", "name"),
        ("n" * 81, "read", "name"),
        ("Ok", "admin", "scope"),
    ],
)
def test_a_token_needs_a_name_and_a_known_scope(customer, name, scope, field):
    with pytest.raises(ValidationFailed) as refused:
        account_services.create_api_token(member=customer, name=name, scope=scope)

    assert refused.value.field == field
    assert ApiToken.objects.count() == 0
