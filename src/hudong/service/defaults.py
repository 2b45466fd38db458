"""The case categories a fresh installation starts with: the causes the seeds name.

Codes are stable (reports and the root-cause analysis group by them); names are the company's
to edit. A category's skill routes its cases to agents who have it.
"""

from __future__ import annotations

from hudong.service.models import CaseCategory

# code, name (zh), skill
CATEGORIES: list[tuple[str, str, str]] = [
    ("product-quality", "产品质量", ""),
    ("packaging", "包装", ""),
    ("defect", "缺陷", ""),
    ("misuse", "使用不当", ""),
    ("service-attitude", "服务态度", ""),
    ("delivery", "配送", ""),
    ("billing", "账单", "billing"),
    ("other", "其他", ""),
]
# Children: code → parent code (defects and packaging are kinds of product quality problems).
PARENTS = {"defect": "product-quality", "packaging": "product-quality"}


def seed() -> None:
    """Add what is missing; never overwrite what the company has edited."""
    for code, name, skill in CATEGORIES:
        CaseCategory.objects.get_or_create(code=code, defaults={"name": name, "skill": skill})
    for child, parent in PARENTS.items():
        CaseCategory.objects.filter(code=child, parent__isnull=True).update(
            parent=CaseCategory.objects.filter(code=parent).first()
        )
