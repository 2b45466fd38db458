from hudong.insights.models.playbook import FollowUpTask, TaskStatus
from hudong.insights.models.runs import InsightsRun, RunStatus, ValuePolicy
from hudong.insights.models.value import CustomerValue, Tier, ValueChange

__all__ = [
    "CustomerValue",
    "FollowUpTask",
    "TaskStatus",
    "InsightsRun",
    "RunStatus",
    "Tier",
    "ValueChange",
    "ValuePolicy",
]
