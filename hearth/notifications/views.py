"""The notification centre, preferences, and the unsubscribe page e-mails link to."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from hearth.accounts.models import Member
from hearth.core.errors import HearthError
from hearth.core.forms import add_service_error
from hearth.notifications import selectors, services
from hearth.notifications.emails import read_unsubscribe_token
from hearth.notifications.forms import PreferencesForm
from hearth.notifications.models import Trigger

PER_PAGE = 30


@login_required
def inbox(request):
    page = Paginator(selectors.notification_list(request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    page.elided_range = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
def open_notification(request, notification_id):
    """Mark a notification read and go to what it is about."""
    notification = selectors.access_notification(request.user, notification_id)
    services.mark_read(member=request.user, notification=notification)
    if not url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        raise Http404("No such page.")
    return redirect(notification.url)


@login_required
@require_POST
def mark_read(request, notification_id):
    notification = selectors.access_notification(request.user, notification_id)
    services.mark_read(member=request.user, notification=notification)
    if request.htmx:
        return render(request, "notifications/partials/item.html", {"notification": notification})
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request):
    count = services.mark_all_read(member=request.user)
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} read.")
    return redirect("notifications:inbox")


def badge(request):
    """The bell in the header, refreshed by htmx while a page stays open."""
    return render(request, "notifications/partials/bell.html")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    current = selectors.preferences_for(request.user)
    initial = {
        "digest_frequency": current.digest_frequency,
        "quiet_hours_start": current.quiet_hours_start,
        "quiet_hours_end": current.quiet_hours_end,
        "time_zone": current.time_zone,
        **{trigger.value: current.channel_for(trigger.value) for trigger in Trigger},
    }
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_preferences(
                member=request.user,
                channels={trigger.value: data[trigger.value] for trigger in Trigger},
                digest_frequency=data["digest_frequency"],
                quiet_hours_start=data["quiet_hours_start"],
                quiet_hours_end=data["quiet_hours_end"],
                time_zone=data["time_zone"].strip(),
            )
        except HearthError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Your notification settings are saved.")
            return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


UNSUBSCRIBE_LABELS = {"all": "all e-mails", "digest": "the e-mail digest"} | {
    # "News about ideas I follow" → "news about ideas I follow": only the first letter.
    trigger.value: f"e-mails about “{trigger.label[:1].lower()}{trigger.label[1:]}”"
    for trigger in Trigger
}


@csrf_exempt  # The signed token authorises it; mail clients' one-click POST carries no CSRF token.
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """Works logged out: GET asks to confirm (link scanners only GET), POST unsubscribes."""
    try:
        member_id, what = read_unsubscribe_token(token)
    except signing.BadSignature:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    member = Member.objects.filter(pk=member_id, is_active=True).first()
    if member is None or what not in UNSUBSCRIBE_LABELS:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    done = False
    if request.method == "POST":
        services.unsubscribe(member=member, what=what)
        done = True
    return render(
        request,
        "notifications/unsubscribe.html",
        {"label": UNSUBSCRIBE_LABELS[what], "done": done, "member": member},
    )
