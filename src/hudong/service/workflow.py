"""The case workflow: which status may follow which.

new → acknowledged → in progress ⇄ waiting on the customer → resolved → closed. A resolved or
closed case reopens to in progress (the customer came back). An acknowledged case may also go
straight to waiting on the customer or to resolved (a quick answer settled it).
"""

from __future__ import annotations

from hudong.service.models import CaseStatus

S = CaseStatus

ALLOWED: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.ACKNOWLEDGED}),
    S.ACKNOWLEDGED: frozenset({S.IN_PROGRESS, S.WAITING_CUSTOMER, S.RESOLVED}),
    S.IN_PROGRESS: frozenset({S.WAITING_CUSTOMER, S.RESOLVED}),
    S.WAITING_CUSTOMER: frozenset({S.IN_PROGRESS, S.RESOLVED}),
    S.RESOLVED: frozenset({S.CLOSED, S.IN_PROGRESS}),
    S.CLOSED: frozenset({S.IN_PROGRESS}),
}

REOPEN_FROM = frozenset({S.RESOLVED, S.CLOSED})


def allowed(current: str, target: str) -> bool:
    return target in ALLOWED.get(current, frozenset())


def next_statuses(current: str) -> list[str]:
    """The statuses a case in ``current`` may move to, in workflow order (for buttons)."""
    return [s for s in CaseStatus.values if allowed(current, s)]


def is_reopen(current: str, target: str) -> bool:
    return current in REOPEN_FROM and target == S.IN_PROGRESS
