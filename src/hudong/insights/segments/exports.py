"""A segment's members as CSV or XLSX: the customers' export conventions (UTF-8 with BOM,
spreadsheet formulas neutralised, XLSX cells written as strings, an audit row per export)."""

from __future__ import annotations

import csv
import datetime as dt
import re
import tempfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import IO, Any

from django.http import FileResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _

from hudong.customers.exports import audit_export, neutralise
from hudong.insights.models.segments import Segment
from hudong.insights.segments import queries

BATCH = 2000
_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def columns() -> list[tuple[str, Any]]:
    return [
        ("id", _("Id")),
        ("name", _("Name")),
        ("region", _("Region")),
        ("tier", _("Tier")),
        ("clv", _("CLV")),
        ("profit", _("Profit")),
        ("last_order_at", _("Last order")),
    ]


def rows(user: Any, segment: Segment) -> Iterator[dict[str, Any]]:
    qs = queries.with_value(queries.members(user, segment))
    for c in qs.iterator(chunk_size=BATCH):
        value = getattr(c, "value", None)
        last = getattr(value, "last_order_at", None)
        yield {
            "id": c.pk,
            "name": c.name,
            "region": c.region.code,
            "tier": getattr(value, "tier", ""),
            "clv": getattr(value, "clv", None),
            "profit": getattr(value, "profit", None),
            "last_order_at": timezone.localtime(last).replace(tzinfo=None) if last else None,
        }


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, Decimal | int):
        return str(value)
    return neutralise(str(value))


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(data: Iterable[dict[str, Any]]) -> Iterator[str]:
    names = columns()
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([str(label) for _n, label in names])
    for row in data:
        yield writer.writerow([_text(row.get(name)) for name, _l in names])


def _cell(sheet: Any, value: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, Decimal | int | dt.datetime) and not isinstance(value, bool):
        return WriteOnlyCell(sheet, value=value)
    cell = WriteOnlyCell(sheet, value=None)
    cell.value = _ILLEGAL_XLSX.sub("", _text(value))
    cell.data_type = "s"
    return cell


def xlsx_file(data: Iterable[dict[str, Any]]) -> IO[bytes]:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_("Members")[:31])
    names = columns()
    sheet.append([_cell(sheet, str(label)) for _n, label in names])
    for row in data:
        sheet.append([_cell(sheet, row.get(name)) for name, _l in names])
    target = tempfile.SpooledTemporaryFile(max_size=32 << 20)  # noqa: SIM115
    book.save(target)
    target.seek(0)
    return target


def download(user: Any, segment: Segment, fmt: str) -> HttpResponseBase:
    """The members the user may see as a download, audited like every customer export."""
    audit_export(user, fmt, f"segment:{segment.pk}")
    name = f"segment-{segment.pk}"
    if fmt == "csv":
        response = StreamingHttpResponse(
            csv_lines(rows(user, segment)), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    return FileResponse(
        xlsx_file(rows(user, segment)),
        as_attachment=True,
        filename=f"{name}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
