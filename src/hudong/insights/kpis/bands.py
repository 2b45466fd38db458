"""The bands the histograms count in: (key, lower bound inclusive, upper bound exclusive)."""

from __future__ import annotations

INF = float("inf")

# Days between two consecutive orders of a customer (the purchase cycle).
GAP_BANDS: tuple[tuple[str, float, float], ...] = (
    ("0-6", 0, 7),
    ("7-13", 7, 14),
    ("14-29", 14, 30),
    ("30-59", 30, 60),
    ("60-89", 60, 90),
    ("90-179", 90, 180),
    ("180-364", 180, 365),
    ("365+", 365, INF),
)

# Orders in the value window (12 months by default) of a buyer.
FREQUENCY_BANDS: tuple[tuple[str, float, float], ...] = (
    ("1", 1, 2),
    ("2", 2, 3),
    ("3-5", 3, 6),
    ("6-10", 6, 11),
    ("11+", 11, INF),
)


def bounds(bands: tuple[tuple[str, float, float], ...], key: str) -> tuple[float, float] | None:
    for name, lo, hi in bands:
        if name == key:
            return lo, hi
    return None
