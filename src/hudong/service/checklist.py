"""The complaint checklist (D3): a category's steps copied onto each case it opens.

The steps come from the nearest category up the tree that has any, else from the default
checklist (steps without a category). Copying keeps a case's history stable when an admin
later edits a template.

Some steps tick themselves: the workflow move to "acknowledged" or "resolved" (``on_status``),
the root cause recorded ("record", "analyse"), the satisfaction survey answered ("follow-up").
An agent may tick or untick any step by hand (``set_done``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hudong.core import events
from hudong.core.errors import NotFound
from hudong.service.defaults import CHECKLIST
from hudong.service.models import Case, CaseCategory, CaseChecklistItem, ChecklistStep

# The six standard steps (the seeds' complaint process): their labels follow the UI language.
STANDARD_LABELS = {
    "acknowledge": _("Acknowledge and accept the complaint"),
    "analyse": _("Analyse the cause of the complaint"),
    "resolve": _("Propose and carry out a solution"),
    "record": _("Record the handling and the root cause"),
    "follow-up": _("Follow up with the customer"),
    "improve": _("Improve the product or service"),
}
# The labels the installation was seeded with: a standard step still showing one of them is
# shown in the UI language; a label the company edited is shown as typed.
SEEDED_LABELS = {code: label for code, label in CHECKLIST}


def steps_for(category: CaseCategory | None) -> list[ChecklistStep]:
    seen: set[int] = set()
    while category is not None and category.pk not in seen:
        seen.add(category.pk)
        steps = list(ChecklistStep.objects.filter(category=category))
        if steps:
            return steps
        category = category.parent
    return list(ChecklistStep.objects.filter(category__isnull=True))


def copy_to(case: Case) -> list[CaseChecklistItem]:
    return CaseChecklistItem.objects.bulk_create(
        [
            CaseChecklistItem(case=case, code=s.code, label=s.label, position=s.position)
            for s in steps_for(case.category)
        ]
    )


def display_label(item: CaseChecklistItem) -> str:
    """The standard steps in the reader's language; custom or edited steps as typed."""
    standard = STANDARD_LABELS.get(item.code)
    if standard is not None and item.label in ("", SEEDED_LABELS.get(item.code), item.code):
        return str(standard)
    return item.label


# Workflow moves that complete a step by themselves: the agent never ticks what the case shows.
STEP_OF_STATUS = {"acknowledged": "acknowledge", "resolved": "resolve"}


def _user(user: object) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def tick(case: Case, code: str, user: object = None) -> bool:
    """Mark the case's ``code`` step done (once; a later tick keeps the first time and person).
    False when the case has no such step or it was done already."""
    item = CaseChecklistItem.objects.filter(case=case, code=code, done_at__isnull=True).first()
    if item is None:
        return False
    item.done_at, item.done_by = timezone.now(), _user(user)
    item.save(update_fields=["done_at", "done_by"])  # a save, so the audit trail sees it
    return True


def on_status(case: Case, to_status: str, user: object = None) -> None:
    code = STEP_OF_STATUS.get(to_status)
    if code:
        tick(case, code, user)


@transaction.atomic
def set_done(case: Case, code: str, done: bool, user: object) -> CaseChecklistItem:
    """An agent ticks (``done``) or unticks a step of the case by hand."""
    item = CaseChecklistItem.objects.select_for_update().filter(case=case, code=code).first()
    if item is None:
        raise NotFound("checklist.step_not_found", _("This case has no such step."))
    if done and item.done_at is None:
        item.done_at, item.done_by = timezone.now(), _user(user)
    elif not done and item.done_at is not None:
        item.done_at, item.done_by = None, None
    else:
        return item
    item.save(update_fields=["done_at", "done_by"])
    events.publish(
        "service.checklist_step_changed",
        {"case_id": case.pk, "code": code, "done": done, "by": getattr(_user(user), "pk", None)},
    )
    return item


@dataclass(frozen=True)
class Step:
    code: str
    label: str
    done: bool
    done_at: Any
    done_by: str


@dataclass(frozen=True)
class Progress:
    steps: list[Step]

    @property
    def done(self) -> int:
        return sum(1 for s in self.steps if s.done)

    @property
    def total(self) -> int:
        return len(self.steps)


def progress(case: Case) -> Progress:
    """The case's steps in order, with who did each and when (one query)."""
    items = CaseChecklistItem.objects.filter(case=case).select_related("done_by")
    return Progress(
        [
            Step(
                code=i.code,
                label=display_label(i),
                done=i.done_at is not None,
                done_at=i.done_at,
                done_by=i.done_by.get_username() if i.done_by else "",
            )
            for i in items.order_by("position", "id")
        ]
    )
