"""The case page's root-cause section (D5): the code and what the complaint was about.

The agent picks a root-cause code and, when known, one of the customer's recent orders, its
shipment and one of its products (:mod:`hudong.service.rootcause` checks they belong together).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from hudong.service import rootcause
from hudong.service.models import Case
from hudong.service.sections import Section, register


def context(request: HttpRequest, case: Case) -> dict[str, Any]:
    return {
        "root_causes": rootcause.active_codes(),
        "recent_orders": rootcause.recent_orders(case),
    }


register(Section("rootcause", "service/section_rootcause.html", context, order=60))
