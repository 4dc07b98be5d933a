"""Forms parse and shape input; the services validate the rules and write."""

from django import forms

from hearth.accounts.models import (
    SELF_DECLARED_AFFILIATIONS,
    Affiliation,
    ApiToken,
    Organization,
)


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
