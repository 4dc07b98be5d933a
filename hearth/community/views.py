"""Pages of the community: parse, call one selector or service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from hearth.accounts.selectors import access_member
from hearth.accounts.services import conduct_is_current
from hearth.community import selectors, services
from hearth.community.forms import (
    EditPostForm,
    MoveTopicForm,
    ReplyForm,
    TopicForm,
    new_submit_key,
)
from hearth.community.models import Post, Reaction, Topic
from hearth.community.permissions import (
    can_accept_answer,
    can_delete_post,
    can_edit_post,
    can_moderate,
    can_react,
    can_reply,
    can_set_wiki,
    can_start_topic,
    edits_as_wiki,
)
from hearth.core.errors import HearthError, NotAllowed
from hearth.core.forms import add_service_error
from hearth.notifications.forms import WatchForm
from hearth.notifications.models import Watch
from hearth.notifications.selectors import watch_level
from hearth.notifications.services import set_watch

TOPICS_PER_PAGE = 30
POSTS_PER_PAGE = 20


class CountedPaginator(Paginator):
    """A paginator told its total (from the denormalised counters) instead of counting rows."""

    def __init__(self, object_list, per_page, *, total: int):
        super().__init__(object_list, per_page)
        self._total = total

    @property
    def count(self) -> int:
        return self._total


class PositionPaginator(CountedPaginator):
    """Pages of a topic's posts taken by position range instead of OFFSET.

    Positions run 1, 2, 3, ... without gaps (deleted posts keep theirs), so page n holds
    positions (n-1)*per_page+1 .. n*per_page and a deep page costs what the first does.
    """

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        posts = self.object_list.filter(position__gt=bottom, position__lte=bottom + self.per_page)
        return self._get_page(posts, number, self)


def _page(request, queryset, per_page, *, total: int | None = None):
    paginator = (
        Paginator(queryset, per_page)
        if total is None
        else CountedPaginator(queryset, per_page, total=total)
    )
    page = paginator.get_page(request.GET.get("page"))
    page.elided_range = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return page


def _topic_page(request, queryset, *, total: int | None = None):
    """A page of topic rows, each with its tags and all its views."""
    page = _page(request, queryset, TOPICS_PER_PAGE, total=total)
    page.object_list = selectors.add_unwritten_views(selectors.with_tags(page.object_list))
    return page


def home(request):
    spaces = selectors.visible_spaces(request.user)
    topics = _topic_page(
        request,
        selectors.topic_list(request.user, spaces=spaces),
        total=sum(space.topic_count for space in spaces),
    )
    return render(request, "community/home.html", {"spaces": spaces, "page": topics})


def latest(request):
    spaces = selectors.visible_spaces(request.user)
    topics = _topic_page(
        request,
        selectors.topic_list(request.user, spaces=spaces),
        total=sum(space.topic_count for space in spaces),
    )
    return render(request, "community/latest.html", {"page": topics})


def space(request, slug):
    space = selectors.access_space(request.user, slug)
    topics = _topic_page(
        request, selectors.topic_list(request.user, space=space), total=space.topic_count
    )
    return render(
        request,
        "community/space.html",
        {
            "space": space,
            "page": topics,
            "can_start": can_start_topic(request.user, space),
            "watch_level": watch_level(request.user, space=space),
            "watch_levels": Watch.Level.choices,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def new_topic(request, slug):
    space = selectors.access_space(request.user, slug)
    if not can_start_topic(request.user, space):
        messages.error(request, "You cannot start topics in this space.")
        return redirect(space)
    if not conduct_is_current(request.user):
        messages.info(request, CONDUCT_CHANGED)
        return redirect("accounts:conduct")
    form = TopicForm(request.POST or None, initial={"submit_key": new_submit_key()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            topic = services.create_topic(
                author=request.user,
                space=space,
                title=data["title"],
                body=data["body"],
                kind=data["kind"],
                submit_key=data["submit_key"],
                tags=list(data["tags"]),
            )
        except HearthError as error:
            add_service_error(form, error)
        else:
            _tell_if_held(request, getattr(topic, "opening", None))
            return redirect(topic)
    return render(request, "community/topic_new.html", {"space": space, "form": form})


CONDUCT_CHANGED = (
    "The code of conduct has changed. Please read it and accept the new version to keep posting."
)


def _tell_if_held(request, post: Post | None) -> None:
    """Screening held the post: say so, and why, right away (it is never dropped silently)."""
    if post is not None and post.state == "held":
        messages.warning(
            request,
            f"Your post is held for review by the moderators before it is published: "
            f"{post.state_reason}",
        )


def _quote(request, topic: Topic) -> str:
    """Markdown that quotes the post named by ?quote=, for the composer without JavaScript."""
    try:
        post_id = int(request.GET.get("quote", ""))
    except ValueError:
        return ""
    post = Post.objects.select_related("author").filter(pk=post_id, topic=topic).first()
    if post is None or post.is_deleted or not post.is_published:
        return ""
    quoted = "\n".join(f"> {line}" for line in post.body.splitlines())
    return f"{quoted}\n> — @{post.author.username}\n\n"


def topic(request, slug, topic_id):
    user = request.user
    topic = selectors.access_topic_page(user, topic_id)
    if slug != topic.slug and request.method == "GET" and "page" not in request.GET:
        return redirect(topic, permanent=True)
    paginator = PositionPaginator(
        selectors.post_page(topic, user), POSTS_PER_PAGE, total=topic.last_position
    )
    posts = paginator.get_page(request.GET.get("page"))
    topic.view_count += services.record_topic_view(
        topic=topic, reader=user, positions=[post.position for post in posts.object_list]
    )
    posts.elided_range = paginator.get_elided_page_range(posts.number, on_each_side=2, on_ends=1)
    can_accept = topic.kind == Topic.Kind.QUESTION and can_accept_answer(user, topic)
    for post in posts.object_list:
        post.topic = topic
        kinds = getattr(post, "given_kinds", None)
        post.given = set(kinds.split(",")) if kinds else set()
        post.can_edit = can_edit_post(user, post)
        post.can_delete = can_delete_post(user, post)
        post.can_react = can_react(user, post)
        post.can_wiki = can_set_wiki(user, post)
        post.can_accept = can_accept and not post.is_opening and not post.is_deleted
    reply_form = None
    if can_reply(user, topic):
        reply_form = ReplyForm(
            initial={"submit_key": new_submit_key(), "body": _quote(request, topic)}
        )
    return render(
        request,
        "community/topic.html",
        {
            "topic": topic,
            "space": topic.space,
            "page": posts,
            "reply_form": reply_form,
            "is_staff": can_moderate(user),
            "can_accept": can_accept,
            "reaction_kinds": Reaction.Kind.choices,
            "watch_level": topic.reader_watch or Watch.Level.NORMAL,
            "watch_levels": Watch.Level.choices,
        },
    )


def post_permalink(request, post_id):
    post = selectors.access_post(request.user, post_id)
    page = (post.position - 1) // POSTS_PER_PAGE + 1
    url = reverse("community:topic", args=[post.topic.slug, post.topic_id])
    query = f"?page={page}" if page > 1 else ""
    return redirect(f"{url}{query}#post-{post.position}")


@login_required
@require_POST
def reply(request, topic_id):
    topic = selectors.access_topic(request.user, topic_id)
    form = ReplyForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            post = services.create_reply(
                author=request.user,
                topic=topic,
                body=form.cleaned_data["body"],
                submit_key=form.cleaned_data["submit_key"],
            )
        except HearthError as error:
            add_service_error(form, error)
            status = error.status
        else:
            if request.htmx and getattr(post, "is_repeat_submit", False):
                # The first submit already put this reply on the page: only reset the form.
                return render(
                    request,
                    "community/partials/composer.html",
                    {
                        "topic": topic,
                        "reply_form": ReplyForm(initial={"submit_key": new_submit_key()}),
                    },
                )
            if not request.htmx:
                _tell_if_held(request, post)
            if request.htmx:
                post.topic = topic
                post.given = set()
                post.can_edit = can_edit_post(request.user, post)
                post.can_delete = can_delete_post(request.user, post)
                post.can_wiki = can_set_wiki(request.user, post)
                post.can_react = False
                post.can_accept = False
                return render(
                    request,
                    "community/partials/reply_created.html",
                    {
                        "post": post,
                        "topic": topic,
                        "reply_form": ReplyForm(initial={"submit_key": new_submit_key()}),
                        "reaction_kinds": Reaction.Kind.choices,
                    },
                )
            return redirect(post)
    if request.htmx:
        return render(
            request,
            "community/partials/composer.html",
            {"topic": topic, "reply_form": form},
            status=status,
        )
    return render(
        request, "community/reply_error.html", {"topic": topic, "reply_form": form}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_post(request, post_id):
    post = selectors.access_post(request.user, post_id)
    if not can_edit_post(request.user, post):
        messages.error(request, "You cannot edit this post.")
        return redirect(post)
    as_wiki = edits_as_wiki(request.user, post)
    initial = {"body": post.body, "title": post.topic.title}
    # The title stays with the topic's author and the moderators: no field for wiki editors.
    form = EditPostForm(
        request.POST or None, initial=initial, opening=post.is_opening and not as_wiki
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_post(
                editor=request.user,
                post=post,
                body=form.cleaned_data["body"],
                title=form.cleaned_data.get("title"),
            )
        except HearthError as error:
            add_service_error(form, error)
        else:
            post.refresh_from_db(fields=["state", "state_reason"])
            if post.state == "held":
                _tell_if_held(request, post)
            else:
                messages.success(request, "Your changes are saved.")
            return redirect(post)
    return render(
        request, "community/post_edit.html", {"post": post, "form": form, "as_wiki": as_wiki}
    )


def post_history(request, post_id):
    post = selectors.access_post(request.user, post_id)
    if post.is_deleted and not can_moderate(request.user):
        raise Http404("No such post.")
    return render(
        request,
        "community/post_history.html",
        {"post": post, "revisions": selectors.revision_list(post)},
    )


@login_required
@require_POST
def delete_post(request, post_id):
    post = selectors.access_post(request.user, post_id)
    services.delete_post(actor=request.user, post=post)
    if post.is_opening:
        messages.success(request, "The topic is deleted.")
        return redirect(post.topic.space)
    messages.success(request, "The post is deleted.")
    return redirect(post)


@login_required
@require_POST
def set_post_wiki(request, post_id, wiki):
    """Make a post a wiki (/wiki/) or stop (/unwiki/): a plain form, no JavaScript needed."""
    post = selectors.access_post(request.user, post_id)
    services.set_post_wiki(actor=request.user, post=post, wiki=wiki)
    messages.success(
        request,
        "This post is now a wiki: trusted members who can reply here can edit it too."
        if wiki
        else "This post is no longer a wiki.",
    )
    return redirect(post)


@login_required
@require_POST
def react(request, post_id, kind):
    post = selectors.access_post(request.user, post_id)
    services.toggle_reaction(member=request.user, post=post, kind=kind)
    if request.htmx:
        post.refresh_from_db(fields=["like_count", "helpful_count"])
        post.given = selectors.reactions_by(request.user, [post]).get(post.pk, set())
        post.can_react = True
        return render(
            request,
            "community/reactions.html",
            {"post": post, "reaction_kinds": Reaction.Kind.choices},
        )
    return redirect(post)


@login_required
@require_http_methods(["GET", "POST"])
def topic_staff_action(request, topic_id, action):
    topic = selectors.access_topic(request.user, topic_id)
    if request.method == "GET":
        if action != "move":
            return HttpResponseNotAllowed(["POST"])
        if not can_moderate(request.user):
            raise NotAllowed("Only moderators can do that.", code="staff_only")
        form = MoveTopicForm(spaces=selectors.moveable_spaces(request.user, topic))
        return render(request, "community/topic_move.html", {"topic": topic, "form": form})
    if action in ("pin", "unpin"):
        services.set_topic_pinned(actor=request.user, topic=topic, pinned=action == "pin")
        messages.success(request, "Topic pinned." if action == "pin" else "Topic unpinned.")
    elif action in ("lock", "unlock"):
        services.set_topic_locked(actor=request.user, topic=topic, locked=action == "lock")
        messages.success(request, "Topic locked." if action == "lock" else "Topic unlocked.")
    elif action == "move":
        if not can_moderate(request.user):
            raise NotAllowed("Only moderators can do that.", code="staff_only")
        form = MoveTopicForm(request.POST, spaces=selectors.moveable_spaces(request.user, topic))
        if not form.is_valid():
            messages.error(request, "Choose a space to move the topic to.")
            return redirect(topic)
        target = selectors.access_space(request.user, form.cleaned_data["space"])
        services.move_topic(actor=request.user, topic=topic, space=target)
        messages.success(request, f"Topic moved to {target.name}.")
    else:
        raise Http404("No such action.")
    return redirect(topic)


WATCH_MESSAGES = {
    Watch.Level.WATCHING: "You are watching this {kind}: every new post reaches you.",
    Watch.Level.TRACKING: "You are tracking this {kind}: new posts show in your notifications.",
    Watch.Level.NORMAL: "You will hear about this {kind} only when someone replies to you.",
    Watch.Level.MUTED: "This {kind} is muted: you will hear nothing about it.",
}


@login_required
@require_POST
def watch(request, kind, key):
    """Set how closely the member follows a topic (by id) or a space (by slug)."""
    if kind == "topic" and key.isascii() and key.isdigit() and len(key) < 19:
        target = {"topic": selectors.access_topic(request.user, int(key))}
    elif kind == "space":
        target = {"space": selectors.access_space(request.user, key)}
    else:
        raise Http404("Nothing to watch here.")
    form = WatchForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose watching, tracking, normal or muted.")
    else:
        level = form.cleaned_data["level"]
        set_watch(member=request.user, level=level, **target)
        messages.success(request, WATCH_MESSAGES[level].format(kind=kind))
    return redirect(next(iter(target.values())))


def profile(request, username):
    member = access_member(username)
    return render(
        request,
        "community/profile.html",
        {
            "member": member,
            "recent_posts": selectors.member_recent_posts(request.user, member),
            "can_edit": request.user.is_authenticated
            and (request.user.pk == member.pk or request.user.is_manager),
        },
    )


@login_required
@require_POST
def accept_answer(request, post_id):
    post = selectors.access_post(request.user, post_id)
    services.accept_answer(actor=request.user, post=post)
    messages.success(request, "Marked as the accepted answer. Thank you for closing the loop!")
    return redirect(post)


@login_required
@require_POST
def unaccept_answer(request, topic_id):
    topic = selectors.access_topic(request.user, topic_id)
    services.unaccept_answer(actor=request.user, topic=topic)
    messages.success(request, "The question is open again.")
    return redirect(topic)


def questions(request):
    """The support queues: unanswered, unsolved, needs attention, my questions."""
    queue = request.GET.get("queue", "unanswered")
    if queue not in selectors.QUEUES:
        queue = "unanswered"
    spaces = selectors.visible_spaces(request.user)
    space = next((s for s in spaces if s.slug == request.GET.get("space")), None)
    tags = selectors.tag_list()
    tag = next((t for t in tags if t.slug == request.GET.get("tag")), None)
    topics = _topic_page(
        request, selectors.question_queue(request.user, queue, space=space, tag=tag)
    )
    return render(
        request,
        "community/questions.html",
        {
            "page": topics,
            "queue": queue,
            "queue_labels": selectors.QUEUES[queue],
            "queues": selectors.QUEUES,
            "spaces": spaces,
            "space": space,
            "tags": tags,
            "tag": tag,
        },
    )
