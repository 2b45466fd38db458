"""Forms of the interaction pages (validation and translated errors come from Django)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hudong.interactions.models import Channel, Direction, Purpose, ThreadState

MANUAL_CHOICES = [
    (c.value, c.label) for c in (Channel.FACE, Channel.PHONE, Channel.POSTAL, Channel.FAX)
]


class ManualForm(forms.Form):
    channel = forms.ChoiceField(label=_("channel"), choices=MANUAL_CHOICES)
    direction = forms.ChoiceField(label=_("direction"), choices=Direction.choices)
    subject = forms.CharField(label=_("subject"), max_length=250)
    content = forms.CharField(label=_("content"), widget=forms.Textarea, required=False)
    outcome = forms.CharField(label=_("outcome"), max_length=200, required=False)
    duration_minutes = forms.IntegerField(
        label=_("duration (minutes)"), min_value=0, max_value=1440, initial=0
    )
    next_step = forms.CharField(label=_("next step"), max_length=300, required=False)
    next_step_due = forms.DateTimeField(
        label=_("next step due"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class BreakpointForm(forms.Form):
    state = forms.ChoiceField(label=_("state"), choices=ThreadState.choices)
    next_step = forms.CharField(label=_("next step"), max_length=300, required=False)
    next_step_due = forms.DateTimeField(
        label=_("next step due"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class PolicyForm(forms.Form):
    preferred_channels = forms.MultipleChoiceField(
        label=_("preferred channels"),
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    quiet_start = forms.TimeField(
        label=_("quiet hours from"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    quiet_end = forms.TimeField(
        label=_("quiet hours until"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    marketing_per_week = forms.IntegerField(
        label=_("marketing messages per week"), min_value=0, max_value=50, required=False
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if bool(data.get("quiet_start")) != bool(data.get("quiet_end")):
            raise forms.ValidationError(_("Quiet hours need both a start and an end."))
        return data


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("purpose"), choices=Purpose.choices)
    channel = forms.ChoiceField(
        label=_("channel"), choices=[("any", _("Every channel")), *Channel.choices]
    )
    granted = forms.TypedChoiceField(
        label=_("decision"),
        choices=[("1", _("Agrees")), ("0", _("Withdraws"))],
        coerce=lambda v: v == "1",
    )
    source = forms.CharField(label=_("how it was given"), max_length=100)
    note = forms.CharField(label=_("note"), max_length=250, required=False)
