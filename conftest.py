"""Root of every test run: checks that tests/environment.py ran before Django's settings."""

import os
import sys

import pytest

pytest_plugins = ["hearth.pytest_fixtures"]

_HOW = "pyproject.toml [tool.pytest.ini_options]: pythonpath ['.'], addopts '-p tests.environment'"


def pytest_configure(config):
    if "tests.environment" in sys.modules:
        return
    # Not loaded as a plugin: Django's settings were read from the shell's environment, so a
    # requested test database server never took effect. Running on SQLite instead would pass
    # silently, hence the error.
    if os.environ.get("HEARTH_TEST_DATABASE_URL"):
        raise pytest.UsageError(
            "HEARTH_TEST_DATABASE_URL is set but tests/environment.py did not run before "
            f"Django's settings were imported ({_HOW})."
        )
    config.issue_config_time_warning(
        pytest.PytestConfigWarning(
            "tests/environment.py did not run before Django's settings were imported: this "
            f"run uses the shell's environment and may write into ./var ({_HOW})."
        ),
        stacklevel=2,
    )
