"""Member-written Markdown becomes safe HTML: CommonMark, links, @mentions, no raw HTML."""

import re

import pytest

from hearth import testing
from hearth.core.markdown import mention_candidates, render_markdown, sanitize_html

REL = 'rel="nofollow ugc noopener"'


def mention(name: str) -> str:
    return f'<a href="/u/{name}/" class="mention" {REL}>@{name}</a>'


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("Hello", "<p>Hello</p>\n"),
        ("# Title", "<h1>Title</h1>\n"),
        ("### Third", "<h3>Third</h3>\n"),
        ("*em* and **strong**", "<p><em>em</em> and <strong>strong</strong></p>\n"),
        ("Some `code` here", "<p>Some <code>code</code> here</p>\n"),
        ("~~gone~~", "<p><s>gone</s></p>\n"),
        ("- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"),
        ("1. one\n2. two", "<ol>\n<li>one</li>\n<li>two</li>\n</ol>\n"),
        ("3. three\n4. four", '<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>\n'),
        ("line one  \nline two", "<p>line one<br>\nline two</p>\n"),
        ("one\n\ntwo", "<p>one</p>\n<p>two</p>\n"),
        ("---", "<hr>\n"),
        ("a < b & c > d", "<p>a &lt; b &amp; c &gt; d</p>\n"),
        ("", ""),
    ],
)
def test_commonmark_basics_render_to_the_expected_html(source, html):
    assert render_markdown(source).html == html


@pytest.mark.parametrize(
    ("source", "html"),
    [
        (
            "```python\nprint('hi')\n```",
            '<pre><code class="language-python">print(\'hi\')\n</code></pre>\n',
        ),
        ("```\nplain\n```", "<pre><code>plain\n</code></pre>\n"),
        ("    indented", "<pre><code>indented\n</code></pre>\n"),
        (
            "```html\n<script>alert(1)</script>\n```",
            '<pre><code class="language-html">&lt;script&gt;alert(1)&lt;/script&gt;\n'
            "</code></pre>\n",
        ),
    ],
)
def test_code_blocks_are_kept_as_pre_and_code_with_their_language_class(source, html):
    assert render_markdown(source).html == html


def test_blockquotes_render_as_blockquote_elements():
    assert render_markdown("> quoted\n> text").html == (
        "<blockquote>\n<p>quoted\ntext</p>\n</blockquote>\n"
    )


def test_tables_render_with_header_body_and_alignment():
    source = "| Left | Right |\n|:-----|------:|\n| a | b |"
    assert render_markdown(source).html == (
        "<table>\n<thead>\n<tr>\n"
        '<th style="text-align:left">Left</th>\n'
        '<th style="text-align:right">Right</th>\n'
        "</tr>\n</thead>\n<tbody>\n<tr>\n"
        '<td style="text-align:left">a</td>\n'
        '<td style="text-align:right">b</td>\n'
        "</tr>\n</tbody>\n</table>\n"
    )


@pytest.mark.parametrize(
    ("source", "html"),
    [
        (
            "see https://example.com now",
            f'<p>see <a href="https://example.com" {REL}>https://example.com</a> now</p>\n',
        ),
        (
            "www.example.com",
            f'<p><a href="http://www.example.com" {REL}>www.example.com</a></p>\n',
        ),
        (
            "http://example.com/?a=1&b=2",
            f'<p><a href="http://example.com/?a=1&amp;b=2" {REL}>'
            "http://example.com/?a=1&amp;b=2</a></p>\n",
        ),
        (
            "<https://example.com>",
            f'<p><a href="https://example.com" {REL}>https://example.com</a></p>\n',
        ),
    ],
)
def test_bare_urls_are_linkified(source, html):
    assert render_markdown(source).html == html


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("[docs](https://example.com)", f'<p><a href="https://example.com" {REL}>docs</a></p>\n'),
        (
            '[docs](https://example.com "Title")',
            f'<p><a href="https://example.com" title="Title" {REL}>docs</a></p>\n',
        ),
        ("[mail](mailto:a@example.com)", f'<p><a href="mailto:a@example.com" {REL}>mail</a></p>\n'),
        ("https://example.com", f'<p><a href="https://example.com" {REL}>https://example.com</a></p>\n'),
    ],
)
def test_every_link_gets_rel_nofollow_ugc_noopener(source, html):
    assert render_markdown(source).html == html


def test_sanitizer_replaces_a_rel_the_html_brought_with_it():
    assert sanitize_html('<a href="https://example.com" rel="opener">x</a>') == (
        f'<a href="https://example.com" {REL}>x</a>'
    )


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"),
        ("<b>bold</b>", "<p>&lt;b&gt;bold&lt;/b&gt;</p>\n"),
        (
            '<img src="x" onerror="alert(1)">',
            '<p>&lt;img src="x" onerror="alert(1)"&gt;</p>\n',
        ),
        ("<!-- comment -->", "<p>&lt;!-- comment --&gt;</p>\n"),
        ("<style>body{}</style>", "<p>&lt;style&gt;body{}&lt;/style&gt;</p>\n"),
        (
            '<a href="https://example.com">x</a>',
            '<p>&lt;a href="'
            f'<a href="https://example.com" {REL}>https://example.com</a>'
            '"&gt;x&lt;/a&gt;</p>\n',
        ),
        (
            "<div>\nblock\n</div>",
            "<p>&lt;div&gt;\nblock\n&lt;/div&gt;</p>\n",
        ),
    ],
)
def test_raw_html_is_escaped_not_rendered(source, html):
    assert render_markdown(source).html == html


@pytest.mark.parametrize(
    "source",
    [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x]( javascript:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html,<script>alert(1)</script>)",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![x](javascript:alert(1))",
        "<javascript:alert(1)>",
        "[x][ref]\n\n[ref]: javascript:alert(1)",
    ],
)
def test_dangerous_link_schemes_are_dropped(source):
    html = render_markdown(source).html
    assert "href" not in html
    assert "src" not in html
    assert "<a" not in html


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("[x](data:image/png;base64,AAAA)", f"<p><a {REL}>x</a></p>\n"),
        ("![x](data:image/png;base64,AAAA)", '<p><img alt="x"></p>\n'),
    ],
)
def test_data_urls_lose_their_address_even_when_markdown_accepts_them(source, html):
    assert render_markdown(source).html == html


def test_images_keep_https_sources():
    assert render_markdown("![logo](https://example.com/a.png)").html == (
        '<p><img src="https://example.com/a.png" alt="logo"></p>\n'
    )


def test_a_mention_of_a_known_username_becomes_a_profile_link():
    rendered = render_markdown("hi @ana", known_usernames={"ana"})
    assert rendered.html == f"<p>hi {mention('ana')}</p>\n"
    assert rendered.mentions == ["ana"]


def test_several_mentions_are_linked_and_listed_once_each_in_order():
    rendered = render_markdown("@bob, @ana and @bob again", known_usernames={"ana", "bob"})
    assert rendered.html == (
        f"<p>{mention('bob')}, {mention('ana')} and {mention('bob')} again</p>\n"
    )
    assert rendered.mentions == ["bob", "ana"]


def test_a_mention_of_an_unknown_username_stays_plain_text():
    rendered = render_markdown("hi @nobody and @ana", known_usernames={"ana"})
    assert rendered.html == f"<p>hi @nobody and {mention('ana')}</p>\n"
    assert rendered.mentions == ["ana"]


def test_no_mentions_are_linked_without_known_usernames():
    rendered = render_markdown("hi @ana")
    assert rendered.html == "<p>hi @ana</p>\n"
    assert rendered.mentions == []


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("`@ana`", "<p><code>@ana</code></p>\n"),
        ("```\n@ana\n```", "<pre><code>@ana\n</code></pre>\n"),
        ("    @ana", "<pre><code>@ana\n</code></pre>\n"),
        ("[@ana](https://example.com)", f'<p><a href="https://example.com" {REL}>@ana</a></p>\n'),
        (
            "https://example.com/@ana",
            f'<p><a href="https://example.com/@ana" {REL}>https://example.com/@ana</a></p>\n',
        ),
        (
            "![@ana](https://example.com/a.png)",
            '<p><img src="https://example.com/a.png" alt="@ana"></p>\n',
        ),
    ],
)
def test_mentions_inside_code_and_links_are_not_linked(source, html):
    rendered = render_markdown(source, known_usernames={"ana"})
    assert rendered.html == html
    assert rendered.mentions == []


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("@ana.", f"<p>{mention('ana')}.</p>\n"),
        ("@ana...", f"<p>{mention('ana')}...</p>\n"),
        ("@ana, hello", f"<p>{mention('ana')}, hello</p>\n"),
        ("(@ana)", f"<p>({mention('ana')})</p>\n"),
        ("*@ana*", f"<p><em>{mention('ana')}</em></p>\n"),
        ("# Hi @ana", f"<h1>Hi {mention('ana')}</h1>\n"),
        ("> @ana", f"<blockquote>\n<p>{mention('ana')}</p>\n</blockquote>\n"),
    ],
)
def test_mentions_end_before_trailing_punctuation_and_work_in_any_inline_text(source, html):
    rendered = render_markdown(source, known_usernames={"ana"})
    assert rendered.html == html
    assert rendered.mentions == ["ana"]


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("mail a@b.com", f'<p>mail <a href="mailto:a@b.com" {REL}>a@b.com</a></p>\n'),
        ("write to ana@ana", "<p>write to ana@ana</p>\n"),
        ("x/@ana", "<p>x/@ana</p>\n"),
        ("@@ana", "<p>@@ana</p>\n"),
        ("foo_@ana", "<p>foo_@ana</p>\n"),
    ],
)
def test_emails_and_words_glued_to_an_at_sign_are_not_mentions(source, html):
    rendered = render_markdown(source, known_usernames={"ana", "b"})
    assert rendered.html == html
    assert rendered.mentions == []


def test_a_mention_is_matched_case_insensitively_and_reported_lower_cased():
    rendered = render_markdown("hi @Ana", known_usernames={"ana"})
    assert rendered.mentions == ["ana"]
    assert 'class="mention"' in rendered.html


def test_mention_candidates_lists_every_possible_username_lower_cased():
    assert mention_candidates("@Ana and @bob. `@carol` a@b.com @@x") == {"ana", "bob", "carol"}


# Mentions in posts: the service looks the names up


def test_a_post_links_mentions_of_members_that_exist(customer, other_customer, public_space):
    topic = testing.make_topic(author=customer, space=public_space, body="Thanks @omar and @ghost")
    post = topic.posts.get()
    assert post.body_html == f"<p>Thanks {mention('omar')} and @ghost</p>\n"


def test_a_mention_link_leads_to_the_mentioned_members_profile(
    customer, other_customer, public_space, client
):
    testing.make_topic(author=customer, space=public_space, body="Thanks @omar")
    assert client.get("/u/omar/").status_code == 200


@pytest.mark.parametrize(("username", "typed"), [("omar", "Omar"), ("Omar", "omar")])
def test_a_mention_typed_in_another_case_links_to_the_members_real_profile(
    customer, make_member, public_space, client, username, typed
):
    make_member(username=username)
    topic = testing.make_topic(author=customer, space=public_space, body=f"Thanks @{typed}")
    href = re.search(r'<a href="([^"]+)" class="mention"', topic.posts.get().body_html)[1]
    assert client.get(href).status_code == 200


@pytest.mark.parametrize(
    "prefix",
    [
        " ".join(f"@aaa{n}" for n in range(20)),
        "```python\n" + "\n".join(f"@decorator{n}" for n in range(20)) + "\ndef f(): ...\n```",
    ],
    ids=["unknown-words", "code-block-decorators"],
)
def test_a_member_is_linked_however_many_other_at_words_the_post_holds(
    customer, other_customer, public_space, prefix
):
    body = f"{prefix}\n\nThanks @omar"
    topic = testing.make_topic(author=customer, space=public_space, body=body)
    assert topic.posts.get().body_html.endswith(f"<p>Thanks {mention('omar')}</p>\n")
