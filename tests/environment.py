"""Prepares the process environment for a test run, before Django's settings are imported.

Loaded as a pytest plugin with ``-p tests.environment`` (see ``addopts`` in pyproject.toml), so
it runs before pytest-django imports ``hearth.settings``; a conftest.py would be too late.

- ``HEARTH_TEST_DATABASE_URL`` picks the test database server (Django's test runner creates
  ``test_<name>`` on it); without it the tests run on SQLite in memory, whatever
  ``DATABASE_URL`` the shell has, so a test run never touches a real database.
- Tasks run immediately, in the test, instead of waiting for a worker.
- ``HEARTH_VAR_DIR`` is a fresh temporary folder per process (each xdist worker too), removed
  at exit, so tests never write into ./var.
"""

import atexit
import os
import shutil
import tempfile

# Settings that would point a test run at real services or real files.
_CLEARED = (
    "DATABASE_URL",
    "CACHE_URL",
    "HEARTH_STATIC_ROOT",
    "HEARTH_MEDIA_ROOT",
    "HEARTH_COLLECTED_STATIC",
    "HEARTH_SSL_REDIRECT",
    # The semantic ranker's tests turn it on themselves, with the packaged model.
    "HEARTH_SEMANTIC_MODEL_PATH",
    "HEARTH_SEMANTIC_MODEL_NAME",
)


def prepare() -> None:
    for name in _CLEARED:
        os.environ.pop(name, None)
    if url := os.environ.get("HEARTH_TEST_DATABASE_URL"):
        os.environ["DATABASE_URL"] = url
    # No persistent connections: live-server threads must not hold the test database open.
    os.environ["HEARTH_CONN_MAX_AGE"] = "0"
    os.environ["HEARTH_TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    var_dir = tempfile.mkdtemp(prefix="hearth-test-var-")
    atexit.register(shutil.rmtree, var_dir, ignore_errors=True)
    os.environ["HEARTH_VAR_DIR"] = var_dir


prepare()


def pytest_report_header(config):
    url = os.environ.get("DATABASE_URL")
    where = url.rsplit("@", 1)[-1] if url else "SQLite in memory"
    return [f"hearth test database: {where} (HEARTH_TEST_DATABASE_URL)"]
