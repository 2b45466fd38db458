from hudong.service.models.care import CareRule, CareTask, CareTaskStatus, CareTrigger
from hudong.service.models.cases import (
    OPEN_STATUSES,
    Case,
    CaseCategory,
    CaseNote,
    CaseSource,
    CaseStatus,
    RecoveryOutcome,
    RootCause,
    Severity,
    Temperament,
)
from hudong.service.models.complaints import (
    CaseChecklistItem,
    ChecklistStep,
    CsatSurvey,
    RecoveryAction,
    RecoveryKind,
)
from hudong.service.models.sla import SlaPolicy

__all__ = [
    "OPEN_STATUSES",
    "CareRule",
    "CareTask",
    "CareTaskStatus",
    "CareTrigger",
    "Case",
    "CaseCategory",
    "CaseChecklistItem",
    "CaseNote",
    "CaseSource",
    "CaseStatus",
    "ChecklistStep",
    "CsatSurvey",
    "RecoveryAction",
    "RecoveryKind",
    "RecoveryOutcome",
    "RootCause",
    "Severity",
    "SlaPolicy",
    "Temperament",
]
