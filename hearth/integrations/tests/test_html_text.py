"""HTML post bodies as Markdown: readable text that renders back to the same structure."""

import pytest

from hearth.core.markdown import render_markdown
from hearth.integrations.importers.html_text import html_to_markdown


@pytest.mark.parametrize(
    "html, markdown",
    [
        ("<p>Plain text.</p>", "Plain text."),
        ("<p>One.</p>\n\n<p>Two &amp; three.</p>", "One.\n\nTwo & three."),
        ("<p><strong>bold</strong>, <em>it</em>, <code>x</code></p>", "**bold**, *it*, `x`"),
        ("<p>a * b [c]</p>", "a \\* b \\[c\\]"),
        ('<p><a href="https://example.com/a b">link</a></p>', "[link](<https://example.com/a b>)"),
        (
            '<p><a href="https://example.com/">https://example.com/</a></p>',
            "[https://example.com/](https://example.com/)",
        ),
        (
            '<p><img src="https://i.example.com/x.png" alt="a glass"></p>',
            "![a glass](https://i.example.com/x.png)",
        ),
        ("<h2>Heading</h2><p>text</p>", "## Heading\n\ntext"),
        ("<ul>\n<li>one</li>\n<li>two</li>\n</ul>", "- one\n- two"),
        ('<ol start="3"><li>three</li><li>four</li></ol>', "3. three\n4. four"),
        ("<ul><li><p>para</p><ul><li>inner</li></ul></li></ul>", "- para\n\n  - inner"),
        ("<blockquote>\n  <p>quoted\n  text</p>\n</blockquote>", "> quoted text"),
        ("<pre><code>if x:\n    y()\n\n\nz\n</code></pre>", "```\nif x:\n    y()\n\n\nz\n```"),
        ("<pre><code>```\n</code></pre>", "````\n```\n````"),
        ("<p>line<br>break</p>", "line\nbreak"),
        ("<hr>", "---"),
        ("<p>x<script>alert(1)</script>y</p>", "xy"),
        (
            "<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>",
            "| a | b |\n| --- | --- |\n| 1 | 2 |",
        ),
        ("", ""),
    ],
)
def test_html_becomes_markdown(html, markdown):
    assert html_to_markdown(html) == markdown


def test_the_markdown_renders_back_to_the_same_structure():
    html = (
        '<p>Is a <strong>fresh</strong> IPA best? See <a href="https://example.com/">this</a>.'
        "</p>\n\n<ul>\n<li>hops</li>\n<li>malt</li>\n</ul>\n\n<pre><code>age = 7\n</code></pre>\n"
    )

    rendered = render_markdown(html_to_markdown(html)).html

    assert rendered == (
        "<p>Is a <strong>fresh</strong> IPA best? See "
        '<a href="https://example.com/" rel="nofollow ugc noopener">this</a>.</p>\n'
        "<ul>\n<li>hops</li>\n<li>malt</li>\n</ul>\n<pre><code>age = 7\n</code></pre>\n"
    )
