from hudong.service.models.cases import (
    OPEN_STATUSES,
    Case,
    CaseCategory,
    CaseNote,
    CaseSource,
    CaseStatus,
    Severity,
)
from hudong.service.models.sla import SlaPolicy

__all__ = [
    "OPEN_STATUSES",
    "Case",
    "CaseCategory",
    "CaseNote",
    "CaseSource",
    "CaseStatus",
    "Severity",
    "SlaPolicy",
]
