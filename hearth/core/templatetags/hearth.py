"""Template helpers used across apps."""

import html

from django import template
from django.utils.html import strip_tags

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
