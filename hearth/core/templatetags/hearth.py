"""Template helpers used across apps."""

import html

from django import template
from django.utils.html import strip_tags

register = template.Library()


@register.filter
def plain_text(stored_html: str) -> str:
    """Stored, sanitised HTML as plain text for excerpts (the template escapes it again)."""
    return " ".join(html.unescape(strip_tags(stored_html or "")).split())
