"""The HTTP plumbing of the widget's endpoints: CORS for the configured sites only, a size limit
read before the body, JSON parsing with stable error codes, and errors as problem JSON.

The widget runs on the company's own site, so its calls are cross-origin. They carry no cookie
(the visitor proves who they are with the session token), which is why CSRF does not apply and
why a site that is not in ``HUDONG_CHAT_ORIGINS`` is refused outright rather than merely left
unable to read the answer.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt

from hudong.core.errors import DomainError, problem_response
from hudong.interactions.channels.webchat import conf

TOKEN_HEADER = "X-Hudong-Chat-Token"
View = Callable[..., HttpResponseBase]


def problem(exc: DomainError) -> HttpResponse:
    """The same problem JSON the API answers with, so the widget parses one error shape."""
    extra = {k: v for k, v in exc.extra.items() if isinstance(v, int | str)}
    response = problem_response(exc.status, exc.code, exc.message, **extra)
    if "retry_after" in extra:
        response["Retry-After"] = str(extra["retry_after"])
    return response


def json_response(data: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(
        json.dumps(data, ensure_ascii=False), status=status, content_type="application/json"
    )


def own_origin(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def checked_origin(request: HttpRequest) -> str:
    """The calling site when it may call ("" for a same-site or non-browser call)."""
    origin = request.headers.get("Origin", "")
    if not origin or origin == own_origin(request):
        return ""
    if origin.rstrip("/") in conf.allowed_origins():
        return origin
    raise DomainError("webchat.origin_forbidden", _("This site may not use the chat."), status=403)


def _cors(response: HttpResponseBase, origin: str) -> HttpResponseBase:
    response["Vary"] = "Origin"
    if origin:
        response["Access-Control-Allow-Origin"] = origin
    return response


def _preflight(origin: str, methods: tuple[str, ...]) -> HttpResponseBase:
    response = HttpResponse(status=204)
    response["Access-Control-Allow-Methods"] = ", ".join((*methods, "OPTIONS"))
    response["Access-Control-Allow-Headers"] = f"Content-Type, {TOKEN_HEADER}"
    response["Access-Control-Max-Age"] = "600"
    return _cors(response, origin)


def widget_endpoint(*methods: str) -> Callable[[View], View]:
    """Wrap a widget view: CORS (with preflight), allowed methods, errors as problem JSON."""

    def wrap(view: View) -> View:
        @csrf_exempt
        @functools.wraps(view)
        def handler(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            try:
                origin = checked_origin(request)
            except DomainError as exc:
                return _cors(problem(exc), "")
            if request.method == "OPTIONS":
                return _preflight(origin, methods)
            if request.method not in methods:
                refused = problem(
                    DomainError(
                        "request.method_not_allowed",
                        _("This method is not allowed here."),
                        status=405,
                    )
                )
                refused["Allow"] = ", ".join((*methods, "OPTIONS"))
                return _cors(refused, origin)
            response: HttpResponseBase
            try:
                response = view(request, *args, **kwargs)
            except DomainError as exc:
                response = problem(exc)
            return _cors(response, origin)

        return handler

    return wrap


def json_body(request: HttpRequest) -> dict[str, Any]:
    """The request's JSON object, refused unread when larger than ``HUDONG_CHAT_MAX_BODY``."""
    limit = conf.max_body()
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if (
        not (declared.isascii() and declared.isdigit())
        or int(declared) > limit
        or len(request.body) > limit
    ):
        raise DomainError(
            "webchat.body_too_large", _("The request is too large."), status=413, max_bytes=limit
        )
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise DomainError(
            "webchat.body_malformed", _("The request is not valid JSON."), status=422
        ) from exc
    if not isinstance(data, dict):
        raise DomainError(
            "webchat.body_malformed", _("The request must be a JSON object."), status=422
        )
    return data


def token_of(request: HttpRequest) -> str:
    """The session token: a header on calls, a query parameter on the event stream (a browser's
    EventSource cannot send headers)."""
    return request.headers.get(TOKEN_HEADER, "") or request.GET.get("token", "")


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None
