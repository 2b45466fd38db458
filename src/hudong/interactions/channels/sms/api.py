"""The SMS channel's API: its set-up for administrators and the delivery state of a sent SMS.
Sending goes through the interactions API (``POST /customers/{id}/messages``, channel "sms"),
so every SMS passes the contact policy."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from hudong.api.types import Id
from hudong.interactions.channels.sms import queries

router = Router(tags=["SMS"])


class SetupOut(Schema):
    protocol: str
    configured: bool
    base_url: str
    account_sid: str
    sender: str
    auth_token_set: bool
    status_callback_url: str
    inbound_url: str


class SmsMessageOut(Schema):
    id: int
    customer_id: int
    to: str
    purpose: str
    status: str
    reason: str
    provider_ref: str
    sent_at: dt.datetime | None
    receipt_status: str | None
    receipt_error_code: str | None
    receipt_at: dt.datetime | None


@router.get("/sms/setup", response=SetupOut)
def sms_setup(request: HttpRequest) -> Any:
    """Whether SMS can go out, and the two URLs to configure at the gateway (receipts and
    inbound messages). Administrators only (``sms.admin_only``)."""
    return queries.setup(request.user)


@router.get("/sms/messages/{message_id}", response=SmsMessageOut)
def sms_message(request: HttpRequest, message_id: Id) -> Any:
    """One sent SMS and the gateway's latest receipt for it (``sms.message_not_found`` when
    it does not exist or its customer is not visible to the caller)."""
    message, receipt = queries.message(request.user, message_id)
    return {
        "id": message.pk,
        "customer_id": message.customer_id,
        "to": message.to,
        "purpose": message.purpose,
        "status": message.status,
        "reason": message.reason,
        "provider_ref": message.provider_ref,
        "sent_at": message.sent_at,
        "receipt_status": receipt.status if receipt else None,
        "receipt_error_code": receipt.error_code if receipt else None,
        "receipt_at": receipt.updated_at if receipt else None,
    }
