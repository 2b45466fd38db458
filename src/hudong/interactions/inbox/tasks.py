"""Background work of the inbox: the sweep that routes conversations still waiting."""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task

from hudong.core import schedules


@task()
def route_waiting(run_id: int) -> str:
    """Every minute: conversations left unassigned get an agent as soon as one fits (an agent
    freed a place by closing a conversation, a supervisor added a skill...)."""
    from hudong.interactions.inbox import routing

    moved = routing.route_waiting()
    outcome = f"ok; routed {moved} waiting conversations"
    schedules.finish(run_id, outcome)
    return outcome


schedules.every("inbox.route_waiting", timedelta(minutes=1), route_waiting)
