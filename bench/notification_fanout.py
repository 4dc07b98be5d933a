"""Notification fan-out: telling the 10,000 watchers of a space about a new topic.

    .venv/bin/python bench/notification_fanout.py --db sqlite --db postgres
    .venv/bin/python bench/notification_fanout.py --db postgres --watchers 10000
    .venv/bin/python bench/notification_fanout.py --watchers 500 --repeats 3     # smoke run

The bar: "notifying the 10,000 watchers of a space about a new topic is one background task
that bulk-inserts and does not slow the posting request". For each database the script runs
itself again in a child process with DATABASE_URL set (a fresh `hearth_bench_notify`
database on PostgreSQL, a SQLite file in a temporary folder), migrates, bulk-creates the
watchers (members with unusable passwords, each watching one public space), and then:

1. Posting, with the DummyBackend as the task backend so the request only enqueues: times
   `create_topic` through the service and through the web view (test client POST to
   /s/<slug>/new/ as a signed-in author), in the watched space and, for comparison, in a
   space nobody watches; counts the queries and the tasks each post enqueued.
2. The fan-out task itself, `notify_about_post.call(post_id)`: time, notifications created
   (expected: the watchers less the author), and its queries (bulk INSERTs counted apart).
   Variant "defaults": new topics go to the digest, so no e-mail is queued. Variant
   "email-10pct": every tenth watcher chose e-mail for new topics; the e-mail tasks the
   fan-out queued are then run (`send_notification_emails`, locmem e-mail backend) and timed.

Prints a table per database and writes bench/results/notification-fanout-<db>.json (with a
suffix for other sizes). See bench/NOTIFICATIONS.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
DATABASE = "hearth_bench_notify"
DEFAULT_PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
DB_LABELS = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
FULL_WATCHERS = 10_000
DEFAULT_REPEATS = 15
DEFAULT_FANOUT_RUNS = 3
EMAIL_SHARE = 10  # every tenth watcher wants new topics by e-mail in the second variant
# "Does not slow the posting request": the median post in the watched space takes no more
# than this much longer than in a space nobody watches (ratio, plus an allowance in ms for
# the noise of a few-millisecond request).
SLOWDOWN_RATIO = 1.25
SLOWDOWN_ALLOWANCE_MS = 2.0
TABLE = re.compile(r'(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', re.IGNORECASE)
DUMMY_BACKEND = "django_tasks.backends.dummy.DummyBackend"
CLEARED_ENV = (
    "REDIS_URL",
    "CACHE_URL",
    "HEARTH_TASKS_BACKEND",
    "HEARTH_COLLECTED_STATIC",
    "HEARTH_STATIC_ROOT",
    "HEARTH_MEDIA_ROOT",
    "HEARTH_SSL_REDIRECT",
    "EMAIL_URL",
)


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- Parent: one child per database, then the tables. -------------------------------------


def _pg_url(base: str, database: str) -> str:
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, ""))


def _suffix(args: argparse.Namespace) -> str:
    return "" if args.watchers == FULL_WATCHERS else f"-{args.watchers}"


def _child_env(db: str, args: argparse.Namespace, var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED_ENV}
    env.update(
        DJANGO_SETTINGS_MODULE="hearth.settings",
        DATABASE_URL=(
            f"sqlite:///{var_dir / 'notify.sqlite3'}"
            if db == "sqlite"
            else _pg_url(args.pg_url, DATABASE)
        ),
        HEARTH_VAR_DIR=str(var_dir),
        HEARTH_TASKS_BACKEND=DUMMY_BACKEND,
        EMAIL_URL="memorymail://",
        HEARTH_DEBUG="0",
        ALLOWED_HOSTS="testserver",
        SECRET_KEY="bench-only-not-a-secret-" + "x" * 40,
        HEARTH_LOG_LEVEL="WARNING",
        PYTHONHASHSEED="0",
    )
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--db", action="append", choices=sorted(DB_LABELS), help="repeat for both (default)"
    )
    parser.add_argument("--watchers", type=int, default=FULL_WATCHERS)
    parser.add_argument(
        "--repeats", type=int, default=DEFAULT_REPEATS, help="timed posts per kind of post"
    )
    parser.add_argument(
        "--fanout-runs",
        type=int,
        default=DEFAULT_FANOUT_RUNS,
        help="timed fan-outs per variant (each on a topic of its own), plus one counting queries",
    )
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="server URL, no database")
    parser.add_argument("--worker", choices=sorted(DB_LABELS), help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.watchers < 10:
        parser.error("--watchers must be at least 10")

    if args.worker:
        return _worker(args)

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    reports = []
    for db in args.db or ["sqlite", "postgres"]:
        _log(f"{DB_LABELS[db]}: starting ({args.watchers:,} watchers)")
        var_dir = Path(tempfile.mkdtemp(prefix="hearth-bench-notify-"))
        out = var_dir / "report.json"
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--worker",
            db,
            "--watchers",
            str(args.watchers),
            "--repeats",
            str(args.repeats),
            "--fanout-runs",
            str(args.fanout_runs),
            "--pg-url",
            args.pg_url,
            "--out",
            str(out),
        ]
        try:
            child = subprocess.run(command, cwd=ROOT, env=_child_env(db, args, var_dir))
            if child.returncode != 0:
                _log(f"{DB_LABELS[db]}: the run failed (exit {child.returncode})")
                return child.returncode
            report = json.loads(out.read_text())
        finally:
            shutil.rmtree(var_dir, ignore_errors=True)
        path = RESULTS_DIR / f"notification-fanout-{db}{_suffix(args)}.json"
        path.write_text(json.dumps(report, indent=2) + "\n")
        _log(f"{DB_LABELS[db]}: results in {path.relative_to(ROOT)}")
        reports.append(report)

    for report in reports:
        print(_table(report))
    return 0 if all(r["verdict"]["met"] for r in reports) else 1


def _table(report: dict) -> str:
    load = report["load_average"]
    lines = [
        "",
        f"{report['label']} {report['server_version']} · {report['watchers']:,} watchers of "
        f"one space · seeded in {report['seed_seconds']:.1f} s · migrate "
        f"{report['migrate_seconds']:.1f} s · {report['machine']} · load average "
        f"{load['before'][0]:.2f} before, {load['after'][0]:.2f} after",
        "",
        f"Posting a topic (task backend: DummyBackend, so the request only enqueues); "
        f"{report['repeats']} timed posts per row, ms",
        f"{'through':<8} {'space':<22} {'median':>8} {'min':>8} {'max':>8} {'queries':>8} "
        f"{'tasks':>6} {'notified':>9}",
    ]
    for row in report["posting"]:
        lines.append(
            f"{row['through']:<8} {row['space']:<22} {row['median_ms']:>8.2f} "
            f"{row['min_ms']:>8.2f} {row['max_ms']:>8.2f} {row['queries']:>8} "
            f"{row['tasks_enqueued']:>6} {row['notifications_in_request']:>9}"
        )
    lines += [
        "",
        "Fan-out task notify_about_post.call(post_id), and the e-mail tasks it queued; "
        "ms (median of the timed runs)",
        f"{'variant':<12} {'fan-out':>9} {'min':>9} {'notified':>9} {'expected':>9} "
        f"{'queries':>8} {'inserts':>8} {'pending':>8} {'e-mail':>9} {'sent':>6} "
        f"{'e-queries':>9} {'tasks':>6}",
    ]
    for row in report["fanout"]:
        email = row["email"]
        lines.append(
            f"{row['variant']:<12} {row['median_ms']:>9.1f} {row['min_ms']:>9.1f} "
            f"{row['notified']:>9,} {row['expected']:>9,} {row['queries']:>8} "
            f"{row['notification_inserts']:>8} {row['email_pending']:>8,} "
            f"{email['median_ms']:>9.1f} {email['sent']:>6,} {email['queries']:>9} "
            f"{email['tasks']:>6}"
        )
    verdict = report["verdict"]
    lines += ["", f"{'BAR MET' if verdict['met'] else 'BAR MISSED'} on {report['label']}:"]
    lines += [f"  [{'ok' if ok else 'NO'}] {text}" for text, ok in verdict["checks"]]
    return "\n".join(lines)


# --- Child: one database, one process. ------------------------------------------------------


def _fresh_database(db: str, args: argparse.Namespace) -> None:
    if db == "sqlite":
        return  # a new file in a new temporary folder
    import psycopg
    from psycopg import sql

    with psycopg.connect(_pg_url(args.pg_url, "postgres"), autocommit=True) as conn:
        name = sql.Identifier(DATABASE)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def _drop_database(db: str, args: argparse.Namespace) -> None:
    if db == "sqlite":
        return
    import psycopg
    from django.db import connections
    from psycopg import sql

    connections.close_all()
    with psycopg.connect(_pg_url(args.pg_url, "postgres"), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DATABASE))
        )


def _worker(args: argparse.Namespace) -> int:
    db = args.worker
    _fresh_database(db, args)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    # The request must only enqueue, and e-mails must stay in memory.
    assert settings.TASKS["default"]["BACKEND"] == DUMMY_BACKEND, settings.TASKS
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    migrate_seconds = time.perf_counter() - started
    _log(f"{DB_LABELS[db]}: migrated in {migrate_seconds:.1f} s")

    started = time.perf_counter()
    world = _seed(args.watchers)
    seed_seconds = time.perf_counter() - started
    _log(f"{DB_LABELS[db]}: {args.watchers:,} watchers seeded in {seed_seconds:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    load_before = os.getloadavg()
    posting, topics = _measure_posting(args, world)
    _log(f"{DB_LABELS[db]}: posting measured")
    fanout = [_measure_fanout(args, world, topics, variant="defaults")]
    _log(f"{DB_LABELS[db]}: fan-out (defaults) measured")
    _prefer_email(world)
    fanout.append(_measure_fanout(args, world, topics, variant="email-10pct"))
    _log(f"{DB_LABELS[db]}: fan-out (e-mail for 10%) measured")
    load_after = os.getloadavg()

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if db == "postgres" else "SELECT sqlite_version()")
        version = cursor.fetchone()[0]
    if db == "postgres":
        version = version.split(" on ")[0].removeprefix("PostgreSQL ")
    report = {
        "db": db,
        "label": DB_LABELS[db],
        "server_version": version,
        "database": DATABASE if db == "postgres" else "temporary SQLite file",
        "watchers": args.watchers,
        "repeats": args.repeats,
        "fanout_runs": args.fanout_runs,
        "migrate_seconds": round(migrate_seconds, 2),
        "seed_seconds": round(seed_seconds, 2),
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "django": django.get_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "load_average": {
            "before": [round(x, 2) for x in load_before],
            "after": [round(x, 2) for x in load_after],
        },
        "posting": posting,
        "fanout": fanout,
    }
    report["verdict"] = _verdict(report)
    Path(args.out).write_text(json.dumps(report))
    _drop_database(db, args)
    return 0


def _seed(watchers: int) -> dict:
    """One author, a watched space and a quiet one, and `watchers` members watching the
    first (the author among them, so the expected count is `watchers - 1`)."""
    from django.contrib.auth.hashers import make_password

    from hearth import testing
    from hearth.accounts.models import Member
    from hearth.accounts.services import current_code_of_conduct
    from hearth.notifications.models import Watch

    testing.ensure_code_of_conduct()
    conduct = current_code_of_conduct().version
    author = testing.make_member(username="bench_author", display_name="Bench Author")
    watched = testing.make_space(name="Announcements")
    quiet = testing.make_space(name="Quiet corner")
    Member.objects.bulk_create(
        [
            Member(
                username=f"watcher{number:05d}",
                email=f"watcher{number:05d}@example.com",
                password=make_password(None),
                display_name=f"Watcher {number}",
                conduct_version_accepted=conduct,
            )
            for number in range(1, watchers)
        ],
        batch_size=1000,
    )
    member_ids = [
        author.pk,
        *Member.objects.filter(username__startswith="watcher")
        .order_by("pk")
        .values_list("pk", flat=True),
    ]
    assert len(member_ids) == watchers, len(member_ids)
    Watch.objects.bulk_create(
        [Watch(member_id=i, space=watched, level=Watch.Level.WATCHING) for i in member_ids],
        batch_size=1000,
    )
    assert Watch.objects.filter(space=watched).count() == watchers
    return {"author": author, "watched": watched, "quiet": quiet, "member_ids": member_ids}


def _stats(timings: list[float]) -> dict:
    return {
        "median_ms": round(statistics.median(timings), 3),
        "min_ms": round(min(timings), 3),
        "max_ms": round(max(timings), 3),
        "timings_ms": [round(t, 3) for t in timings],
    }


def _measure_posting(args: argparse.Namespace, world: dict) -> tuple[list[dict], list[int]]:
    """Time posting a topic, through the service and the web view, in both spaces.

    Returns the rows and the ids of the topics posted in the watched space (each still
    waiting for its fan-out, which the DummyBackend never runs)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from hearth.community import services
    from hearth.community.forms import new_submit_key
    from hearth.community.models import Topic
    from hearth.community.tasks import notify_about_post
    from hearth.notifications.models import Notification

    backend = notify_about_post.get_backend()
    author = world["author"]
    client = Client()
    client.force_login(author)
    counter = iter(range(1, 1_000_000))

    def by_service(space) -> None:
        services.create_topic(
            author=author,
            space=space,
            title=f"Release notes, part {next(counter)}",
            body="What changed this week, and what to look out for.",
        )

    def by_web(space) -> None:
        response = client.post(
            f"/s/{space.slug}/new/",
            {
                "title": f"Release notes, part {next(counter)}",
                "kind": "discussion",
                "body": "What changed this week, and what to look out for.",
                "submit_key": new_submit_key(),
            },
        )
        assert response.status_code == 302, (response.status_code, response.content[:300])

    # Warm up each path in each space once (templates, URL resolvers, connections).
    assert client.get(f"/s/{world['watched'].slug}/new/").status_code == 200
    for post in (by_service, by_web):
        for space in (world["watched"], world["quiet"]):
            post(space)

    rows = []
    for through, post in (("service", by_service), ("web", by_web)):
        cases = {
            space: {"timings": [], "tasks": [], "notified": [], "queries": None}
            for space in (world["watched"], world["quiet"])
        }
        for number in range(args.repeats):
            # Alternate which space goes first, so neither always follows the other.
            order = list(cases) if number % 2 == 0 else list(reversed(cases))
            for space in order:
                case = cases[space]
                backend.clear()
                before = Notification.objects.count()
                began = time.perf_counter()
                post(space)
                case["timings"].append((time.perf_counter() - began) * 1000.0)
                case["tasks"].append([r.task.name for r in backend.results])
                case["notified"].append(Notification.objects.count() - before)
        for space, case in cases.items():
            # One more post, untimed, to count its queries.
            backend.clear()
            with CaptureQueriesContext(connection) as captured:
                post(space)
            case["queries"] = len(captured.captured_queries)
            tasks = {tuple(t) for t in case["tasks"]}
            rows.append(
                {
                    "through": through,
                    "space": (
                        f"watched ({len(world['member_ids']):,})"
                        if space == world["watched"]
                        else "nobody watches"
                    ),
                    "watched": space == world["watched"],
                    **_stats(case["timings"]),
                    "queries": case["queries"],
                    "tasks_enqueued": max(len(t) for t in case["tasks"]),
                    "task_names": sorted({name for t in tasks for name in t}),
                    "notifications_in_request": max(case["notified"]),
                }
            )
    backend.clear()
    topics = list(
        Topic.objects.filter(space=world["watched"]).order_by("pk").values_list("pk", flat=True)
    )
    return rows, topics


def _prefer_email(world: dict) -> None:
    """Every tenth watcher (not the author) wants new topics by e-mail right away."""
    from hearth.notifications.models import Channel, Preferences

    chosen = world["member_ids"][1::EMAIL_SHARE]
    Preferences.objects.bulk_create(
        [Preferences(member_id=i, new_topic=Channel.EMAIL) for i in chosen], batch_size=1000
    )
    world["email_members"] = len(chosen)


def _measure_fanout(args: argparse.Namespace, world: dict, topics: list[int], *, variant: str):
    """Run the fan-out on fresh topics: `fanout_runs` timed runs, then one counting queries."""
    from django.core import mail
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from hearth.community.models import Post
    from hearth.community.tasks import notify_about_post
    from hearth.notifications.models import Notification
    from hearth.notifications.tasks import send_notification_emails

    backend = notify_about_post.get_backend()
    runs = args.fanout_runs + 1
    taken = world.setdefault("fanned_out", 0)
    if len(topics) < taken + runs:
        raise SystemExit(f"only {len(topics)} topics to fan out; raise --repeats")
    world["fanned_out"] = taken + runs
    expected = len(world["member_ids"]) - 1
    timings, email_timings, results = [], [], []
    for number, topic_id in enumerate(topics[taken : taken + runs]):
        counting = number == runs - 1
        post = Post.objects.get(topic_id=topic_id, position=1)
        backend.clear()
        capture = CaptureQueriesContext(connection)
        if counting:
            capture.__enter__()
        began = time.perf_counter()
        notified = notify_about_post.call(post.pk)
        elapsed = (time.perf_counter() - began) * 1000.0
        if counting:
            capture.__exit__(None, None, None)
            fanout_queries = [q["sql"] for q in capture.captured_queries]
        else:
            timings.append(elapsed)
        made = Notification.objects.filter(target_type="post", target_id=post.pk)
        states = dict(made.values_list("email_state").annotate(n=Count("id")))
        email_task = send_notification_emails.name
        queued = [r for r in backend.results if r.task.name == email_task]
        other = [r.task.name for r in backend.results if r.task.name != email_task]

        # The e-mail tasks the fan-out queued, run one after the other as a worker would.
        mail.outbox = []
        capture = CaptureQueriesContext(connection)
        if counting:
            capture.__enter__()
        began = time.perf_counter()
        sent = sum(send_notification_emails.call(*r.args, **r.kwargs) for r in queued)
        email_elapsed = (time.perf_counter() - began) * 1000.0
        if counting:
            capture.__exit__(None, None, None)
            email_queries = len(capture.captured_queries)
        else:
            email_timings.append(email_elapsed)
        results.append(
            {
                "notified": notified,
                "rows": made.count(),
                "states": states,
                "email_tasks": len(queued),
                "other_tasks": other,
                "sent": sent,
                "outbox": len(mail.outbox),
            }
        )
    backend.clear()

    # Django splits a bulk INSERT into statements of at most this many rows (SQLite limits
    # the parameters of one statement; PostgreSQL takes the services' batches whole).
    fields = [f for f in Notification._meta.concrete_fields if not f.primary_key]
    rows_per_insert = connection.ops.bulk_batch_size(fields, [Notification()] * 1000) or 1000

    def count(statement: str, table: str) -> int:
        return sum(1 for q in fanout_queries if q.startswith(statement) and table in q[:120])

    last = results[-1]
    per_email = [t / r["sent"] for t, r in zip(email_timings, results, strict=False) if r["sent"]]
    return {
        "variant": variant,
        "email_members": world.get("email_members", 0),
        **_stats(timings),
        "notified": last["notified"],
        "notification_rows": last["rows"],
        "expected": expected,
        "all_runs_notified": [r["notified"] for r in results],
        "email_states": last["states"],
        "email_pending": last["states"].get(Notification.EmailState.PENDING, 0)
        + last["states"].get(Notification.EmailState.SENT, 0),
        "other_tasks_queued": sorted({n for r in results for n in r["other_tasks"]}),
        "queries": len(fanout_queries),
        "notification_inserts": count("INSERT", '"notifications_notification"'),
        "rows_per_insert": min(rows_per_insert, 1000),
        "member_updates": count("UPDATE", '"accounts_member"'),
        "query_kinds": _query_kinds(fanout_queries),
        "email": {
            "tasks": last["email_tasks"],
            "sent": last["sent"],
            "outbox": last["outbox"],
            "queries": email_queries,
            "median_ms": round(statistics.median(email_timings), 3) if email_timings else 0.0,
            "timings_ms": [round(t, 3) for t in email_timings],
            "per_email_ms": round(statistics.median(per_email), 3) if per_email else None,
        },
    }


def _query_kinds(queries: list[str]) -> dict[str, int]:
    """How many statements of each kind hit each table, e.g. {"INSERT notifications_...": 10}."""
    kinds: dict[str, int] = {}
    for sql in queries:
        verb = sql.split(None, 1)[0].upper()
        match = TABLE.search(sql)
        key = f"{verb} {match.group(1) if match else '?'}"
        kinds[key] = kinds.get(key, 0) + 1
    return dict(sorted(kinds.items()))


def _verdict(report: dict) -> dict:
    posting = {(r["through"], r["watched"]): r for r in report["posting"]}
    checks = []
    for through in ("service", "web"):
        watched, quiet = posting[(through, True)], posting[(through, False)]
        checks.append(
            (
                f"{through}: posting enqueues one task ({', '.join(watched['task_names'])}) "
                f"and notifies nobody in the request",
                watched["tasks_enqueued"] == 1
                and watched["task_names"] == ["notify_about_post"]
                and watched["notifications_in_request"] == 0,
            )
        )
        limit = quiet["median_ms"] * SLOWDOWN_RATIO + SLOWDOWN_ALLOWANCE_MS
        checks.append(
            (
                f"{through}: posting in the watched space {watched['median_ms']:.2f} ms vs "
                f"{quiet['median_ms']:.2f} ms where nobody watches (limit {limit:.2f} ms); "
                f"queries {watched['queries']} vs {quiet['queries']}",
                watched["median_ms"] <= limit and watched["queries"] == quiet["queries"],
            )
        )
    # The services work in batches of 1,000 recipients: a handful of queries per batch, plus
    # the INSERT statements the database needs for 1,000 rows.
    batches = -(-report["watchers"] // 1000)
    for row in report["fanout"]:
        inserts = batches * -(-1000 // row["rows_per_insert"])
        checks.append(
            (
                f"{row['variant']}: the task notified {row['notified']:,} of {row['expected']:,}"
                f" expected, with {row['notification_inserts']} bulk INSERT(s) (up to "
                f"{row['rows_per_insert']} rows each) and "
                f"{row['queries'] - row['notification_inserts']} other queries",
                row["notified"] == row["expected"] == row["notification_rows"]
                and row["notification_inserts"] <= inserts
                and row["queries"] - row["notification_inserts"] <= 12 * batches,
            )
        )
    return {"met": all(ok for _, ok in checks), "checks": checks}


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
