"""Search benchmark: rebuild time and query time of search at community scale.

    .venv/bin/python bench/search.py                       # both databases, reusing the
                                                           # baseline's 1,000,000-post data
    .venv/bin/python bench/search.py --db postgres --skip-reindex
    .venv/bin/python bench/search.py --topics 10000 --posts 100000   # seeds its own size

It works on the databases bench/baseline.py seeds (at full size var/bench/hearth_bench.sqlite3
and the PostgreSQL database hearth_bench; `hearth_bench_<topics>_<posts>` at other sizes):
a database that holds the seed asked for is reused as it is, one that does not is created
afresh and seeded with bench/seed.py, as the baseline would. Like the baseline,
each database is measured in a child process with its own settings. The child migrates
(the search migration installs the index and fills it the first time), times `hearth
reindex` over every post, then times `selectors.search()` -- the same call the page and the
API make, visibility and the post look-up included -- for a fixed set of queries built from
the words of the seeded posts, as a visitor and as a signed-in customer. Target: p50 under
25 ms on PostgreSQL.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import platform
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

RESULTS_DIR = BENCH_DIR / "results"
TARGET_P50_MS = 25.0
TARGET_DB = "postgres"
QUERIES = 200
SEED = 7


VAR_DIR = ROOT / "var" / "bench"
BENCH_DATABASE = "hearth_bench"
FULL_TOPICS, FULL_POSTS = 100_000, 1_000_000
DEFAULT_PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
LABELS = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
CLEARED_ENV = ("REDIS_URL", "CACHE_URL", "HEARTH_TASKS_BACKEND", "HEARTH_COLLECTED_STATIC")


# The same databases as bench/baseline.py: `hearth_bench` (a PostgreSQL database and
# var/bench/hearth_bench.sqlite3) at full size, `hearth_bench_<topics>_<posts>` otherwise.
def _database_name(args: argparse.Namespace) -> str:
    if (args.topics, args.posts) == (FULL_TOPICS, FULL_POSTS):
        return BENCH_DATABASE
    return f"{BENCH_DATABASE}_{args.topics}_{args.posts}"


def _sqlite_path(args: argparse.Namespace) -> Path:
    return VAR_DIR / f"{_database_name(args)}.sqlite3"


def _pg_url(base: str, database: str) -> str:
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, ""))


def _child_env(db: str, args: argparse.Namespace) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED_ENV}
    env.update(
        DJANGO_SETTINGS_MODULE="hearth.settings",
        DATABASE_URL=(
            f"sqlite:///{_sqlite_path(args)}"
            if db == "sqlite"
            else _pg_url(args.pg_url, _database_name(args))
        ),
        HEARTH_VAR_DIR=str(VAR_DIR),
        HEARTH_DEBUG="0",
        ALLOWED_HOSTS="testserver",
        SECRET_KEY="bench-only-not-a-secret-" + "x" * 40,
        HEARTH_LOG_LEVEL="WARNING",
        PYTHONHASHSEED="0",
    )
    return env


def _holds_data(db: str, args: argparse.Namespace) -> bool:
    """Whether the bench database already holds exactly this seed."""
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

            url = _pg_url(args.pg_url, _database_name(args))
            with psycopg.connect(url, connect_timeout=5) as conn:
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
        name = sql.Identifier(_database_name(args))
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- Parent -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", action="append", choices=sorted(LABELS), help="repeat for both")
    parser.add_argument("--topics", type=int, default=100_000)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=QUERIES)
    parser.add_argument("--rounds", type=int, default=2, help="timed passes over the queries")
    parser.add_argument("--skip-reindex", action="store_true", help="do not time a rebuild")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="server URL, no database")
    parser.add_argument("--worker", choices=sorted(LABELS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return _worker(args)

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    reports = []
    for db in args.db or ["sqlite", "postgres"]:
        _log(f"{LABELS[db]}: starting ({args.topics:,} topics, {args.posts:,} posts)")
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            *("--worker", db, "--topics", str(args.topics), "--posts", str(args.posts)),
            *("--queries", str(args.queries), "--rounds", str(args.rounds)),
            *("--pg-url", args.pg_url),
        ]
        if args.skip_reindex:
            command.append("--skip-reindex")
        child = subprocess.run(
            command,
            cwd=ROOT,
            env=_child_env(db, args),
            stdout=subprocess.PIPE,
            text=True,
            check=False,
        )
        if child.returncode != 0:
            _log(f"{LABELS[db]}: the run failed (exit {child.returncode})")
            return child.returncode
        report = json.loads(child.stdout)
        path = RESULTS_DIR / f"search-{db}.json"
        path.write_text(json.dumps(report, indent=2) + "\n")
        _log(f"{LABELS[db]}: results in {path.relative_to(ROOT)}")
        reports.append(report)

    for report in reports:
        print(_table(report))
    print(_verdict(reports))
    return 0


def _table(report: dict) -> str:
    reindex = report["reindex"]
    lines = [
        "",
        f"{report['label']} {report['server_version']} · {report['topics']:,} topics, "
        f"{report['posts']:,} posts ({report['indexed']:,} live, indexed) · "
        f"{'reused data' if report['reused'] else 'seeded afresh'} ({report['database']}) · "
        f"migrate {report['migrate_seconds']:.1f} s · "
        + (
            f"reindex {reindex['seconds']:.1f} s ({reindex['posts_per_second']:,.0f} posts/s)"
            if reindex
            else "reindex not timed"
        ),
        f"{report['queries']} queries x {report['rounds']} timed passes after one warm-up; "
        f"ms per selectors.search() call; load average {report['load_average']['before'][0]:.2f}"
        f" before, {report['load_average']['after'][0]:.2f} after, on {report['machine']}",
        "",
        f"{'user':<10} {'p50':>7} {'p95':>7} {'p99':>7} {'mean':>7} {'max':>8} "
        f"{'hits':>6} {'queries':>7}",
    ]
    for row in report["results"]:
        lines.append(
            f"{row['user']:<10} {row['p50']:>7.2f} {row['p95']:>7.2f} {row['p99']:>7.2f} "
            f"{row['mean']:>7.2f} {row['max']:>8.2f} {row['with_results']:>5.0%} "
            f"{row['sql_queries']:>7}"
        )
    lines.append("")
    lines.append(
        "slowest queries (customer, ms): "
        + ", ".join(f"{q!r} {ms:.1f}" for q, ms in report["slowest"])
    )
    return "\n".join(lines)


def _verdict(reports: list[dict]) -> str:
    target = next((r for r in reports if r["db"] == TARGET_DB), None)
    if target is None:
        return f"\nTarget (search p50 < {TARGET_P50_MS:g} ms on PostgreSQL): not checked."
    worst = max(target["results"], key=lambda r: r["p50"])
    size = f"{target['posts']:,} posts"
    verdict = "MET" if worst["p50"] < TARGET_P50_MS else "MISSED"
    return (
        f"\nTARGET {verdict} on PostgreSQL at {size}: search p50 {worst['p50']:.2f} ms "
        f"({worst['user']}), target < {TARGET_P50_MS:g} ms"
    )


# --- Child ----------------------------------------------------------------------------------

_STOP = None


def _content_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOP and len(w) > 1]


def build_queries(seeding, count: int, seed: int = SEED) -> list[str]:
    """Queries a member of the seeded community might type: words from its posts and titles.

    A third single words, then pairs and triples of neighbouring words from one sentence or
    title, product names, quoted phrases, and a few misspellings that match nothing.
    """
    rng = random.Random(seed)
    titles = [p.format(p=product) for p in seeding.TITLE_PATTERNS for product in seeding.PRODUCTS]
    texts = [*seeding.SENTENCES, *titles]
    products = [p.removeprefix("the ") for p in seeding.PRODUCTS]
    vocabulary = sorted({w for text in texts for w in _content_words(text)})
    queries = []
    while len(queries) < count:
        kind = rng.random()
        words = _content_words(rng.choice(texts))
        if kind < 0.35 or len(words) < 3:
            query = rng.choice(vocabulary)
        elif kind < 0.65:
            start = rng.randrange(len(words) - 1)
            query = " ".join(words[start : start + 2])
        elif kind < 0.80:
            start = rng.randrange(len(words) - 2)
            query = " ".join(words[start : start + 3])
        elif kind < 0.90:
            query = rng.choice(products)
        elif kind < 0.95:
            # A phrase copied from a post, small words and all.
            text = rng.choice(texts)
            every = re.findall(r"[A-Za-z0-9]+", text)
            start = rng.randrange(max(len(every) - 2, 1))
            query = '"' + " ".join(every[start : start + 3]) + '"'
        else:
            word = rng.choice([w for w in vocabulary if len(w) > 4])
            cut = rng.randrange(1, len(word) - 1)
            query = word[:cut] + word[cut + 1 :] + "x"
        queries.append(query)
    return queries


def _worker(args: argparse.Namespace) -> int:
    global _STOP
    db = args.worker
    reused = _holds_data(db, args)
    if not reused:
        _log(f"{LABELS[db]}: no bench data of this size to reuse; seeding afresh")
        _fresh_database(db, args)

    import django

    django.setup()
    import seed as seeding
    from django.contrib.auth.models import AnonymousUser
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hearth.accounts.models import Member
    from hearth.search import selectors
    from hearth.search.backends import backend_for
    from hearth.search.backends.base import STOP_WORDS

    _STOP = STOP_WORDS
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    migrate_seconds = round(time.perf_counter() - started, 2)
    _log(f"{LABELS[db]}: migrated in {migrate_seconds:.1f} s (index installed if it was not)")
    if not reused:
        started = time.perf_counter()
        seeding.seed(topics=args.topics, posts=args.posts)
        _log(f"{LABELS[db]}: seeded in {time.perf_counter() - started:.1f} s")
    seeding.analyze()

    reindex = None
    if not args.skip_reindex:
        started = time.perf_counter()
        out = io.StringIO()
        call_command("reindex", restart=True, stdout=out)
        seconds = time.perf_counter() - started
        print(out.getvalue(), file=sys.stderr, end="")
        reindex = {"seconds": round(seconds, 1), "posts_per_second": args.posts / seconds}
        _log(f"{LABELS[db]}: reindexed in {seconds:.1f} s")
        seeding.analyze()
    indexed = backend_for().indexed_count()

    queries = build_queries(seeding, args.queries)
    customer = Member.objects.get(username=seeding.CUSTOMER_USERNAME)
    load_before = os.getloadavg()
    results = []
    slowest: list[tuple[str, float]] = []
    for user, member in (("anonymous", AnonymousUser()), ("customer", customer)):
        for query in queries:  # warm-up
            selectors.search(member, query)
        with CaptureQueriesContext(connection) as captured:
            selectors.search(member, queries[0])
        timings = []
        per_query: dict[str, list[float]] = {}
        found = 0
        for _ in range(args.rounds):
            for query in queries:
                began = time.perf_counter()
                page = selectors.search(member, query)
                elapsed = (time.perf_counter() - began) * 1000.0
                timings.append(elapsed)
                per_query.setdefault(query, []).append(elapsed)
                found += bool(page.results)
        cuts = statistics.quantiles(timings, n=100, method="inclusive")
        row = {
            "user": user,
            "p50": round(cuts[49], 3),
            "p95": round(cuts[94], 3),
            "p99": round(cuts[98], 3),
            "mean": round(statistics.fmean(timings), 3),
            "max": round(max(timings), 3),
            "with_results": found / len(timings),
            "sql_queries": len(captured),
        }
        results.append(row)
        _log(
            f"{LABELS[db]} ({user}): p50 {row['p50']:.2f} ms, p95 {row['p95']:.2f} ms, "
            f"{row['with_results']:.0%} with results"
        )
        if user == "customer":
            medians = {q: statistics.median(t) for q, t in per_query.items()}
            slowest = sorted(medians.items(), key=lambda item: -item[1])[:5]
    load_after = os.getloadavg()

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if db == "postgres" else "SELECT sqlite_version()")
        version = cursor.fetchone()[0]
    if db == "postgres":
        version = version.split(" on ")[0].removeprefix("PostgreSQL ")
    report = {
        "db": db,
        "label": LABELS[db],
        "server_version": version,
        "topics": args.topics,
        "posts": args.posts,
        "indexed": indexed,
        "reused": reused,
        "database": _sqlite_path(args).name if db == "sqlite" else _database_name(args),
        "migrate_seconds": migrate_seconds,
        "reindex": reindex,
        "queries": len(queries),
        "rounds": args.rounds,
        "sample_queries": queries[:20],
        "target_p50_ms": TARGET_P50_MS,
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "django": django.get_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "load_average": {
            "before": [round(x, 2) for x in load_before],
            "after": [round(x, 2) for x in load_after],
        },
        "results": results,
        "slowest": [[q, round(ms, 2)] for q, ms in slowest],
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
