"""API shapes for spaces, topics and posts. They check shape; the services check rules."""

import datetime
from typing import Literal

from ninja import Field, Schema

from hearth.accounts.schemas import MemberRef
from hearth.community.models import BODY_MAX_LENGTH, TITLE_MAX_LENGTH

SubmitKey = Field(
    "",
    max_length=64,
    description="Any unique string; sending the same key again returns the first result.",
)


class SpaceOut(Schema):
    slug: str
    name: str
    description: str
    visibility: str
    allowed_affiliations: list[str]
    topic_starters: str
    topic_count: int
    post_count: int
    last_activity_at: datetime.datetime | None


class SpacePage(Schema):
    results: list[SpaceOut]
    next_cursor: str | None


class SpaceRef(Schema):
    slug: str
    name: str


class TopicOut(Schema):
    id: int
    space: SpaceRef
    kind: str
    title: str
    author: MemberRef
    last_poster: MemberRef
    created_at: datetime.datetime
    last_activity_at: datetime.datetime
    reply_count: int
    view_count: int
    like_count: int
    is_pinned: bool
    is_locked: bool
    url: str

    @staticmethod
    def resolve_url(topic) -> str:
        return topic.get_absolute_url()


class TopicPage(Schema):
    results: list[TopicOut]
    next_cursor: str | None


class PostOut(Schema):
    id: int
    topic_id: int
    position: int
    author: MemberRef
    body: str
    body_html: str
    created_at: datetime.datetime
    edited_at: datetime.datetime | None
    revision_count: int
    like_count: int
    helpful_count: int
    is_deleted: bool
    state: str = Field(
        "published", description="published, or held / hidden (seen by author and moderators)"
    )
    state_reason: str = ""
    is_wiki: bool = Field(
        False, description="A wiki: trusted members who may reply in the topic can edit it too"
    )

    @staticmethod
    def resolve_body(post) -> str:
        return "" if post.is_deleted else post.body

    @staticmethod
    def resolve_body_html(post) -> str:
        return "" if post.is_deleted else post.body_html


class PostPage(Schema):
    results: list[PostOut]
    next_cursor: str | None


class TopicDetailOut(TopicOut):
    opening_post: PostOut | None


class TopicIn(Schema):
    title: str = Field(..., max_length=TITLE_MAX_LENGTH * 2)
    body: str = Field(..., max_length=BODY_MAX_LENGTH * 2)
    kind: Literal["discussion", "question"] = "discussion"
    submit_key: str = SubmitKey


class TopicPatch(Schema):
    """Moderator changes; leave out what stays."""

    is_pinned: bool | None = None
    is_locked: bool | None = None
    space: str | None = Field(None, max_length=80, description="Slug of the space to move to")


class PostIn(Schema):
    body: str = Field(..., max_length=BODY_MAX_LENGTH * 2)
    submit_key: str = SubmitKey


class PostPatch(Schema):
    body: str = Field(..., max_length=BODY_MAX_LENGTH * 2)
    title: str | None = Field(
        None, max_length=TITLE_MAX_LENGTH * 2, description="Only for a topic's opening post"
    )


class WikiIn(Schema):
    is_wiki: bool = Field(..., description="true: make the post a wiki; false: stop")


class ReactionOut(Schema):
    kind: str
    active: bool
    count: int
