"""Input shapes for topics and posts; limits are checked again by the services."""

import uuid

from django import forms

from hearth.community.models import BODY_MAX_LENGTH, TITLE_MAX_LENGTH, Tag, Topic

BODY_HELP = "Markdown: **bold**, _italic_, `code`, > quote, - lists, @username to mention."


def new_submit_key() -> str:
    return uuid.uuid4().hex


class TopicForm(forms.Form):
    title = forms.CharField(
        max_length=TITLE_MAX_LENGTH,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    kind = forms.ChoiceField(
        choices=Topic.Kind.choices,
        initial=Topic.Kind.DISCUSSION,
        widget=forms.RadioSelect,
        label="This is a",
    )
    body = forms.CharField(
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=BODY_HELP,
        label="Your post",
    )
    tags = forms.ModelMultipleChoiceField(
        queryset=Tag.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Up to five, so the right people find it.",
    )
    submit_key = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)


class ReplyForm(forms.Form):
    body = forms.CharField(
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=BODY_HELP,
        label="Your reply",
    )
    submit_key = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)


class EditPostForm(forms.Form):
    title = forms.CharField(max_length=TITLE_MAX_LENGTH, required=False)
    body = forms.CharField(
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=BODY_HELP,
    )

    def __init__(self, *args, opening: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if opening:
            self.fields["title"].required = True
        else:
            del self.fields["title"]


class MoveTopicForm(forms.Form):
    space = forms.ChoiceField(label="Move to")

    def __init__(self, *args, spaces=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["space"].choices = [(s.slug, s.name) for s in spaces]
