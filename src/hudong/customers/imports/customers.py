"""Customers and organizations: find-or-create in bulk, with exactly ``ingest()``'s outcome.

For each chunk the identifiers of all rows are looked up in one pass; then, row by row in file
order, a row whose identifiers belong to nobody creates a customer, a row whose identifiers
all point at one customer lands on that customer (adding the identifiers it lacks), and a row
whose identifiers point at several customers proves they are one person: the pending writes
are flushed and that row goes through :func:`hudong.customers.resolution.ingest.ingest`, which
merges them losslessly. That is what calling ``ingest()`` on every row would do, without a
query per row.

An existing customer is never overwritten: the file fills what the record lacks (the "fill"
rule of merges), so running the same file again, or a file where two rows reach one customer,
changes nothing the second time. New customers keep the import's ``source`` (a partner list
exchange names its partner); so do the identifiers and addresses it adds.

Audit: bulk writes skip the model signals, so each flush writes one audit row for the customers
it created (on the job, listing their ids) and one per existing customer it changed (before
and after, like the signal would). Domain events: one ``customers.imported`` per flush.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hudong.core import audit, events, scoping
from hudong.core.context import current_actor
from hudong.core.errors import DomainError
from hudong.core.models import Job, Region
from hudong.core.models.audit import AuditAction, AuditEntry
from hudong.customers.imports import bulk, customer_rows, registry
from hudong.customers.imports.base import Context, Importer, Item
from hudong.customers.imports.customer_rows import ADDRESS_FIELDS, FILL_FIELDS, Parsed
from hudong.customers.imports.readers import Row
from hudong.customers.models import Address, Customer, Identifier
from hudong.customers.resolution.ingest import Incoming, ingest

Key = tuple[str, str]
LOOKUP_BATCH = 2000
_LOADED = ("id", "kind", "region_id", "owner_id", "organization_id", "is_target_account")
_KEPT = (*_LOADED, *FILL_FIELDS)  # what a target remembers of its customer


@dataclass(eq=False, slots=True)
class Target:
    """A customer rows land on: one already stored (``pk``), or one this chunk creates."""

    pk: int | None
    kind: str
    region_id: int
    owner_id: int | None
    values: dict[str, Any]
    keys: set[Key] = field(default_factory=set)
    addresses: set[tuple[str, ...]] = field(default_factory=set)
    create: dict[str, Any] | None = None  # the new customer's fields, until written
    before: dict[str, Any] = field(default_factory=dict)
    changed: dict[str, Any] = field(default_factory=dict)
    added: list[str] = field(default_factory=list)


def _blank(value: Any) -> bool:
    return value in (None, "", 0)


def _owners(kind: str, keys: list[str]) -> list[tuple[str, str, int, bool]]:
    """(kind, key, customer id, shared) of current customers' identifiers with these keys.
    Plain SQL: the ORM's cost of building a 2,000-value IN list dominated the lookup."""
    qn = connection.ops.quote_name
    ident, cust = Identifier._meta.db_table, Customer._meta.db_table
    marks = ", ".join(["%s"] * len(keys))
    sql = (
        f"SELECT i.kind, i.normalized, i.customer_id, i.is_shared FROM {qn(ident)} i"
        f" JOIN {qn(cust)} c ON c.id = i.customer_id"
        f" WHERE i.kind = %s AND i.normalized IN ({marks}) AND c.merged_into_id IS NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [kind, *keys])
        return [(k, n, int(c), bool(s)) for k, n, c, s in cursor.fetchall()]


def _select(
    model: type[models.Model], key: str, ids: list[int], names: tuple[str, ...]
) -> list[dict[str, Any]]:
    """Rows of ``model`` whose ``key`` column is one of ``ids``, as dicts of python values."""
    qn = connection.ops.quote_name
    fields = [model._meta.get_field(n.removesuffix("_id")) for n in names]
    converters = [_converter(f) for f in fields]
    marks = ", ".join(["%s"] * len(ids))
    columns = ", ".join(qn(str(getattr(f, "column", ""))) for f in fields)
    sql = f"SELECT {columns} FROM {qn(model._meta.db_table)} WHERE {qn(key)} IN ({marks})"
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        rows = cursor.fetchall()
    return [
        {
            n: (v if conv is None or v is None else conv(v))
            for n, conv, v in zip(names, converters, row, strict=True)
        }
        for row in rows
    ]


def _converter(field: Any) -> Any:
    """How a raw database value becomes the python value the ORM would give."""
    if isinstance(field, models.BooleanField):
        return bool
    if isinstance(field, models.DecimalField):
        return lambda v: Decimal(str(v)).quantize(Decimal(1).scaleb(-field.decimal_places))
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        return lambda v: v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v))
    return None


class CustomerImporter(Importer):
    """Rows are checked and normalised in :meth:`prepare` (no database: it runs in the reading
    process for a large file) and resolved and written in :meth:`import_prepared`."""

    columns = customer_rows.COLUMNS
    offload = True
    # A commit writes every index page the chunk touched; at a million customers the random
    # name and identifier indexes have a page touched by nearly every chunk, so fewer, larger
    # chunks write less (10,000 → 20,000 rows: commits 24 s → 14 s of a 1M-row import).
    chunk_size = 20_000

    def __init__(self, kind: str, customer_kind: str, label: Any) -> None:
        self.kind = kind
        self.customer_kind = customer_kind
        self.label = label

    def prepare(self, items: list[Item], ctx: Context) -> list[Any]:
        kind = self.customer_kind
        return [
            p
            for row, values in items
            if (p := customer_rows.parse(row, values, kind, ctx)) is not None
        ]

    def import_prepared(self, units: list[Any], ctx: Context) -> None:
        if units:
            _Chunk(ctx, units).run()

    def import_chunk(self, items: list[Item], ctx: Context) -> None:
        self.import_prepared(self.prepare(items, ctx), ctx)

    def row_of(self, unit: Any) -> Row:
        row: Row = unit.row
        return row


class _Chunk:
    """The state of one chunk: who owns which identifier, and the writes not yet made."""

    def __init__(self, ctx: Context, parsed: list[Parsed]) -> None:
        self.ctx = ctx
        self.parsed = parsed
        self.owner_of: dict[Key, Target] = {}
        self.targets: dict[int, Target] = {}
        self.new_targets: list[Target] = []
        self.new_identifiers: list[tuple[Target, str, str, str]] = []
        self.new_addresses: list[tuple[Target, tuple[str, ...]]] = []
        self.touched: dict[int, Target] = {}
        self.now = timezone.now()
        self.with_addresses = any(p.address for p in parsed)

    # --- loading ----------------------------------------------------------------------------

    def run(self) -> None:
        keys: set[Key] = set()
        for p in self.parsed:
            keys.update(p.keys)
            if p.organization:
                keys.add(("erp", p.organization))
        self._load(keys)
        for p in self.parsed:
            self._row(p)
        self.flush()

    def _load(self, keys: set[Key]) -> None:
        by_kind: dict[str, list[str]] = {}
        for kind, key in keys:
            by_kind.setdefault(kind, []).append(key)
        found: list[tuple[str, str, int, bool]] = []
        for kind, values in by_kind.items():  # (kind, normalized) is the index
            for i in range(0, len(values), LOOKUP_BATCH):
                found.extend(_owners(kind, values[i : i + LOOKUP_BATCH]))
        self._load_targets({cid for _k, _n, cid, _s in found})
        for kind, key, cid, shared in found:
            target = self.targets[cid]
            target.keys.add((kind, key))
            if not shared:
                self.owner_of[(kind, key)] = target

    def _load_targets(self, ids: Iterable[int]) -> None:
        ids = [i for i in ids if i not in self.targets]
        for i in range(0, len(ids), LOOKUP_BATCH):
            part = ids[i : i + LOOKUP_BATCH]
            for row in _select(Customer, "id", part, _KEPT):
                self.targets[row["id"]] = Target(
                    row["id"], row["kind"], row["region_id"], row["owner_id"], row
                )
            if self.with_addresses:
                for row in _select(Address, "customer_id", part, ("customer_id", *ADDRESS_FIELDS)):
                    cid = row.pop("customer_id")
                    self.targets[cid].addresses.add(tuple(row.values()))

    # --- one row ----------------------------------------------------------------------------

    def _row(self, p: Parsed) -> None:
        ctx = self.ctx
        if not ctx.first_time(p.external[1]):
            message = _("This external id is already on an earlier row of the file.")
            ctx.bad(p.row, "external_id", "imports.external_id_duplicate", message)
            return
        owners = list({id(t): t for k in p.keys if (t := self.owner_of.get(k))}.values())
        organization_id = self._organization(p)
        if organization_id == 0:
            ctx.chunk_seen.discard(p.external[1])
            return
        if not owners:
            landed = self._create(p, organization_id)
        elif len(owners) == 1:
            landed = self._land(owners[0], p, organization_id)
        else:
            landed = self._merge(owners, p, organization_id)
        if not landed:
            ctx.chunk_seen.discard(p.external[1])

    def _organization(self, p: Parsed) -> int | None:
        """The organization's id, None without one, 0 (reported) when it is unknown."""
        if not p.organization:
            return None
        target = self.owner_of.get(("erp", p.organization))
        if target is None or target.kind != "organization" or target.pk is None:
            message = _("No organization has this external id; import the organizations first.")
            self.ctx.bad(p.row, "organization", "imports.organization_unknown", message)
            return 0
        return target.pk

    def _region(self, p: Parsed) -> int | None:
        regions = self.ctx.state.get("regions")
        if regions is None:
            regions = self.ctx.state["regions"] = dict(Region.objects.values_list("code", "id"))
        if not p.region:
            message = _("The row has no region and the import no default region.")
            self.ctx.bad(p.row, "region", "imports.region_missing", message)
            return None
        found = regions.get(p.region) or regions.get(p.region.lower())
        if found is None:
            self.ctx.bad(p.row, "region", "imports.region_unknown", _("Unknown region."))
        return found

    def _owner(self) -> int | None:
        user = self.ctx.user
        if user is not None and scoping.scope_for(user, "imports_allowed") == "own":
            return int(user.pk)
        return None

    def _forbidden(self, p: Parsed, field_name: str = "region") -> bool:
        message = _("You may not import customers into this region.")
        self.ctx.bad(p.row, field_name, "imports.region_forbidden", message)
        return False

    def _create(self, p: Parsed, organization_id: int | None) -> bool:
        region_id = self._region(p)
        if region_id is None:
            return False
        owner_id = self._owner()
        if not self.ctx.may_place(region_id, owner_id):
            return self._forbidden(p)
        create = dict(p.fields)
        if not create.get("is_target_account", True):
            del create["is_target_account"]
        create |= {
            "region_id": region_id,
            "owner_id": owner_id,
            "organization_id": organization_id,
            "source": self.ctx.source,
            "created_at": self.now,
            "updated_at": self.now,
        }
        values = dict(zip(_KEPT, map(create.get, _KEPT), strict=True))
        target = Target(None, p.kind, region_id, owner_id, values, create=create)
        self.new_targets.append(target)
        self._add_identifiers(target, p)
        if p.address:
            self.new_addresses.append((target, p.address))
            target.addresses.add(p.address)
        self.ctx.chunk_counts.created += 1
        return True

    def _add_identifiers(self, target: Target, p: Parsed) -> bool:
        added = False
        for kind, raw, key in p.identifiers:
            if (kind, key) in target.keys:
                continue
            target.keys.add((kind, key))
            self.owner_of[(kind, key)] = target
            self.new_identifiers.append((target, kind, raw, key))
            if target.create is None:
                target.added.append(f"{kind}:{raw}")
            added = True
        return added

    def _land(
        self, target: Target, p: Parsed, organization_id: int | None, merged: bool = False
    ) -> bool:
        if target.create is None and not self.ctx.may_place(target.region_id, target.owner_id):
            return self._forbidden(p, "external_id")
        changed = self._add_identifiers(target, p) or merged
        fills = {k: v for k, v in p.fields.items() if k in FILL_FIELDS}
        if organization_id is not None:
            fills["organization_id"] = organization_id
        if p.fields.get("is_target_account"):
            fills["is_target_account"] = True
        for name, value in fills.items():
            if _blank(target.values.get(name)) and value != target.values.get(name):
                changed = True
                self._set(target, name, value)
        if p.address and p.address not in target.addresses:
            target.addresses.add(p.address)
            self.new_addresses.append((target, p.address))
            changed = True
        if changed and target.pk is not None:
            self.touched[target.pk] = target
        if changed:
            self.ctx.chunk_counts.updated += 1
        else:
            self.ctx.chunk_counts.unchanged += 1
        return True

    def _set(self, target: Target, name: str, value: Any) -> None:
        if target.create is not None:
            target.create[name] = value
        else:
            target.before.setdefault(name, audit._jsonable(target.values.get(name)))
            target.changed[name] = value
        target.values[name] = value

    def _merge(self, owners: list[Target], p: Parsed, organization_id: int | None) -> bool:
        """Several customers own this row's identifiers: they are one. ``ingest()`` merges."""
        self.flush()
        if not all(self.ctx.may_place(t.region_id, t.owner_id) for t in owners):
            return self._forbidden(p, "external_id")
        incoming = [Incoming(kind, raw) for kind, raw, _key in p.identifiers]
        try:
            with transaction.atomic():
                result = ingest(incoming, create={}, user=None, source=self.ctx.source)
        except DomainError as exc:
            self.ctx.bad(p.row, "", exc.code, exc.message)
            return False
        survivor_pk = result.customer.pk
        merged = [self.targets[m.merged_id] for m in result.merges if m.merged_id in self.targets]
        keys = set().union(*(t.keys for t in owners), p.keys)
        del self.targets[survivor_pk]
        self._load_targets([survivor_pk])
        survivor = self.targets[survivor_pk]
        survivor.keys |= keys
        for target in merged:
            survivor.addresses |= target.addresses
        for key, owner in list(self.owner_of.items()):
            if owner in owners:
                self.owner_of[key] = survivor
        for key in p.keys:
            self.owner_of[key] = survivor
        return self._land(survivor, p, organization_id, merged=True)

    # --- writing ----------------------------------------------------------------------------

    def flush(self) -> None:
        """Write what the rows so far decided: new customers, identifiers, addresses, fills."""
        created = self._write_customers()
        source = self.ctx.source
        now = self.now
        bulk.insert_rows(
            Identifier,
            ("customer_id", "kind", "value", "normalized", "source", "created_at"),
            [
                (t.pk, kind, raw.strip(), key, source, now)
                for t, kind, raw, key in self.new_identifiers
            ],
        )
        bulk.insert_rows(
            Address, (*ADDRESS_FIELDS, "customer_id", "source", "is_default"), self._address_rows()
        )
        self._write_changes()
        if created:
            after = {"import": self.ctx.kind, "source": source, "customers": created}
            audit.record(
                AuditAction.CREATE, Job(pk=self.ctx.job_id), before=None, after=after,
                customer_id=None,
            )  # fmt: skip
            events.publish("customers.imported", {"job_id": self.ctx.job_id, "created": created})
        self.new_targets, self.new_identifiers, self.new_addresses = [], [], []
        self.touched = {}

    def _write_customers(self) -> list[int]:
        new = self.new_targets
        ids = bulk.insert(Customer, [t.create or {} for t in new])
        for target, pk in zip(new, ids, strict=True):
            target.pk, target.create = pk, None
            target.values["id"] = pk
            self.targets[pk] = target
        return ids

    def _address_rows(self) -> list[tuple[Any, ...]]:
        """(address fields…, customer, source, is_default): a new customer's first address is
        its default one."""
        rows = []
        source = self.ctx.source
        created = {t.pk for t in self.new_targets}
        for target, parts in self.new_addresses:
            is_new = target.pk in created
            created.discard(target.pk)
            if target.pk in self.touched:
                target.added.append("address:" + " ".join(p for p in parts if p))
            rows.append((*parts, target.pk, source, is_new))
        return rows

    def _write_changes(self) -> None:
        """The fills of existing customers, one UPDATE statement per set of filled columns,
        and their audit rows in one insert (what the save signal would have written)."""
        updates: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
        entries: list[AuditEntry] = []
        for pk, target in self.touched.items():
            if target.changed:
                names = tuple(sorted(target.changed))
                updates.setdefault(names, []).append((*map(target.changed.get, names), pk))
            after = {k: audit._jsonable(v) for k, v in target.changed.items()}
            if target.added:
                after["added"] = target.added
            after["import_job"] = self.ctx.job_id
            entries.append(_audit_entry(pk, target.before, after))
            target.before, target.changed, target.added = {}, {}, []
        for names, rows in updates.items():
            _update(names, rows, self.now)
        AuditEntry.objects.bulk_create(entries, batch_size=bulk.BATCH)


def _update(names: tuple[str, ...], rows: list[tuple[Any, ...]], now: dt.datetime) -> None:
    """``UPDATE customer SET names…, updated_at WHERE id`` for each row (values, then id)."""
    qn = connection.ops.quote_name
    fields: list[Any] = [Customer._meta.get_field(n.removesuffix("_id")) for n in names]
    stamp = Customer._meta.get_field("updated_at")
    sets = ", ".join(f"{qn(str(getattr(f, 'column', '')))} = %s" for f in [*fields, stamp])
    sql = f"UPDATE {qn(Customer._meta.db_table)} SET {sets} WHERE id = %s"
    prepared_now = stamp.get_db_prep_save(now, connection)
    params = [
        (*(f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=False)),
         prepared_now, row[-1])
        for row in rows
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _audit_entry(pk: int, before: dict[str, Any], after: dict[str, Any]) -> AuditEntry:
    """The audit row :func:`hudong.core.audit.record` writes for an update of customer ``pk``,
    unsaved, so a chunk's thousands of them go in one bulk insert."""
    actor = current_actor()
    return AuditEntry(
        actor_id=actor.user_id,
        actor_name=actor.name,
        via=actor.via,
        action=AuditAction.UPDATE,
        model=Customer._meta.label,
        object_pk=str(pk),
        customer_id=pk,
        before=before,
        after=after,
    )


registry.register(CustomerImporter("customers", "person", _("Customers")))
registry.register(CustomerImporter("organizations", "organization", _("Organizations")))
