"""A second resolution run on data whose duplicates the first run merged: what a nightly run
and the "Find duplicates now" button do after the demo load."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

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


def test_a_failed_em_session_keeps_every_comparison_and_the_prior(monkeypatch: Any) -> None:
    """Splink takes the blocked comparisons out of the model for the length of an EM session;
    when the session fails they must come back, or the model scores without them."""
    from splink.internals.em_training_session import EMTrainingSession

    from hudong.customers.resolution import probabilistic as p

    febrl = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "febrl"
    if not (febrl / "dataset1.csv").exists():
        pytest.skip("the FEBRL reference data are not beside the project")
    records, _truth = p.febrl_records(febrl / "dataset1.csv")
    whole = p.score_pairs(records, options=p.Options(threshold=0.8, min_train_records=100))
    original, calls = EMTrainingSession._train, {"n": 0}

    def second_fails(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise ValueError("m_probability value 1e-309 is below the minimum allowed value")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(EMTrainingSession, "_train", second_fails)
    failed = p.score_pairs(records, options=p.Options(threshold=0.8, min_train_records=100))
    assert calls["n"] >= 2
    assert sorted(failed.weights) == sorted(whole.weights)
    assert failed.prior < 10 * whole.prior
