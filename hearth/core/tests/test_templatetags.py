import datetime

import pytest
from django.template import Context, Template, TemplateSyntaxError, engines
from django.utils import timezone
from jinja2 import UndefinedError

from hearth.core.templatetags.hearth import ago, iso, thousands

NOW = timezone.now()


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        (datetime.timedelta(seconds=5), "just now"),
        (datetime.timedelta(seconds=-30), "just now"),
        (datetime.timedelta(minutes=1, seconds=10), "1 minute ago"),
        (datetime.timedelta(minutes=59), "59 minutes ago"),
        (datetime.timedelta(hours=2, minutes=59), "2 hours ago"),
        (datetime.timedelta(days=1, hours=23), "1 day ago"),
        (datetime.timedelta(days=29), "29 days ago"),
    ],
)
def test_ago_names_one_unit(delta, expected):
    assert ago(timezone.now() - delta) == expected


def test_ago_gives_the_date_after_a_month():
    moment = datetime.datetime(2024, 3, 7, 12, 0, tzinfo=datetime.UTC)
    assert ago(moment) == "7 Mar 2024"


def test_ago_and_iso_of_nothing_are_empty():
    assert ago(None) == ""
    assert iso(None) == ""


def test_iso_is_the_isoformat():
    moment = datetime.datetime(2026, 11, 23, 4, 5, 6, tzinfo=datetime.UTC)
    assert iso(moment) == "2026-11-23T04:05:06+00:00"


@pytest.mark.parametrize(
    ("value", "expected"), [(0, "0"), (999, "999"), (1234, "1,234"), (12345678, "12,345,678")]
)
def test_thousands_separates(value, expected):
    assert thousands(value) == expected


def test_thousands_of_garbage_is_empty():
    assert thousands(None) == ""
    assert thousands("many") == ""


def test_link_tag_renders_the_url_and_escapes_it():
    template = Template("{% load hearth %}<a href=\"{% link 'community:profile' name %}\">")
    html = template.render(Context({"name": 'x"y'}))
    assert html == '<a href="/u/x%22y/">'


def test_link_tag_can_store_the_url():
    template = Template("{% load hearth %}{% link 'community:post' 7 as url %}[{{ url }}]")
    assert template.render(Context()) == "[/p/7/]"


def test_link_tag_refuses_keyword_arguments():
    with pytest.raises(TemplateSyntaxError, match="positional"):
        Template("{% load hearth %}{% link 'community:post' post_id=7 %}")


def test_jinja_templates_escape_and_fail_on_undefined_names():
    jinja = engines["jinja2"]
    assert jinja.from_string("{{ v }}").render({"v": "<b>"}) == "&lt;b&gt;"
    with pytest.raises(UndefinedError):
        jinja.from_string("{{ missing }}").render({})
    assert jinja.from_string("{{ n|thousands }}").render({"n": 1234}) == "1,234"
