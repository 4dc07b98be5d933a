"""The Jinja2 environment for the few hot templates under hearth/jinja2/."""

from jinja2 import Environment, StrictUndefined

from hearth.core.links import fast_reverse
from hearth.core.templatetags.hearth import ago, iso, thousands


def environment(**options) -> Environment:
    # A misspelt attribute fails loudly instead of rendering as an empty string.
    options["undefined"] = StrictUndefined
    # Always escape: these templates render what members wrote.
    options.pop("autoescape", None)
    env = Environment(autoescape=True, **options)
    env.filters.update(ago=ago, iso=iso, thousands=thousands)
    # url("community:post", post.pk): positional arguments only, as in {% link %}.
    env.globals["url"] = fast_reverse
    return env
