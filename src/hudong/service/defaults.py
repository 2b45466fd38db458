"""The case categories a fresh installation starts with: the causes the seeds name.

Codes are stable (reports and the root-cause analysis group by them); names are the company's
to edit. A category's skill routes its cases to agents who have it.
"""

from __future__ import annotations

from hudong.service.models import CaseCategory, ChecklistStep, RootCause, SlaPolicy

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


# An SLA policy per priority, in business minutes (a business day is the default calendar's
# 8 working hours): priority, name, first response, resolution.
HOUR, DAY = 60, 8 * 60
SLA_POLICIES: list[tuple[int, str, int, int]] = [
    (1, "P1", 1 * HOUR, 8 * HOUR),
    (2, "P2", 4 * HOUR, 24 * HOUR),
    (3, "P3", 8 * HOUR, 3 * DAY),
    (4, "P4", 1 * DAY, 5 * DAY),
]

# The root-cause codes an agent picks on resolution (D5): what actually went wrong, which is
# not always the category the customer complained under.
ROOT_CAUSES: list[tuple[str, str]] = [
    ("carrier-late", "承运商延误"),
    ("carrier-damage", "运输破损"),
    ("carrier-lost", "包裹丢失"),
    ("warehouse-error", "仓库错发漏发"),
    ("packaging-weak", "包装不足"),
    ("product-defect", "产品缺陷"),
    ("unclear-instructions", "说明不清 / 使用不当"),
    ("agent-conduct", "服务人员态度或方式"),
    ("billing-error", "账单错误"),
    ("customer-expectation", "客户期望与承诺不符"),
    ("other", "其他"),
]

# The default complaint checklist (D3, the seeds' six steps): code, label. A category may have
# its own list; one without uses this.
CHECKLIST: list[tuple[str, str]] = [
    ("acknowledge", "确认并受理投诉"),
    ("analyse", "分析投诉原因"),
    ("resolve", "提出并落实解决方案"),
    ("record", "记录处理过程与根因"),
    ("follow-up", "跟踪回访客户"),
    ("improve", "改进产品或服务"),
]


def seed() -> None:
    """Add what is missing; never overwrite what the company has edited."""
    for code, name, skill in CATEGORIES:
        CaseCategory.objects.get_or_create(code=code, defaults={"name": name, "skill": skill})
    for child, parent in PARENTS.items():
        CaseCategory.objects.filter(code=child, parent__isnull=True).update(
            parent=CaseCategory.objects.filter(code=parent).first()
        )
    for code, name in ROOT_CAUSES:
        RootCause.objects.get_or_create(code=code, defaults={"name": name})
    if not ChecklistStep.objects.filter(category__isnull=True).exists():
        ChecklistStep.objects.bulk_create(
            ChecklistStep(code=code, label=label, position=i)
            for i, (code, label) in enumerate(CHECKLIST)
        )
    for prio, name, first_response, resolution in SLA_POLICIES:
        SlaPolicy.objects.get_or_create(
            priority=prio,
            category=None,
            tier="",
            defaults={
                "name": name,
                "first_response_minutes": first_response,
                "resolution_minutes": resolution,
            },
        )
