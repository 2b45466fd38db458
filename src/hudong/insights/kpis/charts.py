"""The dashboards of insights (I1–I3): value, retention, channels and consumption.

Every chart here adds up the run's facts (see ``facts``) with the user's filters; rates are
sums of numerators over sums of denominators, so a region or a range of months is exact.
"""

from __future__ import annotations

from collections import defaultdict

from django.utils.translation import gettext_lazy as _

from hudong.core.models import Region
from hudong.insights.kpis import drill
from hudong.insights.kpis.bands import FREQUENCY_BANDS, GAP_BANDS
from hudong.insights.kpis.registry import (
    Chart,
    ChartData,
    Dashboard,
    Series,
    register_chart,
    register_dashboard,
)
from hudong.insights.kpis.scope import View
from hudong.interactions.models import Channel

TIERS = ("A", "B", "C")


def _rate(part: float, whole: float) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _ratio(part: float, whole: float) -> float | None:
    return round(part / whole, 2) if whole else None


def _month_sums(view: View, *metrics: str) -> dict[str, dict[str, list[float]]]:
    """metric -> "YYYY-MM" -> [count, value], every key and series summed."""
    out: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0, 0.0]))
    for (metric, period, _key, _series), (count, value) in view.monthly(*metrics).items():
        slot = out[metric][period.strftime("%Y-%m")]
        slot[0] += count
        slot[1] += value
    return out


def _months(view: View) -> list[str]:
    return [m.strftime("%Y-%m") for m in view.filters.months()]


def _by_key(view: View, metric: str, *, monthly: bool) -> dict[str, list[float]]:
    totals = view.monthly(metric) if monthly else view.state(metric)
    out: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    for (m, _period, key, _series), (count, value) in totals.items():
        if m == metric:
            out[key][0] += count
            out[key][1] += value
    return out


# -- Value -----------------------------------------------------------------------------------
def value_by_tier(view: View) -> ChartData:
    tiers = _by_key(view, "tier", monthly=False)
    profit = _by_key(view, "tier_profit", monthly=False)
    drills: list[str | None] = [f"tier:{t}" for t in TIERS]
    return ChartData(
        labels=list(TIERS),
        series=[
            Series(_("Revenue"), [round(tiers[t][1], 2) for t in TIERS], drills),
            Series(_("Profit"), [round(profit[t][1], 2) for t in TIERS], drills),
            Series(_("Customers"), [int(tiers[t][0]) for t in TIERS], drills, hidden=True),
        ],
    )


def average_clv(view: View) -> ChartData:
    clv = _by_key(view, "clv", monthly=False)
    count = sum(clv[t][0] for t in TIERS)
    total = sum(clv[t][1] for t in TIERS)
    return ChartData(
        labels=[*TIERS, _("All")],
        series=[
            Series(
                _("Average CLV"),
                [*(_ratio(clv[t][1], clv[t][0]) for t in TIERS), _ratio(total, count)],
                [*(f"clv:{t}" for t in TIERS), None],
            ),
            Series(
                _("Customers with a CLV"),
                [*(int(clv[t][0]) for t in TIERS), int(count)],
                [*(f"clv:{t}" for t in TIERS), None],
                hidden=True,
            ),
        ],
    )


# -- Retention -------------------------------------------------------------------------------
def retention_rates(view: View) -> ChartData:
    s = _month_sums(view, "prev_buyers", "retained", "churned", "buyers", "repeat_buyers")
    months = _months(view)

    def rate(num: str, den: str) -> list[float | int | None]:
        return [_rate(s[num][m][0], s[den][m][0]) for m in months]

    return ChartData(
        labels=months,
        unit="%",
        series=[
            Series(_("Retention rate"), rate("retained", "prev_buyers"),
                   [f"retained:{m}" for m in months]),
            Series(_("Churn rate"), rate("churned", "prev_buyers"),
                   [f"churned:{m}" for m in months]),
            Series(_("Repeat-purchase rate"), rate("repeat_buyers", "buyers"),
                   [f"repeat:{m}" for m in months]),
        ],
    )  # fmt: skip


def conversion(view: View) -> ChartData:
    s = _month_sums(view, "new_customers", "converted")
    months = _months(view)
    return ChartData(
        labels=months,
        series=[
            Series(_("New customers"), [int(s["new_customers"][m][0]) for m in months],
                   [f"new:{m}" for m in months]),
            Series(_("Converted (placed an order)"), [int(s["converted"][m][0]) for m in months],
                   [f"converted:{m}" for m in months]),
            Series(_("Conversion rate (%)"),
                   [_rate(s["converted"][m][0], s["new_customers"][m][0]) for m in months],
                   [f"converted:{m}" for m in months], hidden=True),
        ],
    )  # fmt: skip


def churn_counts(view: View) -> ChartData:
    s = _month_sums(view, "prev_buyers", "retained", "churned")
    months = _months(view)
    return ChartData(
        labels=months,
        series=[
            Series(_("Retained buyers"), [int(s["retained"][m][0]) for m in months],
                   [f"retained:{m}" for m in months]),
            Series(_("Churned buyers"), [int(s["churned"][m][0]) for m in months],
                   [f"churned:{m}" for m in months]),
            Series(_("Buyers of the previous month"),
                   [int(s["prev_buyers"][m][0]) for m in months], hidden=True),
        ],
    )  # fmt: skip


# -- Channels --------------------------------------------------------------------------------
def _channel_label(code: str) -> str:
    try:
        return str(Channel(code).label)
    except ValueError:
        return code


def channel_cost(view: View) -> ChartData:
    rows = _by_key(view, "interactions", monthly=True)
    codes = sorted(rows)
    return ChartData(
        labels=[_channel_label(c) for c in codes],
        series=[
            Series(_("Cost per interaction"), [_ratio(rows[c][1], rows[c][0]) for c in codes],
                   [f"channel:{c}" for c in codes]),
            Series(_("Interactions"), [int(rows[c][0]) for c in codes],
                   [f"channel:{c}" for c in codes], hidden=True),
            Series(_("Cost"), [round(rows[c][1], 2) for c in codes], hidden=True),
        ],
    )  # fmt: skip


def cross_channel(view: View) -> ChartData:
    s = _month_sums(view, "contacted", "multichannel", "interactions", "identified")
    months = _months(view)
    return ChartData(
        labels=months,
        unit="%",
        series=[
            Series(_("Customers seen on two or more channels"),
                   [_rate(s["multichannel"][m][0], s["contacted"][m][0]) for m in months],
                   [f"multichannel:{m}" for m in months]),
            Series(_("Contacts on a known customer"),
                   [_rate(s["identified"][m][0], s["interactions"][m][0]) for m in months],
                   [f"contacted:{m}" for m in months]),
        ],
    )  # fmt: skip


# -- Consumption (the SMS-platform case) -----------------------------------------------------
def revenue_by_month(view: View) -> ChartData:
    s = _month_sums(view, "buyers")
    months = _months(view)
    return ChartData(
        labels=months,
        series=[
            Series(_("Revenue"), [round(s["buyers"][m][1], 2) for m in months],
                   [f"buyers:{m}" for m in months]),
            Series(_("Buyers"), [int(s["buyers"][m][0]) for m in months],
                   [f"buyers:{m}" for m in months], hidden=True),
        ],
    )  # fmt: skip


def by_region(view: View) -> ChartData:
    per: dict[int | None, dict[str, list[float]]] = defaultdict(
        lambda: defaultdict(lambda: [0, 0.0])
    )
    months = max(1, len(view.filters.months()))
    for region_id, metric, count, value in view.by_region("orders", "buyers"):
        per[region_id][metric][0] += count
        per[region_id][metric][1] += value
    names = dict(Region.objects.filter(pk__in=[r for r in per if r]).values_list("pk", "name"))
    ids = sorted((r for r in per if r in names), key=lambda r: names[r])
    drills: list[str | None] = [f"region:{r}" for r in ids]
    return ChartData(
        labels=[names[r] for r in ids],
        series=[
            Series(_("Revenue"), [round(per[r]["orders"][1], 2) for r in ids], drills),
            Series(_("Orders"), [int(per[r]["orders"][0]) for r in ids], drills, hidden=True),
            Series(_("Buyers per month (average)"),
                   [round(per[r]["buyers"][0] / months, 1) for r in ids], drills, hidden=True),
        ],
    )  # fmt: skip


def purchase_cycle(view: View) -> ChartData:
    gaps = _by_key(view, "gaps", monthly=True)
    return ChartData(
        labels=[key for key, _lo, _hi in GAP_BANDS],
        series=[
            Series(_("Repeat purchases"), [int(gaps[k][0]) for k, _lo, _hi in GAP_BANDS],
                   [f"gap:{k}" for k, _lo, _hi in GAP_BANDS]),
        ],
    )  # fmt: skip


def frequency_by_tier(view: View) -> ChartData:
    totals = view.state("frequency")
    cells: dict[tuple[str, str], int] = defaultdict(int)
    for (_m, _p, band, tier), (count, _value) in totals.items():
        cells[(band, tier)] += int(count)
    bands = [key for key, _lo, _hi in FREQUENCY_BANDS]
    return ChartData(
        labels=bands,
        series=[
            Series(_("Tier %(tier)s") % {"tier": t}, [cells[(b, t)] for b in bands],
                   [f"freq:{b}:{t}" for b in bands])
            for t in TIERS
        ],
    )  # fmt: skip


def register_all() -> None:
    charts = [
        Chart("value-tiers", _("Value by tier"), value_by_tier, "bar",
              _("Revenue and profit in the value window, as of the last run."), drill.customers),
        Chart("average-clv", _("Average CLV by tier"), average_clv, "bar",
              _("12-month customer lifetime value, as of the last run."), drill.customers),
        Chart("retention-rates", _("Retention, churn and repeat purchase"), retention_rates,
              "line", _("Retention: buyers of the previous month who bought again; churn: "
                        "those who did not; repeat purchase: buyers who have bought more than "
                        "once."), drill.customers),
        Chart("churn", _("Retained and churned buyers"), churn_counts, "bar", "",
              drill.customers),
        Chart("conversion", _("Conversion of new customers"), conversion, "bar",
              _("Customers created in the month, and those of them who have placed an order "
                "since."), drill.customers),
        Chart("channel-cost", _("Cost per interaction by channel"), channel_cost, "bar", "",
              drill.customers),
        Chart("cross-channel", _("Cross-channel identification"), cross_channel, "line",
              _("Share of contacted customers seen on two or more channels in the month; "
                "share of contacts on a customer already known when the contact began."),
              drill.customers),
        Chart("revenue-by-month", _("Revenue by month"), revenue_by_month, "bar", "",
              drill.customers),
        Chart("revenue-by-region", _("Revenue and buyers by region"), by_region, "bar", "",
              drill.customers),
        Chart("purchase-cycle", _("Purchase cycle: days between orders"), purchase_cycle, "bar",
              _("Days between consecutive orders of a customer, counted in the month of the "
                "later order."), drill.customers),
        Chart("frequency-by-tier", _("Purchase frequency by tier"), frequency_by_tier,
              "stacked", _("Buyers by orders in the value window, as of the last run."),
              drill.customers),
    ]  # fmt: skip
    for c in charts:
        register_chart(c)
    register_dashboard(Dashboard("value", _("Value"), ("value-tiers", "average-clv"), order=10))
    register_dashboard(
        Dashboard("retention", _("Retention"), ("retention-rates", "churn", "conversion"), 20)
    )
    register_dashboard(
        Dashboard("channels", _("Channels"), ("channel-cost", "cross-channel"), order=30)
    )
    register_dashboard(
        Dashboard(
            "consumption",
            _("Consumption"),
            ("revenue-by-month", "revenue-by-region", "purchase-cycle", "frequency-by-tier"),
            order=40,
        )
    )


register_all()
