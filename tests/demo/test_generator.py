"""The demo generator: deterministic, realistic enough for the analytics that will read it."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import phonenumbers
import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Sum
from pypinyin import lazy_pinyin

from hudong.commerce.models import Invoice, Order, OrderLine, Shipment
from hudong.customers.models import Address, Customer, Identifier
from hudong.customers.names import fold
from hudong.customers.normalize import normalize
from hudong.demo.generator import generate

pytestmark = pytest.mark.django_db(transaction=True)  # the loader runs its own transactions

AS_OF = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
CUSTOMERS = 300
SEED = 7


@pytest.fixture
def demo(tmp_path: Path) -> Any:
    """Given a fresh database, when 300 demo customers are generated with a fixed seed."""
    return generate(CUSTOMERS, SEED, as_of=AS_OF, truth_file=tmp_path / "truth.csv", progress=False)


def digest() -> str:
    """Everything that matters about the generated rows, without database-assigned ids."""
    h = hashlib.sha256()
    for row in Customer.objects.order_by("id").values_list(
        "id", "kind", "name", "name_latin", "gender", "birth_date", "region__code",
        "owner__username", "organization_id", "credit_limit", "created_at",
    ):  # fmt: skip
        h.update(repr(row).encode())
    for row in Identifier.objects.order_by("id").values_list(
        "customer_id", "kind", "value", "normalized", "is_shared", "verified_at"
    ):
        h.update(repr(row).encode())
    for row in Order.objects.order_by("id").values_list(
        "customer_id", "number", "total", "ordered_at", "status"
    ):
        h.update(repr(row).encode())
    for row in Shipment.objects.order_by("id").values_list(
        "order_id", "carrier__code", "shipped_at", "promised_at", "delivered_at", "status"
    ):
        h.update(repr(row).encode())
    for row in Invoice.objects.order_by("id").values_list("order_id", "amount", "due_at", "status"):
        h.update(repr(row).encode())
    return h.hexdigest()


def read_truth(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_same_seed_gives_identical_rows(tmp_path: Path) -> None:
    # given a first run, snapshotted
    generate(CUSTOMERS, SEED, as_of=AS_OF, truth_file=tmp_path / "a.csv", progress=False)
    first = digest()
    # when the database is emptied and the same size and seed run again
    call_command("flush", interactive=False, verbosity=0)
    generate(CUSTOMERS, SEED, as_of=AS_OF, truth_file=tmp_path / "b.csv", progress=False)
    # then every row and the truth file are the same
    assert digest() == first
    assert (tmp_path / "a.csv").read_text() == (tmp_path / "b.csv").read_text()
    assert Customer.objects.count() == CUSTOMERS


def test_another_seed_gives_other_rows(tmp_path: Path) -> None:
    generate(CUSTOMERS, SEED, as_of=AS_OF, truth_file=tmp_path / "a.csv", progress=False)
    first = digest()
    call_command("flush", interactive=False, verbosity=0)
    generate(CUSTOMERS, SEED + 1, as_of=AS_OF, truth_file=tmp_path / "b.csv", progress=False)
    assert digest() != first


def test_customers_mix_people_organizations_and_languages(demo: Any) -> None:
    people = Customer.objects.filter(kind="person")
    orgs = Customer.objects.filter(kind="organization")
    assert 0.85 < people.count() / CUSTOMERS < 0.95
    assert orgs.exclude(industry="").count() == orgs.count()
    assert people.filter(organization__isnull=False).exists()
    english = people.filter(language="en").count() / people.count()
    assert 0.08 < english < 0.3
    # pinyin of Chinese names, from pypinyin
    for c in people.filter(language="zh-hans")[:50]:
        assert c.name_latin.replace(" ", "").lower() == "".join(lazy_pinyin(c.name)) or (
            "曾" in c.name
        )
    assert Customer.objects.filter(owner__isnull=False).exists()
    regions = Customer.objects.values("region__code").annotate(n=Count("id"))
    counts = sorted(r["n"] for r in regions)
    assert len(counts) == 4 and counts[-1] > 2 * counts[0]  # uneven spread


def test_identifiers_are_stored_as_normalize_would_store_them(demo: Any) -> None:
    identifiers = list(Identifier.objects.all())
    assert {i.kind for i in identifiers} == {"phone", "email", "wechat", "loyalty", "erp"}
    for i in identifiers:
        assert normalize(i.kind, i.value) == i.normalized, i.value
        if i.kind == "phone":
            assert phonenumbers.is_valid_number(phonenumbers.parse(i.normalized))
    raw_styles = {i.value for i in identifiers if i.kind == "phone"} - {
        i.normalized for i in identifiers
    }
    assert any(" " in v for v in raw_styles) and any(v.startswith("0086") for v in raw_styles)


def test_truth_file_lists_planted_duplicates_that_really_look_alike(demo: Any) -> None:
    rows = read_truth(demo.truth_file)
    dups = [r for r in rows if r["kind_of_duplicate"] != "household_not_duplicate"]
    assert 0.03 * CUSTOMERS <= len(dups) <= 0.05 * CUSTOMERS
    customers = Customer.objects.in_bulk(
        [int(r[k]) for r in dups for k in ("customer_id", "duplicate_of_id")]
    )
    keys = identifier_keys()
    for r in dups:
        a, b = customers[int(r["customer_id"])], customers[int(r["duplicate_of_id"])]
        assert a.id != b.id
        shared_key = keys[a.id] & keys[b.id]
        assert similar_names(a, b) or shared_key, (r, a.name, b.name)
        # the duplicate does not hold the same unshared key: it would have been matched
        assert not shared_key


def test_every_planted_duplicate_shares_a_fact_beyond_the_name(demo: Any) -> None:
    # given the planted duplicates (households are not duplicates)
    rows = read_truth(demo.truth_file)
    dups = [r for r in rows if r["kind_of_duplicate"] != "household_not_duplicate"]
    ids = [int(r[k]) for r in dups for k in ("customer_id", "duplicate_of_id")]
    customers = Customer.objects.in_bulk(ids)
    places: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for cid, kind, city, street in Address.objects.filter(
        customer_id__in=ids, kind__in=("home", "work")
    ).values_list("customer_id", "kind", "city", "street"):
        places[cid].append((kind, city, fold(street)))

    def same_place(dup: int, original: int, kind: str) -> bool:
        # written the same or slightly differently: full-width digits, 號, district in front
        return any(
            k == kind == ko and c == co and (s.endswith(so) if kind == "home" else s in ("", so))
            for k, c, s in places[dup]
            for ko, co, so in places[original]
        )

    both = birth_only = home_only = 0
    for r in dups:
        dup, original = int(r["customer_id"]), int(r["duplicate_of_id"])
        a, b = customers[dup], customers[original]
        if a.kind == "organization":
            # then a company's duplicate keeps its work address or at least its city
            assert same_place(dup, original, "work"), r
            continue
        birth = a.birth_date is not None and a.birth_date == b.birth_date
        home = same_place(dup, original, "home")
        # then a person's duplicate keeps the birth date or the home address, or both
        assert birth or home, (r, a.name, b.name)
        both += birth and home
        birth_only += birth and not home
        home_only += home and not birth
    people = both + birth_only + home_only
    assert people and both < birth_only and both < home_only  # rarely both, never neither


def identifier_keys() -> dict[int, set[tuple[str, str]]]:
    keys: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for cid, kind, norm in Identifier.objects.filter(is_shared=False).values_list(
        "customer_id", "kind", "normalized"
    ):
        keys[cid].add((kind, norm))
    return keys


def similar_names(a: Customer, b: Customer) -> bool:
    def squash(text: str) -> str:
        return "".join(ch for ch in text.lower() if ch.isalnum())

    pa, pb = squash(a.name_latin), squash(b.name_latin)
    if pa == pb or sorted(a.name_latin.lower().split()) == sorted(b.name_latin.lower().split()):
        return True  # same pinyin: typo by homophone, characters vs pinyin, traditional
    if a.kind == "organization":  # legal suffix dropped or moved
        core = min(a.name, b.name, key=len).replace("(", "").replace(")", "")
        return core[:2] in max(a.name, b.name, key=len) or squash(a.name) in squash(b.name)
    distance = levenshtein(pa, pb)
    return distance <= 2  # one keyboard slip in a Latin name


def levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def test_household_phones_are_shared_by_different_people_who_are_not_duplicates(
    demo: Any,
) -> None:
    shared = defaultdict(set)
    for cid, norm in Identifier.objects.filter(is_shared=True).values_list(
        "customer_id", "normalized"
    ):
        shared[norm].add(cid)
    assert shared and all(2 <= len(ids) <= 3 for ids in shared.values())
    rows = read_truth(demo.truth_file)
    dup_pairs = {
        frozenset((int(r["customer_id"]), int(r["duplicate_of_id"])))
        for r in rows
        if r["kind_of_duplicate"] != "household_not_duplicate"
    }
    household_pairs = {
        frozenset((int(r["customer_id"]), int(r["duplicate_of_id"])))
        for r in rows
        if r["kind_of_duplicate"] == "household_not_duplicate"
    }
    for ids in shared.values():
        people = Customer.objects.in_bulk(list(ids))
        assert len({p.name for p in people.values()}) == len(ids)  # different people
        for a in ids:
            for b in ids - {a}:
                assert frozenset((a, b)) not in dup_pairs
    assert any(pair <= ids for ids in shared.values() for pair in household_pairs)


def test_small_carrier_is_rare_and_often_late(demo: Any) -> None:
    shipments = list(
        Shipment.objects.exclude(status="pending").values_list(
            "carrier__code", "promised_at", "delivered_at"
        )
    )
    late: dict[str, list[bool]] = defaultdict(list)
    for code, promised, delivered in shipments:
        late[code].append((delivered or AS_OF) > promised)
    assert len(late) == 6
    share = len(late["suda"]) / len(shipments)
    assert 0.015 < share < 0.05
    suda = sum(late["suda"]) / len(late["suda"])
    others = [x for code, xs in late.items() if code != "suda" for x in xs]
    assert suda > 0.3 and suda > 4 * (sum(others) / len(others))


def test_spend_is_heavy_tailed_and_orders_add_up(demo: Any) -> None:
    revenue = sorted(
        (r["s"] for r in Order.objects.values("customer_id").annotate(s=Sum("total"))),
        reverse=True,
    )
    top = revenue[: len(revenue) // 5]
    assert sum(top) / sum(revenue) > Decimal("0.55")
    per_customer = Order.objects.count() / CUSTOMERS
    assert 2.5 < per_customer < 7
    lines = defaultdict(Decimal)
    for order_id, qty, price in OrderLine.objects.values_list("order_id", "quantity", "unit_price"):
        lines[order_id] += qty * price
    assert all(lines[o.id] == o.total for o in Order.objects.only("id", "total"))


def test_some_invoices_are_overdue_and_most_are_paid(demo: Any) -> None:
    invoices = Invoice.objects.all()
    overdue = invoices.filter(status="open", due_at__lt=AS_OF).count()
    assert overdue > 0
    assert invoices.filter(status="paid").count() / invoices.count() > 0.8


def test_if_empty_leaves_existing_customers_alone(demo: Any, tmp_path: Path) -> None:
    before = Customer.objects.count()
    call_command("demo", customers=50, seed=1, if_empty=True, verbosity=0)
    assert Customer.objects.count() == before


def schema() -> dict[str, Any]:
    with connection.cursor() as cursor:
        return {
            table: connection.introspection.get_constraints(cursor, table)
            for table in connection.introspection.table_names(cursor)
            if table.startswith(("customers_", "commerce_"))
        }


def test_the_load_leaves_indexes_and_constraints_as_migrations_made_them(tmp_path: Path) -> None:
    # given the schema of a freshly migrated database
    before = schema()
    # when demo data is loaded (indexes and foreign keys are rebuilt after the load)
    generate(50, SEED, as_of=AS_OF, truth_file=tmp_path / "t.csv", progress=False)
    # then the schema is the same, and a new customer gets an id after the loaded ones
    assert schema() == before
    last = Customer.objects.order_by("-id").first()
    new = Customer.objects.create(name="新客户", region=last.region)
    assert new.id > last.id


def test_a_failed_load_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a database and a load that breaks in its last stage
    before = schema()

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk full")

    monkeypatch.setattr("hudong.demo.commerce.billing", broken)
    # when it runs
    with pytest.raises(RuntimeError):
        generate(60, SEED, as_of=AS_OF, truth_file=tmp_path / "t.csv", progress=False)
    # then no row stays, the indexes are back, and no truth file claims anything
    assert not Customer.objects.exists() and not Order.objects.exists()
    assert schema() == before
    assert not (tmp_path / "t.csv").exists()
