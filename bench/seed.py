"""Bulk load generator for the performance baseline.

This is a load generator, not a user flow: it writes rows straight into the tables with
`bulk_create` and bypasses the services on purpose (no activity log, no notifications, no
Markdown rendering), because creating a million posts through `create_reply` would take
hours. It keeps every denormalised counter consistent with the rows it writes, as the
services would:

- topic.reply_count (live replies), last_position (every post, deleted ones included),
  last_activity_at and last_poster (the newest post, as `create_reply` leaves them);
- space.topic_count, post_count (live posts) and last_activity_at;
- member.post_count (live posts).

Everything is drawn from one seeded random generator, so two runs with the same sizes
produce the same community (apart from "now", which anchors the two years of history).

Ids are assigned here, in time order: topics are numbered by creation time and posts by
posting time, so a topic's posts are spread through the post table as they would be in a
community that grew over two years (not stored contiguously, which would flatter the
topic page).
"""

from __future__ import annotations

import datetime
import html
import random
import sys
import time
from array import array
from bisect import bisect_left
from dataclasses import dataclass
from itertools import accumulate

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils.text import slugify

from hearth.accounts.models import (
    Affiliation,
    CodeOfConduct,
    ConductAcceptance,
    Member,
    Organization,
    Role,
)
from hearth.community.models import Post, Space, Topic

SEED = 20240611
MEMBERS = 2_000
ORGANIZATIONS = 40
LONG_TOPIC_REPLIES = 200
LONG_TOPIC_TITLE = "Hub Pro firmware 4.2 rollout: known issues and workarounds"
# The public space whose list is measured; topics are spread evenly over the 12 spaces.
BENCH_SPACE_SLUG = "hubs-and-bridges"
# The signed-in measurements use this member: a customer who accepted the code of conduct.
CUSTOMER_USERNAME = "bench_customer"
DAY = 86_400.0
HISTORY_DAYS = 730
DELETED_REPLY_SHARE = 0.005
# Rows built in Python per bulk_create call (memory stays flat whatever the size).
CHUNK = 10_000
# Rows per INSERT statement (SQLite lowers this to its 999-parameter limit by itself).
BATCH = 5_000

# slug, name, description, visibility, allowed affiliations, who starts topics
SPACES = [
    ("announcements", "Announcements", "News from the Lumen team.", "public", [], "staff"),
    (
        "getting-started",
        "Getting started",
        "Unboxing, pairing and first steps.",
        "public",
        [],
        "members",
    ),
    (
        "bulbs-and-strips",
        "Bulbs and strips",
        "Colour, brightness and fitting.",
        "public",
        [],
        "members",
    ),
    (
        BENCH_SPACE_SLUG,
        "Hubs and bridges",
        "Hub Mini, Hub Pro and the Zigbee mesh.",
        "public",
        [],
        "members",
    ),
    (
        "sensors-and-automations",
        "Sensors and automations",
        "Motion, schedules and scenes.",
        "public",
        [],
        "members",
    ),
    (
        "app-and-dashboard",
        "App and dashboard",
        "The Lumen app and Lumen Pro.",
        "public",
        [],
        "members",
    ),
    (
        "api-and-integrations",
        "API and integrations",
        "The cloud API, local API and friends.",
        "public",
        [],
        "members",
    ),
    (
        "feature-requests",
        "Feature requests",
        "What should Lumen build next?",
        "public",
        [],
        "members",
    ),
    ("show-and-tell", "Show and tell", "Your installations and projects.", "public", [], "members"),
    (
        "members-lounge",
        "Members' lounge",
        "Off-topic chat for signed-in members.",
        "members",
        [],
        "members",
    ),
    (
        "installers-corner",
        "Installers' corner",
        "For certified installers and the team.",
        "affiliations",
        ["employee", "partner"],
        "members",
    ),
    (
        "staff-room",
        "Staff room",
        "Internal notes for Lumen employees.",
        "affiliations",
        ["employee"],
        "employees",
    ),
]

FIRST_NAMES = (  # noqa: SIM905 (a word list reads better as text)
    "Ada Alex Amir Ana Ben Bea Cara Chen Dan Dara Eli Emma Farah Finn Gina Hugo Ida Ivan "
    "Jo Kai Lena Leo Lin Maya Mia Nils Noor Omar Pia Raj Rosa Sam Sara Tom Uma Vera Wen "
    "Yara Zoe"
).split()
LAST_NAMES = (  # noqa: SIM905 (a word list reads better as text)
    "Abbott Berg Costa Diaz Ekberg Fischer Garcia Haddad Ito Jensen Kowalski Lindqvist "
    "Moreau Nakamura Okafor Patel Quinn Rossi Silva Tanaka Umar Varga Weber Xu Yilmaz "
    "Zhang"
).split()
ORG_WORDS = (  # noqa: SIM905 (a word list reads better as text)
    "Northwind Brightside Oakridge Harbor Summit Cedar Maple Granite Riverside Willow "
    "Falcon Beacon Meridian Juniper Aurora Copper"
).split()
ORG_KINDS = ["customer", "customer", "customer", "partner", "supplier", "media", "other"]
# (affiliation, weight) for ordinary members; staff roles are assigned on top.
AFFILIATION_WEIGHTS = [
    (Affiliation.CUSTOMER, 70),
    (Affiliation.PROSPECT, 10),
    (Affiliation.EMPLOYEE, 5),
    (Affiliation.PARTNER, 6),
    (Affiliation.JOURNALIST, 1),
    (Affiliation.SUPPLIER, 2),
    (Affiliation.ADVISOR, 1),
    (Affiliation.OTHER, 5),
]

PRODUCTS = [
    "Hub Pro",
    "Hub Mini",
    "the A19 bulb",
    "the GU10 spot",
    "the LED strip",
    "the motion sensor",
    "the dimmer switch",
    "the Lumen app",
    "Lumen Pro",
    "the local API",
    "the cloud API",
    "the outdoor floodlight",
    "the filament bulb",
    "scene schedules",
    "the wall controller",
]
TITLE_PATTERNS = [
    "{p} keeps dropping off the network",
    "How do I reset {p}?",
    "{p} not responding after the latest update",
    "Best way to set up {p} in a large office",
    "Colour temperature drifts on {p}",
    "Is {p} compatible with older fittings?",
    "Feature idea: group control for {p}",
    "{p} flickers when dimmed below 10%",
    "Pairing {p} takes several attempts",
    "Sharing my setup with {p}",
    "Latency between {p} and the app",
    "Can {p} run without the cloud?",
    "Firmware notes for {p}",
    "Question about warranty for {p}",
    "{p} schedule ignores daylight saving",
]
SENTENCES = [
    "I have the same problem since last week.",
    "Thanks, that fixed it for me.",
    "Have you tried power-cycling the hub for thirty seconds?",
    "Our office has about forty bulbs on one hub and it has been stable.",
    "The firmware update changed how scenes are stored.",
    "Could you share which app version you are on?",
    "Moving the hub away from the Wi-Fi router helped a lot here.",
    "Support told me a fix is planned for the next release.",
    "We installed these in a dental practice and the clients love the warm light.",
    "Make sure the strip is powered by the original adapter.",
    "The local API returns the state within a few milliseconds.",
    "I would love to see sunrise simulation in the schedules.",
    "It works, but only after re-adding the device in the app.",
    "Dimming is smooth down to one percent on my fittings.",
    "Does anyone know if the outdoor floodlight handles frost?",
    "Marking this as solved, thank you all.",
    "Same here on two sites, both on the newest firmware.",
    "The motion sensor timeout can be changed under Automations.",
    "I opened a ticket and will report back.",
    "Here is a photo of the finished kitchen install.",
]


@dataclass
class SeedReport:
    topics: int
    posts: int
    members: int
    spaces: int
    seconds: float
    plan_seconds: float
    insert_seconds: dict


def _log(message: str) -> None:
    print(f"  [seed] {message}", file=sys.stderr, flush=True)


def _text(rng: random.Random) -> tuple[str, str]:
    """A short post: Markdown-ish body and the sanitised HTML the services would store."""
    count = rng.randint(1, 4)
    sentences = [SENTENCES[rng.randrange(len(SENTENCES))] for _ in range(count)]
    if count >= 3 and rng.random() < 0.5:
        paragraphs = [" ".join(sentences[:2]), " ".join(sentences[2:])]
    else:
        paragraphs = [" ".join(sentences)]
    body = "\n\n".join(paragraphs)
    body_html = "".join(f"<p>{html.escape(p)}</p>\n" for p in paragraphs)
    return body, body_html


def _dt(timestamp: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(timestamp, tz=datetime.UTC)


def _reply_counts(rng: random.Random, topics: int, replies: int, long_index: int) -> list[int]:
    """Spread `replies` over the topics: most threads short, a long tail, capped weights."""
    counts = [0] * topics
    counts[long_index] = LONG_TOPIC_REPLIES
    rest = replies - LONG_TOPIC_REPLIES
    weights = [min(rng.paretovariate(1.8) - 1.0, 60.0) for _ in range(topics)]
    weights[long_index] = 0.0
    total = sum(weights)
    given = 0
    for index, weight in enumerate(weights):
        share = int(rest * weight / total)
        counts[index] += share
        given += share
    # What flooring left over goes one by one to topics drawn by the same weights.
    cumulative = list(accumulate(weights))
    for index in rng.choices(range(topics), cum_weights=cumulative, k=rest - given):
        counts[index] += 1
    return counts


def seed(*, topics: int, posts: int, members: int = MEMBERS, seed: int = SEED) -> SeedReport:
    """Fill an empty, migrated database with `topics` topics holding `posts` posts in all."""
    if topics < 2:
        raise ValueError("Seed at least 2 topics.")
    if posts < topics + LONG_TOPIC_REPLIES:
        raise ValueError(f"Need at least topics + {LONG_TOPIC_REPLIES} posts.")
    if Topic.objects.exists() or Member.objects.exists():
        raise RuntimeError("The database already holds topics or members; seed an empty one.")
    started = time.perf_counter()
    rng = random.Random(seed)
    now = float(int(time.time()))
    start = now - HISTORY_DAYS * DAY

    # --- Plan everything first (ids, times, authors, counters), insert afterwards. --------
    # Members: member 0 is the signed-in customer; a handful of staff; Zipf-like activity.
    affiliations, affiliation_weights = zip(*AFFILIATION_WEIGHTS, strict=True)
    member_affiliation = [
        Affiliation.CUSTOMER,
        *rng.choices(affiliations, weights=affiliation_weights, k=members - 1),
    ]
    member_role = [Role.MEMBER] * members
    for index in range(1, 3):
        member_role[index] = Role.MANAGER
        member_affiliation[index] = Affiliation.EMPLOYEE
    for index in range(3, 9):
        member_role[index] = Role.MODERATOR
        member_affiliation[index] = Affiliation.EMPLOYEE
    for index in range(9, 21):
        member_role[index] = Role.EXPERT
        member_affiliation[index] = Affiliation.EMPLOYEE
    activity = [1.0 / (rank + 5) ** 1.1 for rank in range(members)]
    rng.shuffle(activity)
    author_weights = list(accumulate(activity))
    member_posts = [0] * members

    # Topics: created uniformly over two years, numbered in creation order.
    created = sorted(rng.uniform(start, now - 3600.0) for _ in range(topics))
    topic_space = [rng.randrange(len(SPACES)) for _ in range(topics)]
    bench_space = next(i for i, s in enumerate(SPACES) if s[0] == BENCH_SPACE_SLUG)
    # The measured long thread: started about ten days ago in the measured space.
    long_index = min(bisect_left(created, now - 10 * DAY), topics - 1)
    topic_space[long_index] = bench_space
    reply_counts = _reply_counts(rng, topics, posts - topics, long_index)

    space_topics: list[list[int]] = [[] for _ in SPACES]
    for index, space_index in enumerate(topic_space):
        space_topics[space_index].append(index)
    pinned = set()
    for space_index, indexes in enumerate(space_topics):
        if SPACES[space_index][3] == "public" and len(indexes) > 4:
            pinned.update(rng.sample(indexes, 2))
    pinned.discard(long_index)

    # Posts, generated topic by topic in arrays (compact), then numbered in posting order.
    post_time = array("d")
    post_topic = array("i")
    post_author = array("i")
    post_position = array("i")
    post_deleted = bytearray()
    topic_rows = []
    space_stats = [[0, 0, None] for _ in SPACES]  # topics, live posts, last activity
    for index in range(topics):
        opened = created[index]
        replies = reply_counts[index]
        if index == long_index:
            span = max(now - 3600.0 - opened, 60.0)
        else:
            span = rng.uniform(0.02, 1.0) ** 2 * 45 * DAY
        end = min(now, opened + span)
        times = sorted(rng.uniform(opened + 1.0, max(end, opened + 2.0)) for _ in range(replies))
        author = rng.choices(range(members), cum_weights=author_weights)[0]
        authors = [author, *rng.choices(range(members), cum_weights=author_weights, k=replies)]
        live_replies = 0
        for position, (moment, who) in enumerate(zip([opened, *times], authors, strict=True), 1):
            deleted = position > 1 and index != long_index and rng.random() < DELETED_REPLY_SHARE
            post_time.append(moment)
            post_topic.append(index)
            post_author.append(who)
            post_position.append(position)
            post_deleted.append(deleted)
            if not deleted:
                member_posts[who] += 1
                live_replies += position > 1
        last_at = times[-1] if times else opened
        space_index = topic_space[index]
        stats = space_stats[space_index]
        stats[0] += 1
        stats[1] += 1 + live_replies
        stats[2] = last_at if stats[2] is None else max(stats[2], last_at)
        title = (
            LONG_TOPIC_TITLE
            if index == long_index
            else rng.choice(TITLE_PATTERNS).format(p=rng.choice(PRODUCTS))
        )
        title = title[0].upper() + title[1:]
        topic_rows.append(
            (
                space_index,
                author,
                title,
                opened,
                last_at,
                authors[-1],
                live_replies,
                replies + 1,
                int(rng.expovariate(1 / 40)) + 3 * replies,
                index in pinned,
                index != long_index and rng.random() < 0.005,
                rng.random() < 0.3,
            )
        )
    total_posts = len(post_time)
    order = sorted(range(total_posts), key=post_time.__getitem__)
    plan_seconds = time.perf_counter() - started
    _log(f"planned {topics:,} topics and {total_posts:,} posts in {plan_seconds:.1f} s")

    timings: dict[str, float] = {}

    def timed(name: str, started_at: float) -> None:
        timings[name] = round(time.perf_counter() - started_at, 2)
        _log(f"{name}: {timings[name]:.1f} s")

    # --- Insert. ---------------------------------------------------------------------------
    t = time.perf_counter()
    organizations = []
    for index in range(ORGANIZATIONS):
        word = ORG_WORDS[index % len(ORG_WORDS)]
        organizations.append(
            Organization(
                id=index + 1,
                name=f"{word} {index + 1}",
                kind=ORG_KINDS[index % len(ORG_KINDS)],
                website=f"https://{word.lower()}{index + 1}.example",
            )
        )
    Organization.objects.bulk_create(organizations, batch_size=BATCH)

    conduct = CodeOfConduct.objects.order_by("-version").first()
    member_objects = []
    for index in range(members):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        username = CUSTOMER_USERNAME if index == 0 else f"{first.lower()}.{last.lower()}{index}"
        role = member_role[index]
        member_objects.append(
            Member(
                id=index + 1,
                username=username,
                email=f"{username}@example.com",
                # An unusable password: nobody logs in to these accounts with one.
                password=make_password(None),
                display_name=f"{first} {last}",
                affiliation=member_affiliation[index],
                role=role,
                is_staff=role == Role.MANAGER,
                is_superuser=role == Role.MANAGER,
                organization_id=(rng.randrange(ORGANIZATIONS) + 1) if rng.random() < 0.6 else None,
                post_count=member_posts[index],
                conduct_version_accepted=conduct.version if conduct else 0,
                date_joined=_dt(start - rng.uniform(0, 365) * DAY),
            )
        )
    Member.objects.bulk_create(member_objects, batch_size=BATCH)
    if conduct is not None:
        ConductAcceptance.objects.bulk_create(
            [ConductAcceptance(member_id=index + 1, conduct=conduct) for index in range(members)],
            batch_size=BATCH,
        )
    del member_objects
    timed("members", t)

    t = time.perf_counter()
    space_objects = []
    for index, (slug, name, description, visibility, allowed, starters) in enumerate(SPACES):
        topics_in, posts_in, last_at = space_stats[index]
        space_objects.append(
            Space(
                id=index + 1,
                name=name,
                slug=slug,
                description=description,
                position=index,
                visibility=visibility,
                allowed_affiliations=allowed,
                topic_starters=starters,
                topic_count=topics_in,
                post_count=posts_in,
                last_activity_at=_dt(last_at) if last_at is not None else None,
            )
        )
    Space.objects.bulk_create(space_objects)
    timed("spaces", t)

    t = time.perf_counter()
    for chunk_start in range(0, topics, CHUNK):
        batch = []
        for index in range(chunk_start, min(chunk_start + CHUNK, topics)):
            (
                space_index,
                author,
                title,
                opened,
                last_at,
                last_poster,
                live_replies,
                last_position,
                views,
                is_pinned,
                is_locked,
                is_question,
            ) = topic_rows[index]
            batch.append(
                Topic(
                    id=index + 1,
                    space_id=space_index + 1,
                    author_id=author + 1,
                    kind=Topic.Kind.QUESTION if is_question else Topic.Kind.DISCUSSION,
                    title=title,
                    slug=slugify(title)[:80].strip("-") or "topic",
                    created_at=_dt(opened),
                    last_activity_at=_dt(last_at),
                    last_poster_id=last_poster + 1,
                    reply_count=live_replies,
                    last_position=last_position,
                    view_count=views,
                    is_pinned=is_pinned,
                    is_locked=is_locked,
                )
            )
        with transaction.atomic():
            Topic.objects.bulk_create(batch, batch_size=BATCH)
    del topic_rows
    timed("topics", t)

    t = time.perf_counter()
    report_every = max(total_posts // 10, CHUNK)
    next_report = report_every
    for chunk_start in range(0, total_posts, CHUNK):
        batch = []
        for post_id in range(chunk_start, min(chunk_start + CHUNK, total_posts)):
            row = order[post_id]
            body, body_html = _text(rng)
            moment = post_time[row]
            deleted = post_deleted[row]
            author_id = post_author[row] + 1
            batch.append(
                Post(
                    id=post_id + 1,
                    topic_id=post_topic[row] + 1,
                    author_id=author_id,
                    position=post_position[row],
                    body=body,
                    body_html=body_html,
                    created_at=_dt(moment),
                    deleted_at=_dt(moment + 3600.0) if deleted else None,
                    deleted_by_id=author_id if deleted else None,
                )
            )
        with transaction.atomic():
            Post.objects.bulk_create(batch, batch_size=BATCH)
        done = chunk_start + len(batch)
        if done >= next_report or done == total_posts:
            _log(f"posts {done:,}/{total_posts:,} ({time.perf_counter() - t:.1f} s)")
            next_report += report_every
    timed("posts", t)

    # Ids were given explicitly: move PostgreSQL's sequences past them (SQLite needs nothing).
    models = [Organization, Member, ConductAcceptance, Space, Topic, Post]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)

    seconds = time.perf_counter() - started
    return SeedReport(
        topics=topics,
        posts=total_posts,
        members=members,
        spaces=len(SPACES),
        seconds=round(seconds, 2),
        plan_seconds=round(plan_seconds, 2),
        insert_seconds=timings,
    )


def analyze() -> float:
    """Fresh planner statistics (and, on PostgreSQL, a vacuumed visibility map)."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Autovacuum would have done this long ago in a community that grew over years.
            cursor.execute("VACUUM (ANALYZE)")
        else:
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA optimize")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return round(time.perf_counter() - started, 2)
