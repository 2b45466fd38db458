"""The audit trail: changes and views of personal data leave rows that cannot be altered."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from hudong.core.models import AuditEntry
from hudong.customers import actions


@pytest.mark.django_db
def test_updating_a_customer_leaves_an_audit_row_with_before_and_after(
    agent_a: Any, customer_a: Any
) -> None:
    # Given an agent allowed to edit a customer of their region
    client = Client()
    client.force_login(agent_a)
    # When they change the job title through the API
    resp = client.patch(
        f"/api/v1/customers/{customer_a.pk}",
        data=json.dumps({"job_title": "采购经理"}),
        content_type="application/json",
    )
    # Then one update row records who, through what, and the change
    assert resp.status_code == 200
    row = AuditEntry.objects.get(action="update", model="customers.Customer")
    assert row.actor_id == agent_a.pk and row.actor_name == "agent-a"
    assert row.object_pk == str(customer_a.pk) and row.customer_id == customer_a.pk
    assert row.before == {"job_title": ""}
    assert row.after["job_title"] == "采购经理"
    assert row.via.startswith("API PATCH /api/v1/customers/")


@pytest.mark.django_db
@pytest.mark.parametrize("door", ["page", "api"])
def test_opening_a_customer_leaves_a_view_row(agent_a: Any, customer_a: Any, door: str) -> None:
    client = Client()
    client.force_login(agent_a)
    url = f"/customers/{customer_a.pk}/" if door == "page" else f"/api/v1/customers/{customer_a.pk}"
    assert client.get(url).status_code == 200
    row = AuditEntry.objects.get(action="view")
    assert (row.actor_id, row.customer_id) == (agent_a.pk, customer_a.pk)
    assert str(customer_a.pk) in row.via


@pytest.mark.django_db
def test_a_refused_view_is_not_recorded_as_a_view(agent_a: Any, customer_b: Any) -> None:
    client = Client()
    client.force_login(agent_a)
    assert client.get(f"/customers/{customer_b.pk}/").status_code == 404
    assert not AuditEntry.objects.filter(action="view").exists()


@pytest.mark.django_db
def test_create_and_delete_are_recorded_with_state(customer_a: Any) -> None:
    # Given a system-created customer (no actor)
    customer = actions.create_customer(
        user=None,
        name="赵敏",
        region_code=customer_a.region.code,
        identifiers=[("phone", "138 0013 8000")],
    )
    created = AuditEntry.objects.filter(
        action="create", model="customers.Customer", object_pk=str(customer.pk)
    ).get()
    assert created.after["name"] == "赵敏" and created.actor_name == "system"
    ident = AuditEntry.objects.get(action="create", model="customers.Identifier")
    assert ident.after["normalized"] == "+8613800138000"
    # When it is deleted
    pk = customer.pk
    customer.delete()
    # Then the delete keeps the full before-state
    deleted = AuditEntry.objects.get(action="delete", model="customers.Customer")
    assert deleted.object_pk == str(pk) and deleted.before["name"] == "赵敏"


@pytest.mark.django_db
def test_the_trail_is_append_only(customer_a: Any) -> None:
    customer_a.name = "改名"
    customer_a.save()
    row = AuditEntry.objects.filter(action="update").first()
    assert row is not None
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.update(actor_name="someone else")


@pytest.mark.django_db
def test_admin_browses_the_trail_and_agents_cannot(
    admin_user: Any, agent_a: Any, customer_a: Any
) -> None:
    customer_a.name = "浏览"
    customer_a.save()
    admin = Client()
    admin.force_login(admin_user)
    page = admin.get(f"/audit/?customer={customer_a.pk}")
    assert page.status_code == 200 and "customers.Customer" in page.content.decode()
    agent = Client()
    agent.force_login(agent_a)
    assert agent.get("/audit/").status_code in {302, 403}
