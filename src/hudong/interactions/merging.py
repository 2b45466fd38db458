"""How interaction data behaves when two customer records are merged.

Interactions, conversations, consent entries and outbound messages simply follow the customer
(the merge re-points every foreign key). The contact policy is one per customer: the
survivor's stays; the merged record's is kept only when the survivor has none.
"""

from __future__ import annotations

from typing import Any

from hudong.customers.models import Customer
from hudong.customers.resolution.merge import register_conflict
from hudong.interactions.models import ContactPolicy


@register_conflict(ContactPolicy)
def _contact_policy(survivor: Customer, merged: Customer) -> tuple[list[Any], dict[int, Any]]:
    if ContactPolicy.objects.filter(customer=survivor).exists():
        return list(ContactPolicy.objects.filter(customer=merged)), {}
    return [], {}
