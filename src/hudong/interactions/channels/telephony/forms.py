"""The disposition form an agent fills in when a call ends."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hudong.interactions.models import ThreadState


class DispositionForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome"),
        max_length=200,
        help_text=_("What came of the call, in a few words."),
    )
    next_step = forms.CharField(label=_("Next step"), max_length=300, required=False)
    next_step_due = forms.DateTimeField(
        label=_("Next step due"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    state = forms.ChoiceField(label=_("Conversation state"), choices=ThreadState.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].widget.attrs["autofocus"] = True
