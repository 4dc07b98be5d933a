"""Property-based tests of every operation in the OpenAPI document, in-process.

Schemathesis reads /api/v1/openapi.json from the WSGI application and generates requests for
each operation, sent with a write token of a member who may post in a public space that has
a topic and replies. Most generated ids and slugs name nothing (a 404), which is fine: the
point is that no input makes the server fail.
"""

import os
from pathlib import Path

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from hypothesis.configuration import set_hypothesis_home_dir
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from hearth.accounts import services as account_services
from hearth.api.api import api
from hearth.community import services
from hearth.wsgi import application

# Hypothesis keeps a cache even without its example database: keep it in the run's own
# temporary folder (tests/environment.py), not in the checkout.
if var_dir := os.environ.get("HEARTH_VAR_DIR"):
    set_hypothesis_home_dir(Path(var_dir) / "hypothesis")

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

EXAMPLES_PER_OPERATION = 25
ERROR_STATUSES = {"400", "401", "403", "404", "409", "413", "429"}


@pytest.fixture
def in_test_transaction():
    """Serve requests inside the test's transaction, as django.test.Client does.

    Django closes stale database connections when a request starts and finishes; a request
    sent straight to the WSGI application would close the test's connection mid-test.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def writer_token(db, in_test_transaction, customer, other_customer, public_space, monkeypatch):
    """A write token of a member who may post where a topic with replies is."""
    topic = services.create_topic(
        author=other_customer, space=public_space, title="A topic to fuzz", body="Opening"
    )
    for n in range(3):
        services.create_reply(author=customer, topic=topic, body=f"Reply {n}")
        services.create_reply(author=other_customer, topic=topic, body=f"Answer {n}")
    # Generated calls come fast; the rate limits are tested elsewhere.
    for throttle in api.throttle:
        monkeypatch.setattr(throttle, "num_requests", 1_000_000)
    _, secret = account_services.create_api_token(member=customer, name="Fuzzing", scope="write")
    return secret


fuzz_settings = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],
)
CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]


@schema.parametrize()
@fuzz_settings
def test_no_input_makes_the_server_fail(case, writer_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {writer_token}"}, checks=CHECKS)


def test_the_document_lists_every_operation():
    operations = {op.ok().label for op in schema.get_all_operations()}

    assert len(operations) >= 16
    assert "PUT /api/v1/notifications/preferences" in operations


@pytest.mark.parametrize(
    ("method", "path"),
    [
        (method, path)
        for path, operations in api.get_openapi_schema()["paths"].items()
        for method in operations
    ],
)
def test_each_operation_documents_its_error_answers(method, path):
    documented = {
        str(code) for code in api.get_openapi_schema()["paths"][path][method]["responses"]
    }

    assert documented & ERROR_STATUSES
