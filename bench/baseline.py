"""Performance baseline: server time of the main pages and API calls at community scale.

    .venv/bin/python bench/baseline.py --db sqlite --db postgres
    .venv/bin/python bench/baseline.py --db postgres --reuse          # rerun, keep the data
    .venv/bin/python bench/baseline.py --topics 2000 --posts 20000    # smoke run

For each database the script runs itself again in a child process with DATABASE_URL (and
the other settings) in the environment, because Django reads its settings once per process.
The child creates a fresh database, migrates it, bulk-seeds it (bench/seed.py), runs
ANALYZE, then times each page with Django's test client in-process and prints its results
as JSON; the parent prints the tables and the verdict against the target. See
bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
VAR_DIR = ROOT / "var" / "bench"
BENCH_DATABASE = "hearth_bench"
DEFAULT_PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
FULL_TOPICS, FULL_POSTS = 100_000, 1_000_000
FULL_REQUESTS, FULL_WARMUP = 300, 20
SMOKE_REQUESTS, SMOKE_WARMUP = 30, 3
# Timed requests are taken in this many interleaved passes over all pages.
ROUNDS = 3
TARGET_P50_MS = 15.0
TARGET_DB = "postgres"
DB_LABELS = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
# Each child gets exactly these settings, whatever the calling shell has.
CLEARED_ENV = ("REDIS_URL", "CACHE_URL", "HEARTH_TASKS_BACKEND", "HEARTH_COLLECTED_STATIC")


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- Parent: one child per database, then the tables. -------------------------------------


def _pg_url(base: str, database: str) -> str:
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, ""))


def _database_name(topics: int, posts: int) -> str:
    """`hearth_bench` at full size; other sizes get their own, so a smoke run never
    drops the full data set that --reuse keeps."""
    if (topics, posts) == (FULL_TOPICS, FULL_POSTS):
        return BENCH_DATABASE
    return f"{BENCH_DATABASE}_{topics}_{posts}"


def _size_suffix(args: argparse.Namespace) -> str:
    """Nothing at full size; `-2000-20000` for others, so smoke results sit beside; `-redis`
    for runs with the cache in Redis."""
    size = (
        ""
        if (args.topics, args.posts) == (FULL_TOPICS, FULL_POSTS)
        else (f"-{args.topics}-{args.posts}")
    )
    return size + ("-redis" if args.redis else "")


def _sqlite_path(args: argparse.Namespace) -> Path:
    return VAR_DIR / f"{_database_name(args.topics, args.posts)}.sqlite3"


def _pg_database_url(args: argparse.Namespace) -> str:
    return _pg_url(args.pg_url, _database_name(args.topics, args.posts))


def _child_env(db: str, args: argparse.Namespace) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED_ENV}
    env.update(
        DJANGO_SETTINGS_MODULE="hearth.settings",
        DATABASE_URL=(
            f"sqlite:///{_sqlite_path(args)}" if db == "sqlite" else _pg_database_url(args)
        ),
        HEARTH_VAR_DIR=str(VAR_DIR),
        HEARTH_DEBUG="0",
        ALLOWED_HOSTS="testserver",
        SECRET_KEY="bench-only-not-a-secret-" + "x" * 40,
        HEARTH_LOG_LEVEL="WARNING",
        # The API throttle stays on (it is real work on every call) but never refuses.
        HEARTH_API_RATE_ANONYMOUS="100000/s",
        HEARTH_API_RATE_MEMBER="100000/s",
        PYTHONHASHSEED="0",
    )
    if args.redis:
        env["REDIS_URL"] = args.redis
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--db", action="append", choices=sorted(DB_LABELS), help="repeat for both (default)"
    )
    parser.add_argument("--topics", type=int, default=FULL_TOPICS)
    parser.add_argument("--posts", type=int, default=FULL_POSTS)
    parser.add_argument(
        "--reuse", action="store_true", help="keep the bench database if it holds this data"
    )
    parser.add_argument(
        "--requests",
        type=int,
        help=f"timed requests per page (default {FULL_REQUESTS}; {SMOKE_REQUESTS} below "
        f"{FULL_TOPICS:,} topics)",
    )
    parser.add_argument(
        "--warmup",
        type=int,
        help=f"untimed requests per page first (default {FULL_WARMUP}; {SMOKE_WARMUP} below "
        f"{FULL_TOPICS:,} topics)",
    )
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="server URL, no database")
    parser.add_argument(
        "--redis",
        metavar="URL",
        help="the cache in Redis at URL, as in production (default: memory in the process); "
        "results go to baseline-<db>-redis.json",
    )
    parser.add_argument("--worker", choices=sorted(DB_LABELS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    # A smoke run checks that everything works; it measures fewer requests to stay quick.
    full = args.topics >= FULL_TOPICS
    if args.requests is None:
        args.requests = FULL_REQUESTS if full else SMOKE_REQUESTS
    if args.warmup is None:
        args.warmup = FULL_WARMUP if full else SMOKE_WARMUP

    if args.worker:
        return _worker(args)

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    reports = []
    for db in args.db or ["sqlite", "postgres"]:
        _log(f"{DB_LABELS[db]}: starting ({args.topics:,} topics, {args.posts:,} posts)")
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--worker",
            db,
            "--topics",
            str(args.topics),
            "--posts",
            str(args.posts),
            "--requests",
            str(args.requests),
            "--warmup",
            str(args.warmup),
            "--pg-url",
            args.pg_url,
        ]
        if args.redis:
            command += ["--redis", args.redis]
        if args.reuse:
            command.append("--reuse")
        child = subprocess.run(
            command, cwd=ROOT, env=_child_env(db, args), stdout=subprocess.PIPE, text=True
        )
        if child.returncode != 0:
            _log(f"{DB_LABELS[db]}: the run failed (exit {child.returncode})")
            return child.returncode
        report = json.loads(child.stdout)
        path = RESULTS_DIR / f"baseline-{db}{_size_suffix(args)}.json"
        path.write_text(json.dumps(report, indent=2) + "\n")
        _log(f"{DB_LABELS[db]}: results in {path.relative_to(ROOT)}")
        reports.append(report)

    for report in reports:
        print(_table(report))
    print(_verdict(reports))
    return 0 if all(r["all_ok"] for r in reports) else 1


def _table(report: dict) -> str:
    seed = report["seed"]
    seeded = (
        f"seeded in {seed['seconds']:.1f} s"
        if seed.get("seconds") is not None
        else "reused existing data"
    )
    load = report["load_average"]
    lines = [
        "",
        f"{report['label']} {report['server_version']} · cache: {report.get('cache', 'memory')}"
        f" · {report['topics']:,} topics, "
        f"{report['posts']:,} posts · {seeded} · migrate {report['migrate_seconds']:.1f} s"
        f" · analyze {report['analyze_seconds']:.1f} s",
        f"{report['requests']} timed requests per row, in {report['rounds']} interleaved rounds, "
        f"after {report['warmup']} warm-up · code {report.get('code', '?')} · "
        f"{report['machine']} · load average "
        f"{load['before'][0]:.2f} before, {load['after'][0]:.2f} after",
        "ms of server time (Django test client, in-process). cpu p50: this process's CPU time;"
        " db p50: time inside the driver's execute()",
        "",
        f"{'page':<11} {'user':<10} {'p50':>7} {'p95':>7} {'p99':>7} {'mean':>7} "
        f"{'cpu p50':>7} {'db p50':>7} {'queries':>7}  {'status':<6} url",
    ]
    for row in report["results"]:
        status = "200" if row["ok"] else f"{row['bad_statuses']}"
        lines.append(
            f"{row['page']:<11} {row['user']:<10} {row['p50']:>7.2f} {row['p95']:>7.2f} "
            f"{row['p99']:>7.2f} {row['mean']:>7.2f} {row['cpu_p50']:>7.2f} "
            f"{row['db_p50']:>7.2f} {row['queries']:>7}  {status:<6} {row['url']}"
        )
    return "\n".join(lines)


def _verdict(reports: list[dict]) -> str:
    target = next((r for r in reports if r["db"] == TARGET_DB), None)
    if target is None:
        return (
            f"\nTarget (p50 < {TARGET_P50_MS:g} ms per page on PostgreSQL): not checked, "
            "PostgreSQL was not run."
        )
    rows = [r for r in target["results"] if r["page"] != "health"]
    misses = [r for r in rows if r["p50"] >= TARGET_P50_MS]
    worst = max(rows, key=lambda r: r["p50"])
    size = f"{target['topics']:,} topics / {target['posts']:,} posts"
    if misses:
        missed = ", ".join(f"{r['page']} ({r['user']}) {r['p50']:.2f} ms" for r in misses)
        return f"\nTARGET MISSED on PostgreSQL at {size}: p50 >= {TARGET_P50_MS:g} ms for {missed}"
    return (
        f"\nTARGET MET on PostgreSQL at {size}: every page p50 < {TARGET_P50_MS:g} ms "
        f"(slowest: {worst['page']} ({worst['user']}) {worst['p50']:.2f} ms)"
    )


# --- Child: one database, one process. ------------------------------------------------------


def _holds_data(db: str, args: argparse.Namespace) -> bool:
    """Whether the existing bench database already holds exactly this seed."""
    query = (
        "SELECT (SELECT count(*) FROM community_topic), (SELECT count(*) FROM community_post),"
        " (SELECT count(*) FROM accounts_member WHERE username = 'bench_customer')"
    )
    try:
        if db == "sqlite":
            if not _sqlite_path(args).exists():
                return False
            with sqlite3.connect(_sqlite_path(args)) as conn:
                row = conn.execute(query).fetchone()
        else:
            import psycopg

            with psycopg.connect(_pg_database_url(args), connect_timeout=5) as conn:
                row = conn.execute(query).fetchone()
    except Exception:  # no database, no tables: nothing to reuse
        return False
    return tuple(row) == (args.topics, args.posts, 1)


def _fresh_database(db: str, args: argparse.Namespace) -> None:
    if db == "sqlite":
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{_sqlite_path(args)}{suffix}").unlink(missing_ok=True)
        return
    import psycopg
    from psycopg import sql

    with psycopg.connect(_pg_url(args.pg_url, "postgres"), autocommit=True) as conn:
        name = sql.Identifier(_database_name(args.topics, args.posts))
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def _worker(args: argparse.Namespace) -> int:
    db = args.worker
    # Stdout carries the JSON report alone: anything else printed goes to stderr.
    report_out, sys.stdout = sys.stdout, sys.stderr
    reuse = args.reuse and _holds_data(db, args)
    if args.reuse and not reuse:
        _log(f"{DB_LABELS[db]}: no bench database with this data to reuse; seeding afresh")
    if not reuse:
        _fresh_database(db, args)

    import django

    django.setup()
    import seed as seeding
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    migrate_seconds = round(time.perf_counter() - started, 2)
    _log(f"{DB_LABELS[db]}: migrated in {migrate_seconds:.1f} s")

    seed_report = {"seconds": None, "reused": reuse}
    if not reuse:
        report = seeding.seed(topics=args.topics, posts=args.posts)
        seed_report = {"reused": False, **report.__dict__}
        _log(f"{DB_LABELS[db]}: seeded in {report.seconds:.1f} s")
    # Always: a rerun after a new index migration needs statistics for it too.
    analyze_seconds = seeding.analyze()
    _log(f"{DB_LABELS[db]}: analyzed in {analyze_seconds:.1f} s")

    load_before = os.getloadavg()
    results, explains = _measure(args, seeding)
    load_after = os.getloadavg()
    explain_path = RESULTS_DIR / f"explain-{db}{_size_suffix(args)}.txt"
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    explain_path.write_text(explains)
    _log(f"{DB_LABELS[db]}: query plans in {explain_path.relative_to(ROOT)}")

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if db == "postgres" else "SELECT sqlite_version()")
        version = cursor.fetchone()[0]
    if db == "postgres":
        version = version.split(" on ")[0].removeprefix("PostgreSQL ")
    report = {
        "db": db,
        "label": DB_LABELS[db],
        "server_version": version,
        "database": _database_name(args.topics, args.posts),
        "topics": args.topics,
        "posts": args.posts,
        "seed": seed_report,
        "migrate_seconds": migrate_seconds,
        "analyze_seconds": analyze_seconds,
        "requests": args.requests,
        "warmup": args.warmup,
        "rounds": max(1, min(ROUNDS, args.requests)),
        "target_p50_ms": TARGET_P50_MS,
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "django": django.get_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "code": _code_version(),
        # Other work on the machine shows up in the timings: note how busy it was.
        "load_average": {
            "before": [round(x, 2) for x in load_before],
            "after": [round(x, 2) for x in load_after],
        },
        "cache": "redis" if args.redis else "memory",
        "all_ok": all(row["ok"] for row in results),
        "results": results,
    }
    print(json.dumps(report), file=report_out)
    return 0


def _code_version() -> str:
    """The commit measured, and whether the working tree had changes on top of it."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return f"{commit} with uncommitted changes" if changed else commit


def _pages(seeding) -> list[tuple[str, str]]:
    from hearth.community.models import Space, Topic

    space = Space.objects.get(slug=seeding.BENCH_SPACE_SLUG)
    topic = Topic.objects.get(title=seeding.LONG_TOPIC_TITLE)
    assert topic.reply_count == seeding.LONG_TOPIC_REPLIES, topic.reply_count
    assert topic.posts.count() == seeding.LONG_TOPIC_REPLIES + 1
    return [
        ("health", "/health/"),
        ("home", "/"),
        ("latest", "/latest/"),
        ("space", space.get_absolute_url()),
        ("topic", topic.get_absolute_url()),
        ("api_topics", "/api/v1/topics"),
        ("api_posts", f"/api/v1/topics/{topic.pk}/posts"),
    ]


def _check_content(page: str, response) -> None:
    """One look at what came back, so a fast error page cannot pass for a fast page."""
    body = response.content
    if page == "topic":
        assert body.count(b'<article class="post') == 20, page
    elif page in ("latest", "home", "space"):
        assert body.count(b'class="topic-row"') == 30, page
    elif page.startswith("api_"):
        assert len(response.json()["results"]) == 30, page


class _DbClock:
    """An execute wrapper adding up the time spent in the database driver's execute().

    It covers sending each query and (on PostgreSQL) receiving its rows; on SQLite rows
    are stepped through later, as Django iterates, so part of the work falls outside.
    """

    total = 0.0

    def __call__(self, execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.total += time.perf_counter() - began


def _measure(args: argparse.Namespace, seeding) -> tuple[list[dict], str]:
    """Time every (user, page) pair, in rounds so that a burst of other load on the machine
    spreads over all pages instead of landing on one."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from hearth.accounts.models import Member

    pages = _pages(seeding)
    db_clock = _DbClock()
    anonymous = Client()
    member = Client()
    # Signed in once; the session (and its cookie) is reused by every request after.
    member.force_login(Member.objects.get(username=seeding.CUSTOMER_USERNAME))
    cases = [
        {
            "page": page,
            "url": url,
            "user": user,
            "client": client,
            "bad": [],
            "timings": [],
            "cpu_times": [],
            "db_times": [],
        }
        for user, client in (("anonymous", anonymous), ("customer", member))
        for page, url in pages
    ]
    explains = []
    # Warm up, then capture one request's queries (untimed) and check what came back.
    for case in cases:
        client, url = case["client"], case["url"]
        for _ in range(args.warmup):
            response = client.get(url)
            if response.status_code != 200:
                case["bad"].append(response.status_code)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        # Read now: `captured_queries` slices the live log, which later requests reset.
        case["sql"] = [q["sql"] for q in captured.captured_queries]
        if response.status_code != 200:
            case["bad"].append(response.status_code)
        else:
            _check_content(case["page"], response)
        explains.append(_explain(case["page"], case["user"], url, case["sql"]))

    rounds = max(1, min(ROUNDS, args.requests))
    for number in range(rounds):
        share = args.requests // rounds + (number < args.requests % rounds)
        for case in cases:
            client, url = case["client"], case["url"]
            for _ in range(share):
                db_clock.total = 0.0
                cpu_began = time.process_time()
                began = time.perf_counter()
                with connection.execute_wrapper(db_clock):
                    response = client.get(url)
                case["timings"].append((time.perf_counter() - began) * 1000.0)
                case["cpu_times"].append((time.process_time() - cpu_began) * 1000.0)
                case["db_times"].append(db_clock.total * 1000.0)
                if response.status_code != 200:
                    case["bad"].append(response.status_code)
        _log(f"round {number + 1}/{rounds} done")

    results = []
    for case in cases:
        timings, bad = case["timings"], case["bad"]
        cuts = statistics.quantiles(timings, n=100, method="inclusive")
        row = {
            "page": case["page"],
            "url": case["url"],
            "user": case["user"],
            "p50": round(cuts[49], 3),
            "p95": round(cuts[94], 3),
            "p99": round(cuts[98], 3),
            "mean": round(statistics.fmean(timings), 3),
            "min": round(min(timings), 3),
            "max": round(max(timings), 3),
            "db_p50": round(statistics.median(case["db_times"]), 3),
            "cpu_p50": round(statistics.median(case["cpu_times"]), 3),
            "queries": len(case["sql"]),
            "sql": case["sql"],
            "ok": not bad,
            "bad_statuses": sorted(set(bad)),
        }
        results.append(row)
        _log(
            f"{row['page']} ({row['user']}): p50 {row['p50']:.2f} ms, p95 {row['p95']:.2f} ms, "
            f"{row['queries']} queries{'' if row['ok'] else f', BAD {bad[:5]}'}"
        )
    return results, "\n".join(explains)


def _explain(page: str, user: str, url: str, statements: list[str]) -> str:
    """The plan of every query one request made (PostgreSQL: EXPLAIN ANALYZE, rolled back)."""
    from django.db import connection, transaction

    out = [f"===== {page} ({user}) {url}: {len(statements)} queries", ""]
    for sql in statements:
        out += ["--- " + sql, ""]
        if sql.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT")):
            continue
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    out += [r[0] for r in cursor.fetchall()]
                else:
                    cursor.execute("EXPLAIN QUERY PLAN " + sql)
                    out += [str(r[-1]) for r in cursor.fetchall()]
                # EXPLAIN ANALYZE runs the statement: undo the view-count UPDATE and friends.
                transaction.set_rollback(True)
        except Exception as error:  # a statement that cannot be explained as logged
            out.append(f"(no plan: {error})")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
