"""The analysis as one CSV: the two Paretos, then every over-representation table.

Text cells go through the customer export's formula neutralisation (a product or carrier name
could start with "=").
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _

from hudong.customers.exports import neutralise
from hudong.insights.rootcause.analysis import Analysis


def _text(value: Any) -> str:
    return neutralise(str(value)) if isinstance(value, str) else str(value)


def rows(a: Analysis) -> list[list[Any]]:
    out: list[list[Any]] = [
        [
            _("section"),
            _("key"),
            _("label"),
            _("complaints"),
            _("volume"),
            _("share of complaints"),
            _("share of volume"),
            _("lift"),
            _("p-value"),
            _("significant"),
        ]
    ]
    for section, pareto in (("root_cause", a.by_cause), ("category", a.by_category)):
        for p in pareto:
            out.append([section, p.key, p.label, p.count, "", round(p.share, 4), "", "", "", ""])
    for d in a.dimensions:
        for r in d.rows:
            out.append(
                [
                    d.key,
                    r.key,
                    r.label,
                    r.complaints,
                    r.volume,
                    round(r.complaint_share, 4),
                    round(r.volume_share, 4),
                    "" if r.lift is None else round(r.lift, 3),
                    "" if r.p_value is None else f"{r.p_value:.3g}",
                    "1" if r.significant else "0",
                ]
            )
    return out


def as_csv(a: Analysis) -> HttpResponse:
    buf = io.StringIO()
    writer = csv.writer(buf)
    for row in rows(a):
        writer.writerow([_text(v) for v in row])
    response = HttpResponse("\ufeff" + buf.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"root-cause-{a.filters.start}-{a.filters.end}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
