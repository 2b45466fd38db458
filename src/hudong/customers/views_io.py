"""Pages to import a file (upload, then a job page whose progress refreshes itself) and to
export the customers a user may see. Thin: parse, call the import job or the export, render."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from hudong.core import scoping
from hudong.core.errors import DomainError
from hudong.core.models import Job, Region
from hudong.customers import exports
from hudong.customers.imports import job as import_job
from hudong.customers.imports import registry

MAX_UPLOAD = 512 << 20


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"))
    file = forms.FileField(label=_("CSV or Excel file"))
    region = forms.ChoiceField(label=_("Region for rows without one"), required=False)
    source = forms.CharField(
        label=_("Source"),
        max_length=50,
        required=False,
        help_text=_("Where the list came from, e.g. the partner's name. Kept on the records."),
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, i.label) for k, i in registry.kinds().items()]  # type: ignore[attr-defined]
        self.fields["kind"].initial = "customers"
        regions = [
            (r.code, r.name)
            for r in Region.objects.all()
            if scoping.may_place(user, "imports_allowed", region_id=r.pk, owner_id=user.pk)
        ]
        self.fields["region"].choices = [("", "—"), *regions]  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is too large."))
        return upload


def _check_may_import(user: Any) -> None:
    if not import_job.may_import(user):
        raise PermissionDenied


@login_required
def import_start(request: HttpRequest) -> HttpResponse:
    _check_may_import(request.user)
    form = ImportForm(request.user, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = import_job.start_upload(
                request.user,
                kind=data["kind"],
                upload=data["file"],
                source=data["source"],
                region=data["region"],
            )
        except DomainError as exc:
            form.add_error(None, f"{exc.message} ({exc.code})")
        else:
            return redirect("customers:import_job", job_id=job.pk)
    recent = Job.objects.filter(kind=import_job.KIND, created_by_id=request.user.pk)[:10]
    return render(request, "customers/import.html", {"form": form, "jobs": recent})


def _job(request: HttpRequest, job_id: int) -> Job:
    """An import job the user started (an administrator sees every one); else 404."""
    job = Job.objects.filter(pk=job_id, kind=import_job.KIND).first()
    if job is None or not import_job.may_see_job(request.user, job):
        raise Http404
    return job


@login_required
def import_status(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    template = "customers/import_job.html"
    if request.headers.get("HX-Request"):
        template = "customers/import_job_status.html"
    return render(request, template, {"job": job})


@login_required
def import_report(request: HttpRequest, job_id: int) -> FileResponse:
    handle = import_job.report_file(_job(request, job_id))
    if handle is None:
        raise Http404
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"import-{job_id}-report.csv",
        content_type="text/csv; charset=utf-8",
    )


@login_required
def export_page(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:200].replace("\x00", "")
    return render(request, "customers/export.html", {"q": q})


@login_required
def export_download(request: HttpRequest, fmt: str) -> HttpResponseBase:
    q = request.GET.get("q", "")[:200].replace("\x00", "")
    if fmt not in ("csv", "xlsx"):
        raise Http404
    return exports.download(request.user, fmt, q)
