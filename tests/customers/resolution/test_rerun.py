"""A second resolution run on data whose duplicates the first run merged: what a nightly run
and the "Find duplicates now" button do after the demo load."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hudong.core import jobs
from hudong.core.models import Job
from hudong.customers.models import Customer
from hudong.customers.resolution import batch
from hudong.demo.generator import generate


@pytest.mark.django_db(transaction=True)
def test_a_second_run_after_the_first_merged_the_duplicates_finishes(tmp_path: Path) -> None:
    # Given the demo's 3,000 customers, whose sure duplicates a first run merged
    generate(3000, 42, as_of=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), truth_file=tmp_path / "t.csv")
    first = jobs.execute(Job.objects.create(kind=batch.KIND))
    assert first.status == "done", first.result
    assert first.result["auto_merged"] > 50
    # When duplicate detection runs again (EM now sees almost no duplicates)
    second = jobs.execute(Job.objects.create(kind=batch.KIND))
    # Then it finishes, and does not undo or repeat the first run's work
    assert second.status == "done", second.result
    assert Customer.objects.filter(merged_into__isnull=False).count() >= first.result["auto_merged"]
