"""Jobs: progress a person can watch, on the page and over the API, and only their own."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from hudong.core import jobs
from hudong.core.models import Job, Role
from tests.factories import make_user


@jobs.register("tests.count")
def _count(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    progress.total(3, "counting")
    for _ in range(3):
        progress.advance()
    return {"counted": 3, "model": {"huge": "internal"}}


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_a_finished_job_shows_its_progress_and_result_to_its_starter(region_a: Any) -> None:
    # Given a job a supervisor started, run to the end
    owner = make_user(Role.SUPERVISOR, region_a, username="owner")
    job = jobs.execute(Job.objects.create(kind="tests.count", created_by=owner))
    assert job.status == "done" and (job.done, job.total) == (3, 3)
    # Then the API and the page show it, without its internals
    data = login(owner).get(f"/api/v1/jobs/{job.pk}").json()
    assert data["status"] == "done" and data["percent"] == 100
    assert data["result"] == {"counted": 3}
    page = login(owner).get(f"/jobs/{job.pk}/").content.decode()
    assert 'data-status="done"' in page and "huge" not in page


@pytest.mark.django_db
def test_someone_elses_job_does_not_exist(region_a: Any, admin_user: Any) -> None:
    owner = make_user(Role.SUPERVISOR, region_a, username="owner")
    other = make_user(Role.SUPERVISOR, region_a, username="other")
    job = Job.objects.create(kind="tests.count", created_by=owner)
    resp = login(other).get(f"/api/v1/jobs/{job.pk}")
    assert resp.status_code == 404 and resp.json()["code"] == "jobs.not_found"
    assert login(other).get(f"/jobs/{job.pk}/").status_code == 404
    assert login(admin_user).get(f"/api/v1/jobs/{job.pk}").status_code == 200


@pytest.mark.django_db
def test_a_failing_job_records_its_error_and_the_worker_goes_on(region_a: Any) -> None:
    @jobs.register("tests.fail")
    def _fail(job: Job, progress: jobs.Progress) -> dict[str, Any]:
        raise RuntimeError("disk full")

    job = jobs.execute(Job.objects.create(kind="tests.fail"))
    assert job.status == "failed" and job.result["code"] == "job.failed"
    assert "disk full" in job.result["error"]
