"""The public complaint form and the status page's message form (shape only: the rules are in
:mod:`hudong.service.public`, which the API shares)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hudong.service import public


class ComplaintForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=public.MAX_NAME)
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    email = forms.CharField(label=_("Email"), max_length=200, required=False)
    category = forms.ChoiceField(label=_("What is it about?"))
    order_number = forms.CharField(
        label=_("Order number (if any)"), max_length=public.MAX_ORDER, required=False
    )
    subject = forms.CharField(label=_("In a few words"), max_length=public.MAX_SUBJECT)
    description = forms.CharField(
        label=_("What happened?"),
        max_length=public.MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    # Hidden from people (CSS and aria-hidden); robots fill in every field they find.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—")] + [(c.code, c.name) for c in public.categories()]
        if not self.is_bound:
            self.initial["started"] = public.form_token()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("phone") or "").strip() and not (data.get("email") or "").strip():
            raise forms.ValidationError(
                _("Give a phone number or an email address so we can reach you.")
            )
        return data

    def submission(self, client_ip: str | None) -> public.Submission:
        d = self.cleaned_data
        return public.Submission(
            name=d["name"],
            phone=d.get("phone", ""),
            email=d.get("email", ""),
            category=d["category"],
            order_number=d.get("order_number", ""),
            subject=d["subject"],
            description=d.get("description", ""),
            website=d.get("website", ""),
            form_token=d.get("started", ""),
            client_ip=client_ip,
        )


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("Write to us"),
        max_length=public.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
