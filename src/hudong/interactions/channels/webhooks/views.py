"""``POST /hooks/<source>/`` and ``POST /hooks/<source>/batch``: thin, they parse and answer.

Every refusal is problem JSON (RFC 9457) with a stable ``code``, like the API's. The body size
is checked from ``Content-Length`` before the body is read, and again on the bytes read (a
sender may omit the header or send more than it announced).
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from hudong.core.errors import DomainError, problem_response
from hudong.interactions.channels.webhooks import receive, signing

problem = problem_response


def _answer(status: int, body: dict[str, Any]) -> HttpResponse:
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type="application/json"
    )


def _too_large() -> DomainError:
    return DomainError("webhooks.body_too_large", _("The request body is too large."), status=413)


def _body(request: HttpRequest, limit: int) -> bytes:
    announced = request.META.get("CONTENT_LENGTH") or ""
    if (announced.strip().isascii() and announced.strip().isdigit()) and int(announced) > limit:
        raise _too_large()
    body = request.read(limit + 1)
    if len(body) > limit:
        raise _too_large()
    return body


def _verified(request: HttpRequest, slug: str, limit: int) -> bytes:
    source = receive.verifier(slug)
    body = _body(request, limit)
    signing.verify(
        secrets=source.secrets,
        timestamp=request.headers.get(signing.TIMESTAMP_HEADER),
        signature_header=request.headers.get(signing.SIGNATURE_HEADER),
        body=body,
        tolerance=source.tolerance,
    )
    return body


def _refusal(request: HttpRequest) -> HttpResponse | None:
    if request.method != "POST":
        response = problem(405, "request.method_not_allowed", _("This method is not allowed here."))
        response["Allow"] = "POST"
        return response
    return None


@csrf_exempt
def hook(request: HttpRequest, slug: str) -> HttpResponse:
    """One signed event: 202 when stored for processing, 200 when it was stored before."""
    if (refused := _refusal(request)) is not None:
        return refused
    try:
        body = _verified(request, slug, receive.max_bytes())
        receipt = receive.receive(slug, body)
    except DomainError as exc:
        return problem(exc.status, exc.code, exc.message, **exc.extra)
    if receipt.duplicate:
        return _answer(200, {"status": "duplicate", "id": receipt.event_id})
    return _answer(202, {"status": "accepted", "id": receipt.event_id})


@csrf_exempt
def hook_batch(request: HttpRequest, slug: str) -> HttpResponse:
    """Up to 1,000 events signed as one body: the good ones are stored (202) and the bad ones
    reported by index; a batch with nothing good is refused (422)."""
    if (refused := _refusal(request)) is not None:
        return refused
    try:
        body = _verified(request, slug, receive.max_batch_bytes())
        receipt = receive.receive_batch(slug, body)
    except DomainError as exc:
        return problem(exc.status, exc.code, exc.message, **exc.extra)
    report = receipt.as_dict()
    if not receipt.accepted and receipt.rejected:
        return problem(
            422, "webhooks.batch_rejected", _("No event of the batch was valid."), **report
        )
    return _answer(202 if receipt.accepted else 200, report)
