"""Cheap URL building for the hot paths: reverse() a pattern once, then fill in its blanks.

A list page links every row to its topic, space and author; `reverse()` costs tens of
microseconds a call (it matches candidates against the pattern's regex), which adds up to
milliseconds on a page of thirty rows. `fast_reverse()` reverses each pattern once per script
prefix with placeholder arguments and afterwards only substitutes the (quoted) values, giving
the same URL as `reverse()` for arguments that the pattern's converters accept.
"""

from functools import cache
from urllib.parse import quote

from django.urls import get_script_prefix, reverse

# Accepted by the int, slug, str and path converters, and unlikely to occur in a pattern.
_PLACEHOLDERS = ("9183700001", "9183700002", "9183700003", "9183700004")
# What reverse() leaves unquoted in a path (django.urls.resolvers: RFC 3986 sub-delimiters).
_SAFE = "!$&'()*+,;=/~:@"


@cache
def _pieces(name: str, arity: int, script_prefix: str) -> tuple[str, ...]:
    """The literal parts of `name`'s URL around its `arity` arguments, in argument order."""
    url = reverse(name, args=_PLACEHOLDERS[:arity])
    pieces = []
    for placeholder in _PLACEHOLDERS[:arity]:
        before, found, url = url.partition(placeholder)
        if not found:
            raise ValueError(f"cannot build {name!r} by substitution")
        pieces.append(before)
    pieces.append(url)
    return tuple(pieces)


def fast_reverse(name: str, *args: object) -> str:
    """`reverse(name, args=args)` for positional arguments the pattern's converters accept."""
    pieces = _pieces(name, len(args), get_script_prefix())
    parts = [pieces[0]]
    for arg, literal in zip(args, pieces[1:], strict=True):
        # Ids are most arguments, and the digits of an int need no quoting.
        parts.append(str(arg) if type(arg) is int else quote(str(arg), safe=_SAFE))
        parts.append(literal)
    return "".join(parts)
