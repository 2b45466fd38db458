"""Forms of the care task pages: closing a task done (with its outcome) or skipped."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hudong.service.care_actions import OUTCOME_MAX


class DoneForm(forms.Form):
    outcome = forms.CharField(
        label=_("outcome"),
        max_length=OUTCOME_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What the customer said, what was agreed."),
    )
    log_call = forms.BooleanField(
        label=_("log the call on the customer's timeline"), required=False, initial=True
    )
    duration_minutes = forms.IntegerField(
        label=_("call length (minutes)"), required=False, min_value=0, max_value=600
    )


class SkipForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=OUTCOME_MAX, required=False)
