"""The gateway's callbacks: delivery receipts and inbound messages.

They carry no login: the gateway signs each request (``X-Twilio-Signature``) and an unsigned
or forged one gets a 401 problem before anything is read or written. Errors are problem JSON
with a stable code, like the API's. Inbound messages are answered with an empty TwiML
document, which tells the gateway "recorded, no automatic reply".
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from hudong.core.errors import DomainError, problem_response
from hudong.interactions.channels.sms import actions
from hudong.interactions.channels.sms.provider import provider

log = logging.getLogger(__name__)
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _problem(error: DomainError) -> HttpResponse:
    return problem_response(error.status, error.code, error.message, **error.extra)


def _max_body() -> int:
    return int(getattr(settings, "HUDONG_SMS_MAX_BODY", 64 * 1024))


def _check(request: HttpRequest) -> dict[str, str]:
    """Size, then signature, then the form: a forged request learns nothing about the rest."""
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        length = 0
    if length > _max_body() or len(request.body) > _max_body():
        raise DomainError("sms.too_large", _("The callback is too large."), status=413)
    if not provider().verify_callback(request):
        raise DomainError(
            "sms.signature_invalid", _("The callback signature is not valid."), status=401
        )
    return {name: request.POST.get(name, "") for name in request.POST}


def _callback(
    handle: Callable[[dict[str, str]], object], reply: Callable[[], HttpResponse]
) -> Callable[[HttpRequest], HttpResponse]:
    @csrf_exempt
    @require_POST
    def view(request: HttpRequest) -> HttpResponse:
        try:
            handle(_check(request))
        except DomainError as error:
            if error.status == 401:
                log.warning(
                    "sms callback with a bad signature from %s", request.META.get("REMOTE_ADDR")
                )
            return _problem(error)
        return reply()

    return view


status = _callback(actions.receive_status, lambda: HttpResponse(status=204))
inbound = _callback(
    actions.receive_message,
    lambda: HttpResponse(EMPTY_TWIML, content_type="application/xml"),
)
