"""Customer endpoints. Thin: parse, call one query or action, render."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from hudong.api.pagination import Page
from hudong.api.types import CleanStr, Id
from hudong.customers import actions, quality, queries, view360

router = Router(tags=["customers"])


class IdentifierOut(Schema):
    kind: str
    value: str
    normalized: str
    is_shared: bool


class CustomerOut(Schema):
    id: int
    kind: str
    name: str
    name_latin: str
    region: str = Field(..., alias="region.code")
    owner_id: int | None
    organization_id: int | None
    language: str
    credit_limit: Decimal
    currency: str


class CustomerDetailOut(CustomerOut):
    gender: str
    birth_date: dt.date | None
    job_title: str
    industry: str
    identifiers: list[IdentifierOut]

    @staticmethod
    def resolve_identifiers(obj: Any) -> list[Any]:
        return list(obj.identifiers.all())


class CustomerFilter(Schema):
    q: CleanStr = Field("", max_length=200, description="Name or any identifier")


class IdentifierIn(Schema):
    kind: str = Field(..., pattern="^(phone|email|wechat|loyalty|erp)$")
    value: CleanStr = Field(..., min_length=1, max_length=200)


class CustomerIn(Schema):
    name: CleanStr = Field(..., min_length=1, max_length=200)
    region: CleanStr = Field(..., min_length=1, max_length=32)
    kind: str = Field("person", pattern="^(person|organization)$")
    name_latin: CleanStr = Field("", max_length=200)
    language: str = Field("zh-hans", pattern="^(zh-hans|en)$")
    identifiers: list[IdentifierIn] = Field(default_factory=list, max_length=20)


class CustomerPatch(Schema):
    name: CleanStr | None = Field(None, min_length=1, max_length=200)
    name_latin: CleanStr | None = Field(None, max_length=200)
    gender: str | None = Field(None, pattern="^(f|m|x|)$")
    birth_date: dt.date | None = None
    language: str | None = Field(None, pattern="^(zh-hans|en)$")
    job_title: CleanStr | None = Field(None, max_length=100)
    industry: CleanStr | None = Field(None, max_length=100)
    credit_limit: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    region_code: CleanStr | None = Field(None, min_length=1, max_length=32)


@router.get("", response=list[CustomerOut])
@paginate(Page)
def list_customers(request: HttpRequest, filters: Query[CustomerFilter]) -> Any:
    """Customers the caller may see, optionally matching a name or identifier."""
    return queries.search(request.user, filters.q)


@router.get("/{customer_id}", response=CustomerDetailOut)
def get_customer(request: HttpRequest, customer_id: Id) -> Any:
    """One customer; the read is recorded in the audit trail."""
    return queries.get_customer(request.user, customer_id, via=f"API GET {request.path}")


@router.post("", response={201: CustomerDetailOut})
def create_customer(request: HttpRequest, payload: CustomerIn) -> Any:
    customer = actions.create_customer(
        user=request.user,
        name=payload.name,
        region_code=payload.region,
        kind=payload.kind,
        name_latin=payload.name_latin,
        language=payload.language,
        identifiers=[(i.kind, i.value) for i in payload.identifiers],
        source="api",
    )
    return Status(201, customer)


@router.patch("/{customer_id}", response=CustomerDetailOut)
def update_customer(request: HttpRequest, customer_id: Id, payload: CustomerPatch) -> Any:
    customer = queries.get_for_update(request.user, customer_id)
    return actions.update_customer(customer, payload.dict(exclude_unset=True), user=request.user)


@router.get("/{customer_id}/360", response=dict[str, Any])
def customer_360(request: HttpRequest, customer_id: Id) -> Any:
    """The 360 view as data: profile, organization and contacts, identifiers, addresses,
    attributes with their freshness, completeness, the next drip questions, and every panel
    (orders and shipments, credit and payments, ...). The read is audited."""
    customer = view360.load(request.user, customer_id, via=f"API GET {request.path}")
    return view360.payload(request.user, customer)


class AnswerIn(Schema):
    key: CleanStr = Field(..., min_length=1, max_length=100)
    value: CleanStr = Field(..., min_length=1, max_length=500)


class AnswerOut(Schema):
    key: str
    value: str
    completeness: int


@router.post("/{customer_id}/answers", response=AnswerOut)
def answer(request: HttpRequest, customer_id: Id, payload: AnswerIn) -> Any:
    """Save the customer's answer to a drip question, with its source and today's date."""
    customer = queries.get_for_update(request.user, customer_id)
    value = actions.answer_question(customer, payload.key, payload.value, user=request.user)
    fresh = view360.load(request.user, customer_id, via=f"API POST {request.path}")
    return {"key": payload.key, "value": value, "completeness": quality.completeness(fresh)}
