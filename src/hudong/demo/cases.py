"""Demo cases whose causes follow the data (issue 5, D1–D5).

Complaints are drawn per order from what happened to it: a late shipment brings a delivery
complaint one time in four, a lost one seven times in ten, so the planted carrier ``suda``
(3% of shipments, late half the time: :mod:`hudong.demo.catalog`) ends up behind about a
quarter of the delivery complaints without anyone saying so. Damaged goods, defects (more for
products that come back more), misuse, billing and service-attitude complaints come at low
rates. Each case then lives through the workflow up to the demo's "now": most are closed, the
recent ones are still open and some of those at risk of their SLA or past it. Resolved cases
carry their root cause, links to the order, shipment and product, and often a recovery action;
closed ones had a CSAT survey, answered about half the time. A case is linked to the
customer's complaint contact when one is close in time.

Everything is drawn with numpy from one random stream and written in bulk (cases, then their
checklist items, recovery actions and surveys: :mod:`hudong.demo.case_followup`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from hudong.core.models import Profile
from hudong.demo.bulk import BulkLoader, Ref, Timestamps
from hudong.demo.population import People, Timeline
from hudong.service import actions as service_actions
from hudong.service.models import Case, CaseCategory, RootCause, SlaPolicy

STREAM = 14  # the random stream of cases (see hudong.demo.generator)
HOUR, DAY = 3600, 86400
# Business minutes to calendar seconds, roughly: 8 working hours a day, 5 days a week.
CALENDAR = 60 * 3.0 * 1.4


@dataclass(frozen=True)
class Kind:
    """A kind of complaint: its category, the root causes found for it, and its wording."""

    category: str
    causes: tuple[tuple[str, float], ...]
    severity: str
    subject: str
    description: str
    # "shipment" (order + shipment), "product" (order + product), "shipment+product" (all
    # three: goods damaged in transit), "order", ""
    links: str


KINDS: dict[str, Kind] = {
    "late": Kind(
        "delivery",
        (("carrier-late", 1.0),),
        "medium",
        "快递超过承诺时间仍未送达",
        "下单时承诺三天送到，已经过了好几天还没收到，物流信息也不更新。",
        "shipment",
    ),
    "lost": Kind(
        "delivery",
        (("carrier-lost", 1.0),),
        "high",
        "包裹丢失",
        "物流显示已经很多天没有更新了，快递公司说包裹找不到了。",
        "shipment",
    ),
    "where": Kind(
        "delivery",
        (("customer-expectation", 0.6), ("warehouse-error", 0.4)),
        "low",
        "询问发货和物流进度",
        "想知道为什么还没到，希望尽快给个准确的时间。",
        "shipment",
    ),
    "damage": Kind(
        "packaging",
        (("packaging-weak", 0.6), ("carrier-damage", 0.4)),
        "medium",
        "收到的商品包装破损",
        "外箱压坏了，里面的商品也有划痕。",
        "shipment+product",
    ),
    "defect": Kind(
        "defect",
        (("product-defect", 0.9), ("unclear-instructions", 0.1)),
        "high",
        "产品质量问题",
        "用了没几天就坏了，保修期内，希望换一个。",
        "product",
    ),
    "misuse": Kind(
        "misuse",
        (("unclear-instructions", 0.8), ("customer-expectation", 0.2)),
        "low",
        "产品不会使用",
        "说明书看不懂，按说明操作后产品不能正常工作。",
        "product",
    ),
    "billing": Kind(
        "billing",
        (("billing-error", 0.8), ("other", 0.2)),
        "low",
        "发票金额与订单不符",
        "发票上的金额和实际付款不一致，请核对。",
        "order",
    ),
    "attitude": Kind(
        "service-attitude",
        (("agent-conduct", 0.7), ("customer-expectation", 0.3)),
        "medium",
        "客服态度不好",
        "打电话咨询时客服很不耐烦，问题也没有解决。",
        "",
    ),
}
SEVERITY_POINTS = {"low": 0, "medium": 1, "high": 2, "critical": 3}
TEMPERAMENTS = (("calm", 0.7), ("emotional", 0.2), ("stubborn", 0.1))


@dataclass
class Planned:
    """The cases of one batch, column-wise (one row per case, sorted by opening time)."""

    cols: dict[str, Any]
    kind: list[str]
    order_total_cents: np.ndarray
    assignee: np.ndarray  # user id, 0 none
    created: np.ndarray  # datetime64[s]
    resolved: np.ndarray  # NaT when not resolved
    closed: np.ndarray

    @property
    def n(self) -> int:
        return len(self.kind)


def _draws(rng: np.random.Generator, o: dict[str, np.ndarray], tl: Timeline) -> dict[str, Any]:
    """For each kind, the rows of the orders that complain and when the complaint opens."""
    n = len(o["ts"])
    status = o["ship_status"]
    shipped = ~o["cancelled"] & (status != "pending")
    delivered = ~np.isnat(o["delivered"]) & ~o["cancelled"]  # cancelled orders ship nothing
    lost = status == "lost"
    late = o["late"] & shipped & ~lost
    factor = o["ret_factor"] / max(float(np.mean(o["ret_factor"])), 1e-9)

    def days(lo: float, hi: float) -> np.ndarray:
        return (rng.uniform(lo, hi, n) * DAY).astype("int64").astype("timedelta64[s]")

    def after(base: np.ndarray, scale_days: float) -> np.ndarray:
        extra = (rng.exponential(scale_days, n) * DAY + HOUR).astype("int64")
        return base + extra.astype("timedelta64[s]")

    rules: dict[str, tuple[np.ndarray, Any, np.ndarray]] = {
        "late": (late, 0.25, o["promised"] + days(0.2, 2.0)),
        "lost": (lost & shipped, 0.7, o["promised"] + days(1.0, 5.0)),
        "where": (shipped & ~late & ~lost, 0.001, o["shipped"] + days(0.5, 2.0)),
        "damage": (delivered, 0.006, after(o["delivered"], 1.5)),
        "defect": (delivered, 0.003 * factor, after(o["delivered"], 12.0)),
        "misuse": (delivered, 0.0015, after(o["delivered"], 4.0)),
        "billing": (~o["cancelled"], 0.002, o["ts"] + days(1.0, 30.0)),
        "attitude": (~o["cancelled"], 0.0015, o["ts"] + days(1.0, 30.0)),
    }
    limit = tl.as_of - np.timedelta64(HOUR, "s")
    out: dict[str, Any] = {}
    for name, (eligible, chance, when) in rules.items():
        rows = np.flatnonzero(eligible & (rng.random(n) < chance) & (when < limit))
        out[name] = (rows, when[rows])
    return out


def _pick(rng: np.random.Generator, options: tuple[tuple[str, float], ...], n: int) -> list[str]:
    names = [o[0] for o in options]
    weights = np.array([o[1] for o in options])
    return [names[i] for i in rng.choice(len(names), size=n, p=weights / weights.sum())]


# The recent complaint contacts (interaction subjects of hudong.demo.interactions) that open
# a case of their own, most of them still open at "now".
CONTACT_KINDS = {"投诉：送货延迟": "contact-late", "退换货申请": "contact-damage"}
RECENT_DAYS = 21
KINDS["contact-late"] = Kind(
    "delivery", (("carrier-late", 1.0),), "medium", "客户来电投诉送货延迟",
    "承诺三天送到，已经过了一周还没收到。", "",
)  # fmt: skip
KINDS["contact-damage"] = Kind(
    "packaging", (("packaging-weak", 0.5), ("carrier-damage", 0.5)), "medium",
    "客户反映收到的商品破损", "收到的商品有破损，希望换货。", "",
)  # fmt: skip


def _recent_contacts(p: People, interactions: dict[str, Any], tl: Timeline) -> dict[str, Any]:
    """The last weeks' inbound complaint contacts: each opens a case a few minutes later."""
    started = interactions["started_at"].values
    since = tl.as_of - np.timedelta64(RECENT_DAYS * DAY, "s")
    subjects = interactions["subject"]
    idx = [
        i
        for i in np.flatnonzero(
            (started >= since) & (np.asarray(interactions["direction"]) == "in")
        ).tolist()
        if interactions["outcome"][i] == "complaint" and subjects[i] in CONTACT_KINDS
    ]
    row_of = {int(cid): r for r, cid in enumerate(p.id.tolist())}
    keep = [i for i in idx if int(interactions["customer_id"][i]) in row_of]
    at = started[keep] + np.timedelta64(300, "s") if keep else np.array([], "datetime64[s]")
    return {
        "cust": np.array([row_of[int(interactions["customer_id"][i])] for i in keep], np.int64),
        "created": np.minimum(at, tl.as_of - np.timedelta64(60, "s")),
        "kind": [CONTACT_KINDS[subjects[i]] for i in keep],
        "interaction": np.array([int(interactions["id"][i]) for i in keep], np.int64),
        "channel": [str(interactions["channel"][i]) for i in keep],
    }


def plan(
    rng: np.random.Generator,
    p: People,
    o: dict[str, np.ndarray],
    tl: Timeline,
    interactions: dict[str, Any],
    *,
    first_shipment: int,
    agents_by_region: list[list[int]],
) -> Planned:
    """Which orders complain, about what, and where each case stands at the demo's "now"."""
    draws = _draws(rng, o, tl)
    recent = _recent_contacts(p, interactions, tl)
    n_recent = len(recent["kind"])
    drawn = np.concatenate([rows for rows, _w in draws.values()]).astype(np.int64)
    row = np.concatenate([drawn, np.full(n_recent, -1, np.int64)])
    cust = np.concatenate([o["cust"][drawn], recent["cust"]]).astype(np.int64)
    created = np.concatenate([*(w for _r, w in draws.values()), recent["created"]])
    contact = np.concatenate([np.zeros(len(drawn), np.int64), recent["interaction"]])
    kind = [k for k, (rows, _w) in draws.items() for _ in range(len(rows))] + recent["kind"]
    channel = [""] * len(drawn) + recent["channel"]
    order = np.lexsort((cust, row, created.astype("datetime64[s]")))
    row, cust, contact = row[order], cust[order], contact[order]
    created = created.astype("datetime64[s]")[order]
    kind = [kind[i] for i in order.tolist()]
    channel = [channel[i] for i in order.tolist()]
    m = len(row)
    from_order = row >= 0
    safe = np.maximum(row, 0)

    def of_order(col: np.ndarray) -> np.ndarray:
        if not len(col):
            return np.zeros(m, dtype=np.int64)
        return np.where(from_order, col[safe], 0).astype(np.int64)

    # shipment ids: one per order that was not cancelled, in order (see commerce.shipments)
    shipment_id = first_shipment + of_order(np.cumsum(~o["cancelled"]) - 1)
    links = np.array(
        [KINDS[k].links if r >= 0 else "" for k, r in zip(kind, row, strict=True)], dtype="U20"
    )
    assignee = np.zeros(m, dtype=np.int64)
    for i, region in enumerate(p.region[cust].tolist()):
        pool = agents_by_region[int(region)] if int(region) < len(agents_by_region) else []
        if pool:
            assignee[i] = pool[int(rng.integers(0, len(pool)))]
    cols: dict[str, Any] = {
        "customer_id": p.id[cust],
        "order_id": Ref(np.where(links != "", of_order(o["id"]), 0)),
        "shipment_id": Ref(np.where(np.char.startswith(links, "shipment"), shipment_id, 0)),
        "product_id": Ref(
            np.where(np.char.endswith(links, "product"), of_order(o["ret_product"]), 0)
        ),
        "interaction_id": Ref(contact),
        "channel": channel,
    }
    planned = Planned(
        cols, kind, of_order(o["total"]), assignee, created, created.copy(), created.copy()
    )
    _lifecycle(rng, planned, tl)
    return planned


def _lifecycle(rng: np.random.Generator, c: Planned, tl: Timeline) -> None:
    """Times of the workflow, the status at "now", and the SLA marks on the way."""
    m, now, nat = c.n, tl.as_of, np.datetime64("NaT", "s")

    def secs(values: np.ndarray) -> np.ndarray:
        return values.astype("int64").astype("timedelta64[s]")

    ack = c.created + secs(rng.exponential(3 * HOUR, m) + 300)
    first = ack + secs(rng.exponential(3 * HOUR, m) + 300)
    resolved = c.created + secs(rng.lognormal(np.log(2.5 * DAY), 1.0, m))
    closed = resolved + secs(rng.uniform(2, 7, m) * DAY)
    is_closed, is_resolved = closed <= now, (resolved <= now) & (closed > now)
    started, new = (ack <= now) & (resolved > now), ack > now
    waiting = started & (rng.random(m) < 0.25)
    status = np.select(
        [is_closed, is_resolved, waiting, started & (rng.random(m) < 0.3), started, new],
        ["closed", "resolved", "waiting_customer", "acknowledged", "in_progress", "new"],
        default="new",
    )
    c.resolved = np.where(is_closed | is_resolved, resolved, nat)
    c.closed = np.where(is_closed, closed, nat)
    severity = [KINDS[k].severity for k in c.kind]
    points = np.array([SEVERITY_POINTS[s] for s in severity], dtype=np.int64)
    policies = {
        prio: (pk, fr, res)
        for pk, prio, fr, res in SlaPolicy.objects.filter(
            category__isnull=True, tier="", active=True
        ).values_list("pk", "priority", "first_response_minutes", "resolution_minutes")
    }
    opening_prio = np.maximum(1, 4 - points)
    fr_min = np.array([policies.get(int(x), (0, 480, 1440))[1] for x in opening_prio])
    res_min = np.array([policies.get(int(x), (0, 480, 1440))[2] for x in opening_prio])
    fr_due = c.created + secs(fr_min * CALENDAR)
    res_due = c.created + secs(res_min * CALENDAR)
    warn_at = c.created + secs(res_min * CALENDAR * 0.8)
    responded = np.where(first <= now, first, nat)
    done = np.where(np.isnat(c.resolved), now, c.resolved)
    fr_breach = np.where(np.where(np.isnat(responded), now, responded) > fr_due, fr_due, nat)
    res_breach = np.where(done > res_due, res_due, nat)
    warned = np.where(done > warn_at, warn_at, nat)
    risk = np.where(
        ~np.isnat(fr_breach) | ~np.isnat(res_breach), 2, np.where(~np.isnat(warned), 1, 0)
    )
    is_open = ~(is_closed | is_resolved)
    assigned = np.where(c.assignee > 0, c.created + secs(rng.uniform(60, 1800, m)), nat)
    escalated = np.where(np.isnat(res_breach), nat, res_breach)
    c.cols.update(
        severity=severity,
        priority=np.maximum(1, 4 - points - np.where(is_open, risk, 0)),
        status=status,
        assigned_at=Timestamps(assigned),
        acknowledged_at=Timestamps(np.where(ack <= now, ack, nat)),
        first_response_at=Timestamps(responded),
        resolved_at=Timestamps(c.resolved),
        closed_at=Timestamps(c.closed),
        sla_policy_id=Ref(np.array([policies.get(int(x), (0,))[0] for x in opening_prio])),
        first_response_due=Timestamps(fr_due),
        resolution_due=Timestamps(res_due),
        sla_warn_at=Timestamps(warn_at),
        sla_warned_at=Timestamps(warned),
        first_response_breached_at=Timestamps(fr_breach),
        resolution_breached_at=Timestamps(res_breach),
        escalated_at=Timestamps(escalated),
        paused_at=Timestamps(np.where(waiting, first, nat)),
        transfer_count=(~np.isnat(escalated)).astype(np.int64) + (rng.random(m) < 0.08),
        reopened_count=(is_closed & (rng.random(m) < 0.03)).astype(np.int64),
        updated_at=Timestamps(np.where(np.isnat(c.closed), np.minimum(done, now), c.closed)),
    )


def _link_contacts(c: Planned, interactions: dict[str, Any]) -> None:
    """A case drawn from an order is opened from the customer's complaint contact closest in
    time (within two weeks), unless that contact opened a case of its own."""
    linked = c.cols["interaction_id"].ids
    channel = c.cols["channel"]
    used = set(linked[linked > 0].tolist())
    complaint = np.array([x == "complaint" for x in interactions["outcome"]], dtype=bool)
    idx = np.flatnonzero(complaint)
    ids = np.asarray(interactions["id"])
    by_customer: dict[int, list[int]] = {}
    for i, cust in zip(idx.tolist(), interactions["customer_id"][idx].tolist(), strict=True):
        if int(ids[i]) not in used:
            by_customer.setdefault(cust, []).append(i)
    started = interactions["started_at"].values
    for k, (cust, when) in enumerate(zip(c.cols["customer_id"].tolist(), c.created, strict=True)):
        options = [i for i in by_customer.get(cust, []) if int(ids[i]) not in used]
        if linked[k] or not options:
            continue
        gaps = [abs(int((started[i] - when) / np.timedelta64(1, "s"))) for i in options]
        best = int(np.argmin(gaps))
        if gaps[best] <= 14 * DAY:
            used.add(int(ids[options[best]]))
            linked[k] = int(ids[options[best]])
            channel[k] = str(interactions["channel"][options[best]])


def _numbers(years: np.ndarray, first_id: int) -> list[str]:
    """C<year>-<6 digits>, following the year's last number already stored."""
    out: list[str] = []
    nxt: dict[int, int] = {}
    for y in years.tolist():
        if y not in nxt:
            nxt[y] = service_actions.last_sequence(y) + 1
        out.append(service_actions.number(y, nxt[y]))
        nxt[y] += 1
    return out


def finish(rng: np.random.Generator, c: Planned, first_id: int) -> dict[str, Any]:
    """The remaining columns of the case table."""
    m = c.n
    categories = dict(CaseCategory.objects.values_list("code", "pk"))
    causes = dict(RootCause.objects.values_list("code", "pk"))
    teams = dict(Profile.objects.filter(team__isnull=False).values_list("user_id", "team_id"))
    cause = np.zeros(m, dtype=np.int64)
    for name, spec in KINDS.items():
        rows = [i for i, k in enumerate(c.kind) if k == name]
        picked = _pick(rng, spec.causes, len(rows))
        cause[rows] = [causes.get(code, 0) for code in picked]
    cause = np.where(np.isnat(c.resolved), 0, cause)
    linked = c.cols["interaction_id"].ids > 0
    source = np.where(linked, "interaction", np.where(rng.random(m) < 0.25, "web_form", "agent"))
    channel = [
        ch if ch else ("phone" if s == "agent" else "")
        for ch, s in zip(c.cols["channel"], source, strict=True)
    ]
    years = c.created.astype("datetime64[Y]").astype(np.int64) + 1970
    c.cols.update(
        id=first_id + np.arange(m),
        number=_numbers(years, first_id),
        category_id=np.array([categories[KINDS[k].category] for k in c.kind], dtype=np.int64),
        subject=[KINDS[k].subject for k in c.kind],
        description=[KINDS[k].description for k in c.kind],
        source=source,
        channel=channel,
        assignee_id=Ref(c.assignee),
        team_id=Ref(np.array([teams.get(int(a), 0) for a in c.assignee], dtype=np.int64)),
        created_by_id=Ref(np.where(source == "agent", c.assignee, 0)),
        created_at=Timestamps(c.created),
        root_cause_id=Ref(cause),
        temperament=_pick(rng, TEMPERAMENTS, m),
        paused_seconds=np.zeros(m, dtype=np.int64),
    )
    return c.cols


def write(
    rng: np.random.Generator,
    loader: BulkLoader,
    p: People,
    o: dict[str, np.ndarray],
    interactions: dict[str, Any],
    tl: Timeline,
    agents_by_region: list[list[int]],
) -> int:
    """Plan and write one batch's cases and what follows them; returns the number of cases.

    Call it after the batch's shipments and contacts are written: the shipment ids are
    counted back from the next free one.
    """
    from hudong.demo import case_followup
    from hudong.service.defaults import seed as seed_service

    seed_service()  # the categories, root causes and SLA policies the cases refer to
    first_shipment = loader.next_id(_shipment_model()) - int((~o["cancelled"]).sum())
    c = plan(
        rng,
        p,
        o,
        tl,
        interactions,
        first_shipment=first_shipment,
        agents_by_region=agents_by_region,
    )
    if c.n == 0:
        return 0
    _link_contacts(c, interactions)
    finish(rng, c, loader.next_id(Case))
    follow = case_followup.plan(rng, c, tl)  # also fills the case's recovery and CSAT columns
    loader.write(Case, c.cols)
    case_followup.write(loader, follow)
    return c.n


def _shipment_model() -> Any:
    from hudong.commerce.models import Shipment

    return Shipment
