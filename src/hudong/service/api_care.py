"""Care task endpoints: the work list, one task, take / done / skip, a customer's tasks.
Thin: parse, call one query or action, render. Errors are problem JSON with stable codes
(``care.not_found`` 404, ``care.not_open`` 409, ``care.not_yours`` 403,
``care.outcome_required`` 422)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from hudong.api.types import CleanStr, Id
from hudong.customers import queries as customer_queries
from hudong.service import care_actions, care_queries
from hudong.service.care_actions import OUTCOME_MAX

router = Router(tags=["service"])


class CareTaskOut(Schema):
    id: int
    rule_id: int
    rule: str
    trigger: str
    instructions: str
    customer_id: int
    customer: str
    shipment_id: int | None
    order_line_id: int | None
    due_at: dt.datetime
    assignee_id: int | None
    team_id: int | None
    status: str
    outcome: str
    created_at: dt.datetime
    done_at: dt.datetime | None
    done_by_id: int | None

    @staticmethod
    def resolve_rule(obj: Any) -> str:
        return str(obj.rule.name)

    @staticmethod
    def resolve_trigger(obj: Any) -> str:
        return str(obj.rule.trigger)

    @staticmethod
    def resolve_instructions(obj: Any) -> str:
        return str(obj.rule.instructions)

    @staticmethod
    def resolve_customer(obj: Any) -> str:
        return str(obj.customer.name)


class TasksIn(Schema):
    mine: bool = False
    unassigned: bool = False
    team: bool = False
    status: str = Field("open", pattern="^(open|done|skipped|all)$")


@router.get("/care/tasks", response=list[CareTaskOut])
def list_care_tasks(request: HttpRequest, filters: Query[TasksIn]) -> Any:
    """Care tasks in scope, the earliest due first, 100 at most: ``mine`` (assigned to me),
    ``unassigned`` (nobody's yet, of my team or of none), ``team`` (assigned to a member of
    my team), ``status`` (``all``: any)."""
    return care_queries.tasks(
        request.user,
        mine=filters.mine,
        unassigned=filters.unassigned,
        team=filters.team,
        status="" if filters.status == "all" else filters.status,
    )


@router.get("/care/tasks/{task_id}", response=CareTaskOut)
def get_care_task(request: HttpRequest, task_id: Id) -> Any:
    """One care task (the read is audited)."""
    return care_queries.get_task(request.user, task_id, via=f"API GET {request.path}")


@router.post("/care/tasks/{task_id}/take", response=CareTaskOut)
def take_care_task(request: HttpRequest, task_id: Id) -> Any:
    """Take a task nobody has yet."""
    return care_actions.take(care_queries.get_task(request.user, task_id), request.user)


class DoneIn(Schema):
    outcome: CleanStr = Field(..., max_length=OUTCOME_MAX)
    log_call: bool = False
    duration_seconds: int = Field(0, ge=0, le=36000)


@router.post("/care/tasks/{task_id}/done", response=CareTaskOut)
def care_task_done(request: HttpRequest, task_id: Id, payload: DoneIn) -> Any:
    """The care call happened: its ``outcome``; ``log_call`` also logs an outbound phone
    call on the customer's timeline."""
    task = care_queries.get_task(request.user, task_id)
    return care_actions.done(
        task,
        request.user,
        payload.outcome,
        log_call=payload.log_call,
        duration_seconds=payload.duration_seconds,
    )


class SkipIn(Schema):
    reason: CleanStr = Field("", max_length=OUTCOME_MAX)


@router.post("/care/tasks/{task_id}/skip", response=CareTaskOut)
def skip_care_task(request: HttpRequest, task_id: Id, payload: SkipIn | None = None) -> Any:
    """Close the task without a call, with an optional ``reason``."""
    task = care_queries.get_task(request.user, task_id)
    return care_actions.skip(task, request.user, payload.reason if payload else "")


@router.get("/customers/{customer_id}/care-tasks", response=list[CareTaskOut])
def customer_care_tasks(request: HttpRequest, customer_id: Id) -> Any:
    """Every care task of the customer, open and closed, the earliest due first."""
    customer = customer_queries.get_customer(
        request.user, customer_id, via=f"API GET {request.path}"
    )
    return care_queries.tasks(request.user, customer_id=customer.pk, status="")
