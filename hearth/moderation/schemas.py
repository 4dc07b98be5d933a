"""API shapes for moderation. They check shape; the services check rules."""

import datetime
from typing import Literal

from ninja import Field, Schema

from hearth.accounts.schemas import MemberRef
from hearth.community.models import BODY_MAX_LENGTH

FlagReason = Literal["personal_attack", "harassment", "spam", "off_topic", "illegal", "other"]
ReviewAction = Literal[
    "approve", "hide", "edit", "move", "delete", "warn", "silence", "suspend", "ban"
]
MemberAction = Literal["warn", "silence", "suspend", "ban"]


class FlagIn(Schema):
    post_id: int | None = Field(None, ge=1, le=2**63 - 1, description="Flag this post…")
    username: str | None = Field(None, max_length=150, description="…or this member")
    reason: FlagReason
    note: str = Field("", max_length=2000)


class FlagOut(Schema):
    id: int
    reason: str
    note: str
    post_id: int | None
    member: MemberRef
    created_at: datetime.datetime


class QueuePostOut(Schema):
    id: int
    topic_id: int
    topic_title: str
    position: int
    state: str
    body: str
    url: str


class QueueFlagOut(Schema):
    reason: str
    note: str
    flagger: MemberRef
    created_at: datetime.datetime


class ReviewItemOut(Schema):
    id: int
    kind: str
    status: str
    held: bool
    held_reason: str
    flag_count: int
    flag_weight: float
    created_at: datetime.datetime
    member: MemberRef
    post: QueuePostOut | None
    flags: list[QueueFlagOut]

    @staticmethod
    def resolve_post(item):
        post = item.post
        if post is None:
            return None
        return {
            "id": post.pk,
            "topic_id": post.topic_id,
            "topic_title": post.topic.title,
            "position": post.position,
            "state": post.state,
            "body": post.body,
            "url": post.get_absolute_url(),
        }

    @staticmethod
    def resolve_flags(item):
        return item.flag_list


class ReviewPage(Schema):
    results: list[ReviewItemOut]
    next_cursor: str | None


class ReviewActionIn(Schema):
    action: ReviewAction
    reason: str = Field(..., max_length=2000)
    days: int | None = Field(None, ge=1, le=3650, description="silence, suspend")
    space: str | None = Field(None, max_length=80, description="move: the space's slug")
    body: str | None = Field(None, max_length=BODY_MAX_LENGTH * 2, description="edit")


class MemberActionIn(Schema):
    action: MemberAction
    reason: str = Field(..., max_length=2000)
    days: int | None = Field(None, ge=1, le=3650)


class UndoIn(Schema):
    reason: str = Field(..., max_length=2000)


class ActionOut(Schema):
    id: int
    kind: str
    reason: str
    actor: MemberRef | None
    member: MemberRef | None
    post_id: int | None
    reverts_id: int | None
    payload: dict
    created_at: datetime.datetime


class ActionPage(Schema):
    results: list[ActionOut]
    next_cursor: str | None
