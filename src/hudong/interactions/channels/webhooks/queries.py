"""Administrators' reads: sources, their secrets (never the secret again) and recent events."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from hudong.core.errors import DomainError
from hudong.interactions.channels.webhooks.actions import get_source, require_admin
from hudong.interactions.channels.webhooks.models import EventStatus, Source, WebhookEvent

MAX_EVENTS = 200


def sources(user: Any) -> QuerySet[Source]:
    require_admin(user)
    return Source.objects.select_related("region", "touchpoint").prefetch_related("secrets")


def recent_events(user: Any, slug: str, status: str = "", limit: int = 50) -> list[WebhookEvent]:
    source = get_source(user, slug)
    qs = WebhookEvent.objects.filter(source=source)
    if status:
        if status not in EventStatus.values:
            raise DomainError("webhooks.status_unknown", _("Unknown status."), status=422)
        qs = qs.filter(status=status)
    return list(qs.order_by("-id")[: max(1, min(limit, MAX_EVENTS))])
