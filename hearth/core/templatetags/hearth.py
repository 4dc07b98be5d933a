"""Template helpers used across apps."""

import datetime
import html

from django import template
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as url_tag
from django.utils import timezone
from django.utils.html import conditional_escape, strip_tags

from hearth.core.links import fast_reverse

register = template.Library()


@register.filter
def plain_text(stored_html: str) -> str:
    """Stored, sanitised HTML as plain text for excerpts (the template escapes it again)."""
    return " ".join(html.unescape(strip_tags(stored_html or "")).split())


@register.simple_tag(takes_context=True)
def page_url(context, number) -> str:
    """The current URL's query string with `page` set to `number` (filters are kept)."""
    query = context["request"].GET.copy()
    query["page"] = number
    return "?" + query.urlencode()


@register.filter
def thousands(value) -> str:
    """An integer with thousands separators ("12,345"); cheap enough for every row of a list."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return ""


@register.filter
def iso(moment: datetime.datetime | None) -> str:
    """A datetime for the `datetime` attribute of <time>."""
    return moment.isoformat() if moment else ""


_UNITS = ((86400, "day"), (3600, "hour"), (60, "minute"))


@register.filter
def ago(moment: datetime.datetime | None) -> str:
    """How long ago, in one unit ("5 minutes ago"); a date after a month ("3 Nov 2026")."""
    if moment is None:
        return ""
    seconds = (timezone.now() - moment).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds >= 30 * 86400:
        return timezone.localtime(moment).strftime("%-d %b %Y")
    for size, unit in _UNITS:
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"


class LinkNode(URLNode):
    def render(self, context):
        args = [arg.resolve(context) for arg in self.args]
        url = fast_reverse(self.view_name.resolve(context), *args)
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def link(parser, token):
    """`{% url %}` for positional arguments, through core.links.fast_reverse (hot loops)."""
    node = url_tag(parser, token)
    if node.kwargs:
        raise template.TemplateSyntaxError("'link' takes positional arguments only; use 'url'.")
    return LinkNode(node.view_name, node.args, node.kwargs, node.asvar)
