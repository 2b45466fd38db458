"""The action form under each playbook list: create tasks or add to a segment, for the
selected rows or the whole list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_ID = 2**63 - 1


class ActionForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[("task", _("Create a task")), ("segment", _("Add to a segment"))],
    )
    scope = forms.ChoiceField(
        label=_("For"),
        choices=[("selected", _("the selected customers")), ("all", _("the whole list"))],
        initial="selected",
    )
    title = forms.CharField(label=_("Task title"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)
    due_date = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    assignee = forms.ChoiceField(
        label=_("Assign to"),
        choices=[("owner", _("each customer's owner (else me)")), ("me", _("me"))],
        initial="owner",
        required=False,
    )
    segment = forms.IntegerField(label=_("Segment"), required=False, min_value=1, max_value=MAX_ID)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") == "task" and not (data.get("title") or "").strip():
            self.add_error("title", _("A task needs a title."))
        if data.get("action") == "segment" and not data.get("segment"):
            self.add_error("segment", _("Choose a segment."))
        return data


def selected_ids(values: list[str]) -> list[int]:
    """The row ids ticked on the page (anything that is not a plain number is ignored)."""
    out = []
    for raw in values:
        if raw.isascii() and raw.isdigit() and 0 < int(raw) <= MAX_ID:
            out.append(int(raw))
    return out
