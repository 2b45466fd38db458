"""The value/CLV panel and the open-tasks panel on the 360 view and in its API payload."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from hudong.insights.playbook import actions
from tests.insights.factories_playbook import value

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_value_panel_on_the_page_and_in_the_360_payload(agent_a: Any, customer_a: Any) -> None:
    value(
        customer_a,
        "A",
        revenue=12000,
        profit=3000,
        is_gold=True,
        is_mvc=True,
        r_score=5,
        f_score=4,
        m_score=5,
        rfm="545",
        clv=Decimal("8800.50"),
        clv_low=Decimal("7000"),
        clv_high=Decimal("9900"),
        p_alive=0.93,
        expected_purchases=4.2,
    )
    client = login(agent_a)
    body = client.get(f"/customers/{customer_a.pk}/").content.decode()
    assert 'data-panel="value"' in body and 'data-tier="A"' in body
    assert (
        'data-list="gold"' in body and 'data-list="mvc"' in body and 'data-list="bzc"' not in body
    )
    assert "8800.50" in body and "7000.00" in body and "93%" in body
    panel = client.get(f"/api/v1/customers/{customer_a.pk}/360").json()["panels"]["value"]
    assert panel["computed"] is True and panel["tier"] == "A"
    assert panel["lists"] == ["gold", "mvc"] and panel["clv"] == "8800.50"
    assert panel["p_alive"] == 0.93 and panel["rfm"] == "545"
    assert "open_tasks" not in client.get(f"/api/v1/customers/{customer_a.pk}/360").json()["panels"]


def test_value_panel_says_not_computed_yet(agent_a: Any, customer_a: Any) -> None:
    client = login(agent_a)
    body = client.get(f"/customers/{customer_a.pk}/").content.decode()
    assert 'data-testid="value-none"' in body and "Not computed yet" in body
    payload = client.get(f"/api/v1/customers/{customer_a.pk}/360").json()
    assert payload["panels"]["value"] == {"computed": False}


def test_open_tasks_panel(agent_a: Any, customer_a: Any) -> None:
    actions.create_tasks(agent_a, [customer_a.pk], title="<script>x</script>回访")
    (done,) = actions.create_tasks(agent_a, [customer_a.pk], title="已完成的")
    actions.complete_task(agent_a, done.pk)
    body = login(agent_a).get(f"/customers/{customer_a.pk}/").content.decode()
    assert 'data-panel="open_tasks"' in body
    assert "&lt;script&gt;x&lt;/script&gt;回访" in body and "已完成的" not in body
