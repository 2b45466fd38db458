"""The dashboard framework: dashboards, and the charts each one shows.

An area plugs its own KPIs in without touching this package: it registers a :class:`Chart`
(a function from a :class:`~hudong.insights.kpis.scope.View` to :class:`ChartData`, and
optionally a drill-down from a point to the customers behind it) and a :class:`Dashboard` that
lists chart keys, or adds its chart to an existing dashboard with :func:`add_chart`. The pages,
the API, the exports and the drill-down lists work from this registry alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from hudong.customers.models import Customer
    from hudong.insights.kpis.scope import View


@dataclass
class Series:
    name: Any
    data: list[float | int | None]
    # one drill-down token per point (None: nothing to open); see Chart.drill
    drill: list[str | None] = field(default_factory=list)
    hidden: bool = False  # in the table and the exports, not drawn


@dataclass
class ChartData:
    labels: list[Any]
    series: list[Series]
    unit: str = ""  # "%" for rates, "" otherwise

    def as_json(self) -> dict[str, Any]:
        """The spec the page hands to ECharts through a json_script (and the API returns)."""
        return {
            "labels": [str(label) for label in self.labels],
            "unit": self.unit,
            "series": [
                {"name": str(s.name), "data": s.data, "drill": s.drill or [None] * len(s.data)}
                for s in self.series
                if not s.hidden
            ],
        }

    def rows(self) -> list[list[Any]]:
        """One row per label with each series' value: the table under the chart, the export."""
        return [
            [label, *(s.data[i] if i < len(s.data) else None for s in self.series)]
            for i, label in enumerate(self.labels)
        ]


Build = Callable[["View"], ChartData]
Drill = Callable[["View", str], "QuerySet[Customer]"]


@dataclass(frozen=True)
class Chart:
    key: str  # unique across dashboards, a slug: "value-tiers"
    title: Any
    build: Build
    kind: str = "bar"  # bar, line, stacked (bars stacked by series)
    note: Any = ""  # how the numbers are defined, shown under the chart
    drill: Drill | None = None  # token -> the customers behind a point


@dataclass(frozen=True)
class Dashboard:
    key: str  # a slug, in the URL
    title: Any
    charts: tuple[str, ...] = ()
    order: int = 100
    description: Any = ""
    live: bool = False  # its charts count the current data: they need no insights run
    links: tuple[tuple[Any, str], ...] = ()  # (label, URL name) of the area's own pages


_CHARTS: dict[str, Chart] = {}
_DASHBOARDS: dict[str, Dashboard] = {}
_EXTRA: dict[str, list[str]] = {}


def register_chart(chart: Chart) -> Chart:
    _CHARTS[chart.key] = chart
    return chart


def register_dashboard(dashboard: Dashboard) -> Dashboard:
    _DASHBOARDS[dashboard.key] = dashboard
    return dashboard


def add_chart(dashboard_key: str, chart_key: str) -> None:
    """Show a chart of another area on an existing dashboard (registered in any order)."""
    extra = _EXTRA.setdefault(dashboard_key, [])
    if chart_key not in extra:
        extra.append(chart_key)


def dashboards() -> list[Dashboard]:
    return sorted(_DASHBOARDS.values(), key=lambda d: (d.order, d.key))


def dashboard(key: str) -> Dashboard | None:
    return _DASHBOARDS.get(key)


def chart(key: str) -> Chart | None:
    return _CHARTS.get(key)


def charts_of(board: Dashboard) -> list[Chart]:
    keys = [*board.charts, *(k for k in _EXTRA.get(board.key, []) if k not in board.charts)]
    return [_CHARTS[k] for k in keys if k in _CHARTS]
