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
