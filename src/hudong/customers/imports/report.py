"""The bad-row report: a CSV (UTF-8 with BOM, for Excel) with, for every problem, the row
number as the spreadsheet shows it, the column, a stable code, the message, and the row's
original cells, so the rows can be fixed in the report itself and imported again.

The cells echo what the file said, so they are formula-neutralised like any export.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

from hudong.customers.exports import neutralise
from hudong.customers.imports.base import Problem

FOLDER = "imports"


def report_path(job_id: int | None) -> str:
    """Where a job's report goes, relative to MEDIA_ROOT."""
    return f"{FOLDER}/job-{job_id}-report.csv"


def absolute(relative: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative


class ReportWriter:
    """Opened on the first problem, so a clean import leaves no file."""

    def __init__(self, relative: str, header: list[str]) -> None:
        self.relative = relative
        self.header = header
        self.rows = 0
        self._fh: IO[str] | None = None
        self._csv: Any = None

    def write(self, problems: list[Problem]) -> None:
        if not problems:
            return
        writer = self._open()
        for p in problems:
            original = [neutralise(c) for c in p.row.cells]
            writer.writerow([p.row.number, p.field, p.code, neutralise(p.message), *original])
            self.rows += 1

    def _open(self) -> Any:
        if self._fh is None:
            path = absolute(self.relative)
            path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = path.open("w", encoding="utf-8-sig", newline="")
            self._csv = csv.writer(self._fh)
            fixed = [_("row"), _("field"), _("code"), _("message")]
            self._csv.writerow([*fixed, *(neutralise(h) for h in self.header)])
        return self._csv

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
