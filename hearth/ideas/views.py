"""Pages of the idea boards: parse, call one selector or service, render."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hearth.accounts.services import require_current_conduct, require_unrestricted
from hearth.core.errors import HearthError, NotAllowed
from hearth.core.forms import add_service_error
from hearth.ideas import selectors, services
from hearth.ideas.forms import (
    AnnouncementForm,
    CommentForm,
    IdeaForm,
    MergeForm,
    ProxyVoteForm,
    StatusForm,
    TrackerForm,
    new_submit_key,
)
from hearth.ideas.models import Idea
from hearth.ideas.permissions import (
    can_attach_announcement,
    can_change_status,
    can_comment,
    can_delete_comment,
    can_export_ideas,
    can_follow,
    can_link_tracker,
    can_merge,
    can_record_proxy_vote,
    can_see_tracker,
    can_submit_idea,
    can_view_breakdown,
    can_vote,
    can_withdraw_vote,
    is_idea_staff,
)

IDEAS_PER_PAGE = 30
COMMENTS_PER_PAGE = 50


def _page(request, queryset, per_page: int):
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    page.elided_range = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return page


def _next_url(request, fallback: str) -> str:
    """Where to go back to after a form without JavaScript: `next` if it is ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _decorate(user, ideas) -> list[Idea]:
    """Ideas as a list, each knowing whether `user` voted for it and may change that."""
    ideas = list(ideas)
    voted = selectors.voted_ids(user, ideas)
    scores = selectors.weighted_scores(ideas) if can_view_breakdown(user) else {}
    for idea in ideas:
        idea.voted = idea.pk in voted
        idea.can_vote = can_vote(user, idea)
        idea.can_withdraw = can_withdraw_vote(user, idea)
        idea.weighted_score = scores.get(idea.pk)
    return ideas


def _filters(request, boards):
    """The status, product area and sort a list was asked for; unknown values are ignored."""
    statuses = selectors.status_list()
    areas = selectors.area_list()
    status = next((s for s in statuses if s.slug == request.GET.get("status")), None)
    area = next((a for a in areas if a.slug == request.GET.get("area")), None)
    sort = request.GET.get("sort", "")
    if sort not in selectors.SORTS:
        sort = selectors.DEFAULT_SORT
    return {"statuses": statuses, "areas": areas, "status": status, "area": area, "sort": sort}


def _chosen_board(request, slug=None):
    """The boards the member may see, and the one named by `slug` or ?board= (404 when it is
    missing or hidden; None when none is named)."""
    boards = selectors.visible_boards(request.user)
    board = None
    if slug := slug or request.GET.get("board"):
        board = next((b for b in boards if b.slug == slug), None)
        if board is None:
            raise Http404("No such idea board.")
    return boards, board


def idea_list(request, slug=None):
    """All ideas the member may see, or one board's (404 when hidden), sorted and filtered."""
    boards, board = _chosen_board(request, slug)
    chosen = _filters(request, boards)
    ideas = selectors.idea_list(
        request.user,
        boards=[board] if board else boards,
        status=chosen["status"],
        area=chosen["area"],
        sort=chosen["sort"],
    )
    page = _page(request, ideas, IDEAS_PER_PAGE)
    page.object_list = _decorate(request.user, page.object_list)
    submit_boards = [b for b in ([board] if board else boards) if can_submit_idea(request.user, b)]
    return render(
        request,
        "ideas/list.html",
        {
            **chosen,
            "page": page,
            "board": board,
            "boards": boards,
            "show_board": board is None and len(boards) > 1,
            "sorts": selectors.SORTS,
            "can_submit": bool(submit_boards),
            "is_staff": is_idea_staff(request.user),
            "next": request.get_full_path(),
        },
    )


def roadmap(request):
    boards, board = _chosen_board(request)
    chosen = _filters(request, boards)
    columns = selectors.roadmap(
        request.user,
        boards=[board] if board else boards,
        area=chosen["area"],
        statuses=chosen["statuses"],
    )
    return render(
        request,
        "ideas/roadmap.html",
        {
            "columns": columns,
            "board": board,
            "boards": boards,
            "area": chosen["area"],
            "areas": chosen["areas"],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def new_idea(request):
    visible, chosen_board = _chosen_board(request)
    if visible:
        # As posting does: silenced or suspended members are told so, and a new code of
        # conduct is to be accepted before the composer opens.
        try:
            require_unrestricted(request.user)
            require_current_conduct(request.user)
        except NotAllowed as error:
            if error.code == "conduct_not_accepted":
                messages.info(request, error.message)
                return redirect("accounts:conduct")
            messages.error(request, error.message)
            return redirect("ideas:list")
    boards = [b for b in visible if can_submit_idea(request.user, b)]
    if not boards:
        if visible:
            messages.error(request, "Accept the code of conduct to submit ideas.")
            return redirect("accounts:conduct")
        messages.info(request, "There is no idea board yet.")
        return redirect("ideas:list")
    areas = selectors.area_list()
    initial = {"submit_key": new_submit_key()}
    if chosen_board is not None and chosen_board in boards:
        initial["board"] = chosen_board.slug
    form = IdeaForm(request.POST or None, boards=boards, areas=areas, initial=initial)
    similar = []
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            if existing := selectors.submitted_idea(request.user, data["submit_key"]):
                # A second submit of the same composer (a double click): it is in already.
                return redirect(existing)
            board = next(b for b in boards if b.slug == data["board"])
            try:
                area = selectors.find_area(data["area"], areas) if data.get("area") else None
                if not data["confirmed"]:
                    similar = selectors.similar_ideas(request.user, data["title"], boards=[board])
                if not similar:
                    idea = services.create_idea(
                        author=request.user,
                        board=board,
                        title=data["title"],
                        description=data["description"],
                        area=area,
                        submit_key=data["submit_key"],
                    )
                    if not getattr(idea, "is_repeat_submit", False):
                        messages.success(
                            request, "Thank you! Your idea is in; you will hear how it goes."
                        )
                    return redirect(idea)
                status = 200
            except HearthError as error:
                add_service_error(form, error)
                status = error.status
    return render(request, "ideas/new.html", {"form": form, "similar": similar}, status=status)


@require_GET
def similar(request):
    """The composer's similar ideas for the title being typed (an htmx partial)."""
    boards = selectors.visible_boards(request.user)
    board = next((b for b in boards if b.slug == request.GET.get("board")), None)
    results = selectors.similar_ideas(
        request.user, request.GET.get("title", "")[:1000], boards=[board] if board else boards
    )
    return render(request, "ideas/partials/similar.html", {"similar": results})


def idea(request, idea_id):
    idea = selectors.access_idea(request.user, idea_id)
    if idea.is_merged:
        messages.info(request, f"“{idea.title}” was merged into this idea.")
        return redirect("ideas:idea", idea.merged_into_id)
    user = request.user
    idea.voted = bool(selectors.voted_ids(user, [idea]))
    idea.can_vote = can_vote(user, idea)
    idea.can_withdraw = can_withdraw_vote(user, idea)
    comments = _page(request, selectors.comment_list(idea), COMMENTS_PER_PAGE)
    for comment in comments.object_list:
        comment.can_delete = can_delete_comment(user, comment)
    staff = {}
    if can_view_breakdown(user):
        staff = {
            "breakdown": selectors.vote_breakdown(idea),
            "recent_votes": selectors.recent_votes(idea),
        }
    statuses = selectors.status_list() if can_change_status(user, idea) else []
    return render(
        request,
        "ideas/idea.html",
        {
            "idea": idea,
            "history": selectors.status_history(idea),
            "merged": selectors.merged_ideas(idea),
            "comments": comments,
            "page": comments,
            "following": selectors.is_following(user, idea),
            "can_follow": can_follow(user, idea),
            "comment_form": CommentForm() if can_comment(user, idea) else None,
            "can_see_tracker": can_see_tracker(user),
            "tracker_form": (
                TrackerForm(initial={"tracker_ref": idea.tracker_ref})
                if can_link_tracker(user, idea)
                else None
            ),
            "status_form": (
                StatusForm(statuses=[s for s in statuses if s.pk != idea.status_id])
                if statuses
                else None
            ),
            "merge_form": MergeForm() if can_merge(user, idea) else None,
            "proxy_form": ProxyVoteForm() if can_record_proxy_vote(user, idea) else None,
            "announcement_form": (
                AnnouncementForm(
                    initial={"url": idea.announcement_url, "title": idea.announcement_title}
                )
                if idea.status.is_shipped and can_attach_announcement(user, idea)
                else None
            ),
            "next": idea.get_absolute_url(),
            **staff,
        },
    )


def _vote_box(request, idea: Idea):
    idea.refresh_from_db(fields=["vote_count"])
    idea.voted = bool(selectors.voted_ids(request.user, [idea]))
    idea.can_vote = can_vote(request.user, idea)
    idea.can_withdraw = can_withdraw_vote(request.user, idea)
    return render(
        request,
        "ideas/partials/vote.html",
        {"idea": idea, "next": _next_url(request, idea.get_absolute_url())},
    )


@login_required
@require_POST
def vote(request, idea_id):
    idea = selectors.access_idea(request.user, idea_id)
    services.add_idea_vote(member=request.user, idea=idea)
    if request.htmx:
        return _vote_box(request, idea)
    messages.success(request, "Thank you for your vote! You will hear how this idea goes.")
    return redirect(_next_url(request, idea.get_absolute_url()))


@login_required
@require_POST
def unvote(request, idea_id):
    idea = selectors.access_idea(request.user, idea_id)
    services.withdraw_idea_vote(member=request.user, idea=idea)
    if request.htmx:
        return _vote_box(request, idea)
    messages.success(request, "Your vote is withdrawn.")
    return redirect(_next_url(request, idea.get_absolute_url()))


def _follow(request, idea_id, following: bool):
    idea = selectors.access_idea(request.user, idea_id)
    services.set_idea_follow(member=request.user, idea=idea, following=following)
    if request.htmx:
        return render(
            request,
            "ideas/partials/follow.html",
            {"idea": idea, "following": following, "can_follow": True},
        )
    messages.success(
        request,
        "You follow this idea: every change reaches you."
        if following
        else "You no longer follow this idea.",
    )
    return redirect(idea)


@login_required
@require_POST
def follow(request, idea_id):
    return _follow(request, idea_id, True)


@login_required
@require_POST
def unfollow(request, idea_id):
    return _follow(request, idea_id, False)


@login_required
@require_POST
def comment(request, idea_id):
    idea = selectors.access_idea(request.user, idea_id)
    if idea.is_merged:
        return redirect("ideas:idea", idea.merged_into_id)
    form = CommentForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.add_idea_comment(
                author=request.user, idea=idea, body=form.cleaned_data["body"]
            )
        except HearthError as error:
            add_service_error(form, error)
            status = error.status
        else:
            messages.success(request, "Your comment is posted.")
            return redirect(f"{idea.get_absolute_url()}#comments")
    return render(
        request, "ideas/comment_error.html", {"idea": idea, "comment_form": form}, status=status
    )


@login_required
@require_POST
def delete_comment(request, comment_id):
    comment = selectors.access_comment(request.user, comment_id)
    services.delete_idea_comment(actor=request.user, comment=comment)
    messages.success(request, "The comment is deleted.")
    return redirect(f"{comment.idea.get_absolute_url()}#comments")


# --- Staff actions: each a small form on the idea page, and a page of its own for errors ------

ACTIONS = {
    "status": ("Change the status", can_change_status),
    "merge": ("Merge into another idea", can_merge),
    "tracker": ("Link to the tracker", can_link_tracker),
    "announcement": ("Attach the announcement", can_attach_announcement),
    "proxy-vote": ("Record a vote for a customer", can_record_proxy_vote),
}


def _action_form(action: str, idea: Idea, data):
    if action == "status":
        statuses = [s for s in selectors.status_list() if s.pk != idea.status_id]
        return StatusForm(data, statuses=statuses)
    if action == "merge":
        return MergeForm(data)
    if action == "tracker":
        return TrackerForm(data, initial={"tracker_ref": idea.tracker_ref})
    if action == "announcement":
        return AnnouncementForm(
            data, initial={"url": idea.announcement_url, "title": idea.announcement_title}
        )
    return ProxyVoteForm(data)


def _run_action(request, action: str, idea: Idea, data: dict) -> tuple[Idea, str]:
    """Call the action's service; returns the idea to go back to and what to say."""
    user = request.user
    if action == "status":
        status = selectors.find_status(data["status"])
        services.change_idea_status(
            actor=user,
            idea=idea,
            status=status,
            note=data["note"],
            announcement_url=data["announcement_url"],
            announcement_title=data["announcement_title"],
        )
        return idea, f"The idea is now {status.name.lower()}; its voters and followers are told."
    if action == "merge":
        target = selectors.access_idea(user, data["into"])
        services.merge_ideas(actor=user, source=idea, target=target)
        return target, f"“{idea.title}” is merged into this idea; its voters are told."
    if action == "tracker":
        services.link_idea_tracker(actor=user, idea=idea, tracker_ref=data["tracker_ref"])
        return idea, "The tracker reference is saved."
    if action == "announcement":
        services.attach_idea_announcement(
            actor=user, idea=idea, url=data["url"], title=data["title"]
        )
        return idea, "The announcement is attached and on its way to the voters."
    voter = selectors.find_member(data["voter"])
    services.record_proxy_vote(
        actor=user, idea=idea, voter=voter, channel=data["channel"], note=data["note"]
    )
    return idea, f"{voter.name}'s vote is recorded."


@login_required
@require_http_methods(["GET", "POST"])
def staff_action(request, idea_id, action):
    idea = selectors.access_idea(request.user, idea_id)
    if action not in ACTIONS:
        raise Http404("No such action.")
    title, allowed = ACTIONS[action]
    if not allowed(request.user, idea):
        if action == "tracker":
            raise NotAllowed("Only employees can link ideas to the tracker.", code="employees_only")
        raise NotAllowed("Only moderators and community managers can do that.", code="staff_only")
    if idea.is_merged:
        messages.info(request, f"“{idea.title}” was merged into this idea.")
        return redirect("ideas:idea", idea.merged_into_id)
    form = _action_form(action, idea, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                target, said = _run_action(request, action, idea, form.cleaned_data)
            except Http404:
                form.add_error("into", "There is no such idea, or you cannot see it.")
            except HearthError as error:
                add_service_error(form, error)
                status = error.status
            else:
                messages.success(request, said)
                return redirect(target)
    return render(
        request,
        "ideas/action.html",
        {"idea": idea, "form": form, "action": action, "title": title},
        status=status,
    )


# --- CSV export -----------------------------------------------------------------------------

# A cell starting with one of these is a formula to a spreadsheet: it is written with a
# leading apostrophe so it shows as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Echo:
    """A file-like object whose write() hands back what it was given, for streaming CSV."""

    def write(self, value: str) -> str:
        return value


@login_required
@require_GET
def export(request):
    """The ideas the filters select, as CSV, for staff: counts, weighted score, organizations."""
    if not can_export_ideas(request.user):
        raise NotAllowed(
            "Only moderators and community managers can export ideas.", code="staff_only"
        )
    boards, board = _chosen_board(request)
    chosen = _filters(request, boards)
    rows = selectors.export_rows(
        request.user,
        boards=[board] if board else boards,
        status=chosen["status"],
        area=chosen["area"],
        sort=chosen["sort"],
    )
    base = request.build_absolute_uri("/").rstrip("/")
    writer = csv.writer(_Echo())

    def lines():
        for number, row in enumerate(rows):
            if number:
                row[-1] = base + row[-1]
            yield writer.writerow([csv_safe(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="ideas-{stamp}.csv"'
    return response
