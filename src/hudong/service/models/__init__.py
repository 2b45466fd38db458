from hudong.service.models.cases import (
    OPEN_STATUSES,
    Case,
    CaseCategory,
    CaseNote,
    CaseSource,
    CaseStatus,
    Severity,
)

__all__ = [
    "OPEN_STATUSES",
    "Case",
    "CaseCategory",
    "CaseNote",
    "CaseSource",
    "CaseStatus",
    "Severity",
]
