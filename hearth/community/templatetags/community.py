"""Template helpers of the community pages."""

from django import template
from django.template import engines
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def topic_rows(topics, show_space=False) -> SafeString:
    """The <li> rows of a topic list, rendered by Jinja2 (hearth/jinja2/community/)."""
    rows = engines["jinja2"].get_template("community/topic_rows.html")
    # Jinja2 escapes every value itself (autoescape is on in Django's Jinja2 backend).
    return mark_safe(rows.render({"topics": topics, "show_space": show_space}))
