"""Dashboards as each role sees them: scoping, filters, drill-down lists that match the
charts, exports, and the run-status panel."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from hudong.core.models import Job, Role
from hudong.insights import engine
from hudong.insights.kpis import facts  # noqa: F401  (registers the after-run hook)
from hudong.insights.models import InsightsRun
from tests.factories import CustomerFactory, RegionFactory, make_user
from tests.insights.factories_dashboards import AS_OF, RANGE, at, order, shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def data() -> dict[str, Any]:
    s = shop()
    engine.run(as_of=AS_OF)
    s["admin"] = make_user(Role.ADMIN, None, superuser=True, username="root")
    s["analyst"] = make_user(Role.ANALYST, None, username="analyst")
    s["agent"] = make_user(Role.AGENT, s["east"], username="agent-east")
    return s


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def series(client: Client, board: str, chart: str, name: str, **params: str) -> dict[str, Any]:
    """label -> value of one series of a chart, through the API (in English: series are
    found by their English name)."""
    resp = client.get(f"/api/v1/dashboards/{board}", {**RANGE, **params}, HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 200, resp.content[:300]
    spec = next(c for c in resp.json()["charts"] if c["key"] == chart)
    s = next(s for s in spec["series"] if s["name"] == name)
    return dict(zip(spec["labels"], s["data"], strict=True))


def drilled(client: Client, chart: str, point: str, **params: str) -> set[str]:
    resp = client.get(
        f"/api/v1/dashboards/charts/{chart}/customers", {**RANGE, **params, "point": point}
    )
    assert resp.status_code == 200, resp.content[:300]
    return {c["name"] for c in resp.json()["customers"]}


def test_every_dashboard_opens_for_every_role(data: dict[str, Any]) -> None:
    for user in (data["admin"], data["analyst"], data["agent"], data["sales"]):
        client = client_for(user)
        for board in ("value", "retention", "channels", "consumption"):
            resp = client.get(f"/insights/dashboards/{board}/", RANGE)
            assert resp.status_code == 200, (user.username, board)
            assert 'data-dash-chart="chart-data-' in resp.content.decode()
        assert client.get("/insights/dashboards/").status_code == 302


def test_admin_sees_every_region_and_filters_one(data: dict[str, Any]) -> None:
    admin = client_for(data["admin"])
    assert series(admin, "retention", "churn", "Churned buyers")["2026-04"] == 2
    assert series(admin, "retention", "churn", "Churned buyers", region="east")["2026-04"] == 1
    assert series(admin, "consumption", "revenue-by-month", "Revenue")["2026-04"] == 350.0
    # A range of one month shows only that month
    one = admin.get("/api/v1/dashboards/consumption", {"from": "2026-04", "to": "2026-04"})
    labels = one.json()["charts"][0]["labels"]
    assert labels == ["2026-04"]


def test_agent_of_east_sees_only_east(data: dict[str, Any]) -> None:
    agent = client_for(data["agent"])
    revenue = series(agent, "consumption", "revenue-by-month", "Revenue")
    assert revenue["2026-03"] == 180.0 and revenue["2026-05"] == 0.0
    regions = series(agent, "consumption", "revenue-by-region", "Revenue")
    assert list(regions) == ["East"]
    # asking for another region is refused, on the page and in the API
    resp = agent.get("/api/v1/dashboards/value", {"region": "west"})
    assert resp.status_code == 404 and resp.json()["code"] == "insights.region_not_found"
    assert agent.get("/insights/dashboards/value/", {"region": "west"}).status_code == 404
    page = agent.get("/insights/dashboards/value/").content.decode()
    assert 'value="west"' not in page


def test_sales_sees_the_same_kpis_of_their_own_customers(data: dict[str, Any]) -> None:
    sales = client_for(data["sales"])
    # w2 (their only customer) bought twice in April for 100, and was lost in May
    revenue = series(sales, "consumption", "revenue-by-month", "Revenue")
    assert revenue["2026-04"] == 100.0 and revenue["2026-03"] == 0.0
    assert series(sales, "retention", "churn", "Churned buyers")["2026-05"] == 1
    assert series(sales, "retention", "churn", "Churned buyers")["2026-04"] == 0
    assert drilled(sales, "churn", "churned:2026-05") == {"西二"}
    assert drilled(sales, "churn", "churned:2026-04") == set()
    tiers = series(sales, "value", "value-tiers", "Revenue")
    assert sum(tiers.values()) == pytest.approx(100.0)


def test_drill_down_lists_match_the_chart_numbers(data: dict[str, Any]) -> None:
    admin, agent = client_for(data["admin"]), client_for(data["agent"])
    assert drilled(admin, "churn", "churned:2026-04") == {"=HYPERLINK(1)", "西一"}
    assert drilled(agent, "churn", "churned:2026-04") == {"=HYPERLINK(1)"}
    assert drilled(admin, "churn", "retained:2026-04") == {"东一"}
    assert drilled(admin, "conversion", "new:2026-04") == {"东三", "西二"}
    assert drilled(admin, "conversion", "converted:2026-04") == {"西二"}
    assert drilled(admin, "retention-rates", "repeat:2026-04") == {"东一", "西二"}
    assert drilled(admin, "purchase-cycle", "gap:14-29") == {"东一"}
    assert drilled(admin, "purchase-cycle", "gap:60-89") == {"西一"}
    assert drilled(admin, "channel-cost", "channel:phone") == {"东一", "东三"}
    assert drilled(admin, "cross-channel", "multichannel:2026-04") == {"东一"}
    west = str(data["west"].pk)
    one = {"from": "2026-03", "to": "2026-03"}
    assert drilled(admin, "revenue-by-region", f"region:{west}", **one) == {"西一"}
    # each bar's number is the length of its list
    for who in (admin, agent):
        churned = series(who, "retention", "churn", "Churned buyers")
        for m, n in churned.items():
            assert len(drilled(who, "churn", f"churned:{m}")) == n
        customers = series(who, "value", "value-tiers", "Revenue")
        for tier in customers:
            listed = drilled(who, "value-tiers", f"tier:{tier}")
            resp = who.get("/insights/charts/value-tiers/data.csv", RANGE)
            row = next(
                r for r in resp.content.decode("utf-8-sig").splitlines() if r.startswith(f"{tier},")
            )
            assert len(listed) == int(row.split(",")[-1])


def test_a_bad_point_or_month_is_a_400_not_a_500(data: dict[str, Any]) -> None:
    admin = client_for(data["admin"])
    resp = admin.get("/api/v1/dashboards/charts/churn/customers", {"point": "drop:table"})
    assert resp.status_code == 400 and resp.json()["code"] == "insights.bad_point"
    resp = admin.get("/insights/charts/churn/customers/", {"point": "tier:Z"})
    assert resp.status_code == 400
    resp = admin.get("/insights/dashboards/value/", {"from": "2026-13"})
    assert resp.status_code == 400
    assert admin.get("/insights/dashboards/nope/").status_code == 404
    assert admin.get("/api/v1/dashboards/nope").status_code == 404


def test_drill_page_links_customers_and_escapes_names(data: dict[str, Any]) -> None:
    CustomerFactory(region=data["east"], name="<b>x</b>", created_at=at(2026, 2, 3))
    page = client_for(data["admin"]).get(
        "/insights/charts/conversion/customers/", {**RANGE, "point": "new:2026-02"}
    )
    body = page.content.decode()
    assert "&lt;b&gt;x&lt;/b&gt;" in body and "<b>x</b>" not in body
    assert f"/customers/{data['w1'].pk}/" in body


def test_exports_neutralise_formulas(data: dict[str, Any]) -> None:
    admin = client_for(data["admin"])
    resp = admin.get("/insights/charts/conversion/customers.csv", {**RANGE, "point": "new:2026-03"})
    text = b"".join(resp.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text and ",=HYPERLINK" not in text
    # a region whose name looks like a formula, in a chart's CSV and XLSX
    odd = RegionFactory(code="odd", name="+SUM(1)")
    order(CustomerFactory(region=odd, created_at=at(2026, 1, 1)), at(2026, 3, 3), "10.00")
    engine.run(as_of=AS_OF)
    csv_text = admin.get("/insights/charts/revenue-by-region/data.csv", RANGE).content
    assert "'+SUM(1)" in csv_text.decode("utf-8-sig")
    xlsx = admin.get("/insights/charts/revenue-by-region/data.xlsx", RANGE)
    book = load_workbook(io.BytesIO(xlsx.content))
    cells = [c for row in book.active.iter_rows() for c in row]
    odd_cell = next(c for c in cells if "SUM" in str(c.value))
    assert odd_cell.value == "'+SUM(1)" and odd_cell.data_type == "s"


def test_run_panel_for_analysts_and_admins_only(data: dict[str, Any]) -> None:
    analyst = client_for(data["analyst"])
    page = analyst.get("/insights/dashboards/runs/")
    assert page.status_code == 200
    assert f'data-run="{InsightsRun.objects.first().pk}"' in page.content.decode()
    resp = analyst.post("/insights/dashboards/runs/start/")
    job = Job.objects.get(kind="insights.run")
    assert resp.status_code == 302 and resp["Location"].endswith(f"?job={job.pk}")
    assert 'data-testid="job-progress"' in analyst.get(resp["Location"]).content.decode()
    for user in (data["agent"], data["sales"]):
        client = client_for(user)
        assert client.get("/insights/dashboards/runs/").status_code == 403
        assert client.post("/insights/dashboards/runs/start/").status_code == 403
    assert Job.objects.filter(kind="insights.run").count() == 1


def test_anonymous_is_sent_to_log_in() -> None:
    client = Client()
    assert client.get("/insights/dashboards/value/").status_code == 302
    assert client.get("/api/v1/dashboards/value").status_code == 401
