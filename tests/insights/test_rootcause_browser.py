"""Root cause in a real browser: an agent records a case's root cause with its shipment from
the case page; an analyst opens the analysis from the dashboards, sees the charts drawn and
the carrier that stands out flagged, and narrows it to delivery complaints."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hudong.commerce.models import Shipment
from hudong.core.models import Role
from hudong.service.models import Case, RootCause
from tests.factories import CarrierFactory, CustomerFactory, OrderFactory, make_user
from tests.service.conftest import open_case
from tests.web.conftest import Tab, browser, tab  # noqa: F401  (fixtures)
from tests.web.test_browser import _assert_clean, _goto, _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shipments(customer: Any, carrier: Any, n: int) -> list[Shipment]:
    shipped = timezone.now() - dt.timedelta(days=2)
    return [
        Shipment.objects.create(
            order=OrderFactory(customer=customer), carrier=carrier, shipped_at=shipped
        )
        for _ in range(n)
    ]


def test_agent_records_the_cause_and_the_analyst_sees_the_carrier_stand_out(
    tab: Tab,  # noqa: F811
    live_server: Any,
    region_a: Any,
) -> None:
    page = tab.page
    # Given a slow carrier (21 of 221 shipments) behind 10 of 15 delivery complaints
    customer = CustomerFactory(region=region_a)
    slow, fast = CarrierFactory(code="slow"), CarrierFactory(code="fast")
    slow_ships, fast_ships = _shipments(customer, slow, 20), _shipments(customer, fast, 200)
    late = RootCause.objects.get(code="carrier-late")
    for s in slow_ships[:9] + fast_ships[:5]:
        case = open_case(customer, code="delivery")
        Case.objects.filter(pk=case.pk).update(shipment=s, order=s.order, root_cause=late)
    agent = make_user(Role.AGENT, region_a, username="agent-rc")
    other = CustomerFactory(region=region_a)
    (parcel,) = _shipments(other, slow, 1)
    last = open_case(other, agent, code="delivery")
    # When the agent records the last complaint's cause on its case page
    _log_in(tab, live_server.url, agent.username)
    _goto(tab, f"{live_server.url}/service/cases/{last.pk}/")
    form = page.locator("[data-testid=root-cause-form]")
    form.locator("select[name=root_cause]").select_option("carrier-late")
    form.locator("select[name=shipment]").select_option(str(parcel.pk))
    with page.expect_navigation():
        form.locator("button[data-action=set-root-cause]").click()
    # Then the case page shows it
    expect(
        page.locator("[data-testid=root-cause-current] [data-code=carrier-late]")
    ).to_be_visible()
    _assert_clean(tab, "case page, root cause")
    tab.snap("root-cause-section")
    # And the analyst finds the analysis on the dashboards page
    analyst = make_user(Role.ANALYST, None, username="analyst-rc")
    page.context.clear_cookies()
    _log_in(tab, live_server.url, analyst.username)
    _goto(tab, f"{live_server.url}/insights/dashboards/")
    with page.expect_navigation():
        page.click("[data-testid=rootcause-link]")
    charts = page.locator("[data-dash-chart], [data-rc-daily]")
    for n in range(charts.count()):
        expect(charts.nth(n)).to_have_attribute("data-chart-ready", "true")
    flagged = page.locator("[data-testid=lift-carrier] tr[data-key=slow][data-significant=true]")
    expect(flagged).to_be_visible()
    # And narrows it to delivery complaints
    form = page.locator("[data-testid=rootcause-filters]")
    form.locator("select[name=category]").select_option("delivery")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "category=delivery" in page.url
    expect(page.locator("[data-testid=rootcause-total]")).to_contain_text("15")
    _assert_clean(tab, "root-cause analysis")
    tab.snap("root-cause-analysis")
