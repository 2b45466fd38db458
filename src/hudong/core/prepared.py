"""Querysets compiled once per process and run again with another id.

Django turns a queryset into SQL every time it is evaluated. For the screen pop (one customer,
a dozen small reads) that compilation costs several times more than the reads themselves: the
SQL is the same on every call and only the customer's id changes. A :class:`Prepared` builds its
queryset once with a marker id, keeps the SQL, the parameters and the compiler's column map,
and afterwards only executes the SQL with the real id and turns the rows into model instances
the way Django's own model iterable does (converters, ``select_related`` objects,
annotations), so the code that reads the instances cannot tell the difference.

Only what the screen pop needs is supported: model querysets (no ``values()``, no
``prefetch_related``) whose only varying value is one id or one string key. A queryset outside
that is refused when it is first compiled, never silently run wrong.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable, get_related_populators

from hudong.core import scoping

# Values no table holds: where one appears among the compiled parameters, the real value goes.
MARKER = -7_340_032_517_431_205_287
TEXT_MARKER = "\x00prepared:7340032517431205287\x00"


@dataclass(frozen=True)
class _Plan:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, int], ...]  # (parameter position, which value goes there)
    compiler: Any
    converters: Any
    init_list: tuple[str, ...]
    start: int
    end: int
    populators: tuple[Any, ...]
    annotations: tuple[tuple[str, int], ...]


class Prepared[M: Model]:
    """``Prepared(lambda customer_id: Order.objects.filter(customer_id=customer_id)[:5])``;
    ``prepared(42)`` returns the list that queryset would for 42. ``text=True`` when the values
    are strings (normalised identifiers); ``values=n`` when the queryset takes n of them."""

    def __init__(
        self, build: Callable[..., QuerySet[M]], *, text: bool = False, values: int = 1
    ) -> None:
        self.build = build
        base: Any = TEXT_MARKER if text else MARKER
        self.markers: tuple[Any, ...] = tuple(
            (f"{base}{i}" if text else base - i) for i in range(values)
        )
        self._plans: dict[str, _Plan] = {}
        self._lock = threading.Lock()

    def __call__(self, *values: Any, using: str = "default") -> list[M]:
        plan = self._plans.get(using) or self._compile(using)
        params = list(plan.params)
        for slot, which in plan.slots:
            params[slot] = values[which]
        with connections[using].cursor() as cursor:
            cursor.execute(plan.sql, params)
            rows = cursor.fetchall()
        if plan.converters:
            rows = plan.compiler.apply_converters(rows, plan.converters)
        return [self._instance(plan, row, using) for row in rows]

    def orm(self, *values: Any) -> list[M]:
        """The same rows the ordinary way (compiled on every call): for pages, where the
        queryset's flexibility matters more than its compilation."""
        return list(self.build(*values))

    @staticmethod
    def _instance(plan: _Plan, row: Any, using: str) -> Any:
        model = plan.compiler.klass_info["model"]
        obj = model.from_db(using, plan.init_list, row[plan.start : plan.end])
        for populator in plan.populators:
            populator.populate(row, obj)
        for name, position in plan.annotations:
            setattr(obj, name, row[position])
        return obj

    def _compile(self, using: str) -> _Plan:
        with self._lock:
            if using in self._plans:
                return self._plans[using]
            queryset: Any = self.build(*self.markers).using(using)
            if queryset._iterable_class is not ModelIterable or queryset._prefetch_related_lookups:
                raise ImproperlyConfigured("Prepared takes model querysets without prefetches.")
            compiler = queryset.query.get_compiler(using=using)
            sql, params = compiler.as_sql()
            if compiler.has_composite_fields([column[0] for column in compiler.select]):
                raise ImproperlyConfigured("Prepared does not take composite primary keys.")
            slots = tuple(
                (i, self.markers.index(p))
                for i, p in enumerate(params)
                if isinstance(p, int | str) and p in self.markers
            )
            reached = {which for _i, which in slots}
            if len(reached) != len(self.markers) or any(str(m) in sql for m in self.markers):
                raise ImproperlyConfigured("Each prepared value must reach the SQL as a parameter.")
            info = compiler.klass_info
            fields = info["select_fields"]
            start, end = fields[0], fields[-1] + 1
            plan = _Plan(
                sql=sql,
                params=tuple(params),
                slots=slots,
                compiler=compiler,
                converters=compiler.get_converters(
                    [column[0] for column in compiler.select[: compiler.col_count]]
                ),
                init_list=tuple(f[0].target.attname for f in compiler.select[start:end]),
                start=start,
                end=end,
                populators=tuple(
                    get_related_populators(info, compiler.select, using, queryset._fetch_mode)
                ),
                annotations=tuple(compiler.annotation_col_map.items()),
            )
            self._plans[using] = plan
            return plan


def customer_rows[M: Model](
    user: Any, resource: str, customer: Any, prepared: Prepared[M], scoped: Callable[[], list[M]]
) -> list[M]:
    """The rows of ``resource`` that belong to ``customer`` and that ``user`` may see, read
    through ``prepared`` when the scope can be decided in memory: every such resource reaches
    its region and owner through the customer, so its rows are all visible or none.
    ``scoped`` (the permission-checked ORM read) answers whenever that does not hold."""
    res = scoping.resource(resource)
    if (res.region_path, res.owner_path) != ("customer__region", "customer__owner"):
        return scoped()
    allowed = scoping.admits(
        user, resource, region_id=customer.region_id, owner_id=customer.owner_id
    )
    if allowed is None:
        return scoped()
    return prepared(customer.pk) if allowed else []
