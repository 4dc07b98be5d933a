"""Production settings: Argon2 passwords, SQLite in WAL mode, DEBUG off unless asked for."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper

from hearth import settings as hearth_settings
from hearth import testing
from hearth.accounts.models import Member

ARGON2 = "django.contrib.auth.hashers.Argon2PasswordHasher"
REPOSITORY = Path(__file__).resolve().parents[3]


def test_argon2_is_the_first_password_hasher():
    # The module constant: the test fixtures swap the live setting for a fast hasher.
    assert hearth_settings.PASSWORD_HASHERS[0] == ARGON2


def test_a_new_members_password_is_hashed_with_argon2(db, settings):
    settings.PASSWORD_HASHERS = hearth_settings.PASSWORD_HASHERS
    member = testing.make_member(username="argon")
    member.refresh_from_db()
    assert member.password.startswith("argon2$argon2id$")
    assert member.check_password(testing.PASSWORD)


def test_an_older_hash_is_upgraded_to_argon2_on_log_in(db, settings, client):
    settings.PASSWORD_HASHERS = hearth_settings.PASSWORD_HASHERS
    member = testing.make_member(username="legacy")
    # A hash from before Argon2, as an imported account would have.
    Member.objects.filter(pk=member.pk).update(
        password=make_password(testing.PASSWORD, hasher="pbkdf2_sha256")
    )
    assert client.login(username="legacy", password=testing.PASSWORD)
    member.refresh_from_db()
    assert member.password.startswith("argon2$")


def sqlite_only():
    if hearth_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("the tests run on a database server, not SQLite")


def test_sqlite_databases_are_opened_in_wal_mode():
    sqlite_only()
    options = hearth_settings.DATABASES["default"]["OPTIONS"]
    assert "PRAGMA journal_mode=WAL;" in options["init_command"]
    assert "PRAGMA foreign_keys=ON;" in options["init_command"]
    assert options["transaction_mode"] == "IMMEDIATE"


def test_a_sqlite_file_opened_with_the_settings_uses_wal(db, tmp_path):
    sqlite_only()
    wrapper = SQLiteWrapper(
        {**connection.settings_dict, "NAME": str(tmp_path / "check.sqlite3")}, alias="wal_check"
    )
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA foreign_keys")
            assert cursor.fetchone()[0] == 1
    finally:
        wrapper.close()


def read_setting(name: str, tmp_path: Path, **environ: str) -> str:
    """A setting as a fresh process sees it with nothing but `environ` set."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("HEARTH_", "DJANGO_")) and key not in ("SECRET_KEY", "DATABASE_URL")
    }
    env |= {"HEARTH_VAR_DIR": str(tmp_path), "PYTHONPATH": str(REPOSITORY)} | environ
    result = subprocess.run(
        [sys.executable, "-c", f"import hearth.settings as s; print(repr(s.{name}))"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout.strip()


def test_debug_defaults_to_false(tmp_path):
    assert read_setting("DEBUG", tmp_path) == "False"


def test_debug_is_on_only_when_asked_for(tmp_path):
    assert read_setting("DEBUG", tmp_path, HEARTH_DEBUG="1") == "True"


def test_the_default_database_is_sqlite_in_wal_mode_under_the_var_folder(tmp_path):
    engine = read_setting('DATABASES["default"]["ENGINE"]', tmp_path)
    name = read_setting('DATABASES["default"]["NAME"]', tmp_path)
    command = read_setting('DATABASES["default"]["OPTIONS"]["init_command"]', tmp_path)
    assert engine == "'django.db.backends.sqlite3'"
    assert name == repr(str(tmp_path.resolve() / "hearth.sqlite3"))
    assert "PRAGMA journal_mode=WAL;" in command
