"""Administrators' writes: sources and their secrets. Each is atomic and publishes its event.

A secret is shown once, when it is created; afterwards only its label and first characters
are. Rotation: add a secret (both verify), give it to the sender, revoke the old one.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hudong.core import audit, events
from hudong.core.errors import DomainError, NotFound, PermissionDeniedError
from hudong.core.models import Region
from hudong.core.models.audit import AuditAction
from hudong.interactions.channels.webhooks.models import (
    HOOK_CHANNELS,
    Source,
    SourceSecret,
)
from hudong.interactions.models import Touchpoint

EDITABLE = {"name", "channel", "region", "touchpoint", "tolerance_seconds", "is_active"}
NULLABLE = {"region", "touchpoint"}
_CHANNELS = {code for code, _label in HOOK_CHANNELS}


def require_admin(user: Any) -> None:
    """Sources hold secrets that let anyone write customer data: administrators only."""
    if not (getattr(user, "is_active", False) and getattr(user, "is_superuser", False)):
        raise PermissionDeniedError()


def get_source(user: Any, slug: str) -> Source:
    require_admin(user)
    source = Source.objects.filter(slug=slug).select_related("region", "touchpoint").first()
    if source is None:
        raise NotFound("webhooks.source_unknown", _("Unknown webhook source."))
    return source


def _apply(source: Source, fields: dict[str, Any]) -> None:
    unknown = set(fields) - EDITABLE
    if unknown:
        raise DomainError("webhooks.field_unknown", _("Unknown field."), status=422)
    blank = sorted(k for k, v in fields.items() if v is None and k not in NULLABLE)
    if blank:
        raise DomainError(
            "webhooks.field_required", _("This field may not be empty."), status=422, fields=blank
        )
    if "channel" in fields and fields["channel"] not in _CHANNELS:
        raise DomainError("webhooks.channel_invalid", _("This channel is not allowed."), status=422)
    if "region" in fields:
        code = fields.pop("region")
        region = Region.objects.filter(code=code).first() if code else None
        if code and region is None:
            raise DomainError("customers.region_unknown", _("Unknown region."), status=422)
        source.region = region
    if "touchpoint" in fields:
        code = fields.pop("touchpoint")
        touchpoint = Touchpoint.objects.filter(code=code).first() if code else None
        if code and touchpoint is None:
            raise DomainError("webhooks.touchpoint_unknown", _("Unknown touchpoint."), status=422)
        source.touchpoint = touchpoint
    tolerance = fields.get("tolerance_seconds")
    if tolerance is not None and not 10 <= int(tolerance) <= 86_400:
        raise DomainError(
            "webhooks.tolerance_invalid",
            _("The timestamp window must be between 10 seconds and one day."),
            status=422,
        )
    for name, value in fields.items():
        setattr(source, name, value)


@transaction.atomic
def create_source(user: Any, *, slug: str, name: str, **fields: Any) -> tuple[Source, str]:
    """A new source with its first secret; returns both (the secret is shown this once)."""
    require_admin(user)
    source = Source(slug=slug, name=name)
    _apply(source, fields)
    try:
        with transaction.atomic():
            source.save()
    except IntegrityError as exc:
        raise DomainError(
            "webhooks.slug_taken", _("A source with this slug exists already."), status=409
        ) from exc
    secret = _new_secret(source, "first")
    events.publish("webhooks.source_created", {"source": source.slug})
    return source, secret.secret


@transaction.atomic
def update_source(user: Any, slug: str, fields: dict[str, Any]) -> Source:
    source = get_source(user, slug)
    _apply(source, dict(fields))
    source.save()
    events.publish("webhooks.source_updated", {"source": source.slug, "fields": sorted(fields)})
    return source


def _new_secret(source: Source, label: str) -> SourceSecret:
    secret = SourceSecret.objects.create(source=source, label=label[:100])
    # The secret itself stays out of the audit trail: the trail is read by more people.
    audit.record(
        AuditAction.CREATE,
        secret,
        before=None,
        after={"source": source.slug, "label": secret.label},
        customer_id=None,
    )
    return secret


@transaction.atomic
def add_secret(user: Any, slug: str, label: str = "") -> SourceSecret:
    """Start a rotation: a new secret that verifies alongside the current ones."""
    source = get_source(user, slug)
    secret = _new_secret(source, label)
    events.publish("webhooks.secret_added", {"source": source.slug, "secret_id": secret.pk})
    return secret


@transaction.atomic
def revoke_secret(user: Any, slug: str, secret_id: int) -> SourceSecret:
    """End a rotation: the secret stops verifying (at once here, within seconds elsewhere)."""
    source = get_source(user, slug)
    secret = SourceSecret.objects.filter(source=source, pk=secret_id).first()
    if secret is None:
        raise NotFound("webhooks.secret_unknown", _("Unknown secret."))
    if secret.revoked_at is None:
        secret.revoked_at = timezone.now()
        secret.save(update_fields=["revoked_at"])
        audit.record(
            AuditAction.UPDATE,
            secret,
            before={"revoked_at": None},
            after={"revoked_at": secret.revoked_at.isoformat()},
            customer_id=None,
        )
        events.publish("webhooks.secret_revoked", {"source": source.slug, "secret_id": secret.pk})
    return secret
