"""Import speed: the Beer Stack Exchange dump shipped for the demo, on SQLite and PostgreSQL.

    .venv/bin/python bench/import_speed.py                    # both databases, 3 runs each
    .venv/bin/python bench/import_speed.py --db sqlite --runs 1
    .venv/bin/python bench/import_speed.py --dump /path/to/other.stackexchange.com

For each database the script runs itself again in a child process with DATABASE_URL set
(Django reads its settings once per process). Each run starts from a fresh database (a new
SQLite file under var/bench/, or PostgreSQL's `hearth_bench_import` dropped and created),
migrates it (not timed), imports the dump (timed: reading, converting and writing
everything, in one transaction), then imports it again (timed: the idempotent re-run, which
reads everything and writes nothing). Speed is XML rows read per second of wall time. The
parent prints one table; --json saves the numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
VAR_DIR = ROOT / "var" / "bench"
SQLITE_PATH = VAR_DIR / "hearth_bench_import.sqlite3"
PG_DATABASE = "hearth_bench_import"
DEFAULT_PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
DEFAULT_DUMP = ROOT / "hearth" / "demo" / "data" / "beer.stackexchange.com"
DB_LABELS = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
CLEARED_ENV = ("REDIS_URL", "CACHE_URL", "HEARTH_TASKS_BACKEND", "HEARTH_COLLECTED_STATIC")


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _pg_url(base: str, database: str) -> str:
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, ""))


def _child_env(db: str, pg_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED_ENV}
    env.update(
        DJANGO_SETTINGS_MODULE="hearth.settings",
        DATABASE_URL=(
            f"sqlite:///{SQLITE_PATH}" if db == "sqlite" else _pg_url(pg_url, PG_DATABASE)
        ),
        HEARTH_VAR_DIR=str(VAR_DIR),
        HEARTH_DEBUG="0",
        SECRET_KEY="bench-only-not-a-secret-" + "x" * 40,
        HEARTH_LOG_LEVEL="WARNING",
        PYTHONHASHSEED="0",
    )
    return env


# --- Parent ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--db", action="append", choices=sorted(DB_LABELS), help="repeat for both (default)"
    )
    parser.add_argument("--runs", type=int, default=3, help="fresh imports per database")
    parser.add_argument("--dump", default=str(DEFAULT_DUMP), help="the dump to import")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="server URL, no database")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--worker", choices=sorted(DB_LABELS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return _worker(args)

    reports = []
    for db in args.db or ["sqlite", "postgres"]:
        _log(f"{DB_LABELS[db]}: {args.runs} run(s) of {args.dump}")
        command = [
            sys.executable, str(Path(__file__).resolve()), "--worker", db,
            "--runs", str(args.runs), "--dump", args.dump, "--pg-url", args.pg_url,
        ]  # fmt: skip
        child = subprocess.run(
            command, cwd=ROOT, env=_child_env(db, args.pg_url), stdout=subprocess.PIPE, text=True
        )
        if child.returncode != 0:
            _log(f"{DB_LABELS[db]}: the run failed (exit {child.returncode})")
            return child.returncode
        reports.append(json.loads(child.stdout))
    print(_table(reports))
    if args.json:
        Path(args.json).write_text(json.dumps(reports, indent=2) + "\n")
    return 0


def _table(reports: list[dict]) -> str:
    first = reports[0]
    lines = [
        "",
        f"Import speed · {first['dump']} · {first['rows']:,} XML rows · {first['machine']} · "
        f"Python {first['python']}, Django {first['django']}",
        "median of the runs (min-max); rows/s = XML rows read / wall seconds; cpu s = the"
        " importing process's CPU time (the database server's is not in it)",
        "",
        f"{'database':<22} {'runs':>4} {'first import s':>16} {'rows/s':>8} {'cpu s':>6} "
        f"{'of which read s':>15} {'re-run s':>14} {'rows/s':>8} {'cpu s':>6} {'load':>5}",
    ]
    for report in reports:
        first_s = [run["first_seconds"] for run in report["runs"]]
        parse_s = [run["first_parse_seconds"] for run in report["runs"]]
        again_s = [run["again_seconds"] for run in report["runs"]]
        first_cpu = statistics.median(run["first_cpu_seconds"] for run in report["runs"])
        again_cpu = statistics.median(run["again_cpu_seconds"] for run in report["runs"])
        load = statistics.median(run["load_average"] for run in report["runs"])
        lines.append(
            f"{report['label'] + ' ' + report['server_version']:<22} {len(first_s):>4} "
            f"{_spread(first_s):>16} {report['rows'] / statistics.median(first_s):>8,.0f} "
            f"{first_cpu:>6.2f} {statistics.median(parse_s):>15.2f} {_spread(again_s):>14} "
            f"{report['rows'] / statistics.median(again_s):>8,.0f} {again_cpu:>6.2f} {load:>5.2f}"
        )
    counts = first["runs"][0]["counts"]
    lines += [
        "",
        f"{os.cpu_count()} CPUs; load: the 1-minute load average before each run (other work on"
        " the machine slows the wall times).",
        "Imported: " + ", ".join(f"{n:,} {kind}" for kind, n in counts.items()),
    ]
    return "\n".join(lines)


def _spread(values: list[float]) -> str:
    median = statistics.median(values)
    if len(values) == 1:
        return f"{median:.2f}"
    return f"{median:.2f} ({min(values):.1f}-{max(values):.1f})"


# --- Child: one database, one process --------------------------------------------------------


def _fresh_database(db: str, pg_url: str) -> None:
    from django.db import connections

    connections.close_all()
    if db == "sqlite":
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        return
    import psycopg
    from psycopg import sql

    with psycopg.connect(_pg_url(pg_url, "postgres"), autocommit=True) as conn:
        name = sql.Identifier(PG_DATABASE)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def _worker(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from hearth.integrations.importers.stackexchange import import_stackexchange

    db = args.worker
    runs = []
    for number in range(1, args.runs + 1):
        _fresh_database(db, args.pg_url)
        call_command("migrate", interactive=False, verbosity=0)
        load = os.getloadavg()[0]
        cpu = time.process_time()
        first = import_stackexchange(args.dump)
        first_cpu = time.process_time() - cpu
        cpu = time.process_time()
        again = import_stackexchange(args.dump)
        again_cpu = time.process_time() - cpu
        assert again.counts == first.counts, "the second import counted differently"
        assert not sum(again.created.values()), "the second import created rows"
        runs.append(
            {
                "first_seconds": round(first.seconds, 3),
                "first_parse_seconds": round(first.parse_seconds, 3),
                "again_seconds": round(again.seconds, 3),
                # This process's CPU time: steadier than wall time on a busy machine.
                "first_cpu_seconds": round(first_cpu, 3),
                "again_cpu_seconds": round(again_cpu, 3),
                "load_average": round(load, 2),
                "counts": dict(first.counts),
                "skipped": dict(first.skipped),
            }
        )
        _log(
            f"{DB_LABELS[db]}: run {number}: {first.seconds:.2f} s "
            f"({first.rows_per_second:,.0f} rows/s), again {again.seconds:.2f} s"
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if db == "postgres" else "SELECT sqlite_version()")
        version = cursor.fetchone()[0]
    if db == "postgres":
        version = version.split(" on ")[0].removeprefix("PostgreSQL ").split(" ")[0]
    report = {
        "db": db,
        "label": DB_LABELS[db],
        "server_version": version,
        "dump": Path(args.dump).name,
        "rows": first.rows_read,
        "runs": runs,
        "python": platform.python_version(),
        "django": django.get_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
