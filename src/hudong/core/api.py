"""Platform endpoints: health, the current user, regions, background jobs."""

import datetime as dt
from typing import Any

from django.db import connection
from django.http import HttpRequest
from ninja import Router, Schema

from hudong.api.types import Id
from hudong.core import jobs
from hudong.core.models import Region
from hudong.core.scoping import profile_of

router = Router(tags=["platform"])


class HealthOut(Schema):
    status: str
    database: str


class MeOut(Schema):
    id: int
    username: str
    role: str | None
    region: str | None
    language: str


class RegionOut(Schema):
    code: str
    name: str


@router.get("/health", auth=None, response=HealthOut)
def health(request: HttpRequest) -> dict[str, str]:
    """Liveness and database reachability, for load balancers and monitors."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"status": "ok", "database": connection.vendor}


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> dict[str, object]:
    user = request.user
    profile = profile_of(user)
    return {
        "id": user.pk,
        "username": user.get_username(),
        "role": "admin" if user.is_superuser else (profile.role if profile else None),
        "region": profile.region.code if profile and profile.region else None,
        "language": request.LANGUAGE_CODE,
    }


@router.get("/regions", response=list[RegionOut])
def regions(request: HttpRequest) -> list[Region]:
    return list(Region.objects.all())


class JobOut(Schema):
    id: int
    kind: str
    status: str
    message: str
    done: int
    total: int
    percent: int
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    result: dict[str, Any]


@router.get("/jobs/{job_id}", response=JobOut)
def job(request: HttpRequest, job_id: Id) -> dict[str, Any]:
    """A background job the caller started (admins: any): status, progress and result."""
    found = jobs.visible(request.user, job_id)
    fields = ("id", "kind", "status", "message", "done", "total", "percent")
    return {
        **{f: getattr(found, f) for f in fields},
        "created_at": found.created_at,
        "started_at": found.started_at,
        "finished_at": found.finished_at,
        "result": jobs.shown_result(found),
    }
