"""The screen pop's fast read, over real HTTP to the ASGI server as ``hudong serve`` runs it.

Given demo customers with their orders, shipments, returns, invoices, conversations, cases,
care tasks and value, a switch's ``GET /api/v1/identify`` answered by the fast read must be the
very answer the API gives through Django, for every role's scope; what the fast read does not
take (a name, a shared number, another region's customer, a bad token) is still answered by
the API as before; and every fast answer is audited like the API's.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.test import Client
from django.utils import timezone

from hudong.core.models import ApiToken, AuditEntry, Role
from hudong.customers import screenpop
from hudong.customers.models import Customer, Identifier
from hudong.demo.generator import generate
from hudong.insights.models import CustomerValue
from hudong.service.models import CareRule, CareTask
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)
AS_OF = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def server(asgi_server: str) -> str:
    return asgi_server


@pytest.fixture
def fast_answers(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each identify was answered by the fast read (True) or left to the API."""
    seen: list[bool] = []
    original = screenpop.answer

    def spy(*args: Any) -> Any:
        found = original(*args)
        seen.append(found is not None)
        return found

    monkeypatch.setattr(screenpop, "answer", spy)
    return seen


@pytest.fixture
def demo(tmp_path: Path) -> Any:
    """Given a demo database with history, plus value rows and care tasks for some customers."""
    generate(200, 7, as_of=AS_OF, truth_file=tmp_path / "truth.csv", progress=False)
    rule = CareRule.objects.create(name="回访", trigger="after_delivery", days=3)
    for k, customer in enumerate(Customer.objects.order_by("id")[:120]):
        CustomerValue.objects.create(
            customer=customer, tier="ABC"[k % 3], is_gold=k % 5 == 0, computed_at=timezone.now()
        )
        if k % 4 == 0:
            CareTask.objects.create(rule=rule, customer=customer, due_at=timezone.now())


def _phones(limit: int) -> list[str]:
    """Unshared mobiles of demo customers, written as a switch delivers them."""
    rows = Identifier.objects.filter(
        kind="phone", is_shared=False, normalized__startswith="+861", customer__merged_into=None
    ).order_by("id")[:limit]
    return [f"0086 {i.normalized.removeprefix('+86')}" for i in rows]


def _token(user: Any) -> str:
    return ApiToken.issue(user, "switch")[1]


def _django(token: str, q: str) -> Any:
    return Client().get("/api/v1/identify", {"q": q}, headers={"Authorization": f"Bearer {token}"})


def _fast(server: str, token: str, q: str) -> httpx.Response:
    return httpx.get(
        f"{server}/api/v1/identify",
        params={"q": q},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )


@pytest.mark.parametrize("role", ["admin", "agent", "sales"])
def test_the_fast_answer_is_the_apis_answer_for_every_scope(
    role: str, demo: Any, server: str, fast_answers: list[bool]
) -> None:
    # Given a user of this role (admin: everything; agent: a region; sales: own customers)
    region = Customer.objects.order_by("id").first().region  # type: ignore[union-attr]
    user = make_user(
        Role.ADMIN if role == "admin" else Role.AGENT if role == "agent" else Role.SALES,
        region,
        username=f"pop-{role}",
    )
    owned = list(Customer.objects.order_by("id").values_list("pk", flat=True)[:90])[::3]
    Customer.objects.filter(pk__in=owned).update(owner=user)
    token = _token(user)
    compared = found = 0
    for phone in _phones(60):
        # When the switch asks, and the API is asked the same through Django
        fast = _fast(server, token, phone)
        slow = _django(token, phone)
        # Then both answers are the same, field by field
        assert fast.status_code == slow.status_code == 200
        assert fast.json() == slow.json(), phone
        compared += 1
        found += fast.json()["status"] == "found"
    assert compared == 60 and found >= 10
    # and the fast read answered every found customer, the API the rest
    assert sum(fast_answers) == found


def test_the_fast_answer_speaks_the_callers_language(
    demo: Any, server: str, fast_answers: list[bool]
) -> None:
    # Given an integration that asks in English
    token = _token(make_user(Role.ADMIN, None, superuser=True, username="pop-en"))
    labels: set[str] = set()
    for phone in _phones(15):
        # When it asks, by the fast read and through Django
        fast = httpx.get(
            f"{server}/api/v1/identify",
            params={"q": phone},
            headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
        )
        slow = Client().get(
            "/api/v1/identify",
            {"q": phone},
            headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
        )
        # Then both answer alike, in English
        assert fast.json() == slow.json()
        assert fast.headers["content-language"] == "en"
        for question in (fast.json()["customer"] or {}).get("questions", []):
            labels |= {choice["label"] for choice in question["choices"]}
    assert any(fast_answers) and "WeChat" in labels


def test_rich_panels_come_back_filled(demo: Any, server: str, fast_answers: list[bool]) -> None:
    # Given the administrator's token and a customer with orders, conversations and value
    admin = make_user(Role.ADMIN, None, superuser=True, username="pop-root")
    token = _token(admin)
    customer = (
        Customer.objects.filter(
            orders__isnull=False, threads__isnull=False, care_tasks__isnull=False
        )
        .filter(identifiers__kind="phone", identifiers__is_shared=False)
        .distinct()
        .first()
    )
    assert customer is not None
    phone = customer.identifiers.filter(kind="phone", is_shared=False).first().normalized  # type: ignore[union-attr]
    # When the switch asks with the number written another way
    resp = _fast(server, token, f"+86-{phone[3:6]}-{phone[6:10]}-{phone[10:]}")
    # Then the fast read answered with the filled panels, and the view is audited once
    body = resp.json()
    assert fast_answers == [True]
    assert body["status"] == "found" and body["customer"]["id"] == customer.pk
    panels = body["customer"]["panels"]
    assert panels["orders"]["orders"] and panels["care_tasks"]["open"]
    assert panels["value"]["computed"] is True
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert AuditEntry.objects.filter(action="view", customer_id=customer.pk).count() == 1


def test_what_the_fast_read_does_not_take_is_answered_by_the_api(
    demo: Any, server: str, fast_answers: list[bool], region_b: Any
) -> None:
    # Given an agent of a region with no demo customers, and an administrator
    outsider = _token(make_user(Role.AGENT, region_b, username="pop-outsider"))
    admin = _token(make_user(Role.ADMIN, None, superuser=True, username="pop-root2"))
    phone = _phones(1)[0]
    # Then another region's customer is not found, a bad token is refused, a name is searched
    assert _fast(server, outsider, phone).json()["status"] == "none"
    refused = _fast(server, "not-a-token", phone)
    assert refused.status_code == 401
    name = Customer.objects.order_by("id").first().name  # type: ignore[union-attr]
    by_name = _fast(server, admin, name).json()
    assert by_name["status"] in {"found", "ambiguous"} and by_name["matched_on"] == "name"
    assert _fast(server, admin, "x" * 201).status_code == 422
    # all of them by the API, and the outsider's miss left no audit row of a view
    assert fast_answers == [False, False, False, False]
    # and a host the server is not set to answer for is refused by Django, unread
    forged = httpx.get(
        f"{server}/api/v1/identify",
        params={"q": phone},
        headers={"Authorization": f"Bearer {admin}", "Host": "evil.example"},
    )
    assert forged.status_code == 400 and len(fast_answers) == 4
    assert not AuditEntry.objects.filter(action="view", actor_name="pop-outsider").exists()


def test_a_revoked_token_stops_at_once(demo: Any, server: str) -> None:
    user = make_user(Role.ADMIN, None, superuser=True, username="pop-revoked")
    row, token = ApiToken.issue(user, "switch")
    phone = _phones(1)[0]
    assert _fast(server, token, phone).json()["status"] == "found"
    ApiToken.objects.filter(pk=row.pk).update(revoked_at=timezone.now())
    assert _fast(server, token, phone).status_code == 401


def test_the_fast_read_reads_a_fixed_number_of_rows_sets(demo: Any) -> None:
    """The fast read's SELECTs are pinned: a panel that adds an N+1 shows up here."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin = make_user(Role.ADMIN, None, superuser=True, username="pop-pin")
    token = _token(admin)
    phones = _phones(40)
    screenpop.answer(token, phones[0], "/api/v1/identify")  # compile the prepared reads
    counts = set()
    for phone in phones[1:]:
        with CaptureQueriesContext(connection) as captured:
            found = screenpop.answer(token, phone, "/api/v1/identify")
        if found is None or found["customer"]["kind"] != "person":
            continue
        counts.add(sum(q["sql"].startswith("SELECT") for q in captured.captured_queries))
    # token; identifiers; customer; its identifiers, addresses, attributes; open conversations,
    # open cases, value, care tasks, latest contacts, orders, last shipment, returns, invoices
    assert counts == {15}
