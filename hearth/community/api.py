"""API for spaces, topics, posts and reactions: the same services and rules as the pages."""

from django.http import HttpRequest
from ninja import Path, Query, Router

from hearth.accounts.api_auth import ANYONE, MEMBER, require_write
from hearth.community import selectors, services
from hearth.community.models import Post, Reaction
from hearth.community.permissions import can_moderate
from hearth.community.schemas import (
    PostIn,
    PostOut,
    PostPage,
    PostPatch,
    ReactionOut,
    SpaceOut,
    SpacePage,
    TopicDetailOut,
    TopicIn,
    TopicOut,
    TopicPage,
    TopicPatch,
    WikiIn,
)
from hearth.core.errors import NotAllowed, ValidationFailed
from hearth.core.pagination import MAX_LIMIT, Key, keyset_page
from hearth.core.schemas import ERRORS

router = Router(tags=["community"])

ID = Path(..., ge=1, le=2**63 - 1)
SLUG = Path(..., max_length=80)
LIMIT = Query(30, ge=1, le=MAX_LIMIT, description=f"Items a page, at most {MAX_LIMIT}")
CURSOR = Query(None, max_length=200, description="`next_cursor` of the previous page")
ACTIVITY_KEYS = (Key("last_activity_at", descending=True, is_datetime=True), Key("id", True))
POSITION_KEYS = (Key("position"),)


@router.get(
    "/spaces", response={200: SpacePage, **ERRORS}, auth=ANYONE, summary="Spaces you may see"
)
def list_spaces(request: HttpRequest, limit: int = LIMIT, cursor: str | None = CURSOR):
    spaces = selectors.visible_spaces(request.user)
    start = 0
    if cursor:
        try:
            start = int(cursor)
        except ValueError as error:
            raise ValidationFailed(
                "That cursor is not one this API gave out.", code="invalid_cursor"
            ) from error
        if not 0 <= start <= len(spaces):
            raise ValidationFailed(
                "That cursor is not one this API gave out.", code="invalid_cursor"
            )
    end = start + limit
    return {"results": spaces[start:end], "next_cursor": str(end) if end < len(spaces) else None}


@router.get("/spaces/{slug}", response={200: SpaceOut, **ERRORS}, auth=ANYONE, summary="One space")
def get_space(request: HttpRequest, slug: str = SLUG):
    return selectors.access_space(request.user, slug)


@router.get(
    "/spaces/{slug}/topics",
    response={200: TopicPage, **ERRORS},
    auth=ANYONE,
    summary="A space's topics, latest first",
)
def list_space_topics(
    request: HttpRequest, slug: str = SLUG, limit: int = LIMIT, cursor: str | None = CURSOR
):
    space = selectors.access_space(request.user, slug)
    topics = selectors.topic_list(request.user, space=space)
    return _with_all_views(keyset_page(topics, keys=ACTIVITY_KEYS, limit=limit, cursor=cursor))


@router.post(
    "/spaces/{slug}/topics",
    response={201: TopicDetailOut, 200: TopicDetailOut, **ERRORS},
    auth=MEMBER,
    summary="Start a topic",
)
def create_topic(request: HttpRequest, payload: TopicIn, slug: str = SLUG):
    require_write(request)
    space = selectors.access_space(request.user, slug)
    topic = services.create_topic(
        author=request.user,
        space=space,
        title=payload.title,
        body=payload.body,
        kind=payload.kind,
        submit_key=payload.submit_key,
    )
    status = 200 if getattr(topic, "is_repeat_submit", False) else 201
    topic = selectors.access_topic(request.user, topic.pk)
    topic.opening_post = selectors.post_list(topic, request.user).filter(position=1).first()
    return status, topic


@router.get(
    "/topics",
    response={200: TopicPage, **ERRORS},
    auth=ANYONE,
    summary="Latest topics in every space",
)
def list_latest_topics(request: HttpRequest, limit: int = LIMIT, cursor: str | None = CURSOR):
    topics = selectors.topic_list(request.user)
    return _with_all_views(keyset_page(topics, keys=ACTIVITY_KEYS, limit=limit, cursor=cursor))


@router.get(
    "/topics/{topic_id}", response={200: TopicDetailOut, **ERRORS}, auth=ANYONE, summary="One topic"
)
def get_topic(request: HttpRequest, topic_id: int = ID):
    topic = selectors.access_topic(request.user, topic_id)
    topic.view_count = selectors.view_count(topic)
    topic.opening_post = selectors.post_list(topic, request.user).filter(position=1).first()
    return topic


def _with_all_views(page: dict) -> dict:
    """A page of topics whose view counts include the views not yet written."""
    page["results"] = selectors.add_unwritten_views(list(page["results"]))
    return page


@router.patch(
    "/topics/{topic_id}",
    response={200: TopicOut, **ERRORS},
    auth=MEMBER,
    summary="Pin, lock or move",
)
def update_topic(request: HttpRequest, payload: TopicPatch, topic_id: int = ID):
    require_write(request)
    topic = selectors.access_topic(request.user, topic_id)
    if not can_moderate(request.user):
        raise NotAllowed("Only moderators can pin, lock or move topics.", code="staff_only")
    if payload.is_pinned is not None:
        services.set_topic_pinned(actor=request.user, topic=topic, pinned=payload.is_pinned)
    if payload.is_locked is not None:
        services.set_topic_locked(actor=request.user, topic=topic, locked=payload.is_locked)
    if payload.space is not None:
        target = selectors.access_space(request.user, payload.space)
        services.move_topic(actor=request.user, topic=topic, space=target)
    return selectors.access_topic(request.user, topic.pk)


@router.get(
    "/topics/{topic_id}/posts",
    response={200: PostPage, **ERRORS},
    auth=ANYONE,
    summary="A topic's posts in order",
)
def list_posts(
    request: HttpRequest, topic_id: int = ID, limit: int = LIMIT, cursor: str | None = CURSOR
):
    topic = selectors.access_topic_alone(request.user, topic_id)
    return keyset_page(
        selectors.post_list(topic, request.user), keys=POSITION_KEYS, limit=limit, cursor=cursor
    )


@router.post(
    "/topics/{topic_id}/posts",
    response={201: PostOut, 200: PostOut, **ERRORS},
    auth=MEMBER,
    summary="Reply to a topic",
)
def create_post(request: HttpRequest, payload: PostIn, topic_id: int = ID):
    require_write(request)
    topic = selectors.access_topic(request.user, topic_id)
    post = services.create_reply(
        author=request.user, topic=topic, body=payload.body, submit_key=payload.submit_key
    )
    return (200 if getattr(post, "is_repeat_submit", False) else 201), post


@router.get("/posts/{post_id}", response={200: PostOut, **ERRORS}, auth=ANYONE, summary="One post")
def get_post(request: HttpRequest, post_id: int = ID):
    return selectors.access_post(request.user, post_id)


@router.patch(
    "/posts/{post_id}", response={200: PostOut, **ERRORS}, auth=MEMBER, summary="Edit a post"
)
def edit_post(request: HttpRequest, payload: PostPatch, post_id: int = ID):
    require_write(request)
    post = selectors.access_post(request.user, post_id)
    return services.edit_post(
        editor=request.user, post=post, body=payload.body, title=payload.title
    )


@router.delete(
    "/posts/{post_id}", response={204: None, **ERRORS}, auth=MEMBER, summary="Delete a post"
)
def delete_post(request: HttpRequest, post_id: int = ID):
    require_write(request)
    post = selectors.access_post(request.user, post_id)
    services.delete_post(actor=request.user, post=post)
    return 204, None


@router.put(
    "/posts/{post_id}/wiki",
    response={200: PostOut, **ERRORS},
    auth=MEMBER,
    summary="Make a post a wiki, or stop (its author or moderators)",
)
def set_post_wiki(request: HttpRequest, payload: WikiIn, post_id: int = ID):
    require_write(request)
    post = selectors.access_post(request.user, post_id)
    return services.set_post_wiki(actor=request.user, post=post, wiki=payload.is_wiki)


def _reaction_state(post: Post, kind: str, active: bool) -> dict:
    post.refresh_from_db(fields=["like_count", "helpful_count"])
    count = post.like_count if kind == Reaction.Kind.LIKE else post.helpful_count
    return {"kind": kind, "active": active, "count": count}


@router.put(
    "/posts/{post_id}/reactions/{kind}",
    response={200: ReactionOut, **ERRORS},
    auth=MEMBER,
    summary="React",
)
def add_reaction(request: HttpRequest, kind: str = Path(..., max_length=16), post_id: int = ID):
    require_write(request)
    post = selectors.access_post(request.user, post_id)
    active = services.set_reaction(member=request.user, post=post, kind=kind, active=True)
    return _reaction_state(post, kind, active)


@router.delete(
    "/posts/{post_id}/reactions/{kind}",
    response={200: ReactionOut, **ERRORS},
    auth=MEMBER,
    summary="Take a reaction back",
)
def remove_reaction(request: HttpRequest, kind: str = Path(..., max_length=16), post_id: int = ID):
    require_write(request)
    post = selectors.access_post(request.user, post_id)
    active = services.set_reaction(member=request.user, post=post, kind=kind, active=False)
    return _reaction_state(post, kind, active)
