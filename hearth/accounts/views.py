from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from hearth.accounts import services
from hearth.accounts.forms import (
    ApiTokenForm,
    CodeOfConductForm,
    LoginForm,
    ProfileForm,
    SignUpForm,
)
from hearth.accounts.permissions import can_edit_code_of_conduct
from hearth.accounts.selectors import access_api_token, api_token_list
from hearth.core import ratelimit
from hearth.core.errors import HearthError, RateLimited
from hearth.core.forms import add_service_error


class LoginView(auth_views.LoginView):
    """Django's log-in page with Hearth's limits (see LoginForm); over a limit it answers 429."""

    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.rate_limited:
            response.status_code = 429
        return response


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("community:home")
    form = SignUpForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        address = ratelimit.client_address(request)
        signups = ratelimit.Rate.parse(settings.HEARTH_RATE_SIGNUP_IP)
        try:
            if wait := ratelimit.retry_after("signup-ip", address, signups):
                raise RateLimited(
                    f"Too many new accounts from your network. Try again in {wait} seconds.",
                    retry_after=wait,
                )
            member = services.create_member(
                username=data["username"],
                email=data["email"],
                password=data["password"],
                display_name=data["display_name"],
                affiliation=data["affiliation"],
                accepted_conduct=data["accept_conduct"],
            )
        except HearthError as error:
            add_service_error(form, error)
            status = error.status if isinstance(error, RateLimited) else 200
        else:
            ratelimit.record("signup-ip", address, signups)
            login(request, member, backend="hearth.accounts.backends.MemberBackend")
            messages.success(request, f"Welcome to the community, {member.name}!")
            return redirect("community:home")
    return render(
        request,
        "accounts/signup.html",
        {"form": form, "conduct": services.current_code_of_conduct()},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_profile(request):
    member = request.user
    initial = {
        "display_name": member.display_name,
        "bio": member.bio,
        "affiliation": member.affiliation,
        "organization": member.organization_id,
        "expertise": ", ".join(t.name for t in member.expertise.all()),
    }
    form = ProfileForm(request.POST or None, request.FILES or None, initial=initial, member=member)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_profile(
                actor=request.user,
                member=member,
                display_name=data["display_name"],
                bio=data["bio"],
                affiliation=data["affiliation"],
                organization=data["organization"],
                expertise=data["expertise"],
                avatar=data["avatar"] or None,
                remove_avatar=data["remove_avatar"],
            )
        except HearthError as error:
            add_service_error(form, error)
            member.refresh_from_db()
        else:
            messages.success(request, "Your profile is saved.")
            return redirect("community:profile", member.username)
    return render(request, "accounts/profile_edit.html", {"form": form})


def code_of_conduct(request):
    conduct = services.current_code_of_conduct()
    user = request.user
    return render(
        request,
        "accounts/conduct.html",
        {
            "conduct": conduct,
            "can_edit": can_edit_code_of_conduct(user),
            "needs_acceptance": conduct is not None
            and user.is_authenticated
            and user.conduct_version_accepted < conduct.version,
        },
    )


@login_required
@require_POST
def accept_code_of_conduct(request):
    conduct = services.current_code_of_conduct()
    if conduct is None:
        return redirect("accounts:conduct")
    services.accept_code_of_conduct(member=request.user, conduct=conduct)
    messages.success(request, "Thank you for accepting the code of conduct.")
    return redirect("community:home")


@login_required
@require_http_methods(["GET", "POST"])
def edit_code_of_conduct(request):
    if not can_edit_code_of_conduct(request.user):
        raise PermissionDenied
    current = services.current_code_of_conduct()
    initial = {"title": current.title, "body": current.body} if current else None
    form = CodeOfConductForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            conduct = services.publish_code_of_conduct(
                actor=request.user, body=form.cleaned_data["body"], title=form.cleaned_data["title"]
            )
        except HearthError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"Version {conduct.version} of the code of conduct is live.")
            return redirect("accounts:conduct")
    return render(request, "accounts/conduct_edit.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    form = ApiTokenForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_secret = services.create_api_token(
                member=request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
            )
        except HearthError as error:
            add_service_error(form, error)
        else:
            form = ApiTokenForm()
    return render(
        request,
        "accounts/api_tokens.html",
        {"form": form, "tokens": api_token_list(request.user), "new_secret": new_secret},
    )


@login_required
@require_POST
def revoke_api_token(request, token_id):
    token = access_api_token(request.user, token_id)
    services.revoke_api_token(actor=request.user, token=token)
    messages.success(request, f"The token “{token.name}” no longer works.")
    return redirect("accounts:api_tokens")
