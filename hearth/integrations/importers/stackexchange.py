"""Imports a Stack Exchange data dump into one space, idempotently.

`import_stackexchange(path)` reads Tags, Users, Posts, Comments, Votes and PostLinks (as
.xml, .xml.gz, .xml.xz or .xml.bz2 files in a folder, or inside a tar archive), streaming
each file, then writes everything in one transaction with bulk inserts:

- users become members (customers, no usable password, joined on their creation date);
  authors whose account was deleted at the source become one "former member" per name;
- questions become question topics with their opening post; answers are replies in the
  order they were written; each comment is a reply placed right after the post it comments
  on, starting "Comment on ...". The topic reads as the site did: the question and its
  comments, then each answer with its comments;
- the accepted answer is the topic's accepted post, solved on the day of the accept vote;
- up votes count into the post's like_count (and the topic's); Stack Exchange publishes
  votes without their voter, so there is no Reaction row for them: every vote is kept,
  dated, in ImportedVote;
- tags become Tag rows (a tag wiki's excerpt is its description); duplicate and related
  links between questions become ImportedLink rows;
- every post keeps its author's name at the source and a link to it, as CC BY-SA asks;
- HTML bodies are sanitised for display and kept as Markdown for editing and search.

Each record is remembered in ImportedObject, so importing the same dump again updates what
changed and creates nothing twice. Records that point at something missing from the dump (a
vote on a deleted post, a link to a missing question) are skipped and counted by reason.
"""

from __future__ import annotations

import bz2
import gzip
import itertools
import lzma
import re
import secrets
import tarfile
import time
import unicodedata
import xml.etree.ElementTree as ET
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import transaction
from django.db.models import Count, Max, Sum
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from hearth.accounts.models import Affiliation, Member
from hearth.community import services as community_services
from hearth.community.models import TITLE_MAX_LENGTH, Post, Reaction, Space, Tag, Topic
from hearth.core.errors import HearthError
from hearth.core.markdown import render_markdown, sanitize_html
from hearth.core.services import record_activity
from hearth.core.templatetags.hearth import plain_text
from hearth.integrations.importers.html_text import html_to_markdown
from hearth.integrations.importers.progress import Progress
from hearth.integrations.models import ImportedLink, ImportedObject, ImportedVote

# The files an import reads, in the order it reads them.
FILES = ("Tags", "Users", "Posts", "Comments", "Votes", "PostLinks")
COMPRESSED = {"": open, ".gz": gzip.open, ".xz": lzma.open, ".bz2": bz2.open}
ARCHIVE_SUFFIXES = (".tar.xz", ".tar.gz", ".tar.bz2", ".tgz", ".txz", ".tar", ".7z")
# Names for the space a site's dump goes into when none is given.
SPACE_NAMES = {"beer": "Beer & brewing"}

QUESTION, ANSWER = "1", "2"
TAG_WIKI_EXCERPT = "4"
UP_VOTE, ACCEPT_VOTE = 2, 1
DUPLICATE_LINK = 3
# Positions are moved out of the way through here while a topic's posts are renumbered.
POSITION_OFFSET = 1_000_000
FORMER_MEMBER_NAME = "Former member"
POST_ID_STAND_IN = 987654321

Kind = ImportedObject.Kind


class DumpError(HearthError):
    code = "bad_dump"
    default_message = "This is not a Stack Exchange data dump Hearth can read."


# --- Reading the dump ----------------------------------------------------------------------


class Dump:
    """The dump's files, in a folder (plain or compressed one by one) or in a tar archive."""

    def __init__(self, path: Path):
        self.path = path
        self.tar: tarfile.TarFile | None = None
        # name ("Posts") -> (file path or tar member, compression suffix, shown name)
        self.entries: dict[str, tuple] = {}
        if not path.exists():
            raise DumpError(f"{path} does not exist.")
        if path.is_dir():
            files = {child.name.lower(): child for child in path.iterdir() if child.is_file()}
            for name in FILES:
                for suffix in COMPRESSED:
                    found = files.get(f"{name}.xml{suffix}".lower())
                    if found is not None:
                        self.entries[name] = (found, suffix, found.name)
                        break
        elif path.name.lower().endswith(".7z"):
            raise DumpError(
                f"{path.name} is a 7-Zip archive: extract it first (7z x {path.name} -oDIR) "
                "and import the folder."
            )
        elif tarfile.is_tarfile(path):
            self.tar = tarfile.open(path)  # noqa: SIM115 (closed by close())
            members = {
                Path(member.name).name.lower(): member
                for member in self.tar.getmembers()
                if member.isfile()
            }
            for name in FILES:
                member = members.get(f"{name}.xml".lower())
                if member is not None:
                    self.entries[name] = (member, "", f"{path.name}:{member.name}")
        else:
            raise DumpError(
                f"{path} is neither a folder nor a tar archive of a Stack Exchange data dump."
            )

    def missing(self) -> list[str]:
        return [f"{name}.xml" for name in FILES if name not in self.entries]

    def shown_name(self, name: str) -> str:
        return self.entries[name][2]

    @contextmanager
    def open(self, name: str):
        """(binary stream, total size, a function telling how much of it is read)."""
        where, suffix, _ = self.entries[name]
        if self.tar is not None:
            stream = self.tar.extractfile(where)
            try:
                yield stream, where.size, stream.tell
            finally:
                stream.close()
            return
        raw = open(where, "rb")  # noqa: SIM115 (closed below)
        try:
            stream = raw if not suffix else COMPRESSED[suffix](raw)
            yield stream, where.stat().st_size, raw.tell
        finally:
            raw.close()

    def close(self) -> None:
        if self.tar is not None:
            self.tar.close()


def site_from_path(path: Path) -> str:
    """The site a dump comes from, by its name: "beer" or "beer.stackexchange.com"."""
    name = path.name
    for suffix in ARCHIVE_SUFFIXES:
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
            break
    name = name.strip().lower()
    return name if "." in name else f"{name}.stackexchange.com"


# --- Records as parsed ---------------------------------------------------------------------


@dataclass(slots=True)
class _User:
    id: str
    name: str
    created: datetime


@dataclass(slots=True)
class _Question:
    id: str
    author_key: tuple[str, str]
    author_name: str
    created: datetime
    title: str
    tags: list[str]
    accepted_id: str | None
    view_count: int
    closed: bool
    body: str
    body_html: str


@dataclass(slots=True)
class _Answer:
    id: str
    question_id: str
    author_key: tuple[str, str]
    author_name: str
    created: datetime
    body: str
    body_html: str


@dataclass(slots=True)
class _Comment:
    id: str
    post_id: str
    author_key: tuple[str, str]
    author_name: str
    created: datetime
    text: str


@dataclass(slots=True)
class _Vote:
    id: str
    post_id: str
    type: int
    created: datetime
    user_id: str | None


@dataclass(slots=True)
class _Link:
    id: str
    post_id: str
    related_id: str
    type: int
    created: datetime


@dataclass
class ImportResult:
    """What an import found and did. `counts` are rows of the dump now in Hearth, per kind,
    the same however many times the dump is imported; `created` and `updated` say what this
    run changed; `skipped` counts the rows left out, by reason."""

    site: str
    source: str
    space: Space
    counts: Counter = field(default_factory=Counter)
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    rows_read: int = 0
    seconds: float = 0.0
    # Of which reading and converting the dump (the rest is writing).
    parse_seconds: float = 0.0

    @property
    def rows_per_second(self) -> float:
        return self.rows_read / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        lines = [
            f"Imported {self.site} into the space “{self.space.name}” "
            f"({self.space.get_absolute_url()}): {self.rows_read:,} rows read in "
            f"{self.seconds:.1f} s ({self.rows_per_second:,.0f} rows/s).",
            "",
            f"  {'kind':<18}{'in Hearth':>10}{'new':>10}{'updated':>10}",
        ]
        for kind in SUMMARY_KINDS:
            if kind in ("accepted answers", "duplicates"):
                lines.append(f"  {kind:<18}{self.counts[kind]:>10,}")
                continue
            lines.append(
                f"  {kind:<18}{self.counts[kind]:>10,}{self.created[kind]:>10,}"
                f"{self.updated[kind]:>10,}"
            )
        lines.append(f"  {'skipped':<18}{sum(self.skipped.values()):>10,}")
        for reason, count in sorted(self.skipped.items(), key=lambda item: (-item[1], item[0])):
            lines.append(f"    {count:>7,}  {reason}")
        return "\n".join(lines) + "\n"


SUMMARY_KINDS = (
    "members",
    "former members",
    "tags",
    "questions",
    "answers",
    "comments",
    "accepted answers",
    "votes",
    "links",
    "duplicates",
)
SKIP_WIKI = "wiki posts (tag and site wikis: not conversations)"
SKIP_OTHER_POST = "posts of another kind (not a question or an answer)"
SKIP_ORPHAN_ANSWER = "answers to a question not in the dump"
SKIP_ORPHAN_COMMENT = "comments on a post not in the dump"
SKIP_ORPHAN_VOTE = "votes on a post not in the dump"
SKIP_WIKI_VOTE = "votes on wiki posts"
SKIP_ORPHAN_LINK = "links to or from a post not in the dump"
SKIP_SELF_LINK = "links within one question"
SKIP_ORPHAN_ACCEPT = "accepted answers not in the dump"


# --- Small helpers -------------------------------------------------------------------------


def _date(value: str | None, where: str) -> datetime:
    if not value:
        raise DumpError(f"{where} has no date.")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise DumpError(f"{where} has a date Hearth cannot read: {value!r}.") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _int(value: str | None, default: int = 0) -> int:
    try:
        return int(value) if value else default
    except ValueError:
        return default


def _tag_names(value: str) -> list[str]:
    """`<beer><ipa>` (or `|beer|ipa|` in newer dumps) as ["beer", "ipa"]."""
    value = value.strip()
    names = value.strip("|").split("|") if value.startswith("|") else value.strip("<>").split("><")
    return list(dict.fromkeys(name.strip() for name in names if name.strip()))


def _username_base(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^A-Za-z0-9_.-]+", "_", folded.strip()).strip("._-").lower()
    base = re.sub(r"_{2,}", "_", base)[:30].strip("._-")
    return base or "member"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]])")


def _md_escape(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _absolute_urls(html: str, site: str) -> str:
    """Links and images relative to the site point back to it (Hearth has no such pages)."""
    html = re.sub(r'(\s(?:href|src)=")//', r"\1https://", html)
    return re.sub(r'(\s(?:href|src)=")/(?!/)', rf"\1https://{site}/", html)


def _topic_counters(author_id: int, created_at: datetime, posts: list[tuple]) -> dict:
    """A topic's counters from its posts: (position, author id, created, deleted, likes)."""
    alive = [post for post in posts if post[3] is None]
    replies = [post for post in alive if post[0] > 1]
    latest = max(alive, key=lambda post: (post[2], post[0]), default=None)
    by_others = [post[2] for post in replies if post[1] != author_id]
    return {
        "reply_count": len(replies),
        "last_position": max((post[0] for post in posts), default=1),
        "like_count": sum(post[4] for post in posts),
        "last_activity_at": latest[2] if latest else created_at,
        "last_poster_id": latest[1] if latest else author_id,
        # Any reply by someone else is a response, as in create_reply().
        "first_response_at": min(by_others, default=None),
    }


def _changed(obj, values: dict) -> bool:
    """Set `values` on `obj`; whether any of them differed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


# --- The importer --------------------------------------------------------------------------


class StackExchangeImporter:
    def __init__(
        self,
        path: str | Path,
        *,
        site: str | None = None,
        space_slug: str | None = None,
        out: TextIO | None = None,
        live_progress: bool = False,
        batch_size: int = 500,
    ):
        self.path = Path(path)
        self.site = (site or site_from_path(self.path)).strip().lower()
        self.source = f"stackexchange:{self.site}"
        self.space_slug = space_slug
        self.out = out
        self.live = live_progress
        self.batch_size = batch_size
        self.now = timezone.now()
        self.skipped: Counter = Counter()
        self.rows_read = 0
        # Parsed records.
        self.tags: dict[str, str | None] = {}  # name -> excerpt post id
        self.tag_descriptions: dict[str, str] = {}  # excerpt post id -> text
        self.users: dict[str, _User] = {}
        self.former_names: dict[str, None] = {}
        self.questions: dict[str, _Question] = {}
        self.answers: dict[str, _Answer] = {}
        self.comments: list[_Comment] = []
        self.votes: list[_Vote] = []
        self.links: list[_Link] = []
        self.wiki_post_ids: set[str] = set()
        # Hearth ids by kind and external id, filled as rows are written.
        self.ids: dict[str, dict[str, int]] = defaultdict(dict)

    # Output ---------------------------------------------------------------------------

    def progress(self, label: str, total: int, *, unit: str = "") -> Progress:
        return Progress(self.out, label, total, live=self.live, unit=unit)

    # Run ------------------------------------------------------------------------------

    def run(self) -> ImportResult:
        started = time.monotonic()
        dump = Dump(self.path)
        try:
            if missing := dump.missing():
                raise DumpError(
                    f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing "
                    f"from {self.path}: a Stack Exchange dump needs {', '.join(FILES)} "
                    "(.xml, .xml.gz, .xml.xz or .xml.bz2)."
                )
            self.parse(dump)
        finally:
            dump.close()
        parsed = time.monotonic()
        with transaction.atomic():
            result = self.write()
            result.rows_read = self.rows_read
            result.parse_seconds = parsed - started
            result.seconds = time.monotonic() - started
            record_activity(
                actor=None,
                verb="import.completed",
                target=result.space,
                space_id=result.space.pk,
                payload={
                    "importer": "stackexchange",
                    "source": self.source,
                    "counts": dict(result.counts),
                    "created": dict(result.created),
                    "updated": dict(result.updated),
                    "skipped": dict(result.skipped),
                    "rows_read": result.rows_read,
                    "seconds": round(result.seconds, 2),
                },
            )
        return result

    # Parsing --------------------------------------------------------------------------

    def rows(self, dump: Dump, name: str, root_tag: str) -> Iterator[tuple[int, dict]]:
        """Each `<row>` of a file as (row number, attributes), streaming."""
        shown = dump.shown_name(name)
        with dump.open(name) as (stream, size, position):
            progress = self.progress(f"{name}.xml", size, unit="rows")
            number = 0
            try:
                root = None
                # ElementTree resolves no external entities, and expat (>= 2.4.1) refuses
                # entity expansion bombs: safe for a dump an administrator hands in.
                events = ET.iterparse(stream, events=("start", "end"))  # noqa: S314
                for event, elem in events:
                    if root is None:
                        root = elem
                        if elem.tag != root_tag:
                            raise DumpError(
                                f"{shown} is not a Stack Exchange {name} file: it holds "
                                f"<{elem.tag}>, not <{root_tag}>."
                            )
                        continue
                    if event != "end" or elem.tag != "row":
                        continue
                    number += 1
                    yield number, elem.attrib
                    elem.clear()
                    root.clear()
                    progress.advance(fraction=position() / size if size else None)
            except ET.ParseError as error:
                line, column = error.position
                reason = str(error).split(": line ")[0]
                raise DumpError(
                    f"{shown} is not valid XML at line {line}, column {column}: {reason}."
                ) from None
            except (EOFError, lzma.LZMAError, zlib.error, OSError) as error:
                raise DumpError(
                    f"{shown} could not be read (damaged or cut short): {error}"
                ) from None
            progress.finish()
        self.rows_read += number

    def parse(self, dump: Dump) -> None:
        self.parse_tags(dump)
        self.parse_users(dump)
        self.parse_posts(dump)
        self.parse_comments(dump)
        self.parse_votes(dump)
        self.parse_links(dump)

    def _author(self, user_id: str | None, name: str | None) -> tuple[tuple[str, str], str]:
        """(key of the Hearth author, name to credit): a member, else a former member."""
        if user_id and user_id in self.users:
            return (Kind.MEMBER, user_id), self.users[user_id].name
        name = " ".join((name or "").split())[:80]
        self.former_names[name] = None
        return (Kind.FORMER_MEMBER, name), name or FORMER_MEMBER_NAME

    def parse_tags(self, dump: Dump) -> None:
        for number, row in self.rows(dump, "Tags", "tags"):
            name = (row.get("TagName") or "").strip()
            if not name:
                raise DumpError(f"Tags.xml row {number} has no TagName.")
            self.tags[name[:50]] = row.get("ExcerptPostId")

    def parse_users(self, dump: Dump) -> None:
        for number, row in self.rows(dump, "Users", "users"):
            user_id = row.get("Id")
            if not user_id:
                raise DumpError(f"Users.xml row {number} has no Id.")
            where = f"Users.xml row {number} (Id {user_id})"
            name = " ".join((row.get("DisplayName") or "").split())[:80] or f"user{user_id}"
            self.users[user_id] = _User(user_id, name, _date(row.get("CreationDate"), where))

    def parse_posts(self, dump: Dump) -> None:
        excerpts = {post_id for post_id in self.tags.values() if post_id}
        for number, row in self.rows(dump, "Posts", "posts"):
            post_id = row.get("Id")
            if not post_id:
                raise DumpError(f"Posts.xml row {number} has no Id.")
            where = f"Posts.xml row {number} (Id {post_id})"
            kind = row.get("PostTypeId")
            if kind not in (QUESTION, ANSWER):
                if kind == TAG_WIKI_EXCERPT and post_id in excerpts:
                    text = plain_text(sanitize_html(row.get("Body") or ""))
                    self.tag_descriptions[post_id] = text[:300]
                if kind in ("3", "4", "5", "7"):
                    self.wiki_post_ids.add(post_id)
                    self.skipped[SKIP_WIKI] += 1
                else:
                    self.skipped[SKIP_OTHER_POST] += 1
                continue
            html = _absolute_urls(row.get("Body") or "", self.site)
            author_key, author_name = self._author(
                row.get("OwnerUserId"), row.get("OwnerDisplayName")
            )
            created = _date(row.get("CreationDate"), where)
            body_html = sanitize_html(html)
            body = html_to_markdown(html)
            if kind == QUESTION:
                title = " ".join((row.get("Title") or "").split())[:TITLE_MAX_LENGTH]
                self.questions[post_id] = _Question(
                    id=post_id,
                    author_key=author_key,
                    author_name=author_name,
                    created=created,
                    title=title or f"Question {post_id}",
                    tags=[name[:50] for name in _tag_names(row.get("Tags") or "")],
                    accepted_id=row.get("AcceptedAnswerId") or None,
                    view_count=max(_int(row.get("ViewCount")), 0),
                    closed=bool(row.get("ClosedDate")),
                    body=body,
                    body_html=body_html,
                )
            else:
                self.answers[post_id] = _Answer(
                    id=post_id,
                    question_id=row.get("ParentId") or "",
                    author_key=author_key,
                    author_name=author_name,
                    created=created,
                    body=body,
                    body_html=body_html,
                )
        for answer_id, answer in list(self.answers.items()):
            if answer.question_id not in self.questions:
                del self.answers[answer_id]
                self.skipped[SKIP_ORPHAN_ANSWER] += 1

    def parse_comments(self, dump: Dump) -> None:
        for number, row in self.rows(dump, "Comments", "comments"):
            comment_id = row.get("Id")
            if not comment_id:
                raise DumpError(f"Comments.xml row {number} has no Id.")
            where = f"Comments.xml row {number} (Id {comment_id})"
            post_id = row.get("PostId") or ""
            if post_id not in self.questions and post_id not in self.answers:
                self.skipped[SKIP_ORPHAN_COMMENT] += 1
                continue
            author_key, author_name = self._author(row.get("UserId"), row.get("UserDisplayName"))
            self.comments.append(
                _Comment(
                    id=comment_id,
                    post_id=post_id,
                    author_key=author_key,
                    author_name=author_name,
                    created=_date(row.get("CreationDate"), where),
                    text=(row.get("Text") or "").strip(),
                )
            )

    def parse_votes(self, dump: Dump) -> None:
        for number, row in self.rows(dump, "Votes", "votes"):
            vote_id = row.get("Id")
            if not vote_id:
                raise DumpError(f"Votes.xml row {number} has no Id.")
            where = f"Votes.xml row {number} (Id {vote_id})"
            post_id = row.get("PostId") or ""
            if post_id not in self.questions and post_id not in self.answers:
                if post_id in self.wiki_post_ids:
                    self.skipped[SKIP_WIKI_VOTE] += 1
                else:
                    self.skipped[SKIP_ORPHAN_VOTE] += 1
                continue
            self.votes.append(
                _Vote(
                    id=vote_id,
                    post_id=post_id,
                    type=_int(row.get("VoteTypeId")),
                    created=_date(row.get("CreationDate"), where),
                    user_id=row.get("UserId") or None,
                )
            )

    def parse_links(self, dump: Dump) -> None:
        for number, row in self.rows(dump, "PostLinks", "postlinks"):
            link_id = row.get("Id")
            if not link_id:
                raise DumpError(f"PostLinks.xml row {number} has no Id.")
            where = f"PostLinks.xml row {number} (Id {link_id})"
            self.links.append(
                _Link(
                    id=link_id,
                    post_id=row.get("PostId") or "",
                    related_id=row.get("RelatedPostId") or "",
                    type=_int(row.get("LinkTypeId")),
                    created=_date(row.get("CreationDate"), where),
                )
            )

    # Writing --------------------------------------------------------------------------

    def write(self) -> ImportResult:
        space = self.target_space()
        # A second import of the space waits for this one, then finds what it made.
        space = Space.objects.select_for_update().get(pk=space.pk)
        result = ImportResult(site=self.site, source=self.source, space=space)
        result.skipped = self.skipped
        self.result = result
        self.load_ids()
        self.layouts = self.build_layouts()
        self.comment_by_id = {comment.id: comment for comment in self.comments}
        self.likes = Counter(vote.post_id for vote in self.votes if vote.type == UP_VOTE)
        # A post's address with a stand-in id (reverse() is slow for thousands of them).
        self.post_url = reverse("community:post", args=[POST_ID_STAND_IN])
        self.write_tags()
        self.write_members()
        self.write_topics(space)
        self.write_posts()
        self.write_accepted_answers()
        self.write_topic_tags()
        self.write_votes()
        self.write_links()
        self.settle_counters()
        return result

    def target_space(self) -> Space:
        if self.space_slug:
            space = Space.objects.filter(slug=self.space_slug).first()
            if space is None:
                raise DumpError(
                    f"There is no space with the address “{self.space_slug}”: create it first, "
                    "or leave --space out to have one made for this site."
                )
            return space
        label = self.site.split(".")[0]
        slug = slugify(label)[:80] or "imported"
        space = Space.objects.filter(slug=slug).first()
        if space is None:
            last = Space.objects.aggregate(last=Max("position"))["last"] or 0
            space = community_services.create_space(
                actor=None,
                # After the spaces there are: an archive joins the community, it does not lead.
                position=last + 10,
                name=SPACE_NAMES.get(label, label.replace("-", " ").capitalize()),
                slug=slug,
                description=(
                    f"Questions and answers from {self.site}, shared under CC BY-SA by their "
                    "authors: each post links to its original."
                ),
            )
        return space

    def load_ids(self) -> None:
        """What earlier imports of this source made, forgetting rows deleted since."""
        rows = ImportedObject.objects.filter(source=self.source).values_list(
            "pk", "kind", "external_id", "object_id"
        )
        by_kind: dict[str, list[tuple[int, str, int]]] = defaultdict(list)
        for pk, kind, external_id, object_id in rows:
            by_kind[kind].append((pk, external_id, object_id))
        models = {
            Kind.MEMBER: Member,
            Kind.FORMER_MEMBER: Member,
            Kind.TAG: Tag,
            Kind.QUESTION: Topic,
            Kind.QUESTION_POST: Post,
            Kind.ANSWER: Post,
            Kind.COMMENT: Post,
        }
        stale: list[int] = []
        for kind, entries in by_kind.items():
            model = models.get(kind)
            if model is None:
                continue
            alive = set(
                model.objects.filter(pk__in=self.imported(kind)).values_list("pk", flat=True)
            )
            for pk, external_id, object_id in entries:
                if object_id in alive:
                    self.ids[kind][external_id] = object_id
                else:
                    stale.append(pk)
        if stale:
            ImportedObject.objects.filter(pk__in=stale).delete()

    def imported(self, *kinds: str):
        """The Hearth ids this source's rows of `kinds` became, as a subquery."""
        return ImportedObject.objects.filter(source=self.source, kind__in=kinds).values("object_id")

    def remember(self, kind: str, pairs: list[tuple[str, int]]) -> None:
        ImportedObject.objects.bulk_create(
            [
                ImportedObject(
                    source=self.source, kind=kind, external_id=external_id, object_id=object_id
                )
                for external_id, object_id in pairs
            ],
            batch_size=self.batch_size,
        )
        self.ids[kind].update(pairs)

    def bulk_create(self, model, objects: list, progress: Progress | None = None) -> None:
        for start in range(0, len(objects), self.batch_size):
            batch = objects[start : start + self.batch_size]
            model.objects.bulk_create(batch)
            if progress is not None:
                progress.advance(len(batch))

    def bulk_update(self, model, objects: list, fields: list[str]) -> None:
        if objects:
            model.objects.bulk_update(objects, fields, batch_size=self.batch_size)

    # Tags ---

    def write_tags(self) -> None:
        result = self.result
        names = list(self.tags)
        for question in self.questions.values():
            for name in question.tags:
                if name not in self.tags:
                    self.tags[name] = None
                    names.append(name)
        existing: dict[str, Tag] = {}
        for tag in Tag.objects.all():
            existing[tag.name.lower()] = tag
            existing.setdefault(f"slug:{tag.slug}", tag)
        slugs = {tag.slug for tag in existing.values()}
        mine = {object_id: name for name, object_id in self.ids[Kind.TAG].items()}
        self.tag_pk: dict[str, int] = {}
        to_create: list[Tag] = []
        to_update: list[Tag] = []
        for name in names:
            description = self.tag_descriptions.get(self.tags[name] or "", "")
            slug = slugify(name)[:50] or "tag"
            tag = existing.get(name.lower()) or existing.get(f"slug:{slug}")
            if tag is not None:
                self.tag_pk[name] = tag.pk
                # Only tags this import made follow the dump's description.
                if tag.pk in mine and _changed(tag, {"description": description}):
                    to_update.append(tag)
                    result.updated["tags"] += 1
                continue
            unique = slug
            number = 2
            while unique in slugs:
                suffix = f"-{number}"
                unique = slug[: 50 - len(suffix)] + suffix
                number += 1
            slugs.add(unique)
            to_create.append(Tag(name=name, slug=unique, description=description))
        self.bulk_create(Tag, to_create)
        self.bulk_update(Tag, to_update, ["description"])
        self.remember(Kind.TAG, [(tag.name, tag.pk) for tag in to_create])
        for tag in to_create:
            self.tag_pk[tag.name] = tag.pk
        result.created["tags"] = len(to_create)
        result.counts["tags"] = len(names)

    # Members ---

    def write_members(self) -> None:
        result = self.result
        taken = set(Member.objects.values_list(Lower("username"), flat=True))

        def username_for(name: str, suffix: str) -> str:
            base = _username_base(name)
            candidates = itertools.chain(
                [base, f"{base}_{suffix}"],
                (f"{base}_{suffix}_{number}" for number in range(2, 1000)),
            )
            for candidate in candidates:
                if candidate.lower() not in taken:
                    taken.add(candidate.lower())
                    return candidate
            raise DumpError(f"No free username for {name!r}.")

        wanted: list[tuple[str, str, str, datetime | None]] = [
            (Kind.MEMBER, user.id, user.name, user.created) for user in self.users.values()
        ]
        # Someone known by name only joined, as far as we know, when they first wrote.
        first_written: dict[str, datetime] = {}
        records = [*self.questions.values(), *self.answers.values(), *self.comments]
        written = Counter(record.author_key for record in records)
        for record in records:
            kind, name = record.author_key
            if kind == Kind.FORMER_MEMBER:
                earliest = first_written.get(name)
                first_written[name] = min(earliest, record.created) if earliest else record.created
        wanted += [
            (Kind.FORMER_MEMBER, name, name or FORMER_MEMBER_NAME, first_written.get(name))
            for name in self.former_names
        ]
        known = {
            member.pk: member
            for member in Member.objects.filter(
                pk__in=self.imported(Kind.MEMBER, Kind.FORMER_MEMBER)
            ).only("pk", "display_name", "date_joined")
        }
        progress = self.progress("Members", len(wanted))
        created: dict[str, list[tuple[str, Member]]] = defaultdict(list)
        to_update: list[Member] = []
        for kind, external_id, name, joined in wanted:
            label = "members" if kind == Kind.MEMBER else "former members"
            pk = self.ids[kind].get(external_id)
            if pk is not None:
                member = known[pk]
                values = {"display_name": name}
                if joined is not None:
                    values["date_joined"] = joined
                if _changed(member, values):
                    to_update.append(member)
                    result.updated[label] += 1
                progress.advance()
                continue
            member = Member(
                username=username_for(name, external_id if kind == Kind.MEMBER else "se"),
                display_name=name,
                email="",
                # What set_unusable_password() stores, without its per-call cost.
                password=UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30),
                affiliation=Affiliation.CUSTOMER,
                date_joined=joined or self.now,
                post_count=written[(kind, external_id)],
            )
            created[kind].append((external_id, member))
        new = [member for pairs in created.values() for _, member in pairs]
        self.bulk_create(Member, new, progress)
        self.bulk_update(Member, to_update, ["display_name", "date_joined"])
        progress.finish()
        for kind, pairs in created.items():
            self.remember(kind, [(external_id, member.pk) for external_id, member in pairs])
        result.created["members"] = len(created[Kind.MEMBER])
        result.created["former members"] = len(created[Kind.FORMER_MEMBER])
        result.counts["members"] = len(self.users)
        result.counts["former members"] = len(self.former_names)

    def author_pk(self, key: tuple[str, str]) -> int:
        kind, external_id = key
        return self.ids[kind][external_id]

    # Topics ---

    def write_topics(self, space: Space) -> None:
        result = self.result
        known = {
            topic.pk: topic for topic in Topic.objects.filter(pk__in=self.imported(Kind.QUESTION))
        }
        self.topics: dict[str, Topic] = {}
        self.updated_questions: set[str] = set()
        to_create: list[Topic] = []
        to_update: list[Topic] = []
        fields = ["kind", "title", "slug", "author", "created_at", "view_count", "is_locked"]
        for question in self.questions.values():
            author = self.author_pk(question.author_key)
            values = {
                "kind": Topic.Kind.QUESTION,
                "title": question.title,
                "slug": slugify(question.title)[:80].strip("-") or "topic",
                "author_id": author,
                "created_at": question.created,
                "view_count": question.view_count,
                # Closed at the source: no new answers there, so none here.
                "is_locked": question.closed,
            }
            pk = self.ids[Kind.QUESTION].get(question.id)
            if pk is not None:
                topic = known[pk]
                if _changed(topic, values):
                    to_update.append(topic)
                    self.updated_questions.add(question.id)
            else:
                topic = Topic(
                    space=space,
                    **_topic_counters(author, question.created, self.planned_posts(question.id)),
                    # History is not news: nobody is routed to, or reminded of, old questions.
                    routed_at=self.now,
                    escalated_at=self.now,
                    accept_reminded_at=self.now,
                    **values,
                )
                to_create.append(topic)
            self.topics[question.id] = topic
        progress = self.progress("Questions", len(to_create))
        self.bulk_create(Topic, to_create, progress)
        progress.finish()
        self.bulk_update(Topic, to_update, fields)
        result.updated["questions"] = len(self.updated_questions)
        reverse_ids = {id(topic): qid for qid, topic in self.topics.items()}
        self.remember(Kind.QUESTION, [(reverse_ids[id(topic)], topic.pk) for topic in to_create])
        result.created["questions"] = len(to_create)
        result.counts["questions"] = len(self.questions)

    # Posts ---

    def build_layouts(self) -> dict[str, list[tuple[str, str]]]:
        """Each question's posts in reading order: the question and its comments, then each
        answer (oldest first) followed by its comments (oldest first)."""
        comments_on: dict[str, list[_Comment]] = defaultdict(list)
        for comment in self.comments:
            comments_on[comment.post_id].append(comment)
        for comments in comments_on.values():
            comments.sort(key=lambda comment: (comment.created, _int(comment.id)))
        answers_to: dict[str, list[_Answer]] = defaultdict(list)
        for answer in self.answers.values():
            answers_to[answer.question_id].append(answer)
        layouts = {}
        for question_id in self.questions:
            layout = [(Kind.QUESTION_POST, question_id)]
            layout += [(Kind.COMMENT, c.id) for c in comments_on[question_id]]
            answers = sorted(answers_to[question_id], key=lambda a: (a.created, _int(a.id)))
            for answer in answers:
                layout.append((Kind.ANSWER, answer.id))
                layout += [(Kind.COMMENT, c.id) for c in comments_on[answer.id]]
            layouts[question_id] = layout
        return layouts

    def planned_posts(self, question_id: str) -> list[tuple]:
        """A new topic's posts as they will be written, for its counters."""
        posts = []
        for position, (kind, external_id) in enumerate(self.layouts[question_id], start=1):
            if kind == Kind.COMMENT:
                record, likes = self.comment_by_id[external_id], 0
            else:
                records = self.questions if kind == Kind.QUESTION_POST else self.answers
                record, likes = records[external_id], self.likes[external_id]
            posts.append((position, self.author_pk(record.author_key), record.created, None, likes))
        return posts

    def source_url(self, kind: str, external_id: str) -> str:
        if kind == Kind.QUESTION_POST:
            return f"https://{self.site}/q/{external_id}"
        if kind == Kind.ANSWER:
            return f"https://{self.site}/a/{external_id}"
        return f"https://{self.site}/posts/comments/{external_id}"

    def write_posts(self) -> None:
        result = self.result
        layouts = self.layouts
        likes = self.likes
        post_kinds = (Kind.QUESTION_POST, Kind.ANSWER, Kind.COMMENT)
        mapped = self.imported(*post_kinds)
        known = {
            post.pk: post
            for post in Post.objects.filter(pk__in=mapped).only(
                "pk", "topic_id", "position", "author_id", "body", "body_html", "created_at",
                "like_count", "source_url", "source_author",
            )
        }  # fmt: skip
        native_likes = dict(
            Reaction.objects.filter(post_id__in=mapped, kind=Reaction.Kind.LIKE)
            .values("post_id")
            .annotate(count=Count("id"))
            .values_list("post_id", "count")
        )

        # Where every post goes: position 1.. in reading order; posts already in these
        # topics that the dump does not place (replies written in Hearth) follow, in order.
        final: dict[tuple[str, str], tuple[str, int]] = {}
        for question_id, layout in layouts.items():
            for position, key in enumerate(layout, start=1):
                final[key] = (question_id, position)
        placed: dict[int, tuple[str, str]] = {}
        for kind, external_id in final:
            pk = self.ids[kind].get(external_id)
            if pk is not None:
                placed[pk] = (kind, external_id)
        current = list(
            Post.objects.filter(topic_id__in=self.imported(Kind.QUESTION))
            .order_by("topic_id", "position")
            .values_list("pk", "topic_id", "position")
        )
        question_of_topic = {topic.pk: qid for qid, topic in self.topics.items()}
        moves: dict[int, tuple[int, int]] = {}  # post pk -> (topic pk, position)
        extra: dict[int, int] = defaultdict(int)  # topic pk -> posts placed after the dump's
        for pk, topic_id, position in current:
            if pk in placed:
                question_id, wanted = final[placed[pk]]
                target = (self.topics[question_id].pk, wanted)
            elif topic_id in question_of_topic:
                layout = layouts[question_of_topic[topic_id]]
                extra[topic_id] += 1
                target = (topic_id, len(layout) + extra[topic_id])
            else:
                continue
            if (topic_id, position) != target:
                moves[pk] = target
        if moves:
            self.bulk_update(
                Post,
                [
                    Post(pk=pk, topic_id=topic_id, position=position + POSITION_OFFSET)
                    for pk, (topic_id, position) in moves.items()
                ],
                ["topic", "position"],
            )

        total = sum(len(layout) for layout in layouts.values())
        progress = self.progress("Posts", total)
        to_update: list[Post] = []
        update_fields = [
            "author", "body", "body_html", "created_at", "like_count", "source_url",
            "source_author",
        ]  # fmt: skip
        labels = {Kind.QUESTION_POST: "questions", Kind.ANSWER: "answers", Kind.COMMENT: "comments"}

        def place(kind: str, external_id: str, values: dict, created: list) -> None:
            question_id, position = final[(kind, external_id)]
            topic = self.topics[question_id]
            pk = self.ids[kind].get(external_id)
            values["source_url"] = self.source_url(kind, external_id)
            # Votes are on questions and answers only (comment ids are another series).
            votes = likes[external_id] if kind != Kind.COMMENT else 0
            values["like_count"] = votes + native_likes.get(pk, 0)
            if pk is None:
                created.append((external_id, Post(topic_id=topic.pk, position=position, **values)))
                return
            post = known[pk]
            if _changed(post, values):
                to_update.append(post)
                if kind == Kind.QUESTION_POST:
                    # A question's title and body are one item; count it once.
                    if external_id not in self.updated_questions:
                        self.updated_questions.add(external_id)
                        result.updated["questions"] += 1
                else:
                    result.updated[labels[kind]] += 1

        # Questions and answers first: comments link to the post they comment on.
        created: dict[str, list[tuple[str, Post]]] = defaultdict(list)
        for question in self.questions.values():
            place(
                Kind.QUESTION_POST,
                question.id,
                {
                    "author_id": self.author_pk(question.author_key),
                    "body": question.body,
                    "body_html": question.body_html,
                    "created_at": question.created,
                    "source_author": question.author_name,
                },
                created[Kind.QUESTION_POST],
            )
        for answer in self.answers.values():
            place(
                Kind.ANSWER,
                answer.id,
                {
                    "author_id": self.author_pk(answer.author_key),
                    "body": answer.body,
                    "body_html": answer.body_html,
                    "created_at": answer.created,
                    "source_author": answer.author_name,
                },
                created[Kind.ANSWER],
            )
        for kind in (Kind.QUESTION_POST, Kind.ANSWER):
            posts = [post for _, post in created[kind]]
            self.bulk_create(Post, posts, progress)
            self.remember(kind, [(external_id, post.pk) for external_id, post in created[kind]])
        for comment in self.comments:
            body = self.comment_body(comment)
            place(
                Kind.COMMENT,
                comment.id,
                {
                    "author_id": self.author_pk(comment.author_key),
                    "body": body,
                    "body_html": render_markdown(body).html,
                    "created_at": comment.created,
                    "source_author": comment.author_name,
                },
                created[Kind.COMMENT],
            )
        posts = [post for _, post in created[Kind.COMMENT]]
        self.bulk_create(Post, posts, progress)
        self.remember(Kind.COMMENT, [(cid, post.pk) for cid, post in created[Kind.COMMENT]])
        progress.advance(total - progress.done)
        progress.finish()
        self.bulk_update(Post, to_update, update_fields)
        if moves:
            self.bulk_update(
                Post,
                [
                    Post(pk=pk, topic_id=topic_id, position=position)
                    for pk, (topic_id, position) in moves.items()
                ],
                ["position"],
            )
        for kind, label in labels.items():
            result.created[label] = len(created[kind])
        result.counts["answers"] = len(self.answers)
        result.counts["comments"] = len(self.comments)

    def comment_body(self, comment: _Comment) -> str:
        """The comment's text (Markdown at the source too), saying what it comments on."""
        if comment.post_id in self.questions:
            lead = "*Comment on the question:*"
        else:
            answer = self.answers[comment.post_id]
            pk = self.ids[Kind.ANSWER][answer.id]
            url = self.post_url.replace(str(POST_ID_STAND_IN), str(pk))
            lead = f"*Comment on [{_md_escape(answer.author_name)}'s answer]({url}):*"
        return f"{lead} {comment.text}" if comment.text else lead

    # Accepted answers, tags ---

    def write_accepted_answers(self) -> None:
        result = self.result
        accepted_on: dict[str, datetime] = {}
        for vote in self.votes:
            if vote.type == ACCEPT_VOTE:
                earlier = accepted_on.get(vote.post_id, vote.created)
                accepted_on[vote.post_id] = max(vote.created, earlier)
        to_update: list[Topic] = []
        for question in self.questions.values():
            topic = self.topics[question.id]
            values = {"accepted_post_id": None, "solved_at": None}
            answer = self.answers.get(question.accepted_id or "")
            if question.accepted_id and (answer is None or answer.question_id != question.id):
                self.skipped[SKIP_ORPHAN_ACCEPT] += 1
            elif answer is not None:
                # The accept vote gives the day only: never before the answer was written.
                solved = max(accepted_on.get(answer.id, answer.created), answer.created)
                values = {"accepted_post_id": self.ids[Kind.ANSWER][answer.id], "solved_at": solved}
                result.counts["accepted answers"] += 1
            if _changed(topic, values):
                to_update.append(topic)
        self.bulk_update(Topic, to_update, ["accepted_post", "solved_at"])

    def write_topic_tags(self) -> None:
        through = Topic.tags.through
        wanted = {
            (self.topics[question.id].pk, self.tag_pk[name])
            for question in self.questions.values()
            for name in question.tags[: community_services.MAX_TAGS]
        }
        dump_tags = set(self.tag_pk.values())
        present = set(
            through.objects.filter(topic_id__in=self.imported(Kind.QUESTION)).values_list(
                "topic_id", "tag_id"
            )
        )
        # Tags the dump no longer gives go; tags added in Hearth from elsewhere stay.
        gone = [pair for pair in present - wanted if pair[1] in dump_tags]
        for topic_id, tag_id in gone:
            through.objects.filter(topic_id=topic_id, tag_id=tag_id).delete()
        new = [through(topic_id=t, tag_id=g) for t, g in sorted(wanted - present)]
        for start in range(0, len(new), self.batch_size):
            through.objects.bulk_create(new[start : start + self.batch_size])

    # Votes, links ---

    def post_pk(self, post_id: str) -> int | None:
        if post_id in self.questions:
            return self.ids[Kind.QUESTION_POST][post_id]
        if post_id in self.answers:
            return self.ids[Kind.ANSWER][post_id]
        return None

    def topic_pk(self, post_id: str) -> int | None:
        if post_id in self.questions:
            return self.topics[post_id].pk
        if post_id in self.answers:
            return self.topics[self.answers[post_id].question_id].pk
        return None

    def write_votes(self) -> None:
        result = self.result
        known = {
            vote.external_id: vote
            for vote in ImportedVote.objects.filter(source=self.source).only(
                "pk", "external_id", "post_id", "vote_type", "member_id", "voted_at"
            )
        }
        members = self.ids[Kind.MEMBER]
        to_create: list[ImportedVote] = []
        to_update: list[ImportedVote] = []
        for vote in self.votes:
            values = {
                "post_id": self.post_pk(vote.post_id),
                "vote_type": vote.type,
                "member_id": members.get(vote.user_id) if vote.user_id else None,
                "voted_at": vote.created,
            }
            existing = known.get(vote.id)
            if existing is None:
                to_create.append(ImportedVote(source=self.source, external_id=vote.id, **values))
            elif _changed(existing, values):
                to_update.append(existing)
        progress = self.progress("Votes", len(to_create))
        self.bulk_create(ImportedVote, to_create, progress)
        progress.finish()
        self.bulk_update(ImportedVote, to_update, ["post", "vote_type", "member", "voted_at"])
        result.created["votes"] = len(to_create)
        result.updated["votes"] = len(to_update)
        result.counts["votes"] = len(self.votes)

    def write_links(self) -> None:
        result = self.result
        known = {link.external_id: link for link in ImportedLink.objects.filter(source=self.source)}
        to_create: list[ImportedLink] = []
        to_update: list[ImportedLink] = []
        for link in self.links:
            topic, target = self.topic_pk(link.post_id), self.topic_pk(link.related_id)
            if topic is None or target is None:
                self.skipped[SKIP_ORPHAN_LINK] += 1
                continue
            if topic == target:
                self.skipped[SKIP_SELF_LINK] += 1
                continue
            kind = (
                ImportedLink.Kind.DUPLICATE
                if link.type == DUPLICATE_LINK
                else ImportedLink.Kind.RELATED
            )
            values = {
                "kind": kind,
                "topic_id": topic,
                "target_id": target,
                "created_at": link.created,
            }
            result.counts["links"] += 1
            if kind == ImportedLink.Kind.DUPLICATE:
                result.counts["duplicates"] += 1
            existing = known.get(link.id)
            if existing is None:
                to_create.append(ImportedLink(source=self.source, external_id=link.id, **values))
            elif _changed(existing, values):
                to_update.append(existing)
        self.bulk_create(ImportedLink, to_create)
        self.bulk_update(ImportedLink, to_update, ["kind", "topic", "target", "created_at"])
        result.created["links"] = len(to_create)
        result.updated["links"] = len(to_update)

    # Counters ---

    def settle_counters(self) -> None:
        """Topic, member and space counters from the rows as they now are."""
        imported_topics = self.imported(Kind.QUESTION)
        posts: dict[int, list[tuple]] = defaultdict(list)
        for topic_id, *post in (
            Post.objects.filter(topic_id__in=imported_topics)
            .order_by("topic_id", "position")
            .values_list(
                "topic_id", "position", "author_id", "created_at", "deleted_at", "like_count"
            )
        ):
            posts[topic_id].append(tuple(post))
        to_update: list[Topic] = []
        for topic in self.topics.values():
            values = _topic_counters(topic.author_id, topic.created_at, posts.get(topic.pk, []))
            if _changed(topic, values):
                to_update.append(topic)
        self.bulk_update(
            Topic,
            to_update,
            [
                "reply_count", "last_position", "like_count", "last_activity_at", "last_poster",
                "first_response_at",
            ],
        )  # fmt: skip

        members = self.imported(Kind.MEMBER, Kind.FORMER_MEMBER)
        counts = dict(
            Post.objects.filter(author_id__in=members, deleted_at__isnull=True)
            .values("author_id")
            .annotate(count=Count("id"))
            .values_list("author_id", "count")
        )
        changed = [
            Member(pk=pk, post_count=counts.get(pk, 0))
            for pk, post_count in Member.objects.filter(pk__in=members).values_list(
                "pk", "post_count"
            )
            if post_count != counts.get(pk, 0)
        ]
        self.bulk_update(Member, changed, ["post_count"])

        space_ids = set(
            Topic.objects.filter(pk__in=imported_topics).values_list("space_id", flat=True)
        )
        for space_id in space_ids:
            totals = Topic.objects.filter(space_id=space_id, deleted_at__isnull=True).aggregate(
                topics=Count("id"), replies=Sum("reply_count"), latest=Max("last_activity_at")
            )
            Space.objects.filter(pk=space_id).update(
                topic_count=totals["topics"],
                post_count=totals["topics"] + (totals["replies"] or 0),
                last_activity_at=totals["latest"],
            )
        self.result.space.refresh_from_db()


def import_stackexchange(
    path: str | Path,
    *,
    site: str | None = None,
    space_slug: str | None = None,
    out: TextIO | None = None,
    live_progress: bool = False,
    batch_size: int = 500,
) -> ImportResult:
    """Import the Stack Exchange dump at `path` (a folder or a tar archive) into one space.

    `site` (e.g. "beer.stackexchange.com") is taken from the folder's name when not given;
    `space_slug` names an existing space, else one is made for the site. Progress bars and
    nothing else go to `out`. Raises DumpError, with the file and line, for a dump that is
    incomplete or damaged; then nothing is written.
    """
    return StackExchangeImporter(
        path,
        site=site,
        space_slug=space_slug,
        out=out,
        live_progress=live_progress,
        batch_size=batch_size,
    ).run()
