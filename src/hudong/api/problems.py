"""Errors as RFC 9457 problem JSON with a stable ``code``. Nothing a client sends is a 500."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from hudong.core.errors import DomainError, problem_body

log = logging.getLogger(__name__)


def problem(
    api: NinjaAPI, request: HttpRequest, status: int, code: str, detail: Any, **extra: Any
) -> HttpResponse:
    body = problem_body(status, code, detail, **extra)
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = "application/problem+json"
    return response


def _clean_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Validation details without the echoed input (it may be huge or sensitive)."""
    return [
        {
            "loc": [str(p) for p in e.get("loc", [])],
            "msg": str(e.get("msg", "")),
            "type": str(e.get("type", "")),
        }
        for e in errors
    ]


def install(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return problem(api, request, exc.status, exc.code, exc.message, **exc.extra)

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return problem(
            api,
            request,
            422,
            "request.invalid",
            _("The request is not valid."),
            errors=_clean_errors(exc.errors),
        )

    @api.exception_handler(DjangoValidationError)
    def model_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return problem(
            api,
            request,
            422,
            "request.invalid",
            _("The request is not valid."),
            errors=[{"msg": str(m)} for m in exc.messages],
        )

    @api.exception_handler(AuthenticationError)
    def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return problem(api, request, 401, "auth.required", _("Authentication required."))

    @api.exception_handler(PermissionDenied)
    def denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return problem(
            api, request, 403, "permission_denied", _("You do not have permission to do this.")
        )

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem(api, request, 404, "not_found", _("Not found."))

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = {
            400: "request.bad",
            405: "request.method_not_allowed",
            415: "request.unsupported_media_type",
        }.get(exc.status_code, "request.error")
        return problem(api, request, exc.status_code, code, exc.message)

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        log.exception("unhandled API error on %s %s", request.method, request.path)
        return problem(api, request, 500, "server.error", _("Internal error; it was logged."))
