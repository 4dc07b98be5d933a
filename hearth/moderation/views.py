"""Moderation pages: flagging, the queue, decisions, the audit log, a member's record."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from hearth.accounts.selectors import access_member
from hearth.community.selectors import access_post, access_space
from hearth.core.errors import HearthError
from hearth.core.forms import add_service_error
from hearth.moderation import selectors, services, trust
from hearth.moderation.forms import (
    FlagForm,
    MemberActionForm,
    ReviewActionForm,
    ScreeningWordForm,
    TrustForm,
    UndoForm,
)
from hearth.moderation.models import ModerationAction
from hearth.moderation.permissions import can_act_on_member, can_flag

ITEMS_PER_PAGE = 20
LOG_PER_PAGE = 50
DONE = {
    "approve": "Approved.",
    "hide": "The post is hidden.",
    "edit": "The post is edited.",
    "move": "The topic is moved.",
    "delete": "The post is deleted.",
    "warn": "The member is warned.",
    "silence": "The member is silenced.",
    "suspend": "The member is suspended.",
    "ban": "The member is banned.",
}


@login_required
@require_http_methods(["GET", "POST"])
def flag_post(request, post_id):
    post = access_post(request.user, post_id)
    form = FlagForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.flag_post(
                flagger=request.user,
                post=post,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except HearthError as error:
            add_service_error(form, error)
            status = error.status
        else:
            messages.success(request, "Thank you: the moderators will look at it.")
            return redirect(post)
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "moderation/flag.html",
        {"form": form, "post": post, "subject": post.author, "can_flag": can_flag(request.user)},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def flag_member(request, username):
    member = access_member(username)
    form = FlagForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.flag_member(
                flagger=request.user,
                member=member,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except HearthError as error:
            add_service_error(form, error)
            status = error.status
        else:
            messages.success(request, "Thank you: the moderators will look at it.")
            return redirect(member)
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "moderation/flag.html",
        {"form": form, "post": None, "subject": member, "can_flag": can_flag(request.user)},
        status=status,
    )


@login_required
def queue(request):
    show = request.GET.get("show", "all")
    if show not in selectors.QUEUE_FILTERS:
        show = "all"
    page = Paginator(selectors.review_queue(request.user, show=show), ITEMS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    page.elided_range = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    page.object_list = selectors.with_context(page.object_list)
    spaces = selectors.moveable_spaces(request.user)
    for item in page.object_list:
        initial = {"body": item.post.body} if item.post is not None else None
        item.form = ReviewActionForm(
            item=item, spaces=spaces, initial=initial, prefix=f"item{item.pk}"
        )
    return render(
        request,
        "moderation/queue.html",
        {"page": page, "show": show, "filters": selectors.QUEUE_FILTERS},
    )


@login_required
@require_POST
def act(request, item_id):
    """One decision on a queue item (a form per item; htmx swaps the item for the result)."""
    item = selectors.access_review(request.user, item_id)
    spaces = selectors.moveable_spaces(request.user)
    form = ReviewActionForm(request.POST, item=item, spaces=spaces, prefix=f"item{item.pk}")
    error_status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            space = access_space(request.user, data["space"]) if data.get("space") else None
            action = services.act_on_review(
                actor=request.user,
                review=item,
                action=data["action"],
                reason=data["reason"],
                days=data.get("days"),
                space=space,
                body=data.get("body") if data["action"] == "edit" else None,
            )
        except HearthError as error:
            add_service_error(form, error)
            error_status = error.status
        else:
            if request.htmx:
                return render(
                    request,
                    "moderation/partials/decided.html",
                    {"item": item, "action": action, "message": DONE[action.kind]},
                )
            messages.success(request, DONE[action.kind])
            return redirect("moderation:queue")
    item = selectors.with_context([item])[0]
    item.form = form
    template = "moderation/partials/item.html" if request.htmx else "moderation/item.html"
    return render(request, template, {"item": item}, status=error_status)


@login_required
def log(request):
    kind = request.GET.get("kind", "")
    if kind not in ModerationAction.Kind.values:
        kind = ""
    page = Paginator(selectors.audit_log(request.user, kind=kind), LOG_PER_PAGE).get_page(
        request.GET.get("page")
    )
    page.elided_range = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    undone = selectors.undone_ids(page.object_list)
    for action in page.object_list:
        action.is_undone = action.pk in undone
        action.can_undo = action.kind in services.UNDOABLE and not action.is_undone
    return render(
        request,
        "moderation/log.html",
        {
            "page": page,
            "kind": kind,
            "kinds": ModerationAction.Kind.choices,
            "undo_form": UndoForm(),
        },
    )


@login_required
@require_POST
def undo(request, action_id):
    action = selectors.access_action(request.user, action_id)
    form = UndoForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why you undo it.")
    else:
        try:
            undo = services.undo_action(
                actor=request.user, action=action, reason=form.cleaned_data["reason"]
            )
        except HearthError as error:
            messages.error(request, error.message)
        else:
            if undo.payload.get("lifted", True):
                messages.success(request, "Undone. The member is told.")
            else:
                messages.success(
                    request, "Undone on the record. A later decision still restricts the member."
                )
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("moderation:log")


@login_required
@require_http_methods(["GET", "POST"])
def member_record(request, username):
    member = selectors.access_member_record(request.user, username)
    action_form = MemberActionForm(request.POST or None, prefix="act")
    trust_form = TrustForm(
        request.POST or None,
        prefix="trust",
        initial={"level": member.trust_level, "locked": member.trust_level_locked},
    )
    status = 200
    if request.method == "POST":
        which = request.POST.get("form")
        form = trust_form if which == "trust" else action_form
        if form.is_valid():
            data = form.cleaned_data
            try:
                if which == "trust":
                    services.set_trust_level(
                        actor=request.user,
                        member=member,
                        level=data["level"],
                        locked=data["locked"],
                        reason=data["reason"],
                    )
                    messages.success(request, "Trust level saved.")
                else:
                    action = services.act_on_member(
                        actor=request.user,
                        member=member,
                        action=data["action"],
                        reason=data["reason"],
                        days=data["days"],
                    )
                    messages.success(request, DONE[action.kind])
            except HearthError as error:
                add_service_error(form, error)
                status = error.status
            else:
                return redirect("moderation:member", member.username)
        else:
            status = 400
    history = list(selectors.audit_log(request.user, subject=member)[:50])
    undone = selectors.undone_ids(history)
    for action in history:
        action.is_undone = action.pk in undone
        action.can_undo = action.kind in services.UNDOABLE and not action.is_undone
    return render(
        request,
        "moderation/member.html",
        {
            "member": member,
            "history": history,
            "flags": list(selectors.flags_against(member)[:50]),
            "action_form": action_form,
            "trust_form": trust_form,
            "undo_form": UndoForm(),
            "can_act": can_act_on_member(request.user, member),
            "abilities": trust.abilities(member.trust_level),
            "level_name": trust.LEVEL_NAMES[member.trust_level],
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def screening_words(request):
    selectors.require_moderator(request.user)
    form = ScreeningWordForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.add_screening_word(actor=request.user, word=form.cleaned_data["word"])
        except HearthError as error:
            add_service_error(form, error)
            status = error.status
        else:
            messages.success(request, "Added: posts with it now wait for review.")
            return redirect("moderation:screening")
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "moderation/screening.html",
        {"form": form, "words": selectors.screening_words()},
        status=status,
    )


@login_required
@require_POST
def remove_screening_word(request, word_id):
    entry = selectors.access_screening_word(request.user, word_id)
    services.remove_screening_word(actor=request.user, entry=entry)
    messages.success(request, f"“{entry.word}” is off the list.")
    return redirect("moderation:screening")
