"""API shapes for ideas. They check shape; the services check rules."""

import datetime
from typing import Literal

from ninja import Field, Schema

from hearth.accounts.schemas import MemberRef
from hearth.ideas.models import (
    ANNOUNCEMENT_TITLE_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    URL_MAX_LENGTH,
)

SortValue = Literal["votes", "trending", "newest", "updated"]


class BoardRef(Schema):
    slug: str
    name: str


class BoardOut(BoardRef):
    description: str
    visibility: str
    allowed_affiliations: list[str]
    idea_count: int


class StatusOut(Schema):
    slug: str
    name: str
    description: str
    colour: str
    meaning: str
    on_roadmap: bool
    is_default: bool


class StatusRef(Schema):
    slug: str
    name: str
    colour: str
    meaning: str


class AreaRef(Schema):
    slug: str
    name: str


class IdeaOut(Schema):
    id: int
    board: BoardRef
    title: str
    status: StatusRef
    area: AreaRef | None
    author: MemberRef
    vote_count: int
    comment_count: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    url: str

    @staticmethod
    def resolve_url(idea) -> str:
        return idea.get_absolute_url()


class IdeaPage(Schema):
    results: list[IdeaOut]
    next_cursor: str | None


class IdeaDetailOut(IdeaOut):
    description: str
    description_html: str
    status_changed_at: datetime.datetime | None
    announcement_url: str
    announcement_title: str
    merged_into: int | None = Field(None, description="The idea this one was merged into")
    voted: bool = Field(False, description="Whether the caller votes for it")

    @staticmethod
    def resolve_merged_into(idea) -> int | None:
        return idea.merged_into_id


class IdeaIn(Schema):
    board: str = Field(..., max_length=80, description="Slug of the board")
    title: str = Field(..., max_length=TITLE_MAX_LENGTH * 2)
    description: str = Field(..., max_length=DESCRIPTION_MAX_LENGTH * 2)
    area: str | None = Field(None, max_length=80, description="Slug of the product area")
    submit_key: str = Field(
        "",
        max_length=64,
        description="Any unique string; sending the same key again returns the first result.",
    )


class VoteOut(Schema):
    voted: bool
    vote_count: int


class StatusChangeIn(Schema):
    status: str = Field(..., max_length=40, description="Slug of the new status")
    note: str = Field("", max_length=NOTE_MAX_LENGTH * 2, description="Public; voters get it")
    announcement_url: str = Field(
        "", max_length=URL_MAX_LENGTH * 2, description="When shipping: a topic's address or a link"
    )
    announcement_title: str = Field("", max_length=ANNOUNCEMENT_TITLE_MAX_LENGTH * 2)


class MergeIn(Schema):
    into: int = Field(..., ge=1, le=2**63 - 1, description="The id of the idea that survives")


class SimilarOut(Schema):
    results: list[IdeaOut]
