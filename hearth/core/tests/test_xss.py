"""Every payload of the XSS corpus, stored through the services, renders as inert HTML.

Each payload is tried as a topic title, a post body, a display name and a bio. The pages that
show it are parsed with html.parser and must hold no script but the page's own, no event
handler, no script URL and none of the elements that load or run foreign code.
"""

import math
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.templatetags.static import static
from django.test import Client
from django.utils.html import escape
from markupsafe import escape as jinja_escape

from hearth import testing
from hearth.accounts import services as account_services
from hearth.community import services as community_services
from hearth.community.views import POSTS_PER_PAGE, TOPICS_PER_PAGE
from hearth.core.errors import ValidationFailed
from hearth.core.markdown import render_markdown
from tests.conftest import load_xss_payloads

PAYLOADS = load_xss_payloads()
PROFILE_POSTS = 20  # selectors.member_recent_posts shows a member's latest 20 posts

BASE_TEMPLATE = (Path(__file__).resolve().parents[2] / "templates" / "base.html").read_text()
STATIC_TAG = r"\{% static '([^']+)' %\}"
# The page's own scripts and links, read from the base template: exactly these are allowed.
OWN_INLINE_SCRIPTS = frozenset(re.findall(r"<script>(.*?)</script>", BASE_TEMPLATE, flags=re.S))
OWN_SCRIPT_SOURCES = frozenset(
    static(path) for path in re.findall(rf'<script src="{STATIC_TAG}"', BASE_TEMPLATE)
)
OWN_LINKS = frozenset(
    (rel, static(path))
    for rel, path in re.findall(rf'<link rel="([^"]+)" href="{STATIC_TAG}"', BASE_TEMPLATE)
)

URL_ATTRIBUTES = frozenset(
    {
        "href", "src", "action", "formaction", "data", "xlink:href", "poster", "background",
        "lowsrc", "dynsrc", "codebase", "cite", "longdesc", "ping", "srcset", "manifest", "icon",
    }
)  # fmt: skip
SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:text/html")
FORBIDDEN_ELEMENTS = frozenset(
    {"iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math", "style", "base"}
)
# Browsers drop ASCII whitespace and control characters around and inside a URL's scheme.
IGNORED_URL_CHARACTERS = re.compile(r"[\x00-\x20\x7f-\x9f]+")


class InertnessChecker(HTMLParser):
    """Collects everything in a document that could run script or load foreign code."""

    def __init__(self, *, full_page: bool):
        super().__init__(convert_charrefs=True)
        self.full_page = full_page
        self.problems: list[str] = []
        self.own_scripts: list[str] = []
        self._script: tuple[dict, list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        self._check_element(tag, attrs)
        if tag == "script":
            self._script = (dict(attrs), [])

    def handle_startendtag(self, tag, attrs):
        self._check_element(tag, attrs)
        if tag == "script":
            self._check_script(dict(attrs), "")

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            attrs, content = self._script
            self._script = None
            self._check_script(attrs, "".join(content))

    def handle_data(self, data):
        if self._script is not None:
            self._script[1].append(data)

    def close(self):
        super().close()
        if self._script is not None:
            self.problems.append(f"unclosed <script {self._script[0]}>")

    def _check_script(self, attrs: dict, content: str) -> None:
        src = attrs.get("src")
        if self.full_page and src is None and content in OWN_INLINE_SCRIPTS:
            self.own_scripts.append(content)
        elif self.full_page and src in OWN_SCRIPT_SOURCES and not content.strip():
            self.own_scripts.append(src)
        else:
            self.problems.append(f"foreign <script {attrs}>{content[:80]!r}")

    def _check_element(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler on <{tag}>: {name}={value!r}")
            if name == "srcdoc":
                self.problems.append(f"<{tag} srcdoc={value!r}>")
            if name in URL_ATTRIBUTES:
                url = IGNORED_URL_CHARACTERS.sub("", value or "").lower()
                if url.startswith(SCRIPT_SCHEMES):
                    self.problems.append(f"script URL on <{tag}>: {name}={value!r}")
            if name == "style" and re.search(r"expression\(|javascript:|url\(", value or "", re.I):
                self.problems.append(f"active style on <{tag}>: {value!r}")
        if tag in FORBIDDEN_ELEMENTS:
            self.problems.append(f"<{tag}> element")
        elif tag == "link":
            if not (self.full_page and (values.get("rel"), values.get("href")) in OWN_LINKS):
                self.problems.append(f"foreign <link {values}>")
        elif tag == "meta" and values.get("http-equiv", "").strip().lower() == "refresh":
            self.problems.append(f"<meta http-equiv=refresh {values}>")
        elif tag == "form":
            action = values.get("action", "")
            same_site = action == "" or (action.startswith("/") and action[1:2] not in "/\\")
            if not (self.full_page and same_site):
                self.problems.append(f"<form action={action!r}>")


def page_problems(html: str) -> list[str]:
    """What in a whole page could run script; its own three scripts must be there once each."""
    checker = InertnessChecker(full_page=True)
    checker.feed(html)
    checker.close()
    expected = sorted([*OWN_INLINE_SCRIPTS, *OWN_SCRIPT_SOURCES])
    if sorted(checker.own_scripts) != expected:
        checker.problems.append(f"the page's own scripts are {sorted(checker.own_scripts)}")
    return checker.problems


def fragment_problems(html: str) -> list[str]:
    """What in stored, sanitised HTML could run script: no script, form or link at all."""
    checker = InertnessChecker(full_page=False)
    checker.feed(html)
    checker.close()
    return checker.problems


def get_page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, f"GET {url} answered {response.status_code}"
    return response.content.decode()


def report(failures: list[str]) -> str:
    return f"{len(failures)} problem(s):\n" + "\n".join(failures[:40])


def listed(html: str, urls: dict[int, str]) -> str:
    """Which payloads a list page shows, found by the links to their topics or posts."""
    indices = [index for index, url in urls.items() if f'href="{url}"' in html]
    return "payloads " + ", ".join(f"#{index}" for index in indices)


def describe(index: int) -> str:
    return f"payload #{index} {PAYLOADS[index]!r}"


# The checker itself


def test_the_corpus_holds_all_492_payloads():
    assert len(PAYLOADS) == 492


def test_the_allow_list_holds_the_base_templates_scripts_and_stylesheet():
    assert len(OWN_INLINE_SCRIPTS) == 1
    assert static("hearth/js/theme.js") in OWN_SCRIPT_SOURCES
    assert static("hearth/vendor/htmx.min.js") in OWN_SCRIPT_SOURCES
    assert ("stylesheet", static("hearth/css/hearth.css")) in OWN_LINKS


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        '<a href=" java\tscript:alert(1)">x</a>',
        '<a href="&#106;avascript:alert(1)">x</a>',
        '<a href="VBScript:msgbox(1)">x</a>',
        '<object data="data:text/html;base64,PHNjcmlwdD4=">',
        '<svg><use xlink:href="javascript:alert(1)"/></svg>',
        '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
        "<math><mi>x</mi></math>",
        "<embed src=x>",
        "<style>*{}</style>",
        '<link rel="stylesheet" href="https://evil.example/x.css">',
        '<meta http-equiv="Refresh" content="0;url=javascript:alert(1)">',
        '<base href="https://evil.example/">',
        '<form action="https://evil.example/"><button>go</button></form>',
        '<button formaction="javascript:alert(1)">x</button>',
        '<div style="background:url(javascript:alert(1))">x</div>',
        "<body onload=alert(1)>",
    ],
)
def test_the_checker_catches_active_content(html):
    assert fragment_problems(html)


def test_the_checker_accepts_sanitised_markdown():
    html = render_markdown("**Hi** [docs](https://example.com) ![i](https://example.com/i.png)")
    assert fragment_problems(html.html) == []


def test_the_checker_requires_the_pages_own_scripts(db, client):
    html = get_page(client, "/")
    assert page_problems(html) == []
    htmx = static("hearth/vendor/htmx.min.js")
    assert page_problems(html.replace(htmx, "/x.js")) == [
        "foreign <script {'src': '/x.js', 'defer': None}>''",
        "the page's own scripts are "
        + str(sorted([*OWN_INLINE_SCRIPTS, *(OWN_SCRIPT_SOURCES - {htmx})])),
    ]


# Stored HTML: every payload rendered as Markdown


@pytest.mark.parametrize("payload", PAYLOADS, ids=[f"xss-{i:03d}" for i in range(len(PAYLOADS))])
def test_markdown_of_an_xss_payload_is_inert(payload):
    assert fragment_problems(render_markdown(payload).html) == []


# Pages: each field, all payloads in one database setup


def escaped_forms(text: str) -> set[str]:
    """`text` escaped as Django templates do and as Jinja2 templates do (both are inert)."""
    return {escape(text), str(jinja_escape(text))}


def test_xss_payloads_as_topic_titles_render_inert_and_escaped(make_member, public_space):
    anonymous = Client()
    failures: list[str] = []
    authors = [make_member(username=f"titler{n}") for n in range(math.ceil(len(PAYLOADS) / 20))]
    topics = []  # (index, title, topic)
    for index, payload in enumerate(PAYLOADS):
        title = " ".join(payload.split())
        author = authors[len(topics) // PROFILE_POSTS]
        if not 5 <= len(title) <= 200:
            with pytest.raises(ValidationFailed) as caught:
                community_services.create_topic(
                    author=author, space=public_space, title=payload, body="Body"
                )
            assert (caught.value.code, caught.value.field) == (
                "title_too_short" if len(title) < 5 else "title_too_long",
                "title",
            ), describe(index)
            continue
        topic = community_services.create_topic(
            author=author, space=public_space, title=payload, body="Body"
        )
        assert topic.title == title, describe(index)
        topics.append((index, title, topic))
    assert len(topics) == len(PAYLOADS) - 46

    for index, title, topic in topics:
        html = get_page(anonymous, topic.get_absolute_url())
        failures += [f"{describe(index)} topic page: {p}" for p in page_problems(html)]
        if f"<h1>{escape(title)}</h1>" not in html:
            failures.append(f"{describe(index)} topic page: escaped title missing")

    pages = math.ceil(len(topics) / TOPICS_PER_PAGE)
    lists = {
        "home": [f"/?page={n}" for n in range(1, pages + 1)],
        "latest": [f"/latest/?page={n}" for n in range(1, pages + 1)],
        "space": [f"{public_space.get_absolute_url()}?page={n}" for n in range(1, pages + 1)],
        "profile": [author.get_absolute_url() for author in authors],
    }
    topic_urls = {index: topic.get_absolute_url() for index, _title, topic in topics}
    post_urls = {index: f"/p/{topic.posts.get().pk}/" for index, _title, topic in topics}
    for name, urls in lists.items():
        links = post_urls if name == "profile" else topic_urls
        combined = ""
        for url in urls:
            html = get_page(anonymous, url)
            failures += [f"{name} {url} ({listed(html, links)}): {p}" for p in page_problems(html)]
            combined += html
        for index, title, _topic in topics:
            link = (
                f'<a href="{links[index]}">'
                if name == "profile"
                else f'<a class="topic-title" href="{links[index]}">'
            )
            # Topic rows are rendered by Jinja2, whose escaping spells quotes as &#34; / &#39;.
            if not any(f"{link}{form}</a>" in combined for form in escaped_forms(title)):
                failures.append(f"{describe(index)} {name}: escaped title missing")

    assert not failures, report(failures)


def test_xss_payloads_as_post_bodies_render_inert(make_member, public_space, other_customer):
    anonymous = Client()
    quoting = Client()
    quoting.force_login(other_customer)
    failures: list[str] = []
    authors = [make_member(username=f"poster{n}") for n in range(math.ceil(len(PAYLOADS) / 20))]
    posts = []
    for index, payload in enumerate(PAYLOADS):
        topic = community_services.create_topic(
            author=authors[index // PROFILE_POSTS],
            space=public_space,
            title=f"Payload number {index}",
            body=payload,
        )
        post = topic.posts.get()
        assert post.body == payload.strip(), describe(index)
        failures += [f"{describe(index)} body_html: {p}" for p in fragment_problems(post.body_html)]
        posts.append((index, topic, post))

    for index, topic, post in posts:
        html = get_page(anonymous, topic.get_absolute_url())
        failures += [f"{describe(index)} topic page: {p}" for p in page_problems(html)]
        if post.body_html not in html:
            failures.append(f"{describe(index)} topic page: stored body_html missing")
        html = get_page(quoting, f"{topic.get_absolute_url()}?quote={post.pk}")
        failures += [f"{describe(index)} topic page quoting it: {p}" for p in page_problems(html)]

    for number, author in enumerate(authors):
        html = get_page(anonymous, author.get_absolute_url())
        on_page = [str(i) for i in range(number * 20, min(len(PAYLOADS), (number + 1) * 20))]
        failures += [
            f"profile of {author.username} (payloads #{', #'.join(on_page)}): {p}"
            for p in page_problems(html)
        ]

    assert not failures, report(failures)


def test_xss_payloads_in_replies_render_inert_on_every_page_of_a_topic(customer, public_space):
    anonymous = Client()
    topic = testing.make_topic(author=customer, space=public_space)
    for payload in PAYLOADS:
        community_services.create_reply(author=customer, topic=topic, body=payload)
    failures: list[str] = []
    total = len(PAYLOADS) + 1
    for page in range(1, math.ceil(total / POSTS_PER_PAGE) + 1):
        html = get_page(anonymous, f"{topic.get_absolute_url()}?page={page}")
        first = (page - 1) * POSTS_PER_PAGE  # reply n holds payload n - 1; position 1 opens
        on_page = range(max(0, first - 1), min(len(PAYLOADS), first - 1 + POSTS_PER_PAGE))
        failures += [
            f"topic page {page} (payloads #{on_page.start}-#{on_page.stop - 1}): {p}"
            for p in page_problems(html)
        ]
    assert not failures, report(failures)


def test_xss_payloads_as_display_names_render_inert_and_escaped(make_member, public_space):
    anonymous = Client()
    self_client = Client()
    failures: list[str] = []
    shown = []  # (index, name, member, topic)
    for index, payload in enumerate(PAYLOADS):
        member = make_member(username=f"named{index}")
        name = " ".join(payload.split())  # display names keep single spaces only
        if len(name) > 80:
            with pytest.raises(ValidationFailed) as caught:
                account_services.update_profile(
                    actor=member, member=member, display_name=payload, bio=""
                )
            assert caught.value.field == "display_name", describe(index)
            continue
        account_services.update_profile(actor=member, member=member, display_name=payload, bio="")
        member.refresh_from_db()
        assert member.display_name == name, describe(index)
        topic = community_services.create_topic(
            author=member, space=public_space, title=f"Topic by member {index}", body="Hello"
        )
        shown.append((index, name, member, topic))
    assert len(shown) == len(PAYLOADS) - 108

    for index, name, member, topic in shown:
        self_client.force_login(member)
        profile_url = member.get_absolute_url()
        pages = {
            "own profile": (self_client, profile_url, f'<h1 id="profile-name">{escape(name)}</h1>'),
            "topic page": (
                anonymous,
                topic.get_absolute_url(),
                [f'class="post-author" href="{profile_url}">{e}</a>' for e in escaped_forms(name)],
            ),
            "edit profile": (self_client, "/settings/profile/", f'value="{escape(name)}"'),
        }
        for page, (client, url, expected) in pages.items():
            html = get_page(client, url)
            failures += [f"{describe(index)} {page}: {p}" for p in page_problems(html)]
            # Posts are rendered by Jinja2: either spelling of the escaped quotes will do.
            expected = [expected] if isinstance(expected, str) else expected
            if not any(form in html for form in expected):
                failures.append(f"{describe(index)} {page}: escaped display name missing")

    pages = math.ceil(len(shown) / TOPICS_PER_PAGE)
    for label, path in [("home", "/"), ("latest", "/latest/"), ("space", "/s/general/")]:
        combined = ""
        for number in range(1, pages + 1):
            html = get_page(anonymous, f"{path}?page={number}")
            on_page = listed(html, {index: topic.get_absolute_url() for index, *_, topic in shown})
            failures += [f"{label} page {number} ({on_page}): {p}" for p in page_problems(html)]
            combined += html
        for index, name, member, _topic in shown:
            link = f'by <a href="{member.get_absolute_url()}">'
            if not any(f"{link}{form}</a>" in combined for form in escaped_forms(name)):
                failures.append(f"{describe(index)} {label}: escaped display name missing")

    assert not failures, report(failures)


def test_xss_payloads_as_bios_render_inert(customer):
    anonymous = Client()
    own = Client()
    own.force_login(customer)
    failures: list[str] = []
    rejected = 0
    for index, payload in enumerate(PAYLOADS):
        if len(payload.strip()) > 2000:
            with pytest.raises(ValidationFailed) as caught:
                account_services.update_profile(
                    actor=customer, member=customer, display_name="Cara", bio=payload
                )
            assert caught.value.field == "bio", describe(index)
            rejected += 1
            continue
        account_services.update_profile(
            actor=customer, member=customer, display_name="Cara", bio=payload
        )
        customer.refresh_from_db()
        failures += [
            f"{describe(index)} bio_html: {p}" for p in fragment_problems(customer.bio_html)
        ]
        html = get_page(anonymous, customer.get_absolute_url())
        failures += [f"{describe(index)} profile: {p}" for p in page_problems(html)]
        if f'<div class="prose">{customer.bio_html}</div>' not in html:
            failures.append(f"{describe(index)} profile: stored bio_html missing")
        html = get_page(own, "/settings/profile/")
        failures += [f"{describe(index)} edit profile: {p}" for p in page_problems(html)]
    assert rejected == 1
    assert not failures, report(failures)
