"""Input shapes for flags and decisions; the services check the rules again."""

from django import forms

from hearth.community.models import BODY_MAX_LENGTH
from hearth.moderation.models import ModerationAction, Reason
from hearth.moderation.services import NOTE_MAX_LENGTH, REASON_MAX_LENGTH

Kind = ModerationAction.Kind
DURATIONS = [
    (1, "1 day"),
    (3, "3 days"),
    (7, "a week"),
    (14, "two weeks"),
    (30, "a month"),
    (90, "three months"),
    (365, "a year"),
]


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        choices=Reason.choices, widget=forms.RadioSelect, label="What is wrong?"
    )
    note = forms.CharField(
        max_length=NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional, except for “Something else”: what should the moderators know?",
    )


class ReviewActionForm(forms.Form):
    """One decision on a waiting item; `reason` is always required and told to the member."""

    action = forms.ChoiceField(label="Decision")
    reason = forms.CharField(
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required. The member is told this, with a link to the code of conduct.",
    )
    days = forms.TypedChoiceField(
        choices=DURATIONS,
        coerce=int,
        required=False,
        initial=7,
        label="For (silence, suspend)",
    )
    space = forms.ChoiceField(required=False, label="Move to")
    body = forms.CharField(
        max_length=BODY_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Edited text (edit)",
    )

    POST_CHOICES = [
        (Kind.APPROVE, "Approve: keep or publish it, dismiss the flags"),
        (Kind.HIDE, "Hide the post"),
        (Kind.EDIT, "Edit the post (the old text stays in its history)"),
        (Kind.MOVE, "Move the topic"),
        (Kind.DELETE, "Delete the post"),
        (Kind.WARN, "Warn the author"),
        (Kind.SILENCE, "Silence the author"),
        (Kind.SUSPEND, "Suspend the author"),
        (Kind.BAN, "Ban the author"),
    ]
    MEMBER_CHOICES = [
        (Kind.APPROVE, "Dismiss the flags"),
        (Kind.WARN, "Warn"),
        (Kind.SILENCE, "Silence"),
        (Kind.SUSPEND, "Suspend"),
        (Kind.BAN, "Ban"),
    ]

    def __init__(self, *args, item=None, spaces=(), **kwargs):
        super().__init__(*args, **kwargs)
        is_post = item is None or item.kind == "post"
        self.fields["action"].choices = self.POST_CHOICES if is_post else self.MEMBER_CHOICES
        self.fields["space"].choices = [("", "—")] + [(s.slug, s.name) for s in spaces]
        if not is_post:
            del self.fields["space"]
            del self.fields["body"]


class MemberActionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            (Kind.WARN, "Warn"),
            (Kind.SILENCE, "Silence"),
            (Kind.SUSPEND, "Suspend"),
            (Kind.BAN, "Ban"),
        ],
        label="Decision",
    )
    reason = forms.CharField(
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required. The member is told this.",
    )
    days = forms.TypedChoiceField(
        choices=DURATIONS, coerce=int, required=False, initial=7, label="For (silence, suspend)"
    )


class TrustForm(forms.Form):
    level = forms.TypedChoiceField(
        choices=[(n, str(n)) for n in range(5)], coerce=int, label="Trust level"
    )
    locked = forms.BooleanField(required=False, label="Lock it (the nightly count leaves it)")
    reason = forms.CharField(max_length=REASON_MAX_LENGTH, label="Reason")


class UndoForm(forms.Form):
    reason = forms.CharField(max_length=REASON_MAX_LENGTH, label="Why undo it?")


class ScreeningWordForm(forms.Form):
    word = forms.CharField(max_length=100, label="Word or phrase")
