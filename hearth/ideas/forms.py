"""Input shapes for ideas; limits and rules are checked again by the services."""

import uuid

from django import forms

from hearth.ideas.models import (
    ANNOUNCEMENT_TITLE_MAX_LENGTH,
    COMMENT_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    PROXY_NOTE_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    TRACKER_REF_MAX_LENGTH,
    URL_MAX_LENGTH,
    VoteChannel,
)

MARKDOWN_HELP = "Markdown: **bold**, _italic_, `code`, > quote, - lists."


def new_submit_key() -> str:
    return uuid.uuid4().hex


class IdeaForm(forms.Form):
    board = forms.ChoiceField(label="Board")
    title = forms.CharField(
        max_length=TITLE_MAX_LENGTH,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text="Say what you would like in a few words, e.g. “Export reports as CSV”.",
    )
    area = forms.ChoiceField(label="Product area", required=False)
    description = forms.CharField(
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="What would it let you do, and why does it matter to you? " + MARKDOWN_HELP,
    )
    submit_key = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)
    # Set by the "Submit mine anyway" button once similar ideas were shown.
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, boards=(), areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["board"].choices = [(b.slug, b.name) for b in boards]
        self.fields["area"].choices = [("", "Not sure"), *((a.slug, a.name) for a in areas)]
        if not areas:
            del self.fields["area"]


class CommentForm(forms.Form):
    body = forms.CharField(
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Your comment",
        help_text=MARKDOWN_HELP,
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="New status")
    note = forms.CharField(
        max_length=NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Public note",
        help_text="Everyone who voted or follows gets it. " + MARKDOWN_HELP,
    )
    announcement_url = forms.CharField(
        max_length=URL_MAX_LENGTH,
        required=False,
        label="Announcement link (when shipping)",
        help_text="A topic's address here (/t/…) or any https:// link.",
    )
    announcement_title = forms.CharField(
        max_length=ANNOUNCEMENT_TITLE_MAX_LENGTH, required=False, label="Announcement title"
    )

    def __init__(self, *args, statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s.slug, s.name) for s in statuses]


class MergeForm(forms.Form):
    into = forms.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        label="Merge into idea number",
        help_text="The number in the other idea's address (/ideas/<number>/). Votes and "
        "followers move there; this idea then redirects to it.",
    )


class TrackerForm(forms.Form):
    tracker_ref = forms.CharField(
        max_length=TRACKER_REF_MAX_LENGTH,
        required=False,
        label="Tracker reference",
        help_text="An issue key or a link; only employees see it. Leave empty to remove it.",
    )


class AnnouncementForm(forms.Form):
    url = forms.CharField(
        max_length=URL_MAX_LENGTH,
        label="Announcement link",
        help_text="A topic's address here (/t/…) or any https:// link. Voters get it.",
    )
    title = forms.CharField(max_length=ANNOUNCEMENT_TITLE_MAX_LENGTH, required=False)


class ProxyVoteForm(forms.Form):
    voter = forms.CharField(
        max_length=150, label="Customer or prospect (username)", help_text="Who asked for it."
    )
    channel = forms.ChoiceField(choices=VoteChannel.choices, label="Where they asked")
    note = forms.CharField(
        max_length=PROXY_NOTE_MAX_LENGTH,
        required=False,
        label="Note",
        help_text="e.g. “Renewal call, 12 May”.",
    )
