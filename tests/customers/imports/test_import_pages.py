"""The upload page, the job page with its progress, the report download, and the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from hudong.core import jobs
from hudong.core.models import Job, Role
from hudong.customers.models import Customer
from tests.customers.imports.conftest import report_rows, run_import
from tests.factories import make_user

pytestmark = pytest.mark.django_db

CSV = "external_id,name,phone\nE1,张伟,138 0013 8000\nE2,王芳,123\n".encode("gb18030")


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _upload(name: str = "list.csv", data: bytes = CSV) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_upload_runs_a_job_with_progress_and_report(region_a: Any) -> None:
    # Given a supervisor of region A on the import page
    user = make_user(Role.SUPERVISOR, region_a)
    client = _client(user)
    assert client.get("/customers/import/").status_code == 200
    # When they upload a GB18030 file with one bad row
    response = client.post(
        "/customers/import/",
        {"kind": "customers", "region": "region-a", "source": "", "file": _upload()},
    )
    assert response.status_code == 302
    job = Job.objects.get(kind="customers.import")
    page = client.get(response["Location"])
    assert b"<progress" in page.content and b"hx-trigger" in page.content  # polls while queued
    # And the worker runs the job
    jobs.execute(job)
    # Then the page shows the counts and the report, and stops polling
    fragment = client.get(response["Location"], HTTP_HX_REQUEST="true")
    assert b"hx-trigger" not in fragment.content and b"report-link" in fragment.content
    report = client.get(f"/customers/import/{job.pk}/report.csv")
    body = b"".join(report.streaming_content).decode("utf-8-sig")
    assert "customers.identifier_invalid" in body and "王芳" in body
    assert Customer.objects.get().name == "张伟"
    # And nobody else may see it
    other = make_user(Role.SUPERVISOR, region_a)
    assert _client(other).get(f"/customers/import/{job.pk}/report.csv").status_code == 404


def test_file_level_error_is_shown_on_the_form(region_a: Any) -> None:
    user = make_user(Role.ADMIN, region_a)
    response = _client(user).post(
        "/customers/import/",
        {"kind": "customers", "file": _upload(data=b"name\nx\n")},
    )
    assert response.status_code == 200
    assert b"imports.columns_missing" in response.content
    assert not Job.objects.filter(kind="customers.import").exists()


def test_agent_may_not_import(agent_a: Any) -> None:
    assert _client(agent_a).get("/customers/import/").status_code == 403


def test_supervisor_may_not_import_into_another_region(
    region_a: Any, region_b: Any, tmp_path: Any
) -> None:
    # Given a supervisor of region A and a file with a row for each region
    user = make_user(Role.SUPERVISOR, region_a)
    path = tmp_path / "two.csv"
    path.write_text("external_id,name,region\nA1,甲,region-a\nB1,乙,region-b\n")
    # When they import it
    job = run_import("customers", path, user=user)
    # Then only the region-A row lands; the other is refused without saying more
    assert (job.result["created"], job.result["bad"]) == (1, 1)
    assert [r[2] for r in report_rows(job)] == ["imports.region_forbidden"]
    assert list(Customer.objects.values_list("region__code", flat=True)) == ["region-a"]


def test_api_upload_status_and_report(region_a: Any) -> None:
    user = make_user(Role.MARKETER, region_a)
    client = _client(user)
    response = client.post(
        "/api/v1/imports", {"kind": "customers", "region": "region-a", "file": _upload()}
    )
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    jobs.execute(Job.objects.get(pk=job_id))
    status = client.get(f"/api/v1/imports/{job_id}").json()
    assert (status["status"], status["created"], status["bad"], status["has_report"]) == (
        "done",
        1,
        1,
        True,
    )
    report = client.get(f"/api/v1/imports/{job_id}/report")
    assert report.status_code == 200
    unknown = client.post("/api/v1/imports", {"kind": "nope", "file": _upload()})
    assert unknown.status_code == 422 and unknown.json()["code"] == "imports.kind_unknown"
    bad = client.post("/api/v1/imports", {"kind": "customers", "file": _upload(data=b"a\n1\n")})
    assert bad.json()["code"] == "imports.columns_missing"
    assert client.get("/api/v1/imports/999999").json()["code"] == "imports.not_found"
