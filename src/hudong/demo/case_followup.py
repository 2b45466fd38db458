"""What follows a demo case (see :mod:`hudong.demo.cases`): its checklist, the recovery
actions, the "customer informed" step, the outcome and the CSAT survey.

Recovery fits the complaint (a lost parcel is replaced or refunded, a rude call gets an
apology); a recovered customer answers the survey more kindly than one who was not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from hudong.demo.bulk import BulkLoader, Money, Ref, Timestamps
from hudong.demo.population import Timeline
from hudong.service.checklist import steps_for
from hudong.service.models import (
    CaseCategory,
    CaseChecklistItem,
    CsatSurvey,
    RecoveryAction,
)

if TYPE_CHECKING:
    from hudong.demo.cases import Planned

HOUR, DAY = 3600, 86400
# kind of complaint → recovery kinds to choose from
RECOVERY = {
    "late": ("apology", "coupon"),
    "lost": ("replacement", "refund"),
    "where": ("apology",),
    "damage": ("replacement", "refund", "coupon"),
    "defect": ("replacement", "refund"),
    "misuse": ("apology", "gift"),
    "billing": ("refund", "apology"),
    "attitude": ("apology", "gift", "coupon"),
    "contact-late": ("apology", "coupon"),
    "contact-damage": ("replacement", "refund"),
}
ALWAYS_RECOVERED = {"lost", "defect"}
OUTCOMES = ("recovered", "partial", "not_recovered")
# CSAT 1..5 by recovery outcome ("" : no recovery action)
SCORES = {
    "recovered": (0.02, 0.03, 0.10, 0.35, 0.50),
    "partial": (0.05, 0.10, 0.30, 0.35, 0.20),
    "not_recovered": (0.30, 0.30, 0.25, 0.10, 0.05),
    "": (0.08, 0.12, 0.25, 0.30, 0.25),
}
COMMENTS = {1: "很不满意", 2: "处理太慢", 3: "一般", 4: "满意", 5: "非常满意，谢谢"}


def _cost_cents(rng: np.random.Generator, kind: str, order_total: int) -> int:
    if kind == "apology":
        return 0
    if kind == "refund":
        return int(max(order_total, 1000) * rng.uniform(0.2, 1.0))
    if kind == "replacement":
        return int(max(order_total, 2000) * rng.uniform(0.4, 0.8))
    if kind == "coupon":
        return int(rng.choice([2000, 3000, 5000]))
    return int(rng.choice([1000, 2000]))  # gift


def plan(rng: np.random.Generator, c: Planned, tl: Timeline) -> dict[str, dict[str, Any]]:
    """Columns of the recovery actions, surveys and checklist items; fills the case's
    ``customer_informed_at``, ``recovery_outcome`` and ``csat_score``."""
    m, nat = c.n, np.datetime64("NaT", "s")
    ids = c.cols["id"]
    informed = np.full(m, nat)
    outcome = [""] * m
    score = np.zeros(m, dtype=np.int64)
    recovery: dict[str, list[Any]] = {k: [] for k in ("case_id", "kind", "cost", "at", "by")}
    survey: dict[str, list[Any]] = {k: [] for k in ("case_id", "sent", "score", "answered")}
    channels = c.cols["channel"]
    for i in range(m):
        resolved = c.resolved[i]
        if np.isnat(resolved):
            continue
        kind = c.kind[i]
        if kind in ALWAYS_RECOVERED or rng.random() < 0.6:
            what = RECOVERY[kind][int(rng.integers(0, len(RECOVERY[kind])))]
            at = max(
                c.created[i], resolved - np.timedelta64(int(rng.uniform(HOUR, 12 * HOUR)), "s")
            )
            recovery["case_id"].append(int(ids[i]))
            recovery["kind"].append(what)
            recovery["cost"].append(_cost_cents(rng, what, int(c.order_total_cents[i])))
            recovery["at"].append(at)
            recovery["by"].append(int(c.assignee[i]))
            informed[i] = at + np.timedelta64(30 * 60, "s")
            outcome[i] = OUTCOMES[int(rng.choice(3, p=(0.7, 0.18, 0.12)))]
        closed = c.closed[i]
        if np.isnat(closed):
            continue
        answered = closed + np.timedelta64(int(rng.exponential(DAY) + 600), "s")
        answers = rng.random() < 0.45 and answered <= tl.as_of
        s = int(rng.choice(5, p=SCORES[outcome[i]])) + 1 if answers else 0
        survey["case_id"].append(int(ids[i]))
        survey["sent"].append(closed)
        survey["score"].append(s)
        survey["answered"].append(answered if answers else nat)
        score[i] = s
    c.cols.update(
        customer_informed_at=Timestamps(informed),
        recovery_outcome=outcome,
        csat_score=Ref(score),
    )
    return {
        "recovery": recovery,
        "survey": survey,
        "channel": {"by_case": dict(zip(ids.tolist(), channels, strict=True))},
        "checklist": _checklist(c, informed),
    }


def _checklist(c: Planned, informed: np.ndarray) -> dict[str, list[Any]]:
    """Each case's copy of its category's steps, ticked as far as the case went."""
    cols: dict[str, list[Any]] = {k: [] for k in ("case_id", "code", "label", "pos", "done", "by")}
    steps = {pk: steps_for(cat) for pk, cat in CaseCategory.objects.in_bulk().items()}
    ack = c.cols["acknowledged_at"].values
    cause = c.cols["root_cause_id"].ids
    for i, case_id in enumerate(c.cols["id"].tolist()):
        done = {
            "acknowledge": ack[i],
            "analyse": c.resolved[i] if cause[i] else None,
            "resolve": c.resolved[i],
            "record": c.resolved[i] if cause[i] else None,
            "follow-up": c.closed[i],
        }
        for step in steps[int(c.cols["category_id"][i])]:
            at = done.get(step.code)
            cols["case_id"].append(case_id)
            cols["code"].append(step.code)
            cols["label"].append(step.label)
            cols["pos"].append(step.position)
            cols["done"].append(np.datetime64("NaT", "s") if at is None else at)
            cols["by"].append(int(c.assignee[i]) if at is not None and not np.isnat(at) else 0)
    return cols


def write(loader: BulkLoader, f: dict[str, dict[str, Any]]) -> None:
    r, s, k = f["recovery"], f["survey"], f["checklist"]
    if r["case_id"]:
        n = len(r["case_id"])
        loader.write(
            RecoveryAction,
            {
                "id": loader.next_id(RecoveryAction) + np.arange(n),
                "case_id": np.array(r["case_id"], dtype=np.int64),
                "kind": r["kind"],
                "cost": Money(np.array(r["cost"], dtype=np.int64)),
                "note": [""] * n,
                "created_by_id": Ref(np.array(r["by"], dtype=np.int64)),
                "created_at": Timestamps(np.array(r["at"], dtype="datetime64[s]")),
            },
        )
    if s["case_id"]:
        n = len(s["case_id"])
        by_case = f["channel"]["by_case"]
        loader.write(
            CsatSurvey,
            {
                "id": loader.next_id(CsatSurvey) + np.arange(n),
                "case_id": np.array(s["case_id"], dtype=np.int64),
                "sent_at": Timestamps(np.array(s["sent"], dtype="datetime64[s]")),
                "channel": [by_case.get(cid) or "sms" for cid in s["case_id"]],
                "outbound_id": Ref(np.zeros(n, dtype=np.int64)),
                "score": Ref(np.array(s["score"], dtype=np.int64)),
                "comment": [COMMENTS.get(x, "") for x in s["score"]],
                "answered_at": Timestamps(np.array(s["answered"], dtype="datetime64[s]")),
            },
        )
    if k["case_id"]:
        n = len(k["case_id"])
        loader.write(
            CaseChecklistItem,
            {
                "id": loader.next_id(CaseChecklistItem) + np.arange(n),
                "case_id": np.array(k["case_id"], dtype=np.int64),
                "code": k["code"],
                "label": k["label"],
                "position": np.array(k["pos"], dtype=np.int64),
                "done_at": Timestamps(np.array(k["done"], dtype="datetime64[s]")),
                "done_by_id": Ref(np.array(k["by"], dtype=np.int64)),
            },
        )
