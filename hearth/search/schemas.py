"""API shapes for search results."""

import datetime

from ninja import Schema

from hearth.accounts.schemas import MemberRef
from hearth.community.schemas import SpaceRef


class SearchHitOut(Schema):
    """One matching post, the best of its topic. The *_html fields are escaped text in which
    only <mark> is markup."""

    post_id: int
    topic_id: int
    topic_title: str
    title_html: str
    snippet_html: str
    url: str
    topic_url: str
    kind: str
    is_solved: bool
    is_accepted_answer: bool
    is_opening_post: bool
    space: SpaceRef
    author: MemberRef
    created_at: datetime.datetime
    rank: float

    @staticmethod
    def resolve_post_id(result) -> int:
        return result.post.pk

    @staticmethod
    def resolve_topic_id(result) -> int:
        return result.topic.pk

    @staticmethod
    def resolve_topic_title(result) -> str:
        return result.topic.title

    @staticmethod
    def resolve_url(result) -> str:
        return result.post.get_absolute_url()

    @staticmethod
    def resolve_topic_url(result) -> str:
        return result.topic.get_absolute_url()

    @staticmethod
    def resolve_kind(result) -> str:
        return result.topic.kind

    @staticmethod
    def resolve_is_opening_post(result) -> bool:
        return result.post.is_opening

    @staticmethod
    def resolve_space(result):
        return result.topic.space

    @staticmethod
    def resolve_author(result):
        return result.post.author

    @staticmethod
    def resolve_created_at(result) -> datetime.datetime:
        return result.post.created_at


class SearchPageOut(Schema):
    query: str
    results: list[SearchHitOut]
    next_cursor: str | None
    notice: str | None


class SimilarQuestionOut(Schema):
    """A question like the one being asked; solved ones come first."""

    topic_id: int
    title: str
    url: str
    is_solved: bool
    reply_count: int
    space: SpaceRef
    created_at: datetime.datetime
    score: float

    @staticmethod
    def resolve_topic_id(result) -> int:
        return result.topic.pk

    @staticmethod
    def resolve_title(result) -> str:
        return result.topic.title

    @staticmethod
    def resolve_url(result) -> str:
        return result.topic.get_absolute_url()

    @staticmethod
    def resolve_reply_count(result) -> int:
        return result.topic.reply_count

    @staticmethod
    def resolve_space(result):
        return result.topic.space

    @staticmethod
    def resolve_created_at(result) -> datetime.datetime:
        return result.topic.created_at


class SimilarPageOut(Schema):
    title: str
    # How they were ranked: "lexical" (words), or "combined" (words and meaning).
    ranker: str
    results: list[SimilarQuestionOut]
