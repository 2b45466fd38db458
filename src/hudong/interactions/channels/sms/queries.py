"""Permission-checked reads of the SMS channel."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hudong.core.errors import NotFound, PermissionDeniedError
from hudong.core.models import Role
from hudong.core.scoping import profile_of
from hudong.customers import queries as customer_queries
from hudong.interactions.channels.sms.models import SmsReceipt
from hudong.interactions.channels.sms.provider import public_url
from hudong.interactions.models import OutboundMessage


def _is_admin(user: Any) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    profile = profile_of(user)
    return profile is not None and profile.role == Role.ADMIN


def setup(user: Any) -> dict[str, Any]:
    """What an administrator pastes into the gateway's console (the callback URLs) and
    whether Hudong can send. The auth token is never shown, only whether it is set."""
    if not _is_admin(user):
        raise PermissionDeniedError(
            "sms.admin_only", _("Only an administrator may see the SMS set-up.")
        )
    sid = str(getattr(settings, "HUDONG_SMS_ACCOUNT_SID", ""))
    sender = str(getattr(settings, "HUDONG_SMS_FROM", ""))
    token_set = bool(getattr(settings, "HUDONG_SMS_AUTH_TOKEN", ""))
    return {
        "protocol": "twilio-messaging-2010-04-01",
        "configured": bool(sid and sender and token_set),
        "base_url": str(getattr(settings, "HUDONG_SMS_BASE_URL", "") or "https://api.twilio.com"),
        "account_sid": sid,
        "sender": sender,
        "auth_token_set": token_set,
        "status_callback_url": public_url(reverse("sms_channel:status")),
        "inbound_url": public_url(reverse("sms_channel:inbound")),
    }


def message(user: Any, message_id: int) -> tuple[OutboundMessage, SmsReceipt | None]:
    """An SMS the company sent, with the gateway's latest receipt, if the user may see its
    customer; else ``sms.message_not_found`` (missing and hidden look the same)."""
    found = (
        OutboundMessage.objects.filter(
            pk=message_id,
            channel="sms",
            customer__in=customer_queries.visible_customers(user),
        )
        .select_related("customer")
        .first()
    )
    if found is None:
        raise NotFound("sms.message_not_found")
    receipt = (
        SmsReceipt.objects.filter(sid=found.provider_ref).first() if found.provider_ref else None
    )
    return found, receipt
