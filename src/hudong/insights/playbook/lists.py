"""The lists of 表7.2 (差异性分析): whom to call, visit, cross-sell and complete this week.

Each list is a query over the customers the user may see (``visible_customers``) joined with
the last insights run's ``CustomerValue`` rows and the raw data. Thresholds have defaults
here and can be overridden per request (the page's query string, the API's parameters).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from hudong.commerce.models import Category, OrderLine, OrderStatus
from hudong.core.errors import DomainError
from hudong.customers.models import Customer, CustomerKind
from hudong.customers.queries import visible_customers
from hudong.insights import complaints
from hudong.insights.models import CustomerValue

TIERS = "ABC"
SIMILAR_SAMPLE = 5000  # customers whose product lines make the cross-sell suggestions


@dataclass(frozen=True)
class Param:
    """A threshold: an integer in [low, high], or (``letters``) a set of tier letters."""

    name: str
    label: Any
    default: int | str
    low: int = 0
    high: int = 1_000_000
    letters: str = ""

    def parse(self, raw: str | None, *, strict: bool) -> int | str:
        if raw is None or raw.strip() == "":
            return self.default
        raw = raw.strip()
        if self.letters:
            picked = "".join(c for c in self.letters if c in raw.upper())
            if picked and set(raw.upper()) <= set(self.letters):
                return picked
        elif raw.isascii() and raw.lstrip("-").isdigit():
            number = int(raw)
            if self.low <= number <= self.high:
                return number
            if not strict:
                return max(self.low, min(number, self.high))
        if strict:
            raise DomainError(
                "playbook.param_invalid",
                _("%(name)s is not a valid value for this list.") % {"name": self.name},
                param=self.name,
            )
        return self.default


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    kind: str = "number"  # number, money, text, tier, lines


@dataclass(frozen=True)
class PlaybookList:
    key: str
    title: Any
    definition: Any  # formatted with the parameter values
    action_hint: Any  # the step 表7.2 recommends
    params: tuple[Param, ...]
    columns: tuple[Column, ...]
    query: Callable[[Any, dict[str, Any]], QuerySet[Customer]]
    enrich: Callable[[Any, list[Customer], dict[str, Any]], None] | None = None
    customers: bool = True  # False: a report (the spend shift), not a list of customers
    extra: dict[str, Any] = field(default_factory=dict)

    def values(self, query: Mapping[str, str], *, strict: bool = False) -> dict[str, Any]:
        return {p.name: p.parse(query.get(p.name), strict=strict) for p in self.params}

    def describe(self, values: Mapping[str, Any]) -> str:
        return str(self.definition) % dict(values)

    def rows(self, user: Any, values: dict[str, Any]) -> QuerySet[Customer]:
        return self.query(user, values)

    def complete(self, user: Any, page: list[Customer], values: dict[str, Any]) -> list[Customer]:
        """The page's rows with what is costly to compute for a whole list (suggestions)."""
        if self.enrich is not None and page:
            self.enrich(user, page, values)
        return page


def _with_value(qs: QuerySet[Customer]) -> QuerySet[Customer]:
    return qs.annotate(
        tier=F("value__tier"),
        revenue=F("value__revenue"),
        profit=F("value__profit"),
        clv=F("value__clv"),
    )


# a. 上年度有哪些大宗客户对企业的产品或服务多次提出了抱怨?
def _complained(user: Any, p: dict[str, Any]) -> QuerySet[Customer]:
    big = Q(value__tier__in=list(p["tiers"])) | Q(value__is_mvc=True) | Q(value__is_gold=True)
    counted = (
        complaints.counts_by_customer(p["days"]).filter(customer_id=OuterRef("pk")).values("n")
    )
    qs = visible_customers(user).filter(big, complaints.customer_q(p["days"], p["min_complaints"]))
    qs = _with_value(qs).annotate(
        complaints=Coalesce(Subquery(counted[:1], output_field=IntegerField()), Value(0))
    )
    return qs.order_by("-complaints", "-value__revenue", "pk")


# b. 上一年最大的客户是否今年也订了不少的产品?
def _lagging(user: Any, p: dict[str, Any]) -> QuerySet[Customer]:
    qs = visible_customers(user).filter(
        value__was_top_last_year=True, value__revenue_ytd__lt=F("value__revenue_prev_ytd")
    )
    qs = _with_value(qs).annotate(
        revenue_ytd=F("value__revenue_ytd"),
        revenue_prev_ytd=F("value__revenue_prev_ytd"),
        gap=F("value__revenue_prev_ytd") - F("value__revenue_ytd"),
    )
    return qs.filter(gap__gte=p["min_gap"]).order_by("-gap", "pk")


# c. 是否有些客户从你的企业只订购一两种产品?
def _cross_sell(user: Any, p: dict[str, Any]) -> QuerySet[Customer]:
    qs = visible_customers(user).filter(
        value__tier__in=list(p["tiers"]),
        value__product_lines__gte=1,
        value__product_lines__lte=p["max_lines"],
    )
    qs = _with_value(qs).annotate(product_lines=F("value__product_lines"))
    return qs.order_by("-value__revenue", "pk")


def _line_names() -> tuple[dict[int, int], dict[int, str]]:
    """Each category's product line (the root of its tree), and each line's name."""
    rows = list(Category.objects.values_list("pk", "parent_id", "name"))
    parent = {pk: parent_id for pk, parent_id, _name in rows}
    names = {pk: name for pk, _parent, name in rows}

    def root(cid: int) -> int:
        hops = 0
        while parent.get(cid) is not None and hops < 50:
            cid, hops = parent[cid], hops + 1  # type: ignore[assignment]
        return cid

    return {pk: root(pk) for pk in parent}, names


def _lines_bought(customers: Any, line_of: dict[int, int]) -> dict[int, set[int]]:
    pairs = (
        OrderLine.objects.filter(order__customer_id__in=customers)
        .exclude(order__status=OrderStatus.CANCELLED)
        .values_list("order__customer_id", "product__category_id")
        .distinct()
    )
    out: dict[int, set[int]] = {}
    for cid, category in pairs:
        out.setdefault(cid, set()).add(line_of.get(category, category))
    return out


def affinity(user: Any, tiers: str) -> tuple[dict[int, Counter[int]], Counter[int]]:
    """Among similar customers (the user's customers of these tiers who buy several lines,
    the most valuable first): how often each line is bought with each other line, and how many
    buy each line."""
    line_of, _names = _line_names()
    similar = (
        CustomerValue.objects.filter(
            customer__in=visible_customers(user).values("pk"),
            tier__in=list(tiers),
            product_lines__gte=2,
        )
        .order_by("-revenue")
        .values_list("customer_id", flat=True)[:SIMILAR_SAMPLE]
    )
    together: dict[int, Counter[int]] = {}
    popular: Counter[int] = Counter()
    for lines in _lines_bought(list(similar), line_of).values():
        popular.update(lines)
        for line in lines:
            together.setdefault(line, Counter()).update(lines - {line})
    return together, popular


def _suggest(user: Any, page: list[Customer], p: dict[str, Any]) -> None:
    line_of, names = _line_names()
    bought = _lines_bought([c.pk for c in page], line_of)
    together, popular = affinity(user, p["tiers"])
    for customer in page:
        mine = bought.get(customer.pk, set())
        score: Counter[int] = Counter()
        for line in mine:
            score.update(together.get(line, Counter()))
        ranked = [line for line, _n in score.most_common() if line not in mine]
        ranked += [line for line, _n in popular.most_common() if line not in mine]
        unique = list(dict.fromkeys(ranked))[: p["suggestions"]]
        customer.lines = sorted(names.get(line, str(line)) for line in mine)  # type: ignore[attr-defined]
        customer.suggested = [names.get(line, str(line)) for line in unique]  # type: ignore[attr-defined]


# d. 企业本年度最想和哪些企业建立商业关系? 至少记录下三名企业方联系人的名字
def _few_contacts(user: Any, p: dict[str, Any]) -> QuerySet[Customer]:
    named = Q(contacts__kind=CustomerKind.PERSON, contacts__merged_into__isnull=True)
    qs = visible_customers(user).filter(kind=CustomerKind.ORGANIZATION, is_target_account=True)
    qs = qs.annotate(contacts_named=Count("contacts", filter=named, distinct=True))
    return qs.filter(contacts_named__lt=p["min_contacts"]).order_by("contacts_named", "pk")


def _nobody(user: Any, p: dict[str, Any]) -> QuerySet[Customer]:
    return Customer.objects.none()


TIERS_PARAM = Param("tiers", _("Tiers"), "A", letters=TIERS)
LISTS: dict[str, PlaybookList] = {
    lst.key: lst
    for lst in [
        PlaybookList(
            "complained",
            _("Big customers who complained repeatedly"),
            _(
                "Customers of tier %(tiers)s, or on the MVC or gold list, with at least "
                "%(min_complaints)s complaints in the last %(days)s days."
            ),
            _(
                "Look after their business: send a strong person to contact them soon and check "
                "that their orders are being filled."
            ),
            (
                TIERS_PARAM,
                Param("min_complaints", _("At least this many complaints"), 2, 1, 1000),
                Param("days", _("In the last days"), 365, 1, 3660),
            ),
            (
                Column("tier", _("Tier"), "tier"),
                Column("complaints", _("Complaints")),
                Column("revenue", _("Revenue"), "money"),
                Column("profit", _("Profit"), "money"),
            ),
            _complained,
        ),
        PlaybookList(
            "lagging",
            _("Last year's top customers ordering less this year"),
            _(
                "Last year's top customers whose revenue this year to date is at least "
                "%(min_gap)s below the same period last year, the biggest gap first."
            ),
            _("Visit them before the competitors do."),
            (Param("min_gap", _("Minimum gap"), 0, 0, 10**12),),
            (
                Column("tier", _("Tier"), "tier"),
                Column("revenue_prev_ytd", _("Same period last year"), "money"),
                Column("revenue_ytd", _("This year to date"), "money"),
                Column("gap", _("Gap"), "money"),
            ),
            _lagging,
        ),
        PlaybookList(
            "cross_sell",
            _("Customers who buy only one or two product lines"),
            _(
                "Customers of tier %(tiers)s who bought from 1 to %(max_lines)s product lines; "
                "the suggestion is the lines most bought by similar customers that they do "
                "not buy yet."
            ),
            _("Ask them to consider trying the company's other products."),
            (
                Param("tiers", _("Tiers"), "AB", letters=TIERS),
                Param("max_lines", _("At most this many product lines"), 2, 1, 20),
                Param("suggestions", _("Suggestions per customer"), 3, 1, 10),
            ),
            (
                Column("tier", _("Tier"), "tier"),
                Column("revenue", _("Revenue"), "money"),
                Column("lines", _("Lines bought"), "lines"),
                Column("suggested", _("Suggested lines"), "lines"),
            ),
            _cross_sell,
            enrich=_suggest,
        ),
        PlaybookList(
            "few_contacts",
            _("Target organizations with fewer than three named contacts"),
            _(
                "Organizations marked as target accounts with fewer than %(min_contacts)s "
                "named contacts (people recorded as working for them)."
            ),
            _("Add them to the database and record at least three contacts at each."),
            (Param("min_contacts", _("Named contacts wanted"), 3, 1, 100),),
            (Column("contacts_named", _("Named contacts")),),
            _few_contacts,
        ),
        PlaybookList(
            "spend_shift",
            _("Marketing spend from C to A customers"),
            _(
                "Marketing contacts of the last %(days)s days and their cost per value tier, "
                "against the value of each tier; the suggestion keeps %(keep_c_pct)s%% of "
                "the spend on C customers and moves the rest to A customers."
            ),
            _(
                "Reduce marketing and other spending on C customers and invest the savings in "
                "A customers."
            ),
            (
                Param("days", _("In the last days"), 365, 1, 3660),
                Param("keep_c_pct", _("Keep this percentage of the spend on C"), 30, 0, 100),
            ),
            (),
            _nobody,
            customers=False,
        ),
    ]
}


def get_list(key: str) -> PlaybookList:
    found = LISTS.get(key)
    if found is None:
        raise DomainError("playbook.unknown_list", _("There is no such list."), status=404)
    return found
