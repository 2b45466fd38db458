"""Email channel endpoints. Thin: parse, call one query, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema

from hudong.api.types import Id
from hudong.interactions.channels.email import queries

router = Router(tags=["Email"])


class AttachmentOut(Schema):
    id: int
    interaction_id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    created_at: dt.datetime
    download_url: str

    @staticmethod
    def resolve_download_url(obj: Any) -> str:
        return reverse("email_channel:attachment", args=[obj.pk])


@router.get("/interactions/{interaction_id}/attachments", response=list[AttachmentOut])
def email_attachments(request: HttpRequest, interaction_id: Id) -> Any:
    """The files that came with an email (404 when the interaction is not visible). Each is
    downloaded from ``download_url`` with the signed-in session, always as an attachment."""
    return queries.attachments_of(request.user, interaction_id)
