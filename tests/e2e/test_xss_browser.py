"""Stored XSS, checked where it matters: in Chromium, on the pages that show member text.

A deterministic sample of the payload corpus (tests/data/xss) goes in through the services
as topic titles, post bodies, display names, bios and a space's name and description; the
browser then loads, as a member, the topic pages that hold every body (with the composer
quoting one of them) and a spread of the payload-titled topics, Latest (every title), Home,
the space's page and the authors' profiles. On each page nothing may have called alert,
confirm, prompt or print, no dialog may have opened, no uncaught error may have been thrown
(an injected `shadowlabs(...)` would be a ReferenceError), the page may not have navigated,
no element may carry an on* attribute or a javascript:/data: URL, and the member-written
areas (.prose) may hold only the tags the sanitiser allows.
"""

import re
from pathlib import Path

import pytest

from hearth import testing
from hearth.accounts import services as account_services
from hearth.community.models import TITLE_MAX_LENGTH, TITLE_MIN_LENGTH
from hearth.core.markdown import ALLOWED_TAGS

pytestmark = pytest.mark.django_db(transaction=True)

XSS_DIR = Path(__file__).resolve().parents[1] / "data" / "xss"
SAMPLE_SIZE = 40
MAX_PAYLOADS = 80
KEYWORDS = ("onerror", "onload", "javascript:", "<svg", "<img")
AUTHORS = 4
BODY_TOPICS = 10
TITLE_TOPIC_PAGES = 8
TABS_AT_ONCE = 10
TIMER_WAIT_MS = 300
BIO_MAX_LENGTH = 2000
DISPLAY_NAME_MAX_LENGTH = 80

HOOK_SCRIPT = (
    "window.__xss = []; ['alert','confirm','prompt','print'].forEach(n => {"
    " window[n] = (...a) => { window.__xss.push(n + ':' + a.join(',')); }; });"
)

# One round trip per page: everything the page holds that could run script.
SCAN_SCRIPT = """
(allowedTags) => {
  const allowed = new Set(allowedTags);
  const urlAttributes = new Set(['href', 'src', 'action', 'formaction', 'data', 'xlink:href',
    'srcdoc', 'background', 'poster', 'srcset', 'ping', 'lowsrc', 'dynsrc', 'codebase']);
  const dangerousUrl = /^[\\s\\u0000-\\u001f]*(javascript|vbscript|data|livescript)\\s*:/i;
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '');
  const handlers = [], urls = [], scripts = [], foreign = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on')) handlers.push(describe(el) + '[' + attr.name + ']');
      if (urlAttributes.has(name) && dangerousUrl.test(attr.value)) {
        urls.push(describe(el) + '[' + attr.name + '=' + attr.value.slice(0, 60) + ']');
      }
    }
  }
  for (const el of document.body.querySelectorAll(
      'script, iframe, frame, frameset, object, embed, applet, base, meta, link, style, svg, '
      + 'math, template, noscript, isindex, marquee, video, audio, source, portal')) {
    scripts.push(describe(el));
  }
  for (const el of document.querySelectorAll('.prose *')) {
    if (!allowed.has(el.tagName.toLowerCase())) foreign.push(describe(el));
  }
  return {xss: window.__xss, handlers, urls, scripts, foreign};
}
"""


def _spread(items: list, count: int) -> list:
    """`count` items taken at even steps through `items`, first and last included."""
    if count >= len(items):
        return list(items)
    if count <= 1:
        return items[:count]
    step = (len(items) - 1) / (count - 1)
    return [items[round(i * step)] for i in range(count)]


def select_payloads(corpus: list[str]) -> list[str]:
    """The polyglots, a spread of the whole corpus to SAMPLE_SIZE, then keyword payloads."""
    chosen: list[str] = []

    def add(payload):
        if payload not in chosen and len(chosen) < MAX_PAYLOADS:
            chosen.append(payload)

    polyglots = (XSS_DIR / "XSS_Polyglots.txt").read_text(encoding="utf-8").split("\n")
    for payload in corpus:
        if payload in polyglots or payload + "\r" in polyglots:
            add(payload)
    for payload in _spread(corpus, SAMPLE_SIZE):
        if len(chosen) >= SAMPLE_SIZE:
            break
        add(payload)
    # Event-handler names alone (the PortSwigger list), a few of them.
    for payload in _spread([p for p in corpus if re.fullmatch(r"on[a-z]+", p)], 5):
        add(payload)
    matching = [p for p in corpus if any(key in p.lower() for key in KEYWORDS)]
    for payload in _spread(matching, MAX_PAYLOADS - len(chosen) + 10):
        add(payload)
    return chosen


def _bio_from(payloads: list[str]) -> str:
    bio = ""
    for payload in payloads:
        if len(bio) + len(payload) + 2 > BIO_MAX_LENGTH:
            break
        bio += payload + "\n\n"
    return bio.strip()


@pytest.fixture
def xss_site(xss_payloads, customer):
    """Members, a space and topics, all made of hostile text.

    Every payload that fits a title is a topic's title; every payload is also the body of
    a post, eight to a topic in BODY_TOPICS topics, by four authors whose display names and
    bios are payloads too.
    """
    payloads = select_payloads(xss_payloads)
    short = [p.strip() for p in payloads if 0 < len(p.strip()) <= DISPLAY_NAME_MAX_LENGTH]
    authors = []
    for number in range(AUTHORS):
        author = testing.make_member(username=f"author{number}")
        account_services.update_profile(
            actor=author,
            member=author,
            display_name=short[(number * 7) % len(short)],
            bio=_bio_from(payloads[number::AUTHORS]),
        )
        authors.append(author)
    space = testing.make_space(
        name=next(p for p in short if "<" in p),
        description=" ".join(payloads[:5])[:500],
    )
    title_topics = []
    for number, payload in enumerate(payloads):
        title = " ".join(payload.split())
        if TITLE_MIN_LENGTH <= len(title) <= TITLE_MAX_LENGTH:
            title_topics.append(
                testing.make_topic(
                    author=authors[number % AUTHORS],
                    space=space,
                    title=title,
                    body=f"The title of this topic is payload {number}.",
                )
            )
    body_topics = []
    per_topic = -(-len(payloads) // BODY_TOPICS)
    for number in range(BODY_TOPICS):
        chunk = payloads[number * per_topic : (number + 1) * per_topic]
        topic = testing.make_topic(
            author=authors[number % AUTHORS],
            space=space,
            title=f"Payload bodies, part {number + 1}",
            body=chunk[0],
        )
        for offset, payload in enumerate(chunk[1:], start=1):
            testing.make_reply(
                topic=topic, author=authors[(number + offset) % AUTHORS], body=payload
            )
        body_topics.append(topic)
    return {
        "payloads": payloads,
        "authors": authors,
        "space": space,
        "title_topics": title_topics,
        "body_topics": body_topics,
    }


def _check_tab(tab, expected_url) -> list[str]:
    problems = []
    found = tab.evaluate(SCAN_SCRIPT, sorted(ALLOWED_TAGS))
    if tab.url != expected_url:
        problems.append(f"navigated to {tab.url}")
    for key in ("xss", "handlers", "urls", "scripts", "foreign"):
        if found[key]:
            problems.append(f"{key}: {found[key][:5]}")
    return problems


def _visit_all(page, urls: list[str], checks) -> dict[str, list[str]]:
    """Loads `urls` in batches, one tab each, lets timers run once a batch, then scans them."""
    tabs = [page] + [page.context.new_page() for _ in range(min(TABS_AT_ONCE, len(urls)) - 1)]
    problems: dict[str, list[str]] = {}
    for start in range(0, len(urls), len(tabs)):
        batch = list(zip(urls[start : start + len(tabs)], tabs, strict=False))
        for url, tab in batch:
            response = tab.goto(url)
            assert response is not None and response.status == 200, f"{url}: {response}"
        page.wait_for_timeout(TIMER_WAIT_MS)
        for url, tab in batch:
            found = _check_tab(tab, url) + checks(url, tab)
            if found:
                problems[url] = found
    for tab in tabs[1:]:
        tab.close()
    return problems


@pytest.fixture
def hostile_browser(new_page, base_url):
    """A page whose context hooks alert & co., records dialogs and errors, stays offline."""
    page = new_page()
    context = page.context
    context.add_init_script(HOOK_SCRIPT)
    # Payloads point at outside hosts (ha.ckers.org, ...): never leave the live server.
    context.route(
        lambda url: not url.startswith(base_url), lambda route: route.abort("blockedbyclient")
    )
    page.all_dialogs = []
    page.page_errors = []

    def on_dialog(dialog):
        page.all_dialogs.append(dialog.message)
        if dialog.page is not page:  # `page` dismisses its own dialogs
            dialog.dismiss()

    context.on("dialog", on_dialog)
    context.on("weberror", lambda error: page.page_errors.append(str(error.error)))
    return page


def test_payloads_never_run_in_the_browser(
    hostile_browser, base_url, log_in_as, customer, xss_site
):
    page = log_in_as(hostile_browser, customer)
    space = xss_site["space"]
    authors = {author.username: author.name for author in xss_site["authors"]}
    assert len(xss_site["payloads"]) == MAX_PAYLOADS
    assert len(xss_site["title_topics"]) >= 50

    # Every payload as a post body, each topic page with one of its posts quoted into the
    # composer (raw text inside the <textarea>), and a spread of the payload titles in
    # <title>, <meta name=description> and <h1>.
    expected = {}
    for number, topic in enumerate(xss_site["body_topics"]):
        posts = list(topic.posts.order_by("position"))
        quoted = posts[number % len(posts)]
        url = f"{base_url}{topic.get_absolute_url()}?quote={quoted.pk}"
        expected[url] = (topic.title, [authors[p.author.username] for p in posts])
    for topic in _spread(xss_site["title_topics"], TITLE_TOPIC_PAGES):
        url = f"{base_url}{topic.get_absolute_url()}?quote={topic.posts.get(position=1).pk}"
        expected[url] = (topic.title, [authors[topic.author.username]])

    def topic_checks(url, tab):
        title, author_names = expected[url]
        problems = []
        if tab.locator("main h1").text_content() != title:
            problems.append(f"h1 is {tab.locator('main h1').text_content()!r}")
        if not tab.title().startswith(" ".join(title.split())[:20]):
            problems.append(f"<title> is {tab.title()!r}")
        if tab.locator("#posts .post-author").all_text_contents() != author_names:
            problems.append("posts or author names altered")
        if tab.locator("#posts .post-body").count() != len(author_names):
            problems.append("post bodies missing")
        if not tab.input_value("form#reply textarea[name=body]").startswith(">"):
            problems.append("quote missing from the composer")
        if tab.locator("#posts button[data-reaction]").count() != 2 * len(author_names):
            problems.append("reaction buttons missing")
        return problems

    problems = _visit_all(page, list(expected), topic_checks)

    # Every title in the topic lists, the space's name and description, the profiles.
    lists = [f"{base_url}/latest/?page={number}" for number in (1, 2, 3)]
    lists += [f"{base_url}/", f"{base_url}{space.get_absolute_url()}"]
    lists += [f"{base_url}/u/{username}/" for username in authors]

    def list_checks(url, tab):
        if "/u/" in url:
            name = tab.locator("main h1").text_content()
            return [] if name in authors.values() else [f"h1 is {name!r}"]
        return [] if tab.locator(".topic-list .topic-title").count() else ["no topics listed"]

    problems.update(_visit_all(page, lists, list_checks))

    assert not problems, "\n".join(f"{url}: {found}" for url, found in problems.items())
    assert page.all_dialogs == []
    assert page.page_errors == []


def test_sample_covers_the_corpus(xss_payloads):
    payloads = select_payloads(xss_payloads)
    assert len(payloads) == MAX_PAYLOADS
    assert len(set(payloads)) == len(payloads)
    lowered = [p.lower() for p in payloads]
    for key in KEYWORDS:
        assert any(key in p for p in lowered), key
    assert sum("alert(" in p or "confirm(" in p or "prompt(" in p for p in payloads) >= 30
    lines = (XSS_DIR / "XSS_Polyglots.txt").read_text(encoding="utf-8").split("\n")
    polyglots = [p for p in xss_payloads if p in lines or p + "\r" in lines]
    assert len(polyglots) >= 15
    assert set(polyglots) <= set(payloads)
    # Payloads come from every file of the corpus.
    for path in sorted(XSS_DIR.glob("*.txt")):
        lines = set(path.read_text(encoding="utf-8").split("\n"))
        assert lines & set(payloads), path.name
