"""The analysis's filters from a query string (the page, the export and the API share it).

Bad input is refused with a stable code, never a 500; a blank range is the last 90 days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from hudong.core.errors import DomainError
from hudong.insights.rootcause.analysis import Filters, regions_for
from hudong.service.models import CaseCategory

MAX_DAYS = 1100  # three years: the daily chart stays readable and the query bounded


def _date(raw: str, fallback: dt.date) -> dt.date:
    raw = (raw or "").strip()
    if not raw:
        return fallback
    try:
        return dt.date.fromisoformat(raw[:10])
    except ValueError:
        raise DomainError(
            "rootcause.bad_date", _("Dates are written YYYY-MM-DD."), status=400
        ) from None


def parse(user: Any, params: Mapping[str, str]) -> Filters:
    default = Filters.default()
    start = _date(params.get("from", ""), default.start)
    end = _date(params.get("to", ""), default.end)
    if end < start or (end - start).days >= MAX_DAYS:
        raise DomainError(
            "rootcause.bad_range",
            _("The range must end after it starts and span at most three years."),
            status=400,
        )
    region = (params.get("region") or "").strip()[:50]
    allowed = [r.code for r in regions_for(user)]
    if region and region not in allowed:
        raise DomainError("rootcause.region_not_found", _("Unknown region."), status=404)
    if not region and len(allowed) == 1:
        region = allowed[0]
    category = (params.get("category") or "").strip()[:50]
    if category and not CaseCategory.objects.filter(code=category).exists():
        raise DomainError("rootcause.category_not_found", _("Unknown category."), status=404)
    return Filters(start=start, end=end, region=region, category=category)
