"""A playbook list as CSV: the same columns as the page, formulas neutralised, audited."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _

from hudong.customers import exports
from hudong.insights.playbook.lists import PlaybookList

BATCH = 500


class _Echo:
    def write(self, value: str) -> str:
        return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return exports.neutralise("; ".join(str(v) for v in value))
    if isinstance(value, dt.date | Decimal | int | float):
        return str(value)
    return exports.neutralise(str(value))


def lines(user: Any, lst: PlaybookList, values: dict[str, Any]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    header = [_("Id"), _("Name"), *[str(c.label) for c in lst.columns]]
    yield "\ufeff" + writer.writerow(header)
    qs = lst.rows(user, values)
    start = 0
    while True:
        page = list(qs[start : start + BATCH])
        if not page:
            return
        for customer in lst.complete(user, page, values):
            cells = [customer.pk, customer.name]
            cells += [getattr(customer, c.key, "") for c in lst.columns]
            yield writer.writerow([_text(v) for v in cells])
        start += BATCH


def download(user: Any, lst: PlaybookList, values: dict[str, Any]) -> StreamingHttpResponse:
    exports.audit_export(user, "csv", f"playbook:{lst.key} {values}")
    response = StreamingHttpResponse(
        lines(user, lst, values), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="playbook-{lst.key}.csv"'
    return response
