"""Pareto shares and over-representation with a significance test, on plain counts.

Over-representation compares a key's share of complaints with its share of the volume (its
shipments, order lines or cases handled). Under the hypothesis that complaints fall on keys in
proportion to their volume, a key's complaint count is binomial (n = all complaints,
p = its volume share); the p-value is the one-sided chance of seeing at least as many. Small
counts are never flagged, however low their p-value: a handful of complaints is an anecdote.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from scipy.stats import binom

ALPHA = 0.01
MIN_COUNT = 5


@dataclass(frozen=True)
class ParetoRow:
    key: str
    label: str
    count: int
    share: float  # of all complaints, 0..1
    cumulative: float  # running share, 0..1, in descending order of count


@dataclass(frozen=True)
class Lift:
    key: str
    label: str
    complaints: int
    volume: int
    complaint_share: float
    volume_share: float
    lift: float | None  # complaint share / volume share; None without volume
    p_value: float | None
    significant: bool


def pareto(counts: Mapping[str, int], labels: Mapping[str, str] | None = None) -> list[ParetoRow]:
    """Rows by descending count (ties by key), with their share and running share."""
    labels = labels or {}
    total = sum(counts.values())
    rows: list[ParetoRow] = []
    running = 0
    for key, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        if count <= 0:
            continue
        running += count
        rows.append(ParetoRow(key, labels.get(key, key), count, count / total, running / total))
    return rows


def p_value(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p): one-sided, "more complaints than its share"."""
    if k <= 0:
        return 1.0
    if p <= 0:
        return 0.0
    if p >= 1:
        return 1.0
    return float(binom.sf(k - 1, n, p))


def over_representation(
    complaints: Mapping[str, int],
    volume: Mapping[str, int],
    labels: Mapping[str, str] | None = None,
    *,
    alpha: float = ALPHA,
    min_count: int = MIN_COUNT,
) -> list[Lift]:
    """One row per key with complaints or volume: the significant ones first by descending
    lift, then the others by descending lift (no lift last)."""
    labels = labels or {}
    n = sum(complaints.values())
    total_volume = sum(volume.values())
    rows: list[Lift] = []
    for key in set(complaints) | set(volume):
        k, v = complaints.get(key, 0), volume.get(key, 0)
        c_share = k / n if n else 0.0
        v_share = v / total_volume if total_volume else 0.0
        lift = c_share / v_share if v_share else None
        p = p_value(k, n, v_share) if n and v_share else None
        sig = p is not None and p < alpha and k >= min_count and (lift or 0) > 1
        rows.append(Lift(key, labels.get(key, key), k, v, c_share, v_share, lift, p, sig))
    rows.sort(key=lambda r: (not r.significant, r.lift is None, -(r.lift or 0.0), r.key))
    return rows
