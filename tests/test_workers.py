"""`hearth worker` runs queued tasks, with the database backend and with RQ on Redis."""

import socket
import subprocess
import sys
from pathlib import Path

import pytest

HEARTH = str(Path(sys.executable).with_name("hearth"))


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    import os

    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HEARTH_", "DJANGO_")) and k not in ("DATABASE_URL", "CACHE_URL")
    }
    env.update(HEARTH_VAR_DIR=str(tmp_path / "var"), **extra)
    return env


def _run(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run([HEARTH, *args], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


ENQUEUE = "from hearth.notifications.tasks import queue_digests; print(queue_digests.enqueue().id)"
STATUS = (
    "from hearth.notifications.tasks import queue_digests; "
    "print(queue_digests.get_result('{id}').status)"
)


def _redis_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def test_the_database_worker_runs_a_queued_task(tmp_path):
    env = _env(tmp_path)
    _run(["migrate", "-v0"], env)
    task_id = _run(["shell", "-c", ENQUEUE], env).strip().splitlines()[-1]
    assert "READY" in _run(["shell", "-c", STATUS.format(id=task_id)], env)

    _run(["worker", "--batch"], env)

    assert "SUCCESSFUL" in _run(["shell", "-c", STATUS.format(id=task_id)], env)


@pytest.mark.skipif(not _redis_available(), reason="Redis is not running on 127.0.0.1:6379")
def test_the_rq_worker_runs_a_task_queued_in_redis(tmp_path):
    env = _env(tmp_path, HEARTH_TASKS_BACKEND="rq", REDIS_URL="redis://127.0.0.1:6379/14")
    _run(["migrate", "-v0"], env)
    task_id = _run(["shell", "-c", ENQUEUE], env).strip().splitlines()[-1]

    _run(["worker", "--burst"], env)

    assert "SUCCESSFUL" in _run(["shell", "-c", STATUS.format(id=task_id)], env)
