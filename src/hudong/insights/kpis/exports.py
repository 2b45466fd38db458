"""A chart's numbers as CSV or XLSX, and the customers behind a point as CSV.

Text cells go through the customer export's formula neutralisation; XLSX text is written as
string cells, never as formulas. A customer list leaving the system leaves an audit row.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

from hudong.customers import exports as customer_exports
from hudong.customers.models import Customer
from hudong.insights.kpis.registry import Chart, ChartData

_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    return customer_exports.neutralise(str(value))


def header(data: ChartData, label: Any) -> list[str]:
    return [str(label), *(str(s.name) for s in data.series)]


def chart_csv(chart: Chart, data: ChartData, label: Any) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_text(h) for h in header(data, label)])
    for row in data.rows():
        writer.writerow([_text(v) for v in row])
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{chart.key}.csv"'
    return response


def chart_xlsx(chart: Chart, data: ChartData, label: Any) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=re.sub(r"[\[\]:*?/\\]", " ", str(chart.title))[:31] or "KPI")

    def cell(value: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return WriteOnlyCell(sheet, value=value)
        c = WriteOnlyCell(sheet, value=None)
        c.value = _ILLEGAL_XLSX.sub("", _text(value))
        c.data_type = "s"
        return c

    sheet.append([cell(h) for h in header(data, label)])
    for row in data.rows():
        sheet.append([cell(v) for v in row])
    target = io.BytesIO()
    book.save(target)
    response = HttpResponse(target.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{chart.key}.xlsx"'
    return response


def _drill_lines(qs: QuerySet[Customer]) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out)

    def line(values: list[Any]) -> str:
        out.seek(0)
        out.truncate()
        writer.writerow([_text(v) for v in values])
        return out.getvalue()

    yield "\ufeff" + line(
        [_("Id"), _("Name"), _("Region"), _("Value tier"), _("Revenue"), _("Orders, lifetime")]
    )
    for c in qs.iterator(chunk_size=2000):
        value = getattr(c, "value", None)  # no value row yet: a new customer
        yield line(
            [
                c.pk,
                c.name,
                c.region.code,
                value.tier if value else "",
                value.revenue if value else "",
                value.orders_total if value else "",
            ]
        )


def drill_csv(user: Any, chart: Chart, token: str, qs: QuerySet[Customer]) -> Any:
    """The drill-down list as CSV (streamed), audited like any customer export."""
    customer_exports.audit_export(user, "csv", f"insights:{chart.key}:{token}")
    response = StreamingHttpResponse(_drill_lines(qs), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{chart.key}-customers.csv"'
    return response
