"""Administrators' API for webhook sources: create, configure, rotate secrets, see deliveries.

The deliveries themselves do not come through here but to ``POST /hooks/<slug>/`` (signed,
no account): see ``docs/interactions/webhooks.md``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from hudong.api.types import CleanStr, Id
from hudong.interactions.channels.webhooks import actions, queries
from hudong.interactions.channels.webhooks.models import Source, SourceSecret

router = Router(tags=["Webhooks"])
Limit = Annotated[int, Field(ge=1, le=200)]


class SecretOut(Schema):
    id: int
    label: str
    hint: str  # the first characters, to tell secrets apart
    created_at: dt.datetime
    revoked_at: dt.datetime | None


class SourceOut(Schema):
    slug: str
    name: str
    channel: str
    region: str | None
    touchpoint: str | None
    tolerance_seconds: int
    is_active: bool
    url: str
    secrets: list[SecretOut]


class SourceCreated(SourceOut):
    secret: str  # shown once


class SourceIn(Schema):
    slug: str = Field(..., pattern=r"^[-a-zA-Z0-9_]{1,50}$")
    name: CleanStr = Field(..., min_length=1, max_length=100)
    channel: str = "webform"
    region: CleanStr | None = Field(None, max_length=32)
    touchpoint: CleanStr | None = Field(None, max_length=50)
    tolerance_seconds: int = Field(300, ge=10, le=86_400)


class SourcePatch(Schema):
    name: CleanStr | None = Field(None, min_length=1, max_length=100)
    channel: str | None = None
    region: CleanStr | None = Field(None, max_length=32)
    touchpoint: CleanStr | None = Field(None, max_length=50)
    tolerance_seconds: int | None = Field(None, ge=10, le=86_400)
    is_active: bool | None = None


class SecretIn(Schema):
    label: CleanStr = Field("", max_length=100)


class SecretCreated(SecretOut):
    secret: str  # shown once


class EventOut(Schema):
    id: int
    event_id: str
    status: str
    error: str
    received_at: dt.datetime
    processed_at: dt.datetime | None
    interaction_id: int | None


def _secret(secret: SourceSecret) -> dict[str, Any]:
    return {
        "id": secret.pk,
        "label": secret.label,
        # A fingerprint, never part of the secret: enough to tell secrets apart.
        "hint": "sha256:" + hashlib.sha256(secret.secret.encode()).hexdigest()[:12],
        "created_at": secret.created_at,
        "revoked_at": secret.revoked_at,
    }


def _source(source: Source) -> dict[str, Any]:
    return {
        "slug": source.slug,
        "name": source.name,
        "channel": source.channel,
        "region": source.region.code if source.region else None,
        "touchpoint": source.touchpoint.code if source.touchpoint else None,
        "tolerance_seconds": source.tolerance_seconds,
        "is_active": source.is_active,
        "url": f"/hooks/{source.slug}/",
        "secrets": [_secret(s) for s in source.secrets.all()],
    }


@router.get("/webhooks/sources", response=list[SourceOut])
def list_sources(request: HttpRequest) -> list[dict[str, Any]]:
    """Every source (administrators only)."""
    return [_source(s) for s in queries.sources(request.user)]


@router.post("/webhooks/sources", response={201: SourceCreated})
def create_source(request: HttpRequest, data: SourceIn) -> Status:
    """A new source and its first secret, returned this once."""
    fields = data.dict()
    source, secret = actions.create_source(request.user, **fields)
    return Status(201, {**_source(source), "secret": secret})


@router.get("/webhooks/sources/{slug}", response=SourceOut)
def get_source(request: HttpRequest, slug: str) -> dict[str, Any]:
    return _source(actions.get_source(request.user, slug))


@router.patch("/webhooks/sources/{slug}", response=SourceOut)
def update_source(request: HttpRequest, slug: str, data: SourcePatch) -> dict[str, Any]:
    fields = data.dict(exclude_unset=True)
    return _source(actions.update_source(request.user, slug, fields))


@router.post("/webhooks/sources/{slug}/secrets", response={201: SecretCreated})
def add_secret(request: HttpRequest, slug: str, data: SecretIn) -> Status:
    """Start a rotation: a new secret that verifies alongside the old ones (shown once)."""
    secret = actions.add_secret(request.user, slug, data.label)
    return Status(201, {**_secret(secret), "secret": secret.secret})


@router.post("/webhooks/sources/{slug}/secrets/{secret_id}/revoke", response=SecretOut)
def revoke_secret(request: HttpRequest, slug: str, secret_id: Id) -> dict[str, Any]:
    """End a rotation: the secret no longer verifies."""
    return _secret(actions.revoke_secret(request.user, slug, secret_id))


@router.get("/webhooks/sources/{slug}/events", response=list[EventOut])
def list_events(
    request: HttpRequest, slug: str, status: str = "", limit: Limit = 50
) -> list[dict[str, Any]]:
    """The latest deliveries of a source, with what became of them."""
    return [
        {
            "id": e.pk,
            "event_id": e.event_id,
            "status": e.status,
            "error": e.error,
            "received_at": e.received_at,
            "processed_at": e.processed_at,
            "interaction_id": e.interaction_id,
        }
        for e in queries.recent_events(request.user, slug, status, limit)
    ]
