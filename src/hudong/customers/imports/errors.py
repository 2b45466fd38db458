"""Stable codes of import problems. File-level problems stop the job; row problems are
reported with the row and the job goes on."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from hudong.core import encodings
from hudong.core.errors import DomainError


class RowProblem(Exception):
    """One field of one row is wrong: reported (row, field, code, message), never raised out."""

    def __init__(self, field: str, code: str, message: Any) -> None:
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code
        self.message = message


def file_error(code: str, message: Any, **extra: Any) -> DomainError:
    """A problem with the whole file (422: the request was understood, the file is not usable)."""
    return DomainError(code, message, status=422, **extra)


def encoding_unknown() -> DomainError:
    return encodings.encoding_unknown()


def format_unknown() -> DomainError:
    return file_error(
        "imports.format_unknown", _("The file is neither a CSV nor an Excel (XLSX) workbook.")
    )


def columns_missing(missing: list[str]) -> DomainError:
    return file_error(
        "imports.columns_missing",
        _("Required columns are missing: %(columns)s.") % {"columns": ", ".join(missing)},
        columns=missing,
    )


def file_empty() -> DomainError:
    return file_error("imports.file_empty", _("The file has no header row."))


def kind_unknown() -> DomainError:
    return file_error("imports.kind_unknown", _("Unknown kind of import."))
