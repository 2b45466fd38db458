"""Stream the rows of an uploaded file, whatever wrote it.

CSV comes in UTF-8 or GBK/GB18030; :mod:`hudong.core.encodings` decides which, from a sample
of whole lines (every importer shares that rule). Lines are decoded one at a time, so memory
stays flat however large the file is.

XLSX is read with openpyxl in read-only mode, first sheet, values only (no formulas are
evaluated or kept). Numbers that are really identifiers (a phone typed into Excel becomes
13800138000.0) come back as their digits.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from hudong.core.encodings import BOM, SAMPLE_BYTES, detect_encoding
from hudong.customers.imports import errors

__all__ = ["SAMPLE_BYTES", "Row", "Source", "detect_encoding", "open_source"]
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"  # the old binary .xls
csv.field_size_limit(1 << 20)


@dataclass
class Row:
    """One data row: its number as a spreadsheet shows it (the header is row 1), its cells in
    header order, and the code of a problem found while reading it (undecodable bytes)."""

    number: int
    cells: list[str]
    problem: str = ""


@dataclass
class Source:
    """An opened file: the header, an estimate of the data rows, and the rows themselves."""

    header: list[str]
    rows: Iterator[Row]
    total: int
    encoding: str = ""
    _closing: list[Any] = field(default_factory=list)

    def close(self) -> None:
        for thing in self._closing:
            thing.close()
        self._closing.clear()


def open_source(path: str | Path) -> Source:
    """Open ``path`` as CSV or XLSX; raise a file-level DomainError if it cannot be read."""
    path = Path(path)
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(_ZIP):
        return _open_xlsx(path)
    if head.startswith(_OLE):
        raise errors.format_unknown()
    return _open_csv(path)


# --- CSV ------------------------------------------------------------------------------------


def _count_lines(path: Path) -> int:
    lines = 0
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            lines += block.count(b"\n")
    return lines


class _Lines:
    """Decoded lines of a binary file, remembering whether the current row had bad bytes."""

    def __init__(self, fh: BinaryIO, encoding: str) -> None:
        self.fh = fh
        self.encoding = "utf-8" if encoding == "utf-8-sig" else encoding
        self.bad = False

    def __iter__(self) -> Iterator[str]:
        encoding = self.encoding
        for raw in self.fh:
            try:
                yield raw.decode(encoding)
            except UnicodeDecodeError:
                self.bad = True
                yield raw.decode(encoding, "replace")


def _open_csv(path: Path) -> Source:
    fh = path.open("rb")
    try:
        encoding = detect_encoding(fh.read(SAMPLE_BYTES))
        fh.seek(len(BOM) if encoding == "utf-8-sig" else 0)
        lines = _Lines(fh, encoding)
        stream = iter(lines)
        first = next(stream, None)
        while first is not None and not first.strip():
            first = next(stream, None)
        if first is None:
            raise errors.file_empty()
        delimiter = "\t" if "\t" in first and "," not in first else ","
        header = next(csv.reader([first], delimiter=delimiter))
        if lines.bad:
            raise errors.encoding_unknown()
    except BaseException:
        fh.close()
        raise
    total = max(0, _count_lines(path) - 1)
    rows = _csv_rows(csv.reader(stream, delimiter=delimiter), lines)
    return Source(header, rows, total, encoding, [fh])


def _csv_rows(reader: Any, lines: _Lines) -> Iterator[Row]:
    """Rows with the number of the line they start on; blank lines are skipped."""
    last = 1
    try:
        for cells in reader:
            number, last = last + 1, 1 + reader.line_num
            problem = "imports.encoding_invalid" if lines.bad else ""
            lines.bad = False
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue
            yield Row(number, cells, problem)
    except csv.Error as exc:
        raise errors.file_error(
            "imports.csv_malformed", str(exc), line=1 + reader.line_num
        ) from exc


# --- XLSX -----------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A spreadsheet value as the text a person would have typed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return str(value)


def _open_xlsx(path: Path) -> Source:
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise errors.format_unknown() from exc
    try:
        sheet = book.worksheets[0]
        values = sheet.iter_rows(values_only=True)
        number = 0
        header: list[str] = []
        for raw in values:
            number += 1
            header = [cell_text(v).strip() for v in raw]
            if any(header):
                break
        if not any(header):
            raise errors.file_empty()
        total = max(0, (sheet.max_row or 0) - number)
    except BaseException:
        book.close()
        raise
    return Source(header, _xlsx_rows(values, number), total, "", [book])


def _xlsx_rows(values: Iterator[tuple[Any, ...]], header_row: int) -> Iterator[Row]:
    number = header_row
    for raw in values:
        number += 1
        cells = [cell_text(v) for v in raw]
        if any(c.strip() for c in cells):
            yield Row(number, cells)
