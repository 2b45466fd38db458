"""The dashboards in a real browser, in both languages: open each dashboard, change a
filter, drill down from a chart's number to the customers behind it, start a run."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from hudong.core.models import Role
from hudong.insights import engine
from hudong.insights.kpis import facts  # noqa: F401  (registers the after-run hook)
from tests.factories import make_user
from tests.insights.factories_dashboards import AS_OF, shop
from tests.web.conftest import Tab, browser, tab  # noqa: F401  (fixtures)
from tests.web.test_browser import OTHER, _assert_clean, _log_in, _switch_language

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BOARDS = ("value", "retention", "channels", "consumption")


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_analyst_opens_filters_and_drills_down(
    tab: Tab,  # noqa: F811
    live_server: Any,
    lang: str,
) -> None:
    page = tab.page
    s = shop()
    engine.run(as_of=AS_OF)
    analyst = make_user(Role.ANALYST, None, username=f"analyst-{lang}")
    _log_in(tab, live_server.url, analyst.username)
    if lang == "en":  # the browser asks for English: reach it from the other language
        _switch_language(tab, OTHER[lang])
    _switch_language(tab, lang)
    # Each dashboard opens from the navigation and draws every chart
    with page.expect_navigation():
        page.click("nav.mainnav a[data-nav=dashboards]")
    for board in BOARDS:
        with page.expect_navigation():
            page.click(f"[data-testid=dashboard-tabs] a[data-dashboard={board}]")
        charts = page.locator("[data-dash-chart]")
        expect(charts.first).to_have_attribute("data-chart-ready", "true")
        for n in range(charts.count()):
            expect(charts.nth(n)).to_have_attribute("data-chart-ready", "true")
        tab.snap(f"dashboard-{board}-{lang}")
        _assert_clean(tab, f"dashboard {board} ({lang})")
    # Change the filter: the first half of 2026, region East
    with page.expect_navigation():
        page.click("[data-testid=dashboard-tabs] a[data-dashboard=retention]")
    form = page.locator("[data-testid=dashboard-filters]")
    form.locator("input[name=from]").fill("2026-01")
    form.locator("input[name=to]").fill("2026-06")
    form.locator("select[name=region]").select_option("east")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "region=east" in page.url
    churn = page.locator("[data-testid=table-churn]")
    april = churn.locator("tr:has(th:text-is('2026-04'))")
    expect(april.locator("td").nth(1)).to_have_text("1")  # e2 left East in April
    _assert_clean(tab, f"filtered dashboard ({lang})")
    # Drill down from that number to the customer behind it
    with page.expect_navigation():
        april.locator("td").nth(1).locator("a[data-drill]").click()
    rows = page.locator("[data-testid=drill-customers] tbody tr[data-customer]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("=HYPERLINK(1)")
    with page.expect_navigation():
        rows.first.locator("a").click()
    assert page.url.rstrip("/").endswith(f"/customers/{s['e2'].pk}")
    _assert_clean(tab, f"drill-down ({lang})")


def test_a_bar_click_opens_its_customers_and_run_now_shows_progress(
    tab: Tab,  # noqa: F811
    live_server: Any,
) -> None:
    page = tab.page
    shop()
    engine.run(as_of=AS_OF)
    admin = make_user(Role.ADMIN, None, superuser=True, username="root-dash")
    _log_in(tab, live_server.url, admin.username)
    page.goto(f"{live_server.url}/insights/dashboards/value/?from=2026-01&to=2026-06")
    chart = page.locator("[data-testid=chart-value-tiers] [data-dash-chart]")
    expect(chart).to_have_attribute("data-chart-ready", "true")
    # click the middle of the tallest bar
    boxes = [
        b for b in (p.bounding_box() for p in chart.locator("path[fill]").all()) if b is not None
    ]
    box = max((b for b in boxes if b["width"] < 200), key=lambda b: b["height"])
    assert box["height"] > 5
    with page.expect_navigation():
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert "/insights/charts/value-tiers/customers/" in page.url and "point=tier" in page.url
    _assert_clean(tab, "bar click")
    # Run now: the job's progress shows on the runs page
    page.goto(f"{live_server.url}/insights/dashboards/runs/")
    with page.expect_navigation():
        page.click("[data-testid=run-now]")
    expect(page.locator("[data-testid=job-progress]")).to_be_visible()
    expect(page.locator("[data-testid=runs] tbody tr[data-run]").first).to_be_visible()
    _assert_clean(tab, "runs page")
