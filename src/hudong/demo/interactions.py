"""Demo contacts: every customer's calls, emails, chats and visits, grouped in conversations,
with the breakpoints of the open ones, and the marketing consent ledger.

Contacts follow the customer: organizations are called, mailed and visited; people call,
chat, write and message. A conversation continues over channels; the ones that moved in the
last two weeks are still open and carry a next step. About 60% of people agreed to marketing
when they signed up and some 4% of those later replied "退订".
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np

from hudong.demo.bulk import Money, Ref, Timestamps
from hudong.demo.population import DAY, People, Timeline
from hudong.interactions.defaults import COSTS

PERSON_CHANNELS = (
    ["phone", "sms", "email", "webchat", "wechat", "webform"],
    [0.32, 0.14, 0.14, 0.2, 0.15, 0.05],
)
ORG_CHANNELS = (["phone", "email", "face", "postal", "fax"], [0.35, 0.37, 0.18, 0.05, 0.05])
SPOKEN = {"phone": (60, 900), "webchat": (120, 1200), "face": (600, 3600)}
TOUCHPOINT_OF = {
    "phone": "hotline-400",
    "email": "service-mailbox",
    "sms": "sms-platform",
    "webchat": "web-chat",
    "webform": "web-form",
    "wechat": "wechat-oa",
    "face": "store-counter",
    "postal": "postal-mail",
    "fax": "fax",
}
TOPICS = [
    ("咨询订单物流", "请问我的订单什么时候能到？"),
    ("申请开具发票", "需要开具增值税专用发票，抬头见附件。"),
    ("产品使用问题", "新买的产品操作有些不明白，想请教一下。"),
    ("退换货申请", "收到的商品有破损，希望换货。"),
    ("会员积分查询", "想查一下会员积分和优惠券。"),
    ("投诉：送货延迟", "承诺三天送到，已经过了一周还没收到。"),
    ("询价", "想了解批量采购的价格。"),
    ("售后维修", "产品保修期内出现故障，怎么报修？"),
]
COMPLAINT_TOPICS = [3, 5]  # damaged goods, late delivery: the customer's contact is a complaint
NEXT_STEPS = ["回电确认处理结果", "寄出换货", "发送发票", "等待客户提供照片", "安排上门维修"]
OPEN_STATES = np.array(["open", "waiting_customer", "waiting_us"])
STILL_OPEN_DAYS = 14


def _counts(rng: np.random.Generator, p: People) -> np.ndarray:
    mean = np.where(p.is_org, 3.0, 1.2) + np.where(p.buyer, 0.8, 0.0)
    return rng.poisson(mean)


def _cumsum_by_group(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Running sum of ``values`` that restarts wherever ``starts`` is True."""
    total = np.cumsum(values)
    base = np.maximum.accumulate(np.where(starts, total - values, 0.0))
    return total - base


def _last_true_index(flags: np.ndarray) -> np.ndarray:
    """For each position, the index of the latest True at or before it."""
    return np.maximum.accumulate(np.where(flags, np.arange(len(flags)), 0))


def _costs(channel: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    cents = np.zeros(len(channel), dtype=np.int64)
    for name, (per_contact, per_minute) in COSTS.items():
        mask = channel == name
        cents[mask] = int(Decimal(per_contact) * 100) + np.round(
            seconds[mask] / 60 * float(Decimal(per_minute)) * 100
        ).astype(np.int64)
    return cents


def plan(
    rng: np.random.Generator,
    p: People,
    tl: Timeline,
    *,
    first_interaction: int,
    first_thread: int,
    touchpoints: dict[str, int],
    agents_by_region: list[list[int]],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Columns of the threads and the interactions of one batch of customers."""
    # Conversations first: when each starts, then its contacts a few hours to days apart,
    # a third of them on another channel than the one before.
    conversations = _counts(rng, p)
    conv_row = np.repeat(np.arange(p.n), conversations)
    created = np.maximum(tl.days(p.created), 0.0)
    begin = created[conv_row] + rng.random(len(conv_row)) * np.maximum(
        tl.end_days - created[conv_row], 0.01
    )
    order = np.lexsort((begin, conv_row))
    conv_row, begin = conv_row[order], begin[order]
    size = rng.geometric(0.5, size=len(conv_row))
    conv = np.repeat(np.arange(len(conv_row)), size)
    row = conv_row[conv]
    n = len(row)
    first = np.r_[True, conv[1:] != conv[:-1]]
    step = np.where(first, 0.0, rng.exponential(1.5, size=n))
    day = np.minimum(begin[conv] + _cumsum_by_group(step, first), tl.end_days)
    org = p.is_org[row]
    drawn = np.where(
        org,
        rng.choice(ORG_CHANNELS[0], size=n, p=ORG_CHANNELS[1]),
        rng.choice(PERSON_CHANNELS[0], size=n, p=PERSON_CHANNELS[1]),
    )
    switch = first | (rng.random(n) < 0.33)
    channel = drawn[_last_true_index(switch)]
    inbound = np.where(first, rng.random(n) < 0.75, rng.random(n) < 0.5)
    seconds = np.zeros(n, dtype=np.int64)
    for name, (low, high) in SPOKEN.items():
        mask = channel == name
        seconds[mask] = rng.integers(low, high, size=int(mask.sum()))
    new_thread = first
    thread_ids = first_thread + conv
    topic = rng.integers(0, len(TOPICS), size=len(conv_row))[conv]
    agent = np.zeros(n, dtype=np.int64)
    spoken = np.isin(channel, list(SPOKEN))
    for i in np.flatnonzero(spoken).tolist():
        pool = agents_by_region[int(p.region[row[i]])]
        if pool:
            agent[i] = pool[int(rng.integers(0, len(pool)))]
    ts = tl.ts(day)
    interactions = {
        "id": first_interaction + np.arange(n),
        "customer_id": p.id[row],
        "thread_id": thread_ids,
        "channel": channel,
        "direction": np.where(inbound, "in", "out"),
        "initiator": np.where(inbound, "customer", "company"),
        "kind": np.where(spoken, "personal", "indirect"),
        "purpose": ["service"] * n,
        "agent_id": Ref(agent),
        "touchpoint_id": Ref(np.array([touchpoints.get(TOUCHPOINT_OF[c], 0) for c in channel])),
        "started_at": Timestamps(ts),
        "ended_at": Timestamps(ts + seconds.astype("timedelta64[s]")),
        "duration_seconds": seconds,
        "subject": [TOPICS[t][0] for t in topic.tolist()],
        "content": [TOPICS[t][1] for t in topic.tolist()],
        "outcome": np.where(inbound & np.isin(topic, COMPLAINT_TOPICS), "complaint", "").tolist(),
        "cost": Money(_costs(channel, seconds)),
        "identifier_used": [""] * n,
        "external_id": [""] * n,
        "meta": ["{}"] * n,
        "created_at": Timestamps(ts),
    }
    threads = _threads(rng, p, tl, row, day, channel, topic, new_thread, thread_ids, inbound)
    return threads, interactions


def _threads(  # type: ignore[no-untyped-def]
    rng, p: People, tl: Timeline, row, day, channel, topic, new_thread, thread_ids, inbound
) -> dict[str, Any]:
    starts = np.flatnonzero(new_thread)
    ends = np.r_[starts[1:], len(row)] - 1
    m = len(starts)
    last_day = day[ends]
    still_open = (tl.end_days - last_day) < STILL_OPEN_DAYS
    state = np.where(
        still_open,
        np.where(inbound[ends], "waiting_us", OPEN_STATES[rng.integers(0, 3, size=m)]),
        "closed",
    )
    has_step = still_open & (rng.random(m) < 0.8)
    due_day = np.where(has_step, tl.end_days + rng.uniform(-3, 5, size=m), np.nan)
    due = np.where(has_step, tl.ts(np.nan_to_num(due_day)), np.datetime64("NaT", "s"))
    # First response: the first outbound contact of the conversation, if any.
    first_out = np.full(m, np.nan)
    outbound_idx = np.flatnonzero(~inbound)
    owner = np.searchsorted(starts, outbound_idx, side="right") - 1
    for t, i in zip(owner[::-1].tolist(), outbound_idx[::-1].tolist(), strict=True):
        first_out[t] = day[i]
    responded = ~np.isnan(first_out)
    return {
        "id": thread_ids[starts],
        "customer_id": p.id[row[starts]],
        "channel": channel[starts],
        "subject": [TOPICS[t][0] for t in topic[starts].tolist()],
        "state": state,
        "next_step": np.where(
            has_step, np.array(NEXT_STEPS)[rng.integers(0, len(NEXT_STEPS), size=m)], ""
        ),
        "next_step_due": Timestamps(due.astype("datetime64[s]")),
        "assigned_to_id": Ref(np.zeros(m, dtype=np.int64)),
        "skill": [""] * m,
        "language": [p.language[r] for r in row[starts].tolist()],
        "external_ref": [""] * m,
        "opened_at": Timestamps(tl.ts(day[starts])),
        "last_activity_at": Timestamps(tl.ts(last_day)),
        "first_response_at": Timestamps(
            np.where(responded, tl.ts(np.nan_to_num(first_out)), np.datetime64("NaT", "s")).astype(
                "datetime64[s]"
            )
        ),
        "closed_at": Timestamps(
            np.where(state == "closed", tl.ts(last_day + 1.0), np.datetime64("NaT", "s")).astype(
                "datetime64[s]"
            )
        ),
    }


def consent(rng: np.random.Generator, p: People, tl: Timeline, first_id: int) -> dict[str, Any]:
    """Marketing grants at sign-up for ~60% of people; ~4% of them withdrew later by SMS."""
    person = np.flatnonzero(~p.is_org)
    granted = person[rng.random(len(person)) < 0.6]
    withdrew = granted[rng.random(len(granted)) < 0.04]
    rows = np.r_[granted, withdrew]
    yes = np.r_[np.ones(len(granted), dtype=bool), np.zeros(len(withdrew), dtype=bool)]
    created = np.maximum(tl.days(p.created[rows]), 0.0)
    later = created + rng.random(len(rows)) * np.maximum(tl.end_days - created, 0.01)
    at = tl.ts(np.where(yes, created, later))
    n = len(rows)
    return {
        "id": first_id + np.arange(n),
        "customer_id": Ref(p.id[rows]),
        "identifier_kind": [""] * n,
        "identifier_key": [""] * n,
        "channel": ["any"] * n,
        "purpose": ["marketing"] * n,
        "granted": yes,
        "source": np.where(yes, p.source[rows], "sms-keyword"),
        "note": [""] * n,
        "recorded_by_id": Ref(np.zeros(n, dtype=np.int64)),
        "at": Timestamps(at.astype("datetime64[s]")),
    }


__all__ = ["DAY", "consent", "plan"]
