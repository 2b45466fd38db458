"""The Service dashboard in a real browser: a supervisor opens it from the dashboards' tabs,
every chart draws, the sortable agent table and the retention report open from its links."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hudong.core.models import Role
from hudong.service.models import Case
from tests.factories import CustomerFactory, OrderFactory, make_user
from tests.service.conftest import open_case
from tests.web.conftest import Tab, browser, tab  # noqa: F401  (fixtures)
from tests.web.test_browser import _assert_clean, _goto, _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _cases(region: Any) -> Any:
    """Two agents of the region with resolved cases this month, one of them closed and
    recovered, a CSAT answer, and a customer who bought again."""
    agent = make_user(Role.AGENT, region, username="wang")
    other = make_user(Role.AGENT, region, username="li")
    customer = CustomerFactory(region=region, name="<b>赵</b>")
    now = timezone.now()
    for user, fields in (
        (agent, {"csat_score": 5, "status": "closed", "closed_at": now - dt.timedelta(hours=2),
                 "recovery_outcome": "recovered"}),
        (agent, {"transfer_count": 1, "csat_score": 3}),
        (other, {"escalated_at": now - dt.timedelta(hours=3)}),
    ):  # fmt: skip
        case = open_case(customer, user)
        fields.setdefault("status", "resolved")
        Case.objects.filter(pk=case.pk).update(
            assignee=user, resolved_at=now - dt.timedelta(hours=1), **fields
        )
    OrderFactory(customer=customer, ordered_at=now - dt.timedelta(minutes=30))
    return agent


def test_a_supervisor_reads_the_service_dashboard(
    tab: Tab,  # noqa: F811
    live_server: Any,
    region_a: Any,
) -> None:
    page = tab.page
    _cases(region_a)
    supervisor = make_user(Role.SUPERVISOR, region_a, username="sup-service")
    _log_in(tab, live_server.url, supervisor.username)
    _goto(tab, f"{live_server.url}/insights/dashboards/")
    with page.expect_navigation():
        page.click("[data-testid=dashboard-tabs] a[data-dashboard=service]")
    charts = page.locator("[data-dash-chart]")
    expect(charts.first).to_have_attribute("data-chart-ready", "true")
    for n in range(charts.count()):
        expect(charts.nth(n)).to_have_attribute("data-chart-ready", "true")
    expect(page.locator("[data-testid=no-run]")).to_have_count(0)
    table = page.locator("[data-testid=table-service-agents]")
    expect(table.locator("tr:has(th:text-is('wang')) td").first).to_have_text("50.0")
    tab.snap("dashboard-service")
    _assert_clean(tab, "service dashboard")
    # The sortable table: by first-contact resolution, best first
    with page.expect_navigation():
        page.click("[data-testid=dashboard-links] a[href*='/service/agents/']")
    rows = page.locator("[data-testid=agent-measures] tbody tr")
    expect(rows).to_have_count(3)  # the two agents and the supervisor (no cases: last)
    with page.expect_navigation():
        page.click("[data-testid=agent-measures] a[data-sort=fcr_rate]")
    with page.expect_navigation():
        page.click("[data-testid=agent-measures] a[data-sort=fcr_rate]")
    expect(rows.first).to_have_attribute("data-key", "li")
    _assert_clean(tab, "agent measures table")
    # The retention report draws its chart
    _goto(tab, f"{live_server.url}/insights/service/retention/?from={dt.date.today()}&days=30")
    expect(page.locator("[data-dash-chart]")).to_have_attribute("data-chart-ready", "true")
    expect(
        page.locator("[data-testid=retention-table] tr[data-group=recovered] td").first
    ).to_have_text("1")
    tab.snap("service-retention")
    _assert_clean(tab, "retention report")
