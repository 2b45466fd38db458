"""Forms of the case pages (validation and translated errors come from Django)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hudong.service.models import CaseCategory, Severity


class OpenCaseForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("category"), queryset=CaseCategory.objects.filter(active=True)
    )
    subject = forms.CharField(label=_("subject"), max_length=200)
    description = forms.CharField(label=_("description"), widget=forms.Textarea, required=False)
    severity = forms.ChoiceField(label=_("severity"), choices=Severity.choices, initial="medium")
    interaction = forms.TypedChoiceField(
        label=_("opened from the contact"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, interactions: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[Any, Any]] = [("", _("(none)"))]
        for i in interactions:
            label = f"{i.started_at:%Y-%m-%d %H:%M} · {i.get_channel_display()} · {i.subject}"
            choices.append((i.pk, label[:120]))
        self.fields["interaction"].choices = choices  # type: ignore[attr-defined]


class NoteForm(forms.Form):
    body = forms.CharField(label=_("text"), widget=forms.Textarea(attrs={"rows": 4}))
    internal = forms.BooleanField(required=False)
