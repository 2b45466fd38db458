"""Orders, lines, shipments, returns, invoices and payments, played out from the hidden
behaviour drawn in :mod:`hudong.demo.population`.

Buying follows BG/NBD: while alive a customer buys at rate lambda ~ Gamma(r, alpha) and after
each purchase drops out with probability p ~ Beta(a, b). Spend follows Gamma-Gamma: order values
~ Gamma(P_SPEND, nu) around a customer mean that is itself heavy-tailed, so a small share of
customers brings most of the revenue. Everything is vectorised; per-order arrays are kept (about
a hundred bytes per order) because shipments, returns and invoices depend on each other.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from hudong.demo.bulk import Money, Ref, Timestamps
from hudong.demo.catalog import Catalog
from hudong.demo.population import DAY, People, Timeline

P_SPEND = 6.0
UTC_OFFSET = 8 * 3600  # orders follow the clock in China
HOURS = np.array(
    [
        1,
        0.5,
        0.3,
        0.2,
        0.2,
        0.3,
        0.8,
        1.5,
        2.5,
        3.5,
        4,
        4,
        3.5,
        3.5,
        4,
        4,
        3.5,
        3,
        3,
        4,
        5,
        5.5,
        4.5,
        2.5,
    ]
)
CHUNK = 50_000
LINES = 7  # random stream of the order lines (see hudong.demo.generator)
PERSON_CHANNELS = (["web", "app", "store", "wechat", "phone"], [0.35, 0.35, 0.15, 0.1, 0.05])
ORG_CHANNELS = (["b2b", "phone", "web"], [0.7, 0.2, 0.1])
TRACKING_PREFIX = {"sf": "SF", "zto": "ZT", "yto": "YT", "yunda": "YD", "jd": "JD", "suda": "SD"}
REASONS = np.array(
    ["late_delivery", "wrong_size", "defective", "changed_mind", "not_as_described", "damaged"]
)
REASONS_SIZED = [0, 0.5, 0.1, 0.2, 0.15, 0.05]  # apparel and shoes
REASONS_OTHER = [0, 0, 0.35, 0.25, 0.2, 0.2]


def plan_orders(rng: np.random.Generator, p: People, tl: Timeline) -> dict[str, np.ndarray]:
    """When each customer buys. Returns the order skeleton sorted by time; also moves each
    buyer's ``created`` to just before their first order."""
    rows = np.flatnonzero(p.buyer & (p.t_first < tl.end_days))
    span = tl.end_days - p.t_first[rows]
    n_pois = rng.poisson(np.minimum(p.lam[rows] * span, 400.0))
    alive_for = rng.geometric(p.p_drop[rows])  # purchases made before dropping out
    repeats = np.minimum(alive_for - 1, n_pois)
    # repeat purchases: the first `repeats` of n_pois uniform arrival times
    group = np.repeat(np.arange(len(rows)), n_pois)
    key = np.sort(group + rng.random(len(group)))
    starts = np.repeat(np.cumsum(n_pois) - n_pois, n_pois)
    keep = (np.arange(len(group)) - starts) < np.repeat(repeats, n_pois)
    g = group[keep]
    t_repeat = p.t_first[rows][g] + (key[keep] - g) * span[g]
    cust = np.concatenate([rows, rows[g]])
    days = np.concatenate([p.t_first[rows], t_repeat])
    # the hour follows a day's rhythm in China
    hour = rng.choice(24, size=len(days), p=HOURS / HOURS.sum())
    seconds = np.floor(days) * DAY + hour * 3600 + rng.integers(0, 3600, len(days)) - UTC_OFFSET
    ts = tl.start + seconds.astype("int64").astype("timedelta64[s]")
    # a duplicate record takes over half of the person's orders after it was created
    d = p.dup_row[cust]
    moved = (d >= 0) & (ts > p.created[np.maximum(d, 0)]) & (rng.random(len(cust)) < 0.5)
    cust = np.where(moved, d, cust)
    order = np.lexsort((cust, ts))
    cust, ts = cust[order], ts[order]
    first = np.full(p.n, np.datetime64("NaT", "s"))
    first_int = np.full(p.n, np.iinfo(np.int64).max)
    np.minimum.at(first_int, cust, ts.astype(np.int64))
    bought = first_int < np.iinfo(np.int64).max
    first[bought] = first_int[bought].astype("datetime64[s]")
    before = first - rng.integers(60, 7200, p.n).astype("timedelta64[s]")
    p.created = np.where(bought & (before < p.created), before, p.created)
    return {"cust": cust, "ts": ts}


def plan_fulfilment(
    rng: np.random.Generator,
    o: dict[str, np.ndarray],
    p: People,
    cat: Catalog,
    tl: Timeline,
    region_codes: list[str],
) -> None:
    """Cancellation, carrier, shipping and delivery times, and the resulting statuses."""
    n = len(o["ts"])
    cancelled = rng.random(n) < 0.02
    carrier = rng.choice(len(cat.carrier_share), size=n, p=cat.carrier_share)
    hours = np.clip(rng.lognormal(np.log(18), 0.6, n), 1, 120)
    shipped = o["ts"] + (hours * 3600).astype("int64").astype("timedelta64[s]")
    local_day = (shipped.astype(np.int64) + UTC_OFFSET) // DAY * DAY - UTC_OFFSET
    promised_int = local_day + cat.carrier_days[carrier] * DAY + 20 * 3600
    promised = promised_int.astype("datetime64[s]")
    month_day = (shipped + np.timedelta64(UTC_OFFSET, "s")).astype("datetime64[D]")
    in_peak = _is_singles_day_rush(month_day)
    late_p = np.minimum(cat.carrier_late[carrier] * np.where(in_peak, 2.0, 1.0), 0.85)
    late = rng.random(n) < late_p
    is_suda = np.array([cat.carrier_code[c] == "suda" for c in range(len(cat.carrier_code))])
    delay = 3600 + rng.exponential(np.where(is_suda[carrier], 3.0, 2.0) * DAY)
    window = (promised - shipped).astype(np.int64)
    on_time = shipped.astype(np.int64) + (rng.uniform(0.35, 0.98, n) * window).astype(np.int64)
    delivered = np.where(late, promised_int + delay.astype(np.int64), on_time)
    delivered_ts = delivered.astype("datetime64[s]")
    lost = rng.random(n) < np.where(is_suda[carrier], 0.02, 0.002)
    now = tl.as_of
    pending = shipped > now
    in_transit = ~pending & (delivered_ts > now)
    status = np.where(pending, "pending", np.where(in_transit, "in_transit", "delivered"))
    status = np.where(lost & ~pending, "lost", status)
    order_status = np.where(
        pending, "placed", np.where(status == "delivered", "delivered", "shipped")
    )
    order_status = np.where(cancelled, "cancelled", order_status)
    nat = np.datetime64("NaT", "s")
    region = p.region[o["cust"]]
    region_wh = {code: i for i, code in enumerate(cat.warehouse_region) if code}
    central = next((i for i, code in enumerate(cat.warehouse_region) if not code), 0)
    home = np.array([region_wh.get(code, central) for code in region_codes])
    wh = np.where(rng.random(n) < 0.85, home[region], central)
    o.update(
        cancelled=cancelled,
        carrier=carrier,
        late=late & ~pending,
        shipped=np.where(pending, nat, shipped),
        promised=promised,
        delivered=np.where((status == "delivered"), delivered_ts, nat),
        ship_status=status,
        status=order_status,
        warehouse=cat.warehouse_id[wh],
    )


def _is_singles_day_rush(day: np.ndarray) -> np.ndarray:
    month = day.astype("datetime64[M]")
    dom = (day - month).astype(np.int64) + 1
    return ((month.astype(np.int64) % 12) == 10) & (dom >= 10) & (dom <= 20)


def order_chunks(
    stream: tuple[int, ...],
    o: dict[str, np.ndarray],
    p: People,
    cat: Catalog,
    first_id: int,
    first_line: int,
) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Orders and their lines, ~50k orders at a time. Fills ``o`` with ids, totals and the
    line a return would be about."""
    n = len(o["ts"])
    o["id"] = first_id + np.arange(n)
    for key in ("total", "ret_product", "ret_price", "ret_qty"):
        o[key] = np.zeros(n, dtype=np.int64)
    o["ret_factor"] = np.zeros(n)
    prices = cat.price_cents / 100
    line_id = first_line
    for k, start in enumerate(range(0, n, CHUNK)):
        seed, batch = stream
        rng = np.random.Generator(np.random.PCG64([seed, LINES, batch, k]))
        sl = slice(start, min(n, start + CHUNK))
        m = sl.stop - sl.start
        cust = o["cust"][sl]
        org = p.is_org[cust]
        z = rng.gamma(P_SPEND, 1.0 / p.nu[cust])
        lines = np.where(
            org,
            rng.choice([1, 2, 3, 4], size=m, p=[0.2, 0.3, 0.25, 0.25]),
            rng.choice([1, 2, 3, 4], size=m, p=[0.45, 0.3, 0.15, 0.1]),
        )
        of = np.repeat(np.arange(m), lines)  # order of each line
        first_line_of = np.cumsum(lines) - lines
        qty = rng.choice([1, 2, 3], size=len(of), p=[0.8, 0.15, 0.05])
        target = z[of] / lines[of] / qty * rng.lognormal(0, 0.5, len(of))
        idx = np.searchsorted(prices, target) + rng.integers(-6, 7, len(of))
        idx = np.clip(idx, 0, len(prices) - 1)
        qty = np.where(org[of], np.clip(np.round(z[of] / lines[of] / prices[idx]), 1, 500), qty)
        qty = qty.astype(np.int64)
        discount = rng.choice([1.0, 0.95, 0.9, 0.8], size=len(of), p=[0.65, 0.15, 0.12, 0.08])
        unit_price = np.round(cat.price_cents[idx] * discount).astype(np.int64)
        total = np.bincount(of, weights=qty * unit_price, minlength=m).astype(np.int64)
        o["total"][sl] = total
        fl = first_line_of
        o["ret_product"][sl] = cat.product_id[idx[fl]]
        o["ret_price"][sl] = unit_price[fl]
        o["ret_qty"][sl] = qty[fl]
        o["ret_factor"][sl] = cat.returns[idx[fl]]
        ids = o["id"][sl]
        ymd = np.char.replace(np.datetime_as_string(o["ts"][sl], unit="D"), "-", "").tolist()
        ch = np.where(
            org,
            rng.choice(ORG_CHANNELS[0], size=m, p=ORG_CHANNELS[1]),
            rng.choice(PERSON_CHANNELS[0], size=m, p=PERSON_CHANNELS[1]),
        )
        orders = {
            "id": ids,
            "customer_id": p.id[cust],
            "number": [f"SO{d}{i:08d}" for d, i in zip(ymd, ids.tolist(), strict=True)],
            "channel": ch,
            "status": o["status"][sl],
            "ordered_at": Timestamps(o["ts"][sl]),
            "total": Money(total),
            "currency": ["CNY"] * m,
            "warehouse_id": o["warehouse"][sl],
        }
        n_lines = len(of)
        order_lines = {
            "id": line_id + np.arange(n_lines),
            "order_id": ids[of],
            "product_id": cat.product_id[idx],
            "quantity": qty,
            "unit_price": Money(unit_price),
            "unit_cost": Money(cat.cost_cents[idx]),
        }
        line_id += n_lines
        yield orders, order_lines


def shipments(o: dict[str, np.ndarray], cat: Catalog, first_id: int) -> dict[str, Any]:
    rows = np.flatnonzero(~o["cancelled"])
    ids = first_id + np.arange(len(rows))
    codes = (ids * 2654435761 + 12345) % 10**12
    carrier = o["carrier"][rows]
    prefix = [TRACKING_PREFIX.get(cat.carrier_code[c], "TN") for c in carrier.tolist()]
    return {
        "id": ids,
        "order_id": o["id"][rows],
        "carrier_id": cat.carrier_id[carrier],
        "warehouse_id": o["warehouse"][rows],
        "tracking_number": [f"{x}{c:012d}" for x, c in zip(prefix, codes.tolist(), strict=True)],
        "status": o["ship_status"][rows],
        "shipped_at": Timestamps(o["shipped"][rows]),
        "promised_at": Timestamps(o["promised"][rows]),
        "delivered_at": Timestamps(o["delivered"][rows]),
    }


def returns(
    rng: np.random.Generator, o: dict[str, np.ndarray], p: People, tl: Timeline, first_id: int
) -> dict[str, Any]:
    """A few percent of delivered orders come back: more for clothes and late deliveries."""
    delivered = ~np.isnat(o["delivered"])
    chance = 0.035 * o["ret_factor"] * np.where(o["late"], 2.5, 1.0)
    chance *= np.where(p.is_org[o["cust"]], 0.5, 1.0)
    requested = o["delivered"] + ((0.3 + rng.exponential(4.0, len(chance))) * DAY).astype(
        "int64"
    ).astype("timedelta64[s]")
    rows = np.flatnonzero(delivered & (rng.random(len(chance)) < chance) & (requested < tl.as_of))
    m = len(rows)
    sized = o["ret_factor"][rows] >= 2.4
    reason = np.where(
        sized,
        rng.choice(len(REASONS), size=m, p=REASONS_SIZED),
        rng.choice(len(REASONS), size=m, p=REASONS_OTHER),
    )
    reason = np.where(o["late"][rows] & (rng.random(m) < 0.6), 0, reason)
    qty = np.where(rng.random(m) < 0.7, 1, o["ret_qty"][rows])
    qty = np.minimum(qty, o["ret_qty"][rows])
    req = requested[rows]
    resolved = req + (rng.uniform(1, 10, m) * DAY).astype("int64").astype("timedelta64[s]")
    done = resolved <= tl.as_of
    status = np.where(
        done,
        np.where(rng.random(m) < 0.88, "refunded", "rejected"),
        np.where(req > tl.as_of - np.timedelta64(2 * DAY, "s"), "requested", "approved"),
    )
    return {
        "id": first_id + np.arange(m),
        "order_id": o["id"][rows],
        "customer_id": p.id[o["cust"][rows]],
        "product_id": o["ret_product"][rows],
        "quantity": qty,
        "amount": Money(qty * o["ret_price"][rows]),
        "reason": REASONS[reason],
        "status": status,
        "requested_at": Timestamps(req),
        "resolved_at": Timestamps(np.where(done, resolved, np.datetime64("NaT", "s"))),
    }


def billing(
    rng: np.random.Generator, o: dict[str, np.ndarray], p: People, tl: Timeline,
    first_invoice: int, first_payment: int,
) -> tuple[dict[str, Any], dict[str, Any]]:  # fmt: skip
    """One invoice per order; most are paid at once, accounts on terms pay late or never."""
    n = len(o["ts"])
    cust = o["cust"]
    org = p.is_org[cust]
    issued = o["ts"] + rng.integers(30, 600, n).astype("timedelta64[s]")
    on_account = org | ((p.credit_cents[cust] > 0) & (rng.random(n) < 0.3))
    cod = ~on_account & (rng.random(n) < 0.05)
    terms = np.where(org, p.terms_days[cust], 30)
    due = np.where(on_account, issued + (terms * DAY).astype("timedelta64[s]"), issued)
    nat = np.datetime64("NaT", "s")
    due = np.where(cod, np.where(np.isnat(o["delivered"]), o["promised"], o["delivered"]), due)
    # when it gets paid (NaT: never)
    u = rng.random(n)
    risk = p.pay_risk[cust]
    term_s = (terms * DAY).astype(np.int64)
    on_time = issued + (rng.uniform(0.2, 1.0, n) * term_s).astype("timedelta64[s]")
    late = due + ((1 + rng.exponential(15, n)) * DAY).astype("int64").astype("timedelta64[s]")
    paid = np.where(u < risk, nat, np.where(u < 3 * risk, late, on_time))
    paid = np.where(on_account, paid, issued + rng.integers(10, 1800, n).astype("timedelta64[s]"))
    paid = np.where(cod, o["delivered"], paid)
    void = o["cancelled"] | (cod & (o["ship_status"] == "lost"))
    paid = np.where(void | (paid > tl.as_of), nat, paid)
    partial = on_account & ~np.isnat(paid) & (rng.random(n) < 0.04)
    has_payment = ~np.isnat(paid)
    status = np.where(void, "void", np.where(has_payment & ~partial, "paid", "open"))
    ids = first_invoice + np.arange(n)
    year = (o["ts"].astype("datetime64[Y]").astype(np.int64) + 1970).tolist()
    invoices = {
        "id": ids,
        "customer_id": p.id[cust],
        "order_id": Ref(o["id"]),
        "number": [f"INV{y}{i:09d}" for y, i in zip(year, ids.tolist(), strict=True)],
        "amount": Money(o["total"]),
        "currency": ["CNY"] * n,
        "issued_at": Timestamps(issued),
        "due_at": Timestamps(due),
        "status": status,
    }
    rows = np.flatnonzero(has_payment)
    amount = np.where(partial[rows], o["total"][rows] // 2, o["total"][rows])
    methods = rng.choice(["alipay", "wechat_pay", "card"], size=len(rows), p=[0.5, 0.4, 0.1])
    method = np.where(org[rows], "transfer", np.where(cod[rows], "cod", methods))
    payments = {
        "id": first_payment + np.arange(len(rows)),
        "invoice_id": ids[rows],
        "amount": Money(amount),
        "paid_at": Timestamps(paid[rows]),
        "method": method,
    }
    return invoices, payments
