"""`hearth demo`: load the Lumen demo community and print its log-ins.

Everything is created through the services, as members and managers would create it; only
timestamps are moved back afterwards so the community looks six weeks old. Running it again
changes nothing and prints the log-ins.
"""

import logging
import random
import re
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Max
from django.test.utils import override_settings
from django.utils import timezone

from hearth.accounts import services as accounts
from hearth.accounts.models import GRANTED_AFFILIATIONS, Member, Organization
from hearth.community import services as community
from hearth.community.models import Post, PostRevision, Reaction, Space, Topic
from hearth.community.permissions import can_view_space, can_view_topic
from hearth.core.errors import HearthError
from hearth.demo import content
from hearth.demo.ideas import load_ideas
from hearth.demo.moderation import load_moderation
from hearth.integrations.importers.stackexchange import DumpError, import_stackexchange
from hearth.integrations.models import ImportedObject
from hearth.notifications.models import Notification

# A real community beside the made-up one: Beer Stack Exchange's public dump (CC BY-SA 3.0,
# see hearth/demo/data/ATTRIBUTION.md).
BEER_DUMP = Path(__file__).resolve().parents[2] / "data" / "beer.stackexchange.com"
BEER_SOURCE = "stackexchange:beer.stackexchange.com"


def load_beer_community(stdout) -> str:
    """Import the shipped Beer Stack Exchange dump unless it is in already; says what it did."""
    if ImportedObject.objects.filter(source=BEER_SOURCE).exists():
        return "Beer & brewing (Beer Stack Exchange) already imported.\n"
    try:
        result = import_stackexchange(BEER_DUMP, out=stdout, live_progress=stdout.isatty())
    except DumpError as error:
        raise CommandError(
            f"Could not import the Beer Stack Exchange demo data: {error.message}"
        ) from error
    c = result.counts
    return (
        f"Imported Beer Stack Exchange into “{result.space.name}” in {result.seconds:.1f} s: "
        f"{c['members']:,} members, {c['questions']:,} questions, {c['answers']:,} answers, "
        f"{c['comments']:,} comments; every post links to its original (CC BY-SA 3.0).\n"
    )

URL = "http://127.0.0.1:8000/"
TOPIC_LINK = re.compile(r"\(topic:([a-z0-9_-]+)\)")
# Replies whose gap isn't given come this many hours after the previous post.
DEFAULT_GAP_HOURS = (0.4, 16.0)
# Nothing is dated later than this long before the load.
SAFETY_MARGIN = timedelta(minutes=10)


def settle_notifications() -> None:
    """Date each notification like the post it is about, as if it came when the post did."""
    posted = dict(Post.objects.values_list("pk", "created_at"))
    for notification in Notification.objects.filter(target_type="post").only("pk", "target_id"):
        when = posted.get(notification.target_id)
        if when is not None:
            Notification.objects.filter(pk=notification.pk).update(
                created_at=when, updated_at=when
            )


def demo_loaded() -> bool:
    return Member.objects.filter(
        username=content.MARKER_USERNAME, email__iexact=content.MARKER_EMAIL
    ).exists()


class Loader:
    """Creates the demo community in one go; `counts` says what it made."""

    def __init__(self, now: datetime):
        self.now = now
        self.rng = random.Random(content.SEED)
        self.orgs: dict[str, Organization] = {}
        self.members: dict[str, Member] = {}
        self.spaces: dict[str, Space] = {}
        self.topic_urls: dict[str, str] = {}
        self.counts: Counter = Counter()

    def run(self) -> None:
        self.create_organizations()
        self.create_members()
        self.create_spaces()
        # Oldest first, so ids grow with time as they would have.
        threads = sorted(content.THREADS, key=lambda thread: -thread.days_ago)
        for thread in threads:
            self.create_thread(thread)
        self.counts.update(load_ideas(members=self.members, orgs=self.orgs, now=self.now))
        self.counts.update(load_moderation(members=self.members))
        self.settle_spaces()
        self.settle_join_dates()

    # Organizations, members, code of conduct, spaces --------------------------------------

    def create_organizations(self) -> None:
        for org in content.ORGANIZATIONS:
            self.orgs[org.key] = accounts.create_organization(
                actor=None, name=org.name, kind=org.kind, website=org.website
            )

    def create_members(self) -> None:
        for person in content.MEMBERS:
            member = accounts.create_member(
                username=person.username,
                email=person.email,
                password=content.PASSWORD,
                display_name=person.display_name,
                affiliation=person.affiliation,
                organization=self.orgs.get(person.org) if person.org else None,
                role=person.role,
                accepted_conduct=True,
                bio=person.bio,
                affiliation_verified=person.affiliation in GRANTED_AFFILIATIONS,
            )
            self.members[person.username] = member
            if person.username == content.MARKER_USERNAME:
                self.publish_code_of_conduct(member)
            if person.expertise:
                accounts.update_profile(
                    actor=member,
                    member=member,
                    display_name=member.display_name,
                    bio=member.bio,
                    organization=member.organization,
                    expertise=person.expertise,
                )

    def publish_code_of_conduct(self, manager: Member) -> None:
        """The community manager publishes Lumen's code as the newest version.

        A new site already has the default code as version 1; the demo's becomes version 2,
        which everyone who joins after the manager accepts.
        """
        current = accounts.current_code_of_conduct()
        if current is not None and current.body == content.CODE_OF_CONDUCT:
            return
        conduct = accounts.publish_code_of_conduct(
            actor=manager, body=content.CODE_OF_CONDUCT, title=content.CODE_OF_CONDUCT_TITLE
        )
        accounts.accept_code_of_conduct(member=manager, conduct=conduct)

    def create_spaces(self) -> None:
        manager = self.members[content.MARKER_USERNAME]
        for position, spec in enumerate(content.SPACES, start=1):
            self.spaces[spec.slug] = community.create_space(
                actor=manager,
                name=spec.name,
                slug=spec.slug,
                description=spec.description,
                visibility=spec.visibility,
                allowed_affiliations=list(spec.allowed),
                topic_starters=spec.starters,
                position=position * 10,
            )

    # Threads ----------------------------------------------------------------------------

    def link_topics(self, body: str) -> str:
        return TOPIC_LINK.sub(lambda match: f"({self.topic_urls[match.group(1)]})", body)

    def post_times(self, thread: content.Thread) -> list[datetime]:
        """When the opening post and each reply were written, all before `now`."""
        start = self.now - timedelta(days=thread.days_ago, minutes=self.rng.randint(-150, 150))
        latest = self.now - SAFETY_MARGIN
        start = min(start, latest - timedelta(hours=1))
        gaps = [
            reply.hours if reply.hours is not None else self.rng.uniform(*DEFAULT_GAP_HOURS)
            for reply in thread.replies
        ]
        available = (latest - start).total_seconds() / 3600
        if sum(gaps) > available:
            gaps = [gap * available / sum(gaps) for gap in gaps]
        times = [start]
        for gap in gaps:
            times.append(times[-1] + timedelta(hours=gap))
        return times

    def create_thread(self, thread: content.Thread) -> None:
        author = self.members[thread.author]
        topic = community.create_topic(
            author=author,
            space=self.spaces[thread.space],
            title=thread.title,
            body=self.link_topics(thread.body),
            kind=thread.kind,
        )
        posts = [Post.objects.get(topic=topic, position=1)]
        for reply in thread.replies:
            replier = self.members[reply.author]
            body = self.link_topics(reply.body)
            posts.append(community.create_reply(author=replier, topic=topic, body=body))
        times = self.post_times(thread)
        edited = self.apply_edits(thread, posts, times)
        for post, written in zip(posts, times, strict=True):
            if post.pk in edited:
                edited_at = edited[post.pk]
                Post.objects.filter(pk=post.pk).update(created_at=written, edited_at=edited_at)
                PostRevision.objects.filter(post=post, number=1).update(created_at=written)
                PostRevision.objects.filter(post=post, number__gt=1).update(created_at=edited_at)
            else:
                Post.objects.filter(pk=post.pk).update(created_at=written)
        Topic.objects.filter(pk=topic.pk).update(created_at=times[0], last_activity_at=times[-1])
        if thread.key:
            self.topic_urls[thread.key] = topic.get_absolute_url()

        manager = self.members[content.MARKER_USERNAME]
        if thread.pinned:
            community.set_topic_pinned(actor=manager, topic=topic, pinned=True)
            self.counts["pinned"] += 1
        if thread.locked_by:
            community.set_topic_locked(
                actor=self.members[thread.locked_by], topic=topic, locked=True
            )
            self.counts["locked"] += 1
        self.react(thread, topic, posts)
        self.view(thread, topic)
        self.counts["topics"] += 1
        self.counts["replies"] += len(thread.replies)
        self.counts["unanswered"] += not thread.replies

    def apply_edits(
        self, thread: content.Thread, posts: list[Post], times: list[datetime]
    ) -> dict[int, datetime]:
        """Make the thread's edits; returns when each edited post was (last) edited."""
        edited: dict[int, datetime] = {}
        for edit in thread.edits:
            post = Post.objects.get(pk=posts[edit.position - 1].pk)
            if edit.replace is not None:
                old, new = edit.replace
                if old not in post.body:
                    raise CommandError(f"Demo edit of {thread.title!r}: no text to replace.")
                body = post.body.replace(old, new)
            else:
                body = f"{post.body}\n\n{edit.append}"
            community.edit_post(editor=self.members[edit.editor], post=post, body=body)
            written = times[edit.position - 1]
            when = written + timedelta(hours=edit.hours)
            edited[post.pk] = max(min(when, self.now - SAFETY_MARGIN), written)
            self.counts["edits"] += 1
        return edited

    def react(self, thread: content.Thread, topic: Topic, posts: list[Post]) -> None:
        """Likes here and there, and "helpful" from the asker on the replies that helped."""
        viewers = [member for member in self.members.values() if can_view_topic(member, topic)]
        replies = [None, *thread.replies]
        for post, reply in zip(posts, replies, strict=True):
            others = [member for member in viewers if member.pk != post.author_id]
            if reply is not None and reply.helpful:
                helpers = [m for m in others if m.pk == topic.author_id]
                rest = [m for m in others if m.pk != topic.author_id]
                helpers += self.rng.sample(rest, k=min(len(rest), self.rng.randint(0, 2)))
                for member in helpers:
                    self.toggle(member, post, Reaction.Kind.HELPFUL)
            if reply is None:
                likes = self.rng.randint(5, 11) if thread.pinned else self.rng.randint(1, 6)
            elif reply.helpful:
                likes = self.rng.randint(1, 5)
            else:
                likes = self.rng.choice([0, 0, 0, 1, 1, 2, 3])
            for member in self.rng.sample(others, k=min(len(others), likes)):
                self.toggle(member, post, Reaction.Kind.LIKE)

    def toggle(self, member: Member, post: Post, kind: str) -> None:
        community.toggle_reaction(member=member, post=post, kind=kind)
        self.counts[f"reactions_{kind}"] += 1

    def view(self, thread: content.Thread, topic: Topic) -> None:
        views = 8 + 7 * len(thread.replies) + self.rng.randint(0, 30)
        if thread.pinned:
            views += 150
        for _ in range(views):
            community.record_topic_view(topic=topic)
        self.counts["views"] += views

    def settle_join_dates(self) -> None:
        """Members joined a day before the community's first post, so profiles read true."""
        first = Post.objects.order_by("created_at").values_list("created_at", flat=True).first()
        if first is not None:
            Member.objects.filter(pk__in=[m.pk for m in self.members.values()]).update(
                date_joined=first - timedelta(days=1)
            )

    def settle_spaces(self) -> None:
        """Each space's last activity is that of its most recently active topic."""
        for space in self.spaces.values():
            latest = Topic.objects.filter(space=space, deleted_at__isnull=True).aggregate(
                latest=Max("last_activity_at")
            )["latest"]
            Space.objects.filter(pk=space.pk).update(last_activity_at=latest)


def login_rows() -> list[tuple[str, str, str, str]]:
    """(role, username, password, what they see) for each demo log-in that exists."""
    members = {m.username: m for m in Member.objects.filter(username__in=_login_usernames())}
    spaces = list(Space.objects.filter(visibility=Space.Visibility.AFFILIATIONS))
    rows = []
    for login in content.LOGINS:
        member = members.get(login.username)
        if member is None:
            continue
        if member.is_moderator:
            sees = "every space"
        else:
            restricted = [space.name for space in spaces if can_view_space(member, space)]
            sees = ", ".join(["public", "members-only", *restricted])
        if login.note:
            sees = f"{sees}; {login.note}"
        rows.append((login.label, login.username, content.PASSWORD, sees))
    return rows


def _login_usernames() -> list[str]:
    return [login.username for login in content.LOGINS]


def format_logins() -> str:
    header = ("Role", "Username", "Password", "Spaces they can see")
    rows = login_rows()
    rows.append(("Visitor (signed out)", "-", "-", "public spaces only"))
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]
    lines = [f"Open {URL} and sign in as:", ""]
    for row in [header, tuple("-" * len(cell) for cell in header), *rows]:
        cells = [cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)]
        lines.append("  " + "  ".join([*cells, row[3]]))
    customers = Member.objects.filter(username__in=content.OTHER_CUSTOMERS).order_by("pk")
    if customers:
        names = ", ".join(member.username for member in customers)
        lines += ["", f"More customers, same password: {names}."]
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Load the demo community (Lumen, a smart lighting company) and print its log-ins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--without-beer",
            action="store_true",
            help="skip importing the Beer Stack Exchange community",
        )

    def handle(self, *args, **options):
        if demo_loaded():
            self.stdout.write("Demo community already loaded.\n")
            if not options["without_beer"]:
                self.stdout.write(load_beer_community(self.stdout))
            self.stdout.write(format_logins())
            return
        started = time.monotonic()
        loader = Loader(timezone.now())
        # Notifications fan out as the demo is written (not later, in a worker), and the
        # demo's history e-mails nobody.
        demo_settings = override_settings(
            TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            # The demo writes weeks of history at once: no rate limits, and screening only
            # where the moderation queue is filled on purpose.
            HEARTH_POST_CHECKS=[],
            HEARTH_RATE_LIMITS_ENABLED=False,
        )
        # The immediate backend logs every task it runs; the demo's hundreds are noise.
        logging.getLogger("django_tasks").setLevel(logging.WARNING)
        try:
            with demo_settings, transaction.atomic():
                loader.run()
            settle_notifications()
        except HearthError as error:
            raise CommandError(
                f"Could not load the demo community: {error.message} "
                "Load it into a new, empty database (for example with a fresh HEARTH_VAR_DIR)."
            ) from error
        counts = loader.counts
        reactions = counts["reactions_like"] + counts["reactions_helpful"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo community loaded in {time.monotonic() - started:.1f} s: "
                f"Lumen, a smart lighting company."
            )
        )
        self.stdout.write(
            f"  {len(loader.members)} members, {len(loader.orgs)} organizations, "
            f"{len(loader.spaces)} spaces, {counts['topics']} topics "
            f"({counts['unanswered']} unanswered, {counts['pinned']} pinned, "
            f"{counts['locked']} locked), {counts['replies']} replies, {counts['edits']} edits, "
            f"{reactions} reactions ({counts['reactions_helpful']} helpful), "
            f"{counts['ideas']} ideas on {counts['idea_boards']} boards "
            f"({counts['idea_votes']} votes); {counts['held']} post held by screening and "
            f"{counts['flags']} flags in the moderation queue.\n"
        )
        if not options["without_beer"]:
            self.stdout.write(load_beer_community(self.stdout))
        self.stdout.write(format_logins())
