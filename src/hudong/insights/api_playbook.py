"""Playbook endpoints: each 表7.2 list (thresholds as query parameters), follow-up tasks for
its customers, and the tasks of a customer or of the caller. Thin: parse, call, render."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from hudong.api.types import CleanStr, Id
from hudong.customers import queries as customer_queries
from hudong.insights.playbook import actions, lists, queries, spend

router = Router(tags=["insights"])
MAX_LIMIT = 500


class ParamOut(Schema):
    name: str
    label: str
    default: int | str


class ListOut(Schema):
    key: str
    title: str
    definition: str
    customers: bool
    params: list[ParamOut]


def _list_out(lst: lists.PlaybookList, values: dict[str, Any]) -> dict[str, Any]:
    return {
        "key": lst.key,
        "title": str(lst.title),
        "definition": lst.describe(values),
        "customers": lst.customers,
        "params": [
            {"name": p.name, "label": str(p.label), "default": p.default} for p in lst.params
        ],
    }


@router.get("/playbook", response=list[ListOut])
def playbook_lists(request: HttpRequest) -> Any:
    """The lists of the playbook with their definitions at the default thresholds."""
    return [_list_out(lst, lst.values({})) for lst in lists.LISTS.values()]


class Page(Schema):
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=10_000_000)


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    return value


@router.get("/playbook/{key}", response=dict[str, Any])
def playbook_list(request: HttpRequest, key: str, page: Query[Page]) -> Any:
    """One list: its definition with the thresholds used, and a page of its customers with
    the numbers that put them on it. Thresholds are query parameters named as in ``params``
    (an invalid one is ``playbook.param_invalid``). The spend shift answers with ``report``."""
    lst = lists.get_list(key)
    values = lst.values(request.GET, strict=True)
    out = {**_list_out(lst, values), "values": values}
    if not lst.customers:
        report = spend.suggestion(request.user, values["days"], values["keep_c_pct"])
        rows = [{k: _cell(v) for k, v in r.items()} for r in report["rows"]]
        out["report"] = {
            "rows": rows,
            "moved": str(report["moved"]),
            "effect": report["effect"],
        }
        return out
    qs = lst.rows(request.user, values)
    chunk = lst.complete(request.user, list(qs[page.offset : page.offset + page.limit]), values)
    out["count"] = qs.count()
    out["items"] = [
        {
            "id": c.pk,
            "name": c.name,
            **{col.key: _cell(getattr(c, col.key, None)) for col in lst.columns},
        }
        for c in chunk
    ]
    return out


class TaskIn(Schema):
    title: CleanStr = Field(..., min_length=1, max_length=200)
    note: CleanStr = Field("", max_length=2000)
    due_date: dt.date | None = None
    assignee_id: Id | None = None


class ListTasksIn(TaskIn):
    customer_ids: list[Id] = Field(default_factory=list, max_length=actions.MAX_CUSTOMERS)
    whole_list: bool = False
    params: dict[str, str] = Field(default_factory=dict)


class TaskOut(Schema):
    id: int
    customer_id: int
    title: str
    note: str
    due_date: dt.date | None
    assignee_id: int | None
    created_by_id: int | None
    source: str
    status: str
    created_at: dt.datetime
    done_at: dt.datetime | None


class CreatedOut(Schema):
    created: int
    tasks: list[TaskOut]


@router.post("/playbook/{key}/tasks", response={201: CreatedOut})
def create_list_tasks(request: HttpRequest, key: str, payload: ListTasksIn) -> Any:
    """A task for each given customer of the list, or (``whole_list``) for all of it, with
    the thresholds in ``params``. Customers the caller may not see are left out; none at all
    is ``customers.not_found``. The assignee is ``assignee_id`` or each customer's owner."""
    lst = lists.get_list(key)
    values = lst.values(payload.params, strict=True)
    ids = (
        actions.whole_list(request.user, lst.rows(request.user, values))
        if payload.whole_list
        else payload.customer_ids
    )
    tasks = actions.create_tasks(
        request.user,
        ids,
        title=payload.title,
        note=payload.note,
        due_date=payload.due_date,
        assignee_id=payload.assignee_id,
        source=key,
    )
    return Status(201, {"created": len(tasks), "tasks": tasks})


class SegmentIn(Schema):
    segment_id: Id
    customer_ids: list[Id] = Field(default_factory=list, max_length=actions.MAX_CUSTOMERS)
    whole_list: bool = False
    params: dict[str, str] = Field(default_factory=dict)


class AddedOut(Schema):
    added: int


@router.post("/playbook/{key}/segment", response=AddedOut)
def add_list_to_segment(request: HttpRequest, key: str, payload: SegmentIn) -> Any:
    """Add the given customers of the list (or all of it) to a static segment."""
    lst = lists.get_list(key)
    values = lst.values(payload.params, strict=True)
    ids = (
        actions.whole_list(request.user, lst.rows(request.user, values))
        if payload.whole_list
        else payload.customer_ids
    )
    return {"added": actions.add_to_segment(request.user, payload.segment_id, ids)}


class TaskFilter(Schema):
    status: str = Field("open", pattern="^(open|done)$")


@router.get("/tasks", response=list[TaskOut])
def my_tasks(request: HttpRequest, filters: Query[TaskFilter]) -> Any:
    """The caller's tasks (open by default), the earliest due first; at most 500."""
    return list(queries.my_tasks(request.user, filters.status)[:500])


@router.post("/tasks/{task_id}/done", response=TaskOut)
def complete_task(request: HttpRequest, task_id: Id) -> Any:
    return actions.complete_task(request.user, task_id)


@router.get("/customers/{customer_id}/tasks", response=list[TaskOut])
def customer_tasks(request: HttpRequest, customer_id: Id) -> Any:
    """The customer's open follow-up tasks (the read is audited)."""
    customer = customer_queries.get_customer(
        request.user, customer_id, via=f"API GET {request.path}"
    )
    return queries.open_tasks(customer, limit=500)


@router.post("/customers/{customer_id}/tasks", response={201: TaskOut})
def create_customer_task(request: HttpRequest, customer_id: Id, payload: TaskIn) -> Any:
    customer = customer_queries.get_for_update(request.user, customer_id)
    (task,) = actions.create_tasks(request.user, [customer.pk], **payload.dict())
    return Status(201, task)
