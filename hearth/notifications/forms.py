from django import forms

from hearth.notifications.models import Channel, Preferences, Trigger, Watch


class PreferencesForm(forms.Form):
    digest_frequency = forms.ChoiceField(
        choices=Preferences.Digest.choices,
        label="E-mail digest",
        help_text="A summary of what you missed, for everything set to “digest”.",
    )
    quiet_hours_start = forms.TimeField(
        required=False,
        label="Quiet hours from",
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text="No e-mails between these times; they wait until your quiet hours end.",
    )
    quiet_hours_end = forms.TimeField(
        required=False, label="until", widget=forms.TimeInput(attrs={"type": "time"})
    )
    time_zone = forms.CharField(max_length=64, initial="UTC", help_text="e.g. Europe/Berlin")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for trigger in Trigger:
            self.fields[trigger.value] = forms.ChoiceField(
                choices=Channel.choices, label=trigger.label, widget=forms.Select
            )

    @property
    def trigger_fields(self):
        return [self[trigger.value] for trigger in Trigger]


class WatchForm(forms.Form):
    level = forms.ChoiceField(choices=Watch.Level.choices)
