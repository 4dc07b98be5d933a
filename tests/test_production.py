"""Hearth as an operator runs it: gunicorn, PostgreSQL, collected static files, Redis."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from hearth import testing

HEARTH = str(Path(sys.executable).with_name("hearth"))
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
PRODUCTION_ENV = {
    "SECRET_KEY": "production-test-key-" + "x" * 40,
    "ALLOWED_HOSTS": "community.example.com,127.0.0.1",
    "CSRF_TRUSTED_ORIGINS": "https://community.example.com",
    "HEARTH_SECURE_COOKIES": "true",
    "HEARTH_SSL_REDIRECT": "true",
    "HEARTH_HSTS_SECONDS": "31536000",
    "HEARTH_HSTS_INCLUDE_SUBDOMAINS": "true",
    "HEARTH_HSTS_PRELOAD": "true",
    "HEARTH_BEHIND_PROXY": "true",
    "HEARTH_COLLECTED_STATIC": "true",
}


def _base_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("HEARTH_", "DJANGO_")) and key not in ("DATABASE_URL", "CACHE_URL")
    }
    env.update(
        HEARTH_VAR_DIR=str(tmp_path / "var"),
        HEARTH_STATIC_ROOT=str(tmp_path / "static"),
        HEARTH_MEDIA_ROOT=str(tmp_path / "media"),
    )
    env.update(extra)
    return env


def _database_url() -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{user}{password}@{host}/{db['NAME']}"


def _redis_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, timeout: float = 5) -> tuple[int, dict, str]:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, dict(response.headers), response.read().decode()


def test_deploy_checks_are_clean_with_the_documented_production_settings(tmp_path):
    env = _base_env(tmp_path, **PRODUCTION_ENV, DATABASE_URL="postgres://hearth@db.invalid/hearth")

    result = subprocess.run(
        [HEARTH, "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.skipif(not _redis_available(), reason="Redis is not running on 127.0.0.1:6379")
def test_redis_url_puts_the_cache_in_redis(tmp_path):
    script = (
        "from django.core.cache import cache; from django.conf import settings; "
        "cache.set('hearth-production-test', 'kept', 30); "
        "print(settings.CACHES['default']['BACKEND'], cache.get('hearth-production-test'))"
    )
    env = _base_env(tmp_path, REDIS_URL="redis://127.0.0.1:6379/15")

    result = subprocess.run(
        [HEARTH, "shell", "-c", script], env=env, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stderr
    assert "django.core.cache.backends.redis.RedisCache kept" in result.stdout


@pytest.mark.django_db(transaction=True)
def test_gunicorn_serves_pages_api_and_static_files_from_postgresql(tmp_path, public_space):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set HEARTH_TEST_DATABASE_URL")
    topic = testing.make_topic(space=public_space, title="Served by gunicorn from PostgreSQL")
    extra = {"REDIS_URL": "redis://127.0.0.1:6379/15"} if _redis_available() else {}
    env = _base_env(
        tmp_path,
        DATABASE_URL=_database_url(),
        SECRET_KEY="production-test-key-" + "y" * 40,
        ALLOWED_HOSTS="127.0.0.1",
        HEARTH_COLLECTED_STATIC="true",
        HEARTH_CONN_MAX_AGE="0",
        **extra,
    )
    collected = subprocess.run(
        [HEARTH, "collectstatic", "--noinput", "-v0"], env=env, capture_output=True, text=True
    )
    assert collected.returncode == 0, collected.stderr
    port = _free_port()
    server = subprocess.Popen(
        [GUNICORN, "hearth.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if _get(f"{base}/health/", timeout=1)[0] == 200:
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)

        status, _, home = _get(f"{base}/")
        assert status == 200
        assert "Served by gunicorn from PostgreSQL" in home

        stylesheet = re.search(r'href="(/static/hearth/css/hearth\.[0-9a-f]{12}\.css)"', home)
        assert stylesheet, "the page links the hashed, collected stylesheet"
        status, headers, _ = _get(f"{base}{stylesheet[1]}")
        assert status == 200
        assert "immutable" in headers.get("Cache-Control", "")

        status, _, topic_page = _get(f"{base}{topic.get_absolute_url()}")
        assert status == 200
        assert "Here is what I would like to talk about." in topic_page

        status, _, api = _get(f"{base}/api/v1/topics")
        assert status == 200
        assert f'"id": {topic.pk}' in api
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert "Booting worker" in output
