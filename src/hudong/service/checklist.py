"""The complaint checklist (D3): a category's steps copied onto each case it opens.

The steps come from the nearest category up the tree that has any, else from the default
checklist (steps without a category). Copying keeps a case's history stable when an admin
later edits a template.
"""

from __future__ import annotations

from hudong.service.models import Case, CaseCategory, CaseChecklistItem, ChecklistStep


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


# Workflow moves that complete a step by themselves: the agent never ticks what the case shows.
STEP_OF_STATUS = {"acknowledged": "acknowledge", "resolved": "resolve"}


def tick(case: Case, code: str, user: object = None) -> bool:
    """Mark the case's ``code`` step done (once; a later tick keeps the first time and person)."""
    from django.utils import timezone

    by = user if getattr(user, "is_authenticated", False) else None
    return bool(
        CaseChecklistItem.objects.filter(case=case, code=code, done_at__isnull=True).update(
            done_at=timezone.now(), done_by=by
        )
    )


def on_status(case: Case, to_status: str, user: object = None) -> None:
    code = STEP_OF_STATUS.get(to_status)
    if code:
        tick(case, code, user)
