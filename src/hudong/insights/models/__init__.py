from hudong.insights.models.runs import InsightsRun, RunStatus, ValuePolicy
from hudong.insights.models.value import CustomerValue, Tier, ValueChange

__all__ = ["CustomerValue", "InsightsRun", "RunStatus", "Tier", "ValueChange", "ValuePolicy"]
