from hudong.insights.models.kpis import KpiFact, KpiOwnerFact
from hudong.insights.models.playbook import FollowUpTask, TaskStatus
from hudong.insights.models.runs import InsightsRun, RunStatus, ValuePolicy
from hudong.insights.models.segments import (
    CustomerTag,
    Segment,
    SegmentKind,
    SegmentMember,
    SegmentSnapshot,
)
from hudong.insights.models.value import CustomerValue, Tier, ValueChange

__all__ = [
    "CustomerTag",
    "CustomerValue",
    "FollowUpTask",
    "TaskStatus",
    "InsightsRun",
    "KpiFact",
    "KpiOwnerFact",
    "RunStatus",
    "Segment",
    "SegmentKind",
    "SegmentMember",
    "SegmentSnapshot",
    "Tier",
    "ValueChange",
    "ValuePolicy",
]
