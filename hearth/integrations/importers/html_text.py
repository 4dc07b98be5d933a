"""Imported HTML as Markdown: readable as text, searchable, and rendering back alike if edited.

Sources such as Stack Exchange publish post bodies as HTML. Hearth shows the sanitised HTML
as is and keeps `Post.body` as Markdown for editing and search; this gives that Markdown.
Anything not understood keeps its text and loses its markup.
"""

import re
from html.parser import HTMLParser

VOID_TAGS = {"area", "br", "col", "hr", "img", "input", "link", "meta", "source", "wbr"}
SKIPPED_TAGS = {"script", "style", "template", "head", "title", "noscript"}
BLOCK_TAGS = {
    "address", "article", "aside", "dd", "div", "dl", "dt", "figcaption", "figure", "footer",
    "header", "main", "nav", "p", "section", "summary", "details",
}  # fmt: skip
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
# Characters that would otherwise turn plain text into emphasis, code or links.
_ESCAPE_RE = re.compile(r"([\\`*\[\]])")
_SPACES_RE = re.compile(r"\s+")
_PLACEHOLDER = "\x00{}\x00"
_PLACEHOLDER_RE = re.compile("\x00(\\d+)\x00")


class _Node:
    __slots__ = ("attrs", "children", "tag")

    def __init__(self, tag: str, attrs: dict[str, str]):
        self.tag = tag
        self.attrs = attrs
        self.children: list = []


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = _Node("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = _Node(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID_TAGS:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(_Node(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag):
        # Close up to the matching open tag; a stray closing tag is ignored.
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


class _Renderer:
    def __init__(self):
        # Code blocks are set aside so that tidying whitespace never touches them.
        self.verbatim: list[str] = []

    def children(self, node: _Node) -> str:
        return "".join(self.node(child) for child in node.children)

    def node(self, node) -> str:
        if isinstance(node, str):
            return _ESCAPE_RE.sub(r"\\\1", _SPACES_RE.sub(" ", node))
        tag = node.tag
        if tag in SKIPPED_TAGS:
            return ""
        if tag == "p":
            return f"\n\n{_tidy_inline(self.children(node))}\n\n"
        if tag in BLOCK_TAGS:
            return f"\n\n{self.children(node)}\n\n"
        if tag in HEADINGS:
            text = _tidy_inline(self.children(node)).replace("\n", " ")
            return f"\n\n{'#' * HEADINGS[tag]} {text}\n\n"
        if tag == "br":
            return "\n"
        if tag == "hr":
            return "\n\n---\n\n"
        if tag in ("strong", "b"):
            return _wrap(self.children(node), "**")
        if tag in ("em", "i"):
            return _wrap(self.children(node), "*")
        if tag in ("del", "s", "strike"):
            return _wrap(self.children(node), "~~")
        if tag == "code":
            return _inline_code(_text_of(node))
        if tag == "a":
            return self.link(node)
        if tag == "img":
            return self.image(node)
        if tag == "pre":
            return self.code_block(node)
        if tag == "blockquote":
            inner = _tidy_blocks(self.children(node))
            quoted = "\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))
            return f"\n\n{quoted}\n\n"
        if tag in ("ul", "ol"):
            return self.list(node)
        if tag == "li":
            return f"\n\n- {_tidy_blocks(self.children(node))}\n\n"
        if tag == "table":
            return self.table(node)
        return self.children(node)

    def link(self, node: _Node) -> str:
        text = self.children(node).strip()
        href = node.attrs.get("href", "").strip()
        if not href:
            return text
        if not text:
            text = _ESCAPE_RE.sub(r"\\\1", href)
        return f"[{text}]({_url(href)})"

    def image(self, node: _Node) -> str:
        src = node.attrs.get("src", "").strip()
        if not src:
            return ""
        alt = _ESCAPE_RE.sub(r"\\\1", _SPACES_RE.sub(" ", node.attrs.get("alt", "")).strip())
        return f"![{alt}]({_url(src)})"

    def code_block(self, node: _Node) -> str:
        code = _text_of(node).strip("\n")
        fence = "```"
        while fence in code:
            fence += "`"
        self.verbatim.append(f"{fence}\n{code}\n{fence}")
        return f"\n\n{_PLACEHOLDER.format(len(self.verbatim) - 1)}\n\n"

    def list(self, node: _Node) -> str:
        ordered = node.tag == "ol"
        number = _int(node.attrs.get("start"), 1)
        items = []
        for child in node.children:
            if isinstance(child, str):
                continue
            marker = f"{number}. " if ordered else "- "
            number += 1
            body = _tidy_blocks(self.node(child) if child.tag != "li" else self.children(child))
            lines = body.split("\n")
            indent = " " * len(marker)
            rest = [f"{indent}{line}" if line else "" for line in lines[1:]]
            items.append("\n".join([marker + lines[0], *rest]))
        return "\n\n" + "\n".join(items) + "\n\n"

    def table(self, node: _Node) -> str:
        rows: list[list[str]] = []
        stack = [node]
        while stack:
            current = stack.pop(0)
            for child in current.children:
                if isinstance(child, str):
                    continue
                if child.tag == "tr":
                    cells = [
                        _tidy_inline(self.children(cell)).replace("\n", " ").replace("|", "\\|")
                        for cell in child.children
                        if not isinstance(cell, str) and cell.tag in ("td", "th")
                    ]
                    rows.append(cells)
                elif child.tag in ("thead", "tbody", "tfoot"):
                    stack.append(child)
        if not rows:
            return ""
        width = max(len(row) for row in rows)
        lines = []
        for index, row in enumerate(rows):
            row = row + [""] * (width - len(row))
            lines.append("| " + " | ".join(row) + " |")
            if index == 0:
                lines.append("|" + " --- |" * width)
        return "\n\n" + "\n".join(lines) + "\n\n"

    def finish(self, text: str) -> str:
        text = _tidy_blocks(text)
        return _PLACEHOLDER_RE.sub(lambda match: self.verbatim[int(match.group(1))], text)


def _text_of(node) -> str:
    if isinstance(node, str):
        return node
    if node.tag == "br":
        return "\n"
    return "".join(_text_of(child) for child in node.children)


def _wrap(text: str, mark: str) -> str:
    stripped = text.strip()
    if not stripped:
        return text
    lead = " " if text[:1].isspace() else ""
    trail = " " if text[-1:].isspace() else ""
    return f"{lead}{mark}{stripped}{mark}{trail}"


def _inline_code(code: str) -> str:
    code = code.replace("\n", " ")
    if not code:
        return ""
    fence = "`"
    while fence in code:
        fence += "`"
    pad = " " if code.startswith("`") or code.endswith("`") else ""
    return f"{fence}{pad}{code}{pad}{fence}"


def _url(url: str) -> str:
    if any(char in url for char in " ()<>"):
        return "<" + url.replace("<", "%3C").replace(">", "%3E") + ">"
    return url


def _int(value: str | None, default: int) -> int:
    try:
        return int(value or default)
    except ValueError:
        return default


def _tidy_inline(text: str) -> str:
    """Inline content of one block: no blank lines inside, no indentation at line starts."""
    lines = [line.strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def _tidy_blocks(text: str) -> str:
    """Blocks separated by exactly one blank line, no trailing spaces, nothing around."""
    lines = [line.rstrip() for line in text.split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n ")


def html_to_markdown(html: str) -> str:
    """Markdown for an HTML fragment (a Stack Exchange post body, say)."""
    builder = _TreeBuilder()
    builder.feed(html or "")
    builder.close()
    renderer = _Renderer()
    return renderer.finish(renderer.children(builder.root))
