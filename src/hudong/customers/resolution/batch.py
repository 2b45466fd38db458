"""The resolution run: score every current customer against the others, merge the sure pairs,
queue the likely ones for review.

A background job (kind ``customers.resolution``, params ``{"auto_merge": bool}``). It reads
the current customers (not merged away) with their unshared identifiers and one address each
straight from the database as Arrow columns, scores them with
:func:`hudong.customers.resolution.probabilistic.score_pairs`, and writes ``MatchCandidate``
rows:

- probability ≥ ``HUDONG_MATCH_AUTO`` (default 0.99): merged at once into the older record
  (the lower id), ``reason="auto"``, unless auto-merging is switched off;
- probability ≥ ``HUDONG_MATCH_REVIEW`` (default 0.8): queued as ``pending`` for a person;
- a pair already decided "not the same", or whose merge was undone, is never proposed or
  merged again: a person said no, and a model must not overrule them; a pending pair found
  again gets its new probability.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
from django.conf import settings
from django.db import connection, models, transaction

from hudong.core.errors import DomainError
from hudong.core.jobs import Progress, register
from hudong.core.models import Job, JobStatus
from hudong.customers.models import (
    Address,
    Customer,
    Identifier,
    MatchCandidate,
    MatchStatus,
)
from hudong.customers.resolution import merge as merging
from hudong.customers.resolution.probabilistic import Options, Scored, evidence, score_pairs

log = logging.getLogger(__name__)

KIND = "customers.resolution"
FETCH = 50_000  # rows fetched from the database at a time
DECIDED_NO = {MatchStatus.NOT_SAME, MatchStatus.UNMERGED}
DONE = {MatchStatus.MERGED, MatchStatus.AUTO_MERGED}
ADDRESS_ORDER = {"home": 0, "work": 1, "billing": 2, "shipping": 3}
ID_KINDS = {"phone": "phones", "email": "emails"}  # every other kind goes to "ids"


def thresholds() -> tuple[float, float]:
    """(auto-merge, review) probability thresholds from the settings."""
    auto = float(getattr(settings, "HUDONG_MATCH_AUTO", 0.99))
    review = float(getattr(settings, "HUDONG_MATCH_REVIEW", 0.8))
    return auto, min(review, auto)


# --------------------------------------------------------------------------- reading


def _rows(sql: str) -> Iterator[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        while batch := cursor.fetchmany(FETCH):
            yield from batch


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def read_records() -> pa.Table:
    """Every current customer as one row of
    :data:`hudong.customers.resolution.probabilistic.RECORD_COLUMNS`.

    Plain SQL through Django's connection (SQLite or PostgreSQL alike), fetched in chunks:
    the ORM would build a million model objects for nothing. Shared identifiers are left out
    on purpose: a household landline is no evidence that two people are one.
    """
    current = f"SELECT id FROM {_table(Customer)} WHERE merged_into_id IS NULL"
    cols: dict[str, list[Any]] = {c: [] for c in _CUSTOMER_COLUMNS}
    for row in _rows(
        f"SELECT {', '.join(_CUSTOMER_COLUMNS.values())} FROM {_table(Customer)}"
        " WHERE merged_into_id IS NULL ORDER BY id"
    ):
        for name, value in zip(_CUSTOMER_COLUMNS, row, strict=True):
            cols[name].append(value)
    position = {cid: i for i, cid in enumerate(cols["unique_id"])}
    n = len(position)
    keys: dict[str, list[list[str] | None]] = {c: [None] * n for c in ("phones", "emails", "ids")}
    for cid, kind, key in _rows(
        f"SELECT customer_id, kind, normalized FROM {_table(Identifier)}"
        f" WHERE is_shared = {_false()} AND customer_id IN ({current})"
    ):
        column, i = keys[ID_KINDS.get(kind, "ids")], position[cid]
        if column[i] is None:
            column[i] = []
        column[i].append(key if kind in ID_KINDS else f"{kind}:{key}")  # type: ignore[union-attr]
    address = _addresses(position, current)
    birth = [str(v) if v else None for v in cols.pop("birth_date")]
    return pa.table(
        {
            **{name: values for name, values in cols.items()},
            "birth_date": pa.array(birth, pa.string()),
            **{c: pa.array(v, pa.list_(pa.string())) for c, v in keys.items()},
            **{c: pa.array(v, pa.string()) for c, v in address.items()},
        }
    )


_CUSTOMER_COLUMNS = {
    "unique_id": "id",
    "kind": "kind",
    "name": "name",
    "name_latin": "name_latin",
    "name_key": "name_key",
    "name_pinyin": "name_pinyin",
    "gender": "gender",
    "birth_date": "birth_date",
    "organization_id": "organization_id",
}


def _false() -> str:
    return "0" if connection.vendor == "sqlite" else "FALSE"


def _addresses(position: dict[int, int], current: str) -> dict[str, list[str | None]]:
    """One address per customer: the default one, else home, work, billing, shipping."""
    n = len(position)
    out: dict[str, list[str | None]] = {c: [None] * n for c in ("province", "city", "district")}
    out["street"] = [None] * n
    rank: list[tuple[int, int, int] | None] = [None] * n
    for cid, aid, kind, default, province, city, district, street in _rows(
        "SELECT customer_id, id, kind, is_default, province, city, district, street"
        f" FROM {_table(Address)} WHERE customer_id IN ({current})"
    ):
        i = position[cid]
        mine = (0 if default else 1, ADDRESS_ORDER.get(kind, 9), aid)
        if rank[i] is not None and rank[i] <= mine:  # type: ignore[operator]
            continue
        rank[i] = mine
        for column, value in zip(out, (province, city, district, street), strict=True):
            out[column][i] = value or None
    return out


# --------------------------------------------------------------------------- writing


@dataclass
class Outcome:
    scored: int = 0
    auto_merged: int = 0
    queued: int = 0
    updated: int = 0
    skipped_decided: int = 0
    already_one: int = 0
    merge_refused: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    model: dict[str, Any] | None = None  # the model learnt by this run (None: reused or none)

    def as_dict(self) -> dict[str, Any]:
        return {
            "pairs_scored": self.scored,
            "auto_merged": self.auto_merged,
            "queued": self.queued,
            "pending_updated": self.updated,
            "skipped_decided": self.skipped_decided,
            "skipped_already_one": self.already_one,
            "merge_refused": self.merge_refused,
            "seconds": {k: round(v, 2) for k, v in self.seconds.items()},
        }


class _Writer:
    """Applies scored pairs to the review queue, remembering merges made along the way so a
    later pair that names a merged record is applied to its survivor."""

    def __init__(self, job: Job | None, scored: Scored, auto: float, review: float) -> None:
        self.job, self.scored = job, scored
        self.auto, self.review = auto, review
        self.survivor: dict[int, int] = {}
        self.known = {
            (left, right): (pk, status)
            for pk, left, right, status in MatchCandidate.objects.values_list(
                "pk", "left_id", "right_id", "status"
            ).iterator(chunk_size=FETCH)
        }
        self.outcome = Outcome(scored=scored.pairs.num_rows)
        self.new: list[MatchCandidate] = []

    def current(self, cid: int) -> int:
        while cid in self.survivor:
            cid = self.survivor[cid]
        return cid

    def apply(self, row: dict[str, Any], auto_merge: bool) -> None:
        left, right = self.current(row["left_id"]), self.current(row["right_id"])
        if left == right:
            self.outcome.already_one += 1
            return
        left, right = min(left, right), max(left, right)
        probability = float(row["probability"])
        known = self.known.get((left, right))
        if known and known[1] in DECIDED_NO:
            self.outcome.skipped_decided += 1
            return
        if known and (known[1] in DONE or known[0] == 0):
            self.outcome.already_one += 1
            return
        proof = evidence(self.scored, row)
        if auto_merge and probability >= self.auto and self._merge(left, right, probability, proof):
            return
        if known:
            MatchCandidate.objects.filter(pk=known[0]).update(
                probability=probability, evidence=proof, job=self.job
            )
            self.outcome.updated += 1
            return
        self.new.append(
            MatchCandidate(
                left_id=left, right_id=right, probability=probability, evidence=proof, job=self.job
            )
        )
        self.known[(left, right)] = (0, MatchStatus.PENDING)
        self.outcome.queued += 1

    def _merge(self, left: int, right: int, probability: float, proof: dict) -> bool:
        """Merge ``right`` into ``left`` (the older record); False when the merge is refused
        (a person and an organization), so the pair goes to the review queue instead."""
        try:
            with transaction.atomic():
                candidate, _created = MatchCandidate.objects.update_or_create(
                    left_id=left,
                    right_id=right,
                    defaults={"probability": probability, "evidence": proof, "job": self.job},
                )
                merging.merge(
                    Customer(pk=left), Customer(pk=right), reason="auto", candidate=candidate
                )
        except DomainError:
            self.outcome.merge_refused += 1
            return False
        self.survivor[right] = left
        self.known[(left, right)] = (candidate.pk, MatchStatus.AUTO_MERGED)
        self.outcome.auto_merged += 1
        return True

    def flush(self) -> None:
        MatchCandidate.objects.bulk_create(self.new, batch_size=1000, ignore_conflicts=True)
        self.new.clear()


def resolve(
    job: Job | None = None,
    progress: Progress | None = None,
    *,
    auto_merge: bool = True,
    options: Options | None = None,
) -> Outcome:
    """One resolution run over every current customer (see the module docstring)."""
    auto, review = thresholds()
    stage = progress.stage if progress else (lambda message: None)
    clock = time.perf_counter()
    stage("reading customers")
    records = read_records()
    read_s = time.perf_counter() - clock
    opts = dataclasses.replace(options or Options(), threshold=review)
    try:
        scored = score_pairs(records, options=opts, stage=stage)
    except Exception:
        if opts.model is None:
            raise
        # the saved model no longer fits the data's columns: learn a new one
        log.warning("saved resolution model did not fit; training a new one", exc_info=True)
        scored = score_pairs(records, options=dataclasses.replace(opts, model=None), stage=stage)
    score_s = time.perf_counter() - clock - read_s
    del records
    writer = _Writer(job, scored, auto, review)
    rows = scored.pairs.sort_by([("probability", "descending")]).to_pylist()
    if progress:
        progress.total(len(rows), "writing merges and the review queue")
    for row in rows:
        writer.apply(row, auto_merge)
        if progress:
            progress.advance()
        if len(writer.new) >= 1000:
            writer.flush()
    writer.flush()
    outcome = writer.outcome
    outcome.model = scored.model if scored.trained else None
    outcome.seconds = {
        "read": read_s,
        "score": score_s,
        "write": time.perf_counter() - clock - read_s - score_s,
    }
    return outcome


def saved_model() -> tuple[int, dict[str, Any]] | None:
    """The model the latest run that trained one learnt, with that run's job id.

    Later runs score with it rather than learn again: once the sure duplicates are merged,
    the data hold too few of them for EM, which would then learn that a shared home address
    makes a match and merge the members of a household."""
    for job_id, result in (
        Job.objects.filter(kind=KIND, status=JobStatus.DONE)
        .order_by("-finished_at", "-id")
        .values_list("id", "result")[:20]
    ):
        if isinstance(result, dict) and result.get("model"):
            return job_id, result["model"]
    return None


@register(KIND)
def run(job: Job, progress: Progress) -> dict[str, Any]:
    """The job: ``params["auto_merge"]`` (default true) says whether sure pairs are merged;
    ``params["retrain"]`` learns a new model instead of reusing the last one."""
    saved = None if job.params.get("retrain") else saved_model()
    options = Options(model=saved[1]) if saved else None
    outcome = resolve(
        job, progress, auto_merge=bool(job.params.get("auto_merge", True)), options=options
    )
    result = outcome.as_dict()
    if outcome.model is not None:
        result["model"] = outcome.model
    elif saved:
        result["model_from_job"] = saved[0]
    result["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return result
