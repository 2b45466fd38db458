"""The fields a segment filter may name, and how each becomes a condition on customers.

Value fields come from the last insights run (``CustomerValue``, reached as ``value__…``);
everything held in another table (addresses, attributes, tags, orders, complaints) is a
subquery on the customer id, so ``not`` and ``!=`` mean exactly "not (…)".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext

from hudong.commerce.models import Category, Order, OrderLine, OrderStatus
from hudong.core.errors import DomainError
from hudong.customers.models import Address, Attribute
from hudong.insights import complaints
from hudong.insights.models.segments import CustomerTag

ORDER_OPS = ("=", "!=", "<", "<=", ">", ">=")
LOOKUPS = {"=": "exact", "<": "lt", "<=": "lte", ">": "gt", ">=": "gte", "in": "in"}


@dataclass(frozen=True)
class Value:
    text: str
    column: int
    quoted: bool = False
    number: Decimal | None = None


def bad_value(column: int, text: str, expected: Any = "") -> DomainError:
    if expected:
        message = gettext("Column %(column)d: “%(value)s” is not valid here: expected %(what)s.")
    else:
        message = gettext("Column %(column)d: “%(value)s” is not valid here.")
    return DomainError(
        "segments.bad_value",
        message % {"column": column, "value": text[:60], "what": expected},
        column=column,
        expected=[str(expected)] if expected else [],
    )


def _bad_operator(column: int, op: str, allowed: Sequence[str]) -> DomainError:
    message = gettext("Column %(column)d: “%(op)s” does not apply to this field; use %(ops)s.")
    return DomainError(
        "segments.bad_value",
        message % {"column": column, "op": op, "ops": ", ".join(allowed)},
        column=column,
        expected=list(allowed),
    )


@dataclass(frozen=True)
class Field:
    """A field: where it lives, which operators it takes and how a written value is read."""

    path: str  # lookup on Customer, or a name the ``make`` function knows
    kind: str  # "number", "text" or "choice"
    ops: tuple[str, ...] = ("=", "!=", "in")
    choices: tuple[str, ...] = ()
    convert: Callable[[Value], Any] | None = None
    make: Callable[[str, str, list[Any]], Q] | None = None  # (key, lookup, values) → Q

    def read(self, v: Value) -> Any:
        if self.convert is not None:
            return self.convert(v)
        if self.kind == "number":
            if v.number is None:
                raise bad_value(v.column, v.text, gettext("a number"))
            return v.number
        if self.choices:
            text = v.text.lower() if self.choices[0].islower() else v.text.upper()
            if text not in self.choices:
                raise bad_value(v.column, v.text, gettext(" or ").join(self.choices))
            return text
        return v.text

    def compare(self, key: str, op: str, values: list[Value], column: int) -> Q:
        allowed = self.ops + (ORDER_OPS[2:] if self.kind == "number" else ())
        if op not in allowed:
            raise _bad_operator(column, op, allowed)
        read = [self.read(v) for v in values]
        negate = op == "!="
        lookup = "in" if op == "in" else LOOKUPS["=" if negate else op]
        arg: Any = read if lookup == "in" else read[0]
        if self.make is not None:
            q = self.make(key, lookup, read if lookup == "in" else [arg])
        else:
            q = Q(**{f"{self.path}__{lookup}": arg})
        return ~q if negate else q


def _rfm(v: Value) -> str:
    text = v.text.strip()
    if len(text) != 3 or not all(c in "012345" for c in text):
        raise bad_value(v.column, v.text, gettext('three digits 0-5, like "555"'))
    return text


def _region(key: str, lookup: str, values: list[Any]) -> Q:
    return Q(**{f"region__code__{lookup}": values if lookup == "in" else values[0]})


def _city(key: str, lookup: str, values: list[Any]) -> Q:
    arg = values if lookup == "in" else values[0]
    rows = Address.objects.filter(is_default=True, **{f"city__{lookup}": arg})
    return Q(pk__in=rows.values("customer_id"))


def _tag(key: str, lookup: str, values: list[Any]) -> Q:
    arg = values if lookup == "in" else values[0]
    return Q(pk__in=CustomerTag.objects.filter(**{f"name__{lookup}": arg}).values("customer_id"))


def _attribute(key: str, lookup: str, values: list[Any]) -> Q:
    arg = values if lookup == "in" else values[0]
    rows = Attribute.objects.filter(key=key, **{f"value__{lookup}": arg})
    return Q(pk__in=rows.values("customer_id"))


def _value(name: str, **kw: Any) -> Field:
    return Field(f"value__{name}", "number", **kw)


FIELDS: dict[str, Field] = {
    # the customer record
    "id": Field("pk", "number"),
    "name": Field("name", "text"),
    "kind": Field("kind", "choice", choices=("person", "organization")),
    "language": Field("language", "text"),
    "source": Field("source", "text"),
    "region": Field("region", "text", make=_region),
    "city": Field("city", "text", make=_city),
    "tag": Field("tag", "text", make=_tag),
    # the last insights run
    "tier": Field("value__tier", "choice", choices=("A", "B", "C")),
    "rfm": Field("value__rfm", "text", convert=_rfm),
    "profit": _value("profit"),
    "revenue": _value("revenue"),
    "clv": _value("clv"),
    "p_alive": _value("p_alive"),
    "expected_purchases": _value("expected_purchases"),
    "recency_days": _value("recency_days"),
    "orders_total": _value("orders_total"),
    "product_lines": _value("product_lines"),
    "r_score": _value("r_score"),
    "f_score": _value("f_score"),
    "m_score": _value("m_score"),
}

ATTRIBUTE = Field("attr", "text", make=_attribute)

FLAGS: dict[str, str] = {
    "gold": "value__is_gold",
    "drag": "value__is_drag",
    "mvc": "value__is_mvc",
    "mgc": "value__is_mgc",
    "bzc": "value__is_bzc",
    "top_last_year": "value__was_top_last_year",
}


def lookup(name: str) -> Field | None:
    return FIELDS.get(name)


def names() -> list[str]:
    return [*FIELDS, "attr.<key>", *FLAGS]


# -- behaviour -------------------------------------------------------------------------------


def _kept_orders() -> Any:
    return Order.objects.exclude(status=OrderStatus.CANCELLED)


def ordered_since(since: dt.datetime) -> Q:
    """Customers with a non-cancelled order at or after ``since``."""
    return Q(pk__in=_kept_orders().filter(ordered_at__gte=since).values("customer_id"))


def category_tree(code: str) -> list[int]:
    """The category with this code and every category below it (empty if none has it)."""
    rows = list(Category.objects.values_list("id", "parent_id", "code"))
    start = [cid for cid, _parent, c in rows if c == code]
    if not start:
        return []
    children: dict[int, list[int]] = {}
    for cid, parent, _c in rows:
        if parent is not None:
            children.setdefault(parent, []).append(cid)
    found, todo = set(start), list(start)
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return sorted(found)


def bought_category(value: Value, since: dt.datetime | None) -> Q:
    ids = category_tree(value.text)
    if not ids:
        raise bad_value(value.column, value.text, gettext("the code of a product category"))
    lines = OrderLine.objects.filter(product__category_id__in=ids).exclude(
        order__status=OrderStatus.CANCELLED
    )
    if since is not None:
        lines = lines.filter(order__ordered_at__gte=since)
    return Q(pk__in=lines.values("order__customer_id"))


def complained(days: int, at_least: int, now: dt.datetime) -> Q:
    return complaints.customer_q(days, at_least, now)
