"""Merge and unmerge: one record after the merge, exactly the old records after the unmerge."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

from hudong.core.errors import DomainError, NotFound, PermissionDeniedError
from hudong.core.models import AuditEntry, Role
from hudong.customers import actions
from hudong.customers.models import Address, Attribute, Customer, Identifier, MergeRecord
from hudong.customers.resolution import ingest
from tests.factories import (
    CustomerFactory,
    InvoiceFactory,
    OrderFactory,
    ShipmentFactory,
    make_user,
)

# Logs and bookkeeping that a merge appends to by design; everything else must come back.
LOGS = {
    "core.AuditEntry",
    "core.DomainEvent",
    "core.EventDelivery",
    "core.Job",
    "customers.MergeRecord",
    "customers.MatchCandidate",
}


def dump() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table the application owns, ordered by id."""
    tables = {}
    for model in apps.get_models():
        label = model._meta.label
        if label in LOGS or not label.startswith(("customers.", "commerce.", "core.")):
            continue
        tables[label] = list(model._default_manager.order_by("pk").values())
    return tables


@pytest.fixture
def pair(region_a: Any) -> tuple[Customer, Customer]:
    """张伟 from the shop (phone) and 張偉 from the web (email), with history on both."""
    old = timezone.now() - dt.timedelta(days=400)
    shop = CustomerFactory(region=region_a, name="张伟", name_latin="", birth_date=None)
    web = CustomerFactory(
        region=region_a,
        name="張偉",
        name_latin="Zhang Wei",
        birth_date=dt.date(1988, 5, 1),
        job_title="工程师",
    )
    actions.add_identifier(shop, "phone", "13800138000")
    actions.add_identifier(shop, "phone", "010-6543 2100", shared=True)
    actions.add_identifier(web, "email", "zw@example.com")
    actions.add_identifier(web, "phone", "(010) 6543-2100", shared=True)
    Attribute.objects.create(customer=shop, key="hobby", value="钓鱼", verified_at=old)
    Attribute.objects.create(customer=web, key="hobby", value="摄影", source="web")
    Attribute.objects.create(customer=web, key="size", value="L")
    Address.objects.create(customer=web, city="北京", street="朝阳路1号")
    ShipmentFactory(order=OrderFactory(customer=shop))
    ShipmentFactory(order=OrderFactory(customer=web))
    InvoiceFactory(customer=web)
    CustomerFactory(region=region_a, name="同事", organization=web)
    return shop, web


@pytest.mark.django_db
def test_merge_keeps_one_record_with_everything(pair: Any) -> None:
    shop, web = pair
    # When the web record is merged into the shop record
    record = actions.merging.merge(shop, web)
    shop.refresh_from_db()
    # Then the kept record carries both histories and the blanks are filled
    assert shop.orders.count() == 2 and shop.invoices.count() == 1
    assert shop.birth_date == dt.date(1988, 5, 1) and shop.name_latin == "Zhang Wei"
    assert Customer.objects.get(pk=web.pk).merged_into_id == shop.pk
    assert Customer.objects.filter(organization=shop).count() == 1
    kinds = sorted(shop.identifiers.values_list("kind", "is_shared"))
    assert kinds == [("email", False), ("phone", False), ("phone", True)]  # household once
    # the fresher hobby wins; the other key moves over
    assert dict(shop.attributes.values_list("key", "value")) == {"hobby": "摄影", "size": "L"}
    assert AuditEntry.objects.filter(action="merge", customer_id=shop.pk).exists()
    assert record.before["deleted"]


@pytest.mark.django_db
def test_unmerge_restores_the_database_exactly(pair: Any) -> None:
    shop, web = pair
    before = dump()
    record = actions.merging.merge(shop, web)
    assert dump() != before
    actions.merging.unmerge(record)
    after = dump()
    for table in before:
        assert after[table] == before[table], table
    assert AuditEntry.objects.filter(action="unmerge", customer_id=web.pk).exists()
    assert MergeRecord.objects.get(pk=record.pk).undone_at is not None


@pytest.mark.django_db
def test_unmerge_twice_or_after_a_later_merge_is_refused(pair: Any, region_a: Any) -> None:
    shop, web = pair
    record = actions.merging.merge(shop, web)
    third = CustomerFactory(region=region_a, name="张伟")
    later = actions.merging.merge(third, shop)
    with pytest.raises(DomainError) as err:
        actions.merging.unmerge(record)
    assert err.value.code == "customers.unmerge_blocked"
    actions.merging.unmerge(later)
    actions.merging.unmerge(record)
    with pytest.raises(DomainError) as err:
        actions.merging.unmerge(record)
    assert err.value.code == "customers.unmerge_done"


@pytest.mark.django_db
def test_a_shared_household_number_never_merges_on_ingest(region_a: Any) -> None:
    # Given a mother known by the household landline
    mother = CustomerFactory(region=region_a, name="王芳")
    actions.add_identifier(mother, "phone", "010-6543 2100", shared=True)
    # When her son arrives with the same landline (and his own mobile)
    result = ingest.ingest(
        [
            ingest.Incoming("phone", "+86 10 65432100", shared=True),
            ingest.Incoming("phone", "139 0000 2222"),
        ],
        create={"name": "王磊", "region_code": region_a.code},
    )
    # Then he is a new customer, and the mother is untouched
    assert result.created and result.customer.pk != mother.pk and not result.merges
    assert Customer.objects.get(pk=mother.pk).merged_into_id is None


@pytest.mark.django_db
def test_ingest_merges_records_proven_to_be_one_person(region_a: Any) -> None:
    # Given the phone on one record and the email on another
    a = CustomerFactory(region=region_a, name="张伟")
    b = CustomerFactory(region=region_a, name="Zhang Wei")
    actions.add_identifier(a, "phone", "13800138000")
    actions.add_identifier(b, "email", "zw@example.com")
    # When a contact arrives with both
    result = ingest.ingest(
        [ingest.Incoming("phone", "+86 138 0013 8000"), ingest.Incoming("email", "ZW@example.com")],
        create={"name": "张伟", "region_code": region_a.code},
    )
    # Then they are one customer (the older record), and nothing new was created
    assert not result.created and result.customer.pk == a.pk
    assert len(result.merges) == 1 and result.merges[0].reason == "deterministic"
    assert Identifier.objects.filter(customer=a).count() == 2


@pytest.mark.django_db
def test_users_cannot_merge_outside_their_scope(
    pair: Any, region_a: Any, region_b: Any, agent_a: Any, customer_b: Any
) -> None:
    shop, web = pair
    supervisor = make_user(Role.SUPERVISOR, region_a, username="sup-a")
    # An agent may see both records but holds no merge privilege
    with pytest.raises(PermissionDeniedError):
        actions.merge_customers(agent_a, shop.pk, web.pk)
    # A supervisor of region A cannot reach a region-B record: it does not exist for them
    with pytest.raises(NotFound):
        actions.merge_customers(supervisor, shop.pk, customer_b.pk)
    record = actions.merge_customers(supervisor, shop.pk, web.pk)
    supervisor_b = make_user(Role.SUPERVISOR, region_b, username="sup-b")
    with pytest.raises(NotFound):
        actions.unmerge(supervisor_b, record.pk)
    actions.unmerge(supervisor, record.pk)


@pytest.mark.django_db
def test_a_person_and_an_organization_do_not_merge(region_a: Any) -> None:
    person = CustomerFactory(region=region_a)
    org = CustomerFactory(region=region_a, kind="organization")
    with pytest.raises(DomainError) as err:
        actions.merging.merge(person, org)
    assert err.value.code == "customers.merge_kind_mismatch"
