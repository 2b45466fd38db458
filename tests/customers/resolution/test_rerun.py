"""A second resolution run on data whose duplicates the first run merged: what a nightly run
and the "Find duplicates now" button do after the demo load."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from hudong.core import jobs
from hudong.core.models import Job
from hudong.customers.models import MergeRecord
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
    # Then it finishes with the model the first run learnt, and merges no household
    assert second.status == "done", second.result
    assert second.result["model_from_job"] == first.pk and "model" not in second.result
    households = {
        (int(r["customer_id"]), int(r["duplicate_of_id"]))
        for r in csv.DictReader((tmp_path / "t.csv").open())
        if r["kind_of_duplicate"] == "household_not_duplicate"
    }
    merged = {(m.merged_id, m.survivor_id) for m in MergeRecord.objects.all()} | {
        (m.survivor_id, m.merged_id) for m in MergeRecord.objects.all()
    }
    assert not households & merged
    # and retraining on request still works
    third = jobs.execute(Job.objects.create(kind=batch.KIND, params={"retrain": True}))
    assert third.status == "done" and "model" in third.result
