"""Forms parse and shape input; the services validate the rules and write."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone

from hearth.accounts.models import (
    SELF_DECLARED_AFFILIATIONS,
    Affiliation,
    ApiToken,
    Member,
    Organization,
)
from hearth.core import ratelimit


class SignUpForm(forms.Form):
    username = forms.CharField(
        max_length=150,
        help_text="Letters, digits and @ . + - _ only. Others mention you as @username.",
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    display_name = forms.CharField(
        max_length=80, required=False, help_text="How your name appears. Optional."
    )
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters, not all digits, not a common password.",
    )
    affiliation = forms.ChoiceField(
        choices=SELF_DECLARED_AFFILIATIONS,
        initial=Affiliation.CUSTOMER,
        label="I am a",
        help_text="Employees and partners are set up by the community team.",
    )
    accept_conduct = forms.BooleanField(
        required=True,
        label="I have read the code of conduct and agree to follow it",
        error_messages={"required": "Please read and accept the code of conduct to join."},
    )


class ProfileForm(forms.Form):
    display_name = forms.CharField(max_length=80, required=False)
    bio = forms.CharField(
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Markdown is welcome. Up to 2,000 characters.",
    )
    affiliation = forms.ChoiceField(choices=Affiliation.choices)
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.all(), required=False, empty_label="No organization"
    )
    expertise = forms.CharField(
        max_length=500,
        required=False,
        help_text="Comma-separated topics you know well, e.g. billing, api, installation.",
    )
    avatar = forms.FileField(
        required=False,
        help_text="PNG, JPEG, GIF or WebP, up to 2 MB.",
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}
        ),
    )
    remove_avatar = forms.BooleanField(required=False, label="Remove my avatar")

    def __init__(self, *args, member=None, **kwargs):
        super().__init__(*args, **kwargs)
        if member is not None and not member.is_manager:
            # Members pick among self-declared affiliations, keeping the one they have.
            choices = list(SELF_DECLARED_AFFILIATIONS)
            if member.affiliation not in dict(choices):
                choices = [(member.affiliation, member.get_affiliation_display())]
            self.fields["affiliation"].choices = choices


class CodeOfConductForm(forms.Form):
    title = forms.CharField(max_length=200, initial="Code of conduct")
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 18}), help_text="Markdown.")


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=80, help_text="What the token is for, e.g. “CRM sync” or “my script”."
    )
    scope = forms.ChoiceField(
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ,
        widget=forms.RadioSelect,
        help_text="A read token cannot post, edit, delete or react.",
    )


class LoginForm(AuthenticationForm):
    """Log-in with limits: so many tries a minute from one address, and an account locked for
    a while after repeated wrong passwords. Suspended members are told until when."""

    rate_limited = False

    def clean(self):
        address = ratelimit.client_address(self.request) if self.request else "unknown"
        account = (self.data.get("username") or "").strip().lower()[:150]
        try:
            ratelimit.hit(
                "login-ip",
                address,
                ratelimit.Rate.parse(settings.HEARTH_RATE_LOGIN_IP),
                message="Too many log-in attempts from your network.",
            )
        except ratelimit.RateLimited as error:
            self.rate_limited = True
            raise forms.ValidationError(error.message, code="rate_limited") from error
        failures = ratelimit.Rate.parse(settings.HEARTH_RATE_LOGIN_FAILURES)
        if account and (wait := ratelimit.retry_after("login-failures", account, failures)):
            self.rate_limited = True
            raise forms.ValidationError(
                "This account is locked after too many wrong passwords. "
                f"Try again in {wait} seconds, or reset your password.",
                code="locked_out",
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError as error:
            suspended = self._suspended_member()
            if suspended is not None:
                raise forms.ValidationError(
                    _suspension_message(suspended), code="suspended"
                ) from error
            if account:
                ratelimit.record("login-failures", account, failures)
            raise
        if account:
            ratelimit.reset("login-failures", account)
        return cleaned

    def _suspended_member(self) -> Member | None:
        """The member these credentials are right for, when only a suspension stops them."""
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not username or not password:
            return None
        member = Member.objects.filter(username__iexact=username, is_active=True).first()
        if member is None or not member.is_suspended or not member.check_password(password):
            return None
        return member


def _suspension_message(member: Member) -> str:
    if member.is_banned:
        return "This account is banned from the community."
    until = timezone.localtime(member.suspended_until)
    return f"This account is suspended until {until:%d %B %Y, %H:%M} ({until:%Z})."
