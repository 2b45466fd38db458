"""Import and export endpoints: upload a file (a job starts), follow it, fetch its report,
download the customers the caller may see. Thin: parse, call the job or the export, render.

Mounted at the API root: POST /imports, GET /imports/{job_id}, GET /imports/{job_id}/report,
GET /exports/customers.csv, GET /exports/customers.xlsx.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest
from django.http.response import HttpResponseBase
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from hudong.api.types import CleanStr, Id
from hudong.core.errors import NotFound
from hudong.core.models import Job
from hudong.customers import exports
from hudong.customers.imports import job as import_job

router = Router(tags=["imports"])


class ImportJobOut(Schema):
    id: int
    kind: str
    status: str
    done: int
    total: int
    percent: int
    message: str
    created: int | None = None
    updated: int | None = None
    unchanged: int | None = None
    bad: int | None = None
    has_report: bool
    error_code: str | None = None
    error: str | None = None


class ImportIn(Schema):
    kind: CleanStr = Field(..., max_length=50, description="customers, organizations, orders…")
    source: CleanStr = Field("", max_length=50, description="Where the list came from")
    region: CleanStr = Field("", max_length=32, description="Region code for rows without one")


class ExportFilter(Schema):
    q: CleanStr = Field("", max_length=200, description="Name or any identifier")


def _out(job: Job) -> dict[str, Any]:
    result = job.result or {}
    failed = job.status == "failed"
    return {
        "id": job.pk,
        "kind": job.params.get("kind", ""),
        "status": job.status,
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "message": job.message,
        **{k: result.get(k) for k in ("created", "updated", "unchanged", "bad")},
        "has_report": bool(job.report_file),
        "error_code": result.get("code") if failed else None,
        "error": result.get("error") if failed else None,
    }


def _job(request: HttpRequest, job_id: int) -> Job:
    job = Job.objects.filter(pk=job_id, kind=import_job.KIND).first()
    if job is None or not import_job.may_see_job(request.user, job):
        raise NotFound("imports.not_found")
    return job


@router.post("/imports", response={202: ImportJobOut})
def start_import(request: HttpRequest, payload: Form[ImportIn], file: File[UploadedFile]) -> Any:
    """Upload a CSV or XLSX file; the import runs as a background job (202 with the job)."""
    job = import_job.start_upload(
        request.user,
        kind=payload.kind,
        upload=file,
        source=payload.source,
        region=payload.region,
    )
    return Status(202, _out(job))


@router.get("/imports/{job_id}", response=ImportJobOut)
def import_status(request: HttpRequest, job_id: Id) -> Any:
    """Status, progress and counts of an import the caller started."""
    return _out(_job(request, job_id))


@router.get("/imports/{job_id}/report")
def import_report(request: HttpRequest, job_id: Id) -> HttpResponseBase:
    """The bad-row report (CSV): row, field, code, message and the row's original cells."""
    handle = import_job.report_file(_job(request, job_id))
    if handle is None:
        raise NotFound("imports.report_not_found")
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"import-{job_id}-report.csv",
        content_type="text/csv; charset=utf-8",
    )


@router.get("/exports/customers.csv")
def export_csv(request: HttpRequest, filters: Query[ExportFilter]) -> HttpResponseBase:
    """The customers the caller may see, as CSV (UTF-8 with BOM), formulas neutralised."""
    return exports.download(request.user, "csv", filters.q)


@router.get("/exports/customers.xlsx")
def export_xlsx(request: HttpRequest, filters: Query[ExportFilter]) -> HttpResponseBase:
    """The customers the caller may see, as an Excel workbook, every text cell a string."""
    return exports.download(request.user, "xlsx", filters.q)
