"""Markdown to safe HTML, once, at write time.

markdown-it-py parses CommonMark with raw HTML switched off; @mentions become profile
links; nh3 (the Ammonia sanitiser) then keeps only an allow-list of tags and attributes and
gives every link rel="nofollow ugc noopener". What comes out is stored and shown as is.
"""

import re
from dataclasses import dataclass, field

import nh3
from django.urls import reverse
from markdown_it import MarkdownIt
from markdown_it.token import Token

# A username ends on a letter, digit or underscore, so "@ana." mentions ana.
MENTION_RE = re.compile(r"(?<![\w@/])@([A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,148}[A-Za-z0-9_])?)")

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s", "strong", "sub", "sup",
    "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "img": {"src", "alt", "title"},
    "code": {"class"},
    "th": {"style"},
    "td": {"style"},
    "ol": {"start"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


@dataclass
class Rendered:
    html: str
    # Members @mentioned anywhere, and those of them @mentioned inside a quote
    # ("> ... — @ana"), lower-cased, in order of first appearance.
    mentions: list[str] = field(default_factory=list)
    quoted: list[str] = field(default_factory=list)


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    md.enable(["table", "strikethrough", "linkify"])
    md.core.ruler.push("mentions", _mention_rule)
    return md


def _mention_rule(state) -> None:
    """Split @username out of text tokens (never inside links or code) into link tokens."""
    quote_depth = 0
    for block in state.tokens:
        if block.type == "blockquote_open":
            quote_depth += 1
        elif block.type == "blockquote_close":
            quote_depth -= 1
        if block.type != "inline" or not block.children:
            continue
        state.env["in_quote"] = quote_depth > 0
        children: list[Token] = []
        inside_link = 0
        for token in block.children:
            if token.type == "link_open":
                inside_link += 1
            elif token.type == "link_close":
                inside_link -= 1
            if token.type != "text" or inside_link or "@" not in token.content:
                children.append(token)
                continue
            children.extend(_split_mentions(token, state))
        block.children = children


def _split_mentions(token: Token, state) -> list[Token]:
    out: list[Token] = []
    text = token.content
    pos = 0
    for match in MENTION_RE.finditer(text):
        typed = match.group(1)
        username = state.env["known_usernames"].get(typed.lower())
        if username is None:
            continue
        if match.start() > pos:
            out.append(_text_token(text[pos : match.start()]))
        state.env["mentions"].append(username)
        if state.env["in_quote"]:
            state.env["quoted"].append(username)
        link_open = Token("link_open", "a", 1)
        link_open.attrs = {
            "href": reverse("community:profile", args=[username]),
            "class": "mention",
        }
        out.extend([link_open, _text_token("@" + typed), Token("link_close", "a", -1)])
        pos = match.end()
    if pos < len(text):
        out.append(_text_token(text[pos:]))
    return out


def _text_token(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


_md = None


def mention_candidates(source: str) -> set[str]:
    """Every @word in `source` that could be a username (lower-cased)."""
    return {name.lower() for name in MENTION_RE.findall(source)}


def sanitize_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow ugc noopener",
        strip_comments=True,
        filter_style_properties={"text-align"},
    )


def render_markdown(
    source: str, *, known_usernames: set[str] | dict[str, str] | None = None
) -> Rendered:
    """Render member-written Markdown to sanitised HTML and list whom it mentions.

    `known_usernames` (lower-cased) limits which @names become links: a mention of nobody
    stays plain text.
    """
    global _md
    if _md is None:
        _md = _parser()
    known = known_usernames or {}
    if not isinstance(known, dict):
        known = {name.lower(): name for name in known}
    env = {"known_usernames": known, "mentions": [], "quoted": [], "in_quote": False}
    html = _md.render(source, env)
    return Rendered(
        html=sanitize_html(html),
        mentions=list(dict.fromkeys(name.lower() for name in env["mentions"])),
        quoted=list(dict.fromkeys(name.lower() for name in env["quoted"])),
    )
