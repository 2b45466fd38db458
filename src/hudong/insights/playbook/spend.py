"""表7.2's last row: reduce marketing spend on C customers and move the savings to A.

Per value tier, over the customers the user may see: what the last insights run says the tier
is worth, and what marketing contacts (interactions with purpose "marketing") cost in the
chosen period. The suggestion keeps a floor of C's spend and moves the rest to A; its expected
effect is stated with the assumption it rests on.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from hudong.customers.queries import visible_customers
from hudong.insights.models import CustomerValue
from hudong.interactions.models import Interaction, Purpose

TIERS = ("A", "B", "C")
CENT = Decimal("0.01")


def _money(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(CENT)


def _ratio(top: Decimal, bottom: Decimal | int) -> Decimal | None:
    return (top / bottom).quantize(CENT) if bottom else None


def tiers(user: Any, days: int, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Customers, revenue and profit (value window) and marketing contacts and cost per tier."""
    mine = visible_customers(user).values("pk")
    value: dict[str, dict[str, Any]] = {
        r["tier"]: dict(r)
        for r in CustomerValue.objects.filter(customer__in=mine)
        .values("tier")
        .annotate(customers=Count("pk"), revenue=Sum("revenue"), profit=Sum("profit"))
        .order_by()
    }
    since = (now or timezone.now()) - dt.timedelta(days=days)
    spend: dict[str | None, dict[str, Any]] = {
        r["customer__value__tier"]: dict(r)
        for r in Interaction.objects.filter(
            purpose=Purpose.MARKETING, started_at__gte=since, customer__in=mine
        )
        .values("customer__value__tier")
        .annotate(contacts=Count("pk"), cost=Sum("cost"))
        .order_by()
    }
    rows = []
    for tier in TIERS:
        v: dict[str, Any] = value.get(tier, {})
        s: dict[str, Any] = spend.get(tier, {})
        customers = int(v.get("customers") or 0)
        revenue, cost = _money(v.get("revenue")), _money(s.get("cost"))
        rows.append(
            {
                "tier": tier,
                "customers": customers,
                "revenue": revenue,
                "profit": _money(v.get("profit")),
                "contacts": int(s.get("contacts") or 0),
                "cost": cost,
                "cost_per_customer": _ratio(cost, customers),
                "revenue_per_cost": _ratio(revenue, cost),
            }
        )
    return rows


def suggestion(user: Any, days: int, keep_c_pct: int) -> dict[str, Any]:
    """The current spend per tier, the suggested one, and the effect in plain words."""
    rows = {r["tier"]: r for r in tiers(user, days)}
    a, c = rows["A"], rows["C"]
    moved = (c["cost"] * (100 - keep_c_pct) / 100).quantize(CENT)
    suggested = {t: rows[t]["cost"] for t in TIERS}
    suggested["A"] += moved
    suggested["C"] -= moved
    for t in TIERS:
        rows[t]["suggested"] = suggested[t]
        rows[t]["change"] = suggested[t] - rows[t]["cost"]
    return {
        "rows": [rows[t] for t in TIERS],
        "moved": moved,
        "effect": _effect(a, c, moved),
        "chart": {
            "labels": [_("Tier %(tier)s") % {"tier": t} for t in TIERS],
            "series": [
                {"name": _("Current spend"), "data": [float(rows[t]["cost"]) for t in TIERS]},
                {"name": _("Suggested spend"), "data": [float(suggested[t]) for t in TIERS]},
            ],
        },
    }


def _effect(a: dict[str, Any], c: dict[str, Any], moved: Decimal) -> list[str]:
    if moved <= 0:
        return [_("Nothing to move: there was no marketing spend on C customers to reduce.")]
    lines = [
        _(
            "Move %(moved)s of marketing spend from C customers to A customers: spend on C "
            "falls from %(c0)s to %(c1)s, spend on A rises from %(a0)s to %(a1)s."
        )
        % {
            "moved": moved,
            "c0": c["cost"],
            "c1": c["cost"] - moved,
            "a0": a["cost"],
            "a1": a["cost"] + moved,
        }
    ]
    if a["customers"] and c["customers"]:
        lines.append(
            _(
                "Per customer: %(a0)s to %(a1)s for each of the %(na)s A customers, %(c0)s to "
                "%(c1)s for each of the %(nc)s C customers."
            )
            % {
                "a0": _ratio(a["cost"], a["customers"]),
                "a1": _ratio(a["cost"] + moved, a["customers"]),
                "na": a["customers"],
                "c0": _ratio(c["cost"], c["customers"]),
                "c1": _ratio(c["cost"] - moved, c["customers"]),
                "nc": c["customers"],
            }
        )
    ra, rc = a["revenue_per_cost"], c["revenue_per_cost"]
    if ra is not None and rc is not None:
        lines.append(
            _(
                "Each unit of marketing spend goes with %(ra)s of revenue in A and %(rc)s in C. "
                "If the moved spend earned what A's spend earns today and C lost what its spend "
                "earns today, revenue would change by about %(delta)s. This is an upper bound: "
                "the return of extra spend on the same customers usually falls."
            )
            % {"ra": ra, "rc": rc, "delta": (moved * (ra - rc)).quantize(CENT)}
        )
    else:
        lines.append(
            _(
                "There is no marketing spend on A customers yet to measure its return; "
                "measure the response before moving more."
            )
        )
    return lines
