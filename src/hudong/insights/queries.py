"""Reads of insights results for other areas (permission checks are the callers': these
answer questions about customers the caller already holds)."""

from __future__ import annotations

from hudong.insights.models import CustomerValue


def tiers_of(customer_ids: list[int]) -> dict[int, str]:
    """The computed tier of each customer that has one (the interactions area's tier source)."""
    out: dict[int, str] = {}
    for start in range(0, len(customer_ids), 5000):
        chunk = customer_ids[start : start + 5000]
        rows = CustomerValue.objects.filter(customer_id__in=chunk).values_list(
            "customer_id", "tier"
        )
        out.update(dict(rows))
    return out
