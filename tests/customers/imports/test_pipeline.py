"""Reading and checking rows in a second process gives exactly what the single process gives."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from hudong.core.models import JobStatus
from hudong.customers.imports import pipeline, registry
from hudong.customers.models import Customer
from tests.customers.imports.conftest import report_rows, run_import
from tests.customers.imports.test_customer_import import BAD_ROWS, csv_text, table_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def forked(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every file goes through the second process, in chunks of three rows; counts the runs."""
    runs: list[int] = []
    real = pipeline._from_process

    def counted(plan: pipeline.Plan) -> Iterator[pipeline.Prepared]:
        runs.append(1)
        return real(plan)

    monkeypatch.setattr(pipeline, "MIN_ROWS", 0)
    monkeypatch.setattr(pipeline, "core_free", lambda: True)
    monkeypatch.setattr(pipeline, "_from_process", counted)
    monkeypatch.setattr(registry.get("customers"), "chunk_size", 3)
    return runs


def _rows() -> str:
    """Bad rows of every kind spread over several chunks, with a GBK row among UTF-8 ones."""
    rows = [*BAD_ROWS, ["E009", "钱伟", "13900139000", "", "region-a", "", "", "", "", ""]]
    return csv_text(rows)


def test_second_process_reports_and_imports_like_one(
    region_a: Any, write: Callable[..., Path], forked: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a file with good rows and bad rows of every kind over several chunks
    data = _rows().encode() + "E010,测试,,,region-a,,,,,\n".encode("gbk")
    path = write("mixed.csv", data)
    # When it is imported through the second process, then (fresh) in this process
    piped = run_import("customers", path)
    piped_report, piped_state = report_rows(piped), table_state()
    Customer.objects.all().delete()
    monkeypatch.setattr(pipeline, "MIN_ROWS", 10**9)
    single = run_import("customers", path)
    # Then the second process ran, and both give the same counts and the same report, in order
    assert forked == [1]
    assert piped.status == single.status == JobStatus.DONE, piped.result
    assert {k: piped.result[k] for k in ("created", "updated", "bad", "rows")} == {
        k: single.result[k] for k in ("created", "updated", "bad", "rows")
    }
    assert piped.result["bad"] == 8
    assert piped_report == report_rows(single)
    numbers = [int(r[0]) for r in piped_report]
    assert numbers == sorted(numbers)
    assert len(piped_state["customers"]) == piped.result["created"]


def test_second_run_through_the_second_process_changes_nothing(
    region_a: Any, write: Callable[..., Path], forked: list[int]
) -> None:
    path = write("twice.csv", _rows())
    first = run_import("customers", path)
    before = table_state()
    second = run_import("customers", path)
    assert forked == [1, 1]
    assert second.result["unchanged"] == first.result["created"] + first.result["updated"]
    assert (second.result["created"], second.result["updated"]) == (0, 0)
    assert table_state() == before


def test_a_broken_line_fails_the_job_after_the_chunks_before_it(
    region_a: Any, write: Callable[..., Path], forked: list[int]
) -> None:
    # Given good rows, then a line the CSV reader refuses (a cell over its size limit)
    good = [[f"E{n}", "张伟", "", "", "region-a", "", "", "", "", ""] for n in range(1, 7)]
    path = write("broken.csv", csv_text(good) + "E7," + "x" * (1 << 20 + 1) + "\n")
    # When it is imported through the second process
    job = run_import("customers", path)
    # Then the job fails with the reader's code, and the chunks before the line are kept
    assert forked == [1]
    assert job.status == JobStatus.FAILED
    assert job.result["code"] == "imports.csv_malformed"
    assert Customer.objects.count() == 6


def test_no_second_process_when_every_core_is_busy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "_runnable", lambda: 64)
    assert not pipeline.core_free()
    monkeypatch.setattr(pipeline, "_runnable", lambda: 1)  # only this process runs
    assert pipeline.core_free() == (len(os.sched_getaffinity(0)) >= 2)
