"""Template helpers of the community pages."""

from django import template
from django.template import engines
from django.template.backends.utils import csrf_input
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def topic_rows(topics, show_space=False) -> SafeString:
    """The <li> rows of a topic list, rendered by Jinja2 (hearth/jinja2/community/)."""
    rows = engines["jinja2"].get_template("community/topic_rows.html")
    # Jinja2 escapes every value itself (autoescape is on in Django's Jinja2 backend).
    return mark_safe(rows.render({"topics": topics, "show_space": show_space}))


@register.simple_tag(takes_context=True)
def post_cards(context, posts) -> SafeString:
    """The posts of a topic page and its accepted answer, rendered by Jinja2 in one go
    (hearth/jinja2/community/posts.html)."""
    cards = engines["jinja2"].get_template("community/posts.html")
    return mark_safe(
        cards.render(
            {**_card_context(context), "posts": posts, "can_accept": context["can_accept"]}
        )
    )


@register.simple_tag(takes_context=True)
def post_card(context, post) -> SafeString:
    """One post of a topic page, rendered by Jinja2 (hearth/jinja2/community/post.html)."""
    card = engines["jinja2"].get_template("community/post.html")
    return mark_safe(card.render({**_card_context(context), "post": post}))


def _card_context(context) -> dict:
    """What hearth/jinja2/community/post.html takes besides the post."""
    page = context.get("page")
    return {
        "topic": context["topic"],
        "can_quote": bool(context.get("reply_form")),
        "page_number": page.number if page else 1,
        "is_staff": bool(context.get("is_staff")),
        "reaction_kinds": context["reaction_kinds"],
        "csrf_input": _csrf_input(context),
    }


def _csrf_input(context) -> str:
    """The CSRF hidden input, made once for a whole page rather than once a post."""
    made = context.render_context.get("hearth_csrf_input")
    if made is None:
        made = context.render_context["hearth_csrf_input"] = csrf_input(context["request"])
    return made
