"""Fixtures for the import and export tests: files under a temporary media root."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hudong.core import jobs
from hudong.core.models import Job
from hudong.customers.imports import job as import_job

HEADER = "external_id,name,phone,email,region,birth_date,gender,organization,city,street\n"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write text (or bytes) to a file of the given name and encoding."""

    def _write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        data = content if isinstance(content, bytes) else content.encode(encoding)
        path.write_bytes(data)
        return path

    return _write


def run_import(
    kind: str, path: Path, *, user: Any = None, source: str = "", region: str = ""
) -> Job:
    """Import a file the way the command line does: a local job, run here and now."""
    job = import_job.create_local(user, kind=kind, path=path, source=source, region=region)
    return jobs.execute(job)


def report_rows(job: Job) -> list[list[str]]:
    import csv

    handle = import_job.report_file(job)
    if handle is None:
        return []
    with handle:
        text = handle.read().decode("utf-8-sig")
    return list(csv.reader(text.splitlines()))[1:]
