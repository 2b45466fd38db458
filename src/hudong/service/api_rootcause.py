"""The case's root cause over the API (D5). Thin: parse, call the action, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from hudong.api.types import Id
from hudong.service import queries, rootcause

router = Router(tags=["service"])


class RootCauseIn(Schema):
    code: str = Field(..., min_length=1, max_length=50, pattern=r"^[-a-zA-Z0-9_]+$")
    order_id: Id | None = None
    shipment_id: Id | None = None
    product_id: Id | None = None


class RootCauseOut(Schema):
    case_id: int
    code: str
    name: str
    order_id: int | None
    shipment_id: int | None
    product_id: int | None
    updated_at: dt.datetime


def _out(case: Any) -> dict[str, Any]:
    return {
        "case_id": case.pk,
        "code": case.root_cause.code,
        "name": case.root_cause.name,
        "order_id": case.order_id,
        "shipment_id": case.shipment_id,
        "product_id": case.product_id,
        "updated_at": case.updated_at,
    }


@router.put("/cases/{case_id}/root-cause", response=RootCauseOut)
def put_root_cause(request: HttpRequest, case_id: Id, payload: RootCauseIn) -> Any:
    """Set the case's root-cause code and what it was about. The order must be the customer's,
    the shipment the order's (or the customer's), the product on the order: else 422 with
    ``cases.order_not_customers``, ``cases.shipment_not_order`` or ``cases.product_not_ordered``;
    an unknown code is 422 ``cases.root_cause_unknown``; a case out of scope is 404."""
    case = queries.get_case(request.user, case_id)
    case = rootcause.set_root_cause(
        case,
        payload.code,
        request.user,
        order=payload.order_id,
        shipment=payload.shipment_id,
        product=payload.product_id,
    )
    return _out(case)
