"""What counts as a complaint for segments, the playbook and dashboards.

Until the service area records cases, a complaint is an interaction whose outcome is
``complaint`` (agents set it on the disposition form, imports and the demo write it). When
cases land, this module is the one place that switches to them.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from hudong.interactions.models import Interaction

OUTCOME = "complaint"


def complaints() -> QuerySet[Interaction]:
    return Interaction.objects.filter(outcome=OUTCOME)


def since(days: int, now: dt.datetime | None = None) -> QuerySet[Interaction]:
    start = (now or timezone.now()) - dt.timedelta(days=days)
    return complaints().filter(started_at__gte=start)


def counts_by_customer(days: int, now: dt.datetime | None = None) -> QuerySet:
    """Customer id and complaint count in the last ``days`` days, for customers with any."""
    return since(days, now).values("customer_id").annotate(n=Count("id")).filter(n__gt=0)


def customer_q(days: int, at_least: int = 1, now: dt.datetime | None = None) -> Q:
    """A filter on customers: at least ``at_least`` complaints in the last ``days`` days."""
    ids = counts_by_customer(days, now).filter(n__gte=at_least).values("customer_id")
    return Q(pk__in=ids)
