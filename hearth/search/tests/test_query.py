"""Reading what members type, and marking up what the databases send back."""

import pytest

from hearth.search.backends.base import (
    MARK_START,
    MARK_STOP,
    MAX_QUERY_LENGTH,
    MAX_TERMS,
    Term,
    marked_html,
    normalize_query,
    parse_query,
    plain_snippet,
)
from hearth.search.backends.postgres import tsquery_sql
from hearth.search.backends.sqlite import fts5_query


def words(*terms: str) -> tuple[Term, ...]:
    return tuple(Term(tuple(t.split())) for t in terms)


def test_every_word_must_match_and_common_words_are_ignored():
    query = parse_query("How do I reset the Hub?")

    assert query.groups == (words("reset"), words("hub"))
    assert query.excluded == ()


def test_quotes_make_a_phrase_and_a_dash_leaves_a_word_out():
    query = parse_query('"hub pro" -mini firmware')

    assert query.groups == (words("hub pro"), words("firmware"))
    assert query.excluded == words("mini")


def test_or_joins_the_words_on_either_side():
    query = parse_query("zigbee or wifi bridge")

    assert query.groups == (words("zigbee", "wifi"), words("bridge"))


def test_or_at_the_edges_and_lone_dashes_are_plain_text():
    assert parse_query("or hub or").groups == (words("hub"),)
    assert parse_query("- hub -").groups == (words("hub"),)


def test_hyphenated_and_dotted_words_become_phrases():
    assert parse_query("wi-fi").groups == (words("wi fi"),)
    assert parse_query("v4.2").groups == (words("v4 2"),)


def test_an_unclosed_quote_runs_to_the_end():
    assert parse_query('"dark mode').groups == (words("dark mode"),)


def test_only_common_words_is_reported_as_such():
    query = parse_query("how do I")

    assert query.is_empty
    assert query.only_stop_words


@pytest.mark.parametrize("text", ["", "   ", '"', '""', "-", "***", "()", "\x00\x01"])
def test_nothing_searchable_parses_to_an_empty_query(text):
    query = parse_query(text)

    assert query.is_empty
    assert not query.only_stop_words


def test_a_query_of_only_exclusions_searches_nothing():
    assert parse_query("-hub -mini").is_empty


def test_long_queries_are_cut_and_keep_at_most_max_terms():
    query = parse_query(" ".join(f"word{n}" for n in range(500)))

    assert sum(len(group) for group in query.groups) == MAX_TERMS
    assert len(normalize_query("x" * 5000)) == MAX_QUERY_LENGTH


def test_repeated_terms_count_once():
    assert parse_query("hub hub HUB").groups == (words("hub"),)


FULLWIDTH = "".join(chr(0xFF00 + ord(c) - 0x20) for c in "fullwidth")


def test_unicode_words_are_kept_and_composed():
    query = parse_query("Café " + FULLWIDTH + " 日本語")

    assert query.groups == (words("café"), words("fullwidth"), words("日本語"))


def test_control_characters_and_mark_characters_are_dropped():
    text = normalize_query(f"hub\x00{MARK_START}reset{MARK_STOP}\x1b")

    assert text == "hub reset"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hub reset", '"hub" AND "reset"'),
        ('"hub pro" -mini', '("hub pro") NOT "mini"'),
        ("zigbee or wifi", '("zigbee" OR "wifi")'),
        ("NEAR(hub) AND title:x*", '"near hub" AND "title x"'),
    ],
)
def test_fts5_queries_quote_every_term(text, expected):
    assert fts5_query(parse_query(text)) == expected


def test_tsquery_sql_passes_every_term_as_a_parameter():
    sql, params = tsquery_sql(parse_query('"hub pro" or mini -\'; DROP TABLE x; --'))

    assert params == ["hub pro", "mini", "drop", "table", "x"]
    assert "DROP" not in sql and "'" not in sql.replace("'english'", "")
    assert sql.count("%s") == 5


def test_marked_html_escapes_the_text_and_marks_only_the_matches():
    html = marked_html(f"<script>alert(1)</script> {MARK_START}hub{MARK_STOP} & co")

    assert html == "&lt;script&gt;alert(1)&lt;/script&gt; <mark>hub</mark> &amp; co"


def test_marked_html_always_balances_its_marks():
    assert marked_html(f"{MARK_STOP}a{MARK_START}b{MARK_START}c") == "a<mark>bc</mark>"
    assert marked_html(f"{MARK_START}{MARK_STOP}a") == "a"
    assert marked_html(None) == ""


def test_marked_html_collapses_whitespace():
    assert marked_html("one\n\n  two\tthree ") == "one two three"


def test_snippets_lose_markdown_noise_but_keep_link_text():
    text = "## Steps\n> quoted\n- **Reset** the `hub`, see [the guide](https://example.com/x)"

    assert plain_snippet(text) == "Steps\nquoted\nReset the hub, see the guide"
