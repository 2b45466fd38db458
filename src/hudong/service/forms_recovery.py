"""Forms of the recovery section of the case page and of the public survey page."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from hudong.service.models import RecoveryKind, RecoveryOutcome
from hudong.service.recovery import DEFAULT_MAX_COST


class RecoveryActionForm(forms.Form):
    kind = forms.ChoiceField(label=_("recovery action"), choices=RecoveryKind.choices)
    # The action's own rule (recovery.clean_cost, with the configured maximum) decides; the
    # widget only helps the browser.
    cost = forms.DecimalField(
        label=_("cost (CNY)"),
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        initial=Decimal("0"),
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": str(DEFAULT_MAX_COST)}),
    )
    note = forms.CharField(label=_("note"), max_length=500, required=False)


class InformForm(forms.Form):
    message = forms.CharField(
        label=_("message to the customer (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("recovery outcome"), choices=RecoveryOutcome.choices)


SCORES = [(str(n), str(n)) for n in range(1, 6)]


class CsatForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("your score"), choices=SCORES, coerce=int, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("anything you want to tell us (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
