"""What both backends share: reading what a member typed, filters, hits and safe highlights.

A query is parsed here, never handed to the database as typed: words become quoted FTS5
strings on SQLite and plainto_tsquery()/phraseto_tsquery() parameters on PostgreSQL, so no
input can be read as query syntax. The grammar is the familiar one, the same on both
databases: words must all appear (`hub reset`), `"exact phrase"`, `-word` leaves out,
`a or b` takes either.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Longer input is cut here; only the first MAX_TERMS terms count.
MAX_QUERY_LENGTH = 1000
MAX_TERMS = 16
MAX_WORD_LENGTH = 100

# PostgreSQL's English stop words (also Snowball's): both backends ignore them, so "how do I
# reset the hub" looks for "reset hub" on SQLite exactly as on PostgreSQL.
_STOP_WORDS = """i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what which
    who whom this that these those am is are was were be been being have has had having do
    does did doing a an the and but if or because as until while of at by for with about
    against between into through during before after above below to from up down in out on
    off over under again further then once here there when where why how all any both each
    few more most other some such no nor not only own same so than too very s t can will just
    don should now"""
STOP_WORDS = frozenset(_STOP_WORDS.split())

# Marks the databases put around matched words. Private-use characters, so the text around
# them can be escaped first and the marks turned into <mark> afterwards.
MARK_START = "\ue000"
MARK_STOP = "\ue001"

_WORD = re.compile(r"[^\W_]+")
_CHUNK = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MARKS = re.compile(f"([{MARK_START}{MARK_STOP}])")
_SPACE = re.compile(r"\s+")
# Markdown that reads as noise in a one-line snippet: emphasis and code markers, heading,
# quote and list markers at line starts, and link targets (the link text stays).
_MARKDOWN = re.compile(
    r"\*\*|__|~~|`+|^[ \t]{0,3}(?:#{1,6}|>[> ]*|[-*+]|\d{1,9}[.)])[ \t]+|\]\([^)\s]*\)|!?\[",
    re.MULTILINE,
)


@dataclass(frozen=True)
class Term:
    """One word, or the words of a quoted phrase (or of `wi-fi`), lower-cased."""

    words: tuple[str, ...]

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1

    @property
    def text(self) -> str:
        return " ".join(self.words)


@dataclass(frozen=True)
class ParsedQuery:
    """Every group must match; a group matches when any of its terms does; no excluded may."""

    groups: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()
    # Only very common words were given (all dropped), as opposed to nothing at all.
    only_stop_words: bool = False

    @property
    def is_empty(self) -> bool:
        return not self.groups


def normalize_query(text: str) -> str:
    """The query as searched: control characters gone, Unicode composed, length capped."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _CONTROL.sub(" ", text).replace(MARK_START, " ").replace(MARK_STOP, " ")
    return " ".join(text.split())[:MAX_QUERY_LENGTH]


def _term(chunk: str) -> Term | None:
    words = tuple(w[:MAX_WORD_LENGTH] for w in _WORD.findall(chunk.lower()))
    if not words or all(w in STOP_WORDS for w in words):
        return None
    return Term(words)


def parse_query(text: str) -> ParsedQuery:
    """Read a member's query (see the module docstring for the grammar). Never raises."""
    text = normalize_query(text)
    items: list[tuple[str, Term | None]] = []  # ("+", term) | ("-", term) | ("or", None)
    stop_words_only = False
    for match in _CHUNK.finditer(text):
        negated, phrase, bare = match.groups()
        if bare is not None and bare.lower() == "or":
            items.append(("or", None))
            continue
        if bare is not None:
            negated = "-" if bare.startswith("-") and len(bare) > 1 else ""
            chunk = bare[1:] if negated else bare
        else:
            chunk = phrase
        term = _term(chunk)
        if term is None:
            stop_words_only = stop_words_only or bool(_WORD.search(chunk))
            continue
        items.append(("-" if negated else "+", term))

    groups: list[list[Term]] = []
    excluded: list[Term] = []
    join_next = False
    count = 0
    for kind, term in items:
        if kind == "or":
            join_next = bool(groups)
            continue
        if count >= MAX_TERMS:
            break
        count += 1
        if kind == "-":
            if term not in excluded:
                excluded.append(term)
            join_next = False
        elif join_next:
            if term not in groups[-1]:
                groups[-1].append(term)
            join_next = False
        elif [term] not in groups:
            groups.append([term])
    return ParsedQuery(
        groups=tuple(tuple(group) for group in groups),
        excluded=tuple(excluded) if groups else (),
        only_stop_words=stop_words_only and not groups,
    )


# Similar questions look for the meaningful words of a title: not stop words, and at least
# this long (or a word with a digit, like "4k" or "v2"); the first MAX_SIMILAR_TERMS count.
MIN_SIMILAR_WORD_LENGTH = 3
MAX_SIMILAR_TERMS = 12


def similar_terms(title: str) -> tuple[str, ...]:
    """The words of `title` worth matching other questions on, lower-cased, each once."""
    terms: list[str] = []
    for word in _WORD.findall(normalize_query(title).lower()):
        word = word[:MAX_WORD_LENGTH]
        if word in STOP_WORDS or word in terms:
            continue
        if len(word) < MIN_SIMILAR_WORD_LENGTH and not any(c.isdigit() for c in word):
            continue
        if len(word) < 2:
            continue
        terms.append(word)
        if len(terms) == MAX_SIMILAR_TERMS:
            break
    return tuple(terms)


@dataclass(frozen=True)
class SearchFilters:
    """Narrowing already resolved to ids; `space_ids` are the spaces the member may see."""

    space_ids: tuple[int, ...]
    tag_id: int | None = None
    solved: bool | None = None
    author_id: int | None = None
    affiliation: str | None = None
    # Posts written at or after `since` and before `until`.
    since: datetime.datetime | None = None
    until: datetime.datetime | None = None


@dataclass(frozen=True)
class Hit:
    post_id: int
    topic_id: int
    rank: float
    title_html: SafeString
    snippet_html: SafeString


@dataclass
class HitPage:
    hits: list[Hit] = field(default_factory=list)
    has_next: bool = False


def plain_snippet(text: str | None) -> str:
    """A snippet of a post's Markdown with the markup that would only be noise taken out."""
    return _MARKDOWN.sub("", text or "")


def marked_html(text: str | None) -> SafeString:
    """Text from the database with its match marks as <mark>; everything else escaped.

    The text is what a member wrote, so it is escaped first; only the marks become markup,
    and they always come out balanced whatever the text holds.
    """
    out: list[str] = []
    is_open = False
    for part in _MARKS.split(_SPACE.sub(" ", text or "").strip()):
        if part == MARK_START:
            if not is_open:
                out.append("<mark>")
                is_open = True
        elif part == MARK_STOP:
            if is_open:
                out.append("</mark>")
                is_open = False
        elif part:
            out.append(str(escape(part)))
    if is_open:
        out.append("</mark>")
    return mark_safe("".join(out).replace("<mark></mark>", ""))


# How many of the newest matching posts are ranked. Ranking every match of a word that half
# the posts contain would cost a scan of half the index; the newest matches, best first,
# are what a member searching a busy community wants anyway.
CANDIDATES = 200
