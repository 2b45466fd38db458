"""Service recovery (D4): actions with their cost, the customer informed, the outcome."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from hudong.core.errors import DomainError
from hudong.core.models import DomainEvent, Role
from hudong.interactions import consent
from hudong.service import recovery
from hudong.service.models import Case, RecoveryAction
from tests.factories import make_user
from tests.service.conftest import FakeSms, open_case
from tests.service.factories_recovery import S, closed_case, reachable_by_sms, resolved_case, walk

pytestmark = pytest.mark.django_db


def _code(exc: pytest.ExceptionInfo[DomainError]) -> str:
    return exc.value.code


def test_actions_are_listed_with_their_total_cost(case_a: Case, agent_a: Any) -> None:
    # Given an apology and a refund recorded on a case
    recovery.record_action(case_a, agent_a, kind="apology", note="电话致歉")
    recovery.record_action(case_a, agent_a, kind="refund", cost="59.9", note="退运费")
    # Then both are listed, oldest first, and their total is what they cost
    s = recovery.summary(case_a)
    assert [(a.kind, a.cost) for a in s.actions] == [
        ("apology", Decimal("0.00")),
        ("refund", Decimal("59.90")),
    ]
    assert s.total_cost == Decimal("59.90")
    # And each one published service.recovery_recorded with the running total
    last = DomainEvent.objects.filter(name="service.recovery_recorded").order_by("-occurred_at")
    assert last.first().payload["total_cost"] == "59.90"  # type: ignore[union-attr]


@pytest.mark.parametrize("cost", ["-1", "abc", "NaN", "Infinity", "100000.01", "1e9"])
def test_a_cost_out_of_bounds_is_refused(case_a: Case, agent_a: Any, cost: str) -> None:
    with pytest.raises(DomainError) as exc:
        recovery.record_action(case_a, agent_a, kind="coupon", cost=cost)
    assert _code(exc) == "recovery.bad_cost"
    assert not RecoveryAction.objects.exists()


def test_the_maximum_cost_is_a_setting(case_a: Case, agent_a: Any, settings: Any) -> None:
    settings.HUDONG_RECOVERY_MAX_COST = "500"
    with pytest.raises(DomainError):
        recovery.record_action(case_a, agent_a, kind="gift", cost="500.01")
    assert recovery.record_action(case_a, agent_a, kind="gift", cost="500").cost == Decimal("500")


def test_an_unknown_kind_is_refused(case_a: Case, agent_a: Any) -> None:
    with pytest.raises(DomainError) as exc:
        recovery.record_action(case_a, agent_a, kind="bribe")
    assert _code(exc) == "recovery.bad_kind"


def test_a_closed_case_takes_no_recovery(customer_a: Any, agent_a: Any) -> None:
    case = closed_case(customer_a, agent_a)
    with pytest.raises(DomainError) as exc:
        recovery.record_action(case, agent_a, kind="apology")
    assert (_code(exc), exc.value.status) == ("recovery.case_closed", 409)
    with pytest.raises(DomainError) as exc:
        recovery.inform_customer(case, agent_a)
    assert _code(exc) == "recovery.case_closed"


def test_the_outcome_waits_for_the_resolution(case_a: Case, agent_a: Any) -> None:
    with pytest.raises(DomainError) as exc:
        recovery.set_outcome(case_a, agent_a, "partial")
    assert (_code(exc), exc.value.status) == ("recovery.not_resolved", 409)


def test_recovered_needs_an_action_and_the_customer_informed(customer_a: Any, agent_a: Any) -> None:
    # Given a resolved case with nothing done yet
    case = resolved_case(customer_a, agent_a)
    # Then "recovered" needs an action first
    with pytest.raises(DomainError) as exc:
        recovery.set_outcome(case, agent_a, "recovered")
    assert _code(exc) == "recovery.needs_action"
    # And then the customer informed
    recovery.record_action(case, agent_a, kind="replacement", cost="120")
    with pytest.raises(DomainError) as exc:
        recovery.set_outcome(case, agent_a, "recovered")
    assert _code(exc) == "recovery.needs_informed"
    # When the customer is informed (by phone: no message), the outcome is accepted
    recovery.inform_customer(case, agent_a)
    recovery.set_outcome(case, agent_a, "recovered")
    case.refresh_from_db()
    assert case.recovery_outcome == "recovered" and case.customer_informed_at is not None
    # And "not recovered" needs neither (a customer who would not be won back)
    other = resolved_case(customer_a, agent_a)
    assert recovery.set_outcome(other, agent_a, "not_recovered").recovery_outcome == (
        "not_recovered"
    )


def test_the_outcome_can_be_set_after_closing(customer_a: Any, agent_a: Any) -> None:
    case = closed_case(customer_a, agent_a)
    assert recovery.set_outcome(case, agent_a, "partial").recovery_outcome == "partial"


def test_informing_with_a_message_sends_it_as_a_case_reply(
    sms: FakeSms, case_a: Case, customer_a: Any, agent_a: Any
) -> None:
    # Given a customer reachable by SMS
    reachable_by_sms(customer_a)
    # When the agent informs them with a message
    note = recovery.inform_customer(case_a, agent_a, "已为您补发商品并退还运费。")
    # Then it went out as a reply on the case, and the customer counts as informed
    [sent] = sms.sent
    assert sent.body == "已为您补发商品并退还运费。" and sent.purpose == "service"
    assert note is not None and not note.internal
    case_a.refresh_from_db()
    assert case_a.customer_informed_at is not None
    # And informing again keeps the first time
    first = case_a.customer_informed_at
    recovery.inform_customer(case_a, agent_a)
    case_a.refresh_from_db()
    assert case_a.customer_informed_at == first


def test_a_message_the_policy_refuses_does_not_count_as_informed(
    sms: FakeSms, case_a: Case, customer_a: Any, agent_a: Any
) -> None:
    # Given a customer who withdrew consent to service messages by SMS
    reachable_by_sms(customer_a)
    consent.record(
        customer_a, user=agent_a, purpose="service", granted=False, channel="sms", source="电话"
    )
    # When the agent tries to inform them by message
    with pytest.raises(DomainError) as exc:
        recovery.inform_customer(case_a, agent_a, "已补发")
    # Then nothing went out and the customer is not counted as informed
    assert _code(exc) in {"recovery.message_not_sent", "interactions.no_channel"}
    assert sms.sent == []
    case_a.refresh_from_db()
    assert case_a.customer_informed_at is None


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_api_records_lists_informs_and_sets_the_outcome(customer_a: Any, agent_a: Any) -> None:
    case = walk(open_case(customer_a, agent_a), agent_a, S.ACKNOWLEDGED, S.IN_PROGRESS)
    client = _client(agent_a)
    url = f"/api/v1/cases/{case.pk}/recovery"
    post = client.post(
        url,
        data=json.dumps({"kind": "coupon", "cost": "30.00", "note": "<b>优惠券</b>"}),
        content_type="application/json",
    )
    assert post.status_code == 201, post.content
    assert post.json()["kind"] == "coupon"
    assert client.post(
        f"{url}/informed", data=json.dumps({}), content_type="application/json"
    ).json()["customer_informed_at"]
    walk(case, agent_a, S.RESOLVED)
    put = client.put(
        f"{url}/outcome", data=json.dumps({"outcome": "recovered"}), content_type="application/json"
    )
    assert put.status_code == 200 and put.json()["outcome"] == "recovered"
    got = client.get(url).json()
    assert got["total_cost"] == "30.00" and len(got["actions"]) == 1


@pytest.mark.parametrize(
    "body",
    [{"kind": "coupon", "cost": "-5"}, {"kind": "coupon", "cost": "1e12"}, {"kind": "x"}, {}],
)
def test_the_api_answers_bad_input_with_a_problem_not_a_500(
    case_a: Case, agent_a: Any, body: dict[str, Any]
) -> None:
    resp = _client(agent_a).post(
        f"/api/v1/cases/{case_a.pk}/recovery",
        data=json.dumps(body),
        content_type="application/json",
    )
    assert resp.status_code in {400, 422}, resp.content
    assert not RecoveryAction.objects.exists()


def test_the_api_rule_errors_carry_their_code(customer_a: Any, agent_a: Any) -> None:
    case = resolved_case(customer_a, agent_a)
    resp = _client(agent_a).put(
        f"/api/v1/cases/{case.pk}/recovery/outcome",
        data=json.dumps({"outcome": "recovered"}),
        content_type="application/json",
    )
    assert (resp.status_code, resp.json()["code"]) == (422, "recovery.needs_action")


def test_the_case_page_shows_the_section_and_its_forms_work(customer_a: Any, agent_a: Any) -> None:
    # Given a case in progress
    case = walk(open_case(customer_a, agent_a), agent_a, S.ACKNOWLEDGED, S.IN_PROGRESS)
    client = _client(agent_a)
    # When the agent records a gift with a note a customer might have dictated
    resp = client.post(
        f"/service/cases/{case.pk}/recovery/",
        {"kind": "gift", "cost": "88.80", "note": "<script>alert(1)</script>"},
    )
    assert resp.status_code == 302
    client.post(f"/service/cases/{case.pk}/recovery/informed/", {"message": ""})
    # Then the case page lists it, escaped, with the total and the informed step
    page = client.get(f"/service/cases/{case.pk}/").content.decode()
    assert 'data-testid="recovery"' in page and "88.80" in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "✓" in page
    # And a refused rule comes back as a message with its code, not an error page
    walk(case, agent_a, S.RESOLVED, S.CLOSED)
    resp = client.post(
        f"/service/cases/{case.pk}/recovery/", {"kind": "gift", "cost": "1"}, follow=True
    )
    assert resp.status_code == 200 and "recovery.case_closed" in resp.content.decode()


ROUTES = [
    ("post", "/service/cases/{id}/recovery/", {"kind": "apology", "cost": "0"}),
    ("post", "/service/cases/{id}/recovery/informed/", {"message": ""}),
    ("post", "/service/cases/{id}/recovery/outcome/", {"outcome": "partial"}),
    ("get", "/api/v1/cases/{id}/recovery", None),
    ("json", "/api/v1/cases/{id}/recovery", {"kind": "apology", "cost": "0"}),
    ("json", "/api/v1/cases/{id}/recovery/informed", {"message": ""}),
    ("put", "/api/v1/cases/{id}/recovery/outcome", {"outcome": "partial"}),
    ("get", "/api/v1/cases/{id}/csat", None),
]


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
def test_an_agent_of_region_b_gets_404_and_changes_nothing(
    route: tuple[str, str, Any], customer_a: Any, region_b: Any
) -> None:
    # Given a case of region A and an agent of region B
    case = open_case(customer_a)
    outsider = make_user(Role.AGENT, region_b, username="agent-b")
    client = _client(outsider)
    method, url, body = route
    url = url.format(id=case.pk)
    # When they reach it through this door
    if method == "get":
        resp = client.get(url)
    elif method == "post":
        resp = client.post(url, body)
    else:
        call = client.put if method == "put" else client.post
        resp = call(url, data=json.dumps(body), content_type="application/json")
    # Then it does not exist for them, and nothing changed
    assert resp.status_code == 404
    case.refresh_from_db()
    assert case.customer_informed_at is None and case.recovery_outcome == ""
    assert not RecoveryAction.objects.exists()
