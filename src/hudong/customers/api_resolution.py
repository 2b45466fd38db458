"""Identify, the duplicate review queue, merges and the data-quality work list. Thin."""

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from hudong.api.pagination import Page
from hudong.api.types import CleanStr, Id
from hudong.customers import actions, quality, queries, view360
from hudong.customers.resolution.identify import MAX_QUERY, identify

router = Router(tags=["identity"])


class CandidateCustomer(Schema):
    id: int
    name: str
    name_latin: str
    region: str = Field(..., alias="region.code")


class IdentifyOut(Schema):
    status: Literal["found", "ambiguous", "none"]
    matched_on: str
    customer: dict[str, Any] | None
    candidates: list[CandidateCustomer]


class IdentifyQuery(Schema):
    q: CleanStr = Field(..., min_length=1, max_length=MAX_QUERY, description="Identifier or name")


@router.get("/identify", response=IdentifyOut)
def identify_customer(request: HttpRequest, query: Query[IdentifyQuery]) -> Any:
    """Any identifier in any common spelling (or a name) to the customer and their 360 view;
    several candidates when it is ambiguous (a shared household number, a common name)."""
    found = identify(query.q, user=request.user)
    customer = None
    if found.customer is not None:
        loaded = view360.open_found(found.customer, via=f"API GET {request.path}")
        customer = view360.payload(request.user, loaded)
    return {
        "status": found.status,
        "matched_on": found.matched_on,
        "customer": customer,
        "candidates": found.candidates,
    }


class PairOut(Schema):
    id: int
    left: CandidateCustomer
    right: CandidateCustomer
    probability: float
    evidence: dict[str, Any]
    source: str
    status: str


class QueueQuery(Schema):
    status: Literal["pending", "merged", "not_same", "auto_merged", "unmerged", ""] = "pending"


@router.get("/duplicates", response=list[PairOut])
@paginate(Page)
def list_duplicates(request: HttpRequest, query: Query[QueueQuery]) -> Any:
    """The review queue: likely duplicates between the two thresholds, most likely first."""
    return queries.review_queue(request.user, query.status)


class DecisionIn(Schema):
    decision: Literal["merge", "not_same"]
    keep: Id | None = Field(None, description="Id of the record to keep (default: the older)")


@router.post("/duplicates/{candidate_id}/decision", response=PairOut)
def decide(request: HttpRequest, candidate_id: Id, payload: DecisionIn) -> Any:
    """Merge the pair, or remember that they are not the same person."""
    return actions.decide_candidate(request.user, candidate_id, payload.decision, payload.keep)


class MergeIn(Schema):
    keep: Id
    merge: Id


class MergeOut(Schema):
    id: int
    survivor_id: int
    merged_id: int
    reason: str
    created_at: Any
    undone_at: Any | None


@router.post("/merges", response={201: MergeOut})
def merge(request: HttpRequest, payload: MergeIn) -> Any:
    """Merge record ``merge`` into record ``keep``; the full before-state is kept."""
    return Status(201, actions.merge_customers(request.user, payload.keep, payload.merge))


@router.get("/merges", response=list[MergeOut])
@paginate(Page)
def list_merges(request: HttpRequest) -> Any:
    return queries.merges(request.user)


@router.post("/merges/{merge_id}/undo", response=MergeOut)
def undo(request: HttpRequest, merge_id: Id) -> Any:
    """Unmerge: both records exactly as they were before the merge."""
    actions.unmerge(request.user, merge_id)
    return queries.merge_record(request.user, merge_id)


class WorkItem(Schema):
    id: int
    name: str
    gaps: list[str]

    @staticmethod
    def resolve_gaps(obj: Any) -> list[str]:
        return quality.gaps(obj)


@router.get("/data-quality/worklist", response=list[WorkItem])
@paginate(Page)
def worklist(request: HttpRequest) -> Any:
    """Customers missing key data or holding stale data, most gaps first."""
    return queries.worklist(request.user)
