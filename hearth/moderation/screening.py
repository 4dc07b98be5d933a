"""Screening before publication: offensive language, the staff's word list, spam signals.

Criticism is welcome, of the company and its products included, and so is praise of a
competitor: only insults, attacks and spam are held. The model scores each sentence on its
own, so one insult in a long post is found and a long, sharp but civil critique is not.
"""

import re
from functools import cache

from django.conf import settings

from hearth.core.markdown import render_markdown
from hearth.moderation.models import ScreeningWord

MAX_SENTENCES = 400
_SENTENCES = re.compile(r"(?<=[.!?;])\s+|\n+")
_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)
_EXTERNAL_LINK = re.compile(r"""<a\s[^>]*href=["']?(?:https?:|//|mailto:)""", re.IGNORECASE)
_IMAGE = re.compile(r"<img\b", re.IGNORECASE)


@cache
def _predict_prob():
    # Loading the model takes a moment: only when the first post is screened.
    from profanity_check import predict_prob

    return predict_prob


def sentences(text: str) -> list[str]:
    text = _CODE.sub(" ", text)
    parts = [part.strip() for part in _SENTENCES.split(text)]
    return [part for part in parts if part][:MAX_SENTENCES]


def offensive_score(text: str) -> float:
    """How likely the most offensive sentence of `text` is offensive, from 0 to 1."""
    parts = sentences(text)
    if not parts:
        return 0.0
    return float(max(_predict_prob()(parts)))


def is_offensive(text: str) -> bool:
    return offensive_score(text) >= settings.HEARTH_SCREENING_THRESHOLD


def listed_words(text: str) -> list[str]:
    """The staff's screening words that appear in `text` as whole words (any case)."""
    words = list(ScreeningWord.objects.values_list("word", flat=True))
    if not words:
        return []
    lowered = text.lower()
    found = []
    for word in words:
        pattern = r"(?<!\w)" + re.escape(word.lower()) + r"(?!\w)"
        if re.search(pattern, lowered):
            found.append(word)
    return found


def has_links_or_images(body: str) -> bool:
    """Whether the Markdown links outside the community or shows an image."""
    html = render_markdown(body).html
    return bool(_EXTERNAL_LINK.search(html) or _IMAGE.search(html))
