"""Responses under /api/ that Django or Ninja produced outside our handlers (unknown route,
wrong method) still become problem JSON, so clients only ever parse one error shape."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from hudong.core.errors import problem_response

CODES = {
    404: ("not_found", lambda: _("Not found.")),
    405: ("request.method_not_allowed", lambda: _("This method is not allowed here.")),
    413: ("request.too_large", lambda: _("The request is too large.")),
}


class ApiProblemMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/api/") or response.status_code < 400:
            return response
        if "json" in response.get("Content-Type", ""):
            return response
        code, message = CODES.get(response.status_code, ("request.error", lambda: _("Error.")))
        status = response.status_code
        problem = problem_response(status, code, message())
        if response.has_header("Allow"):
            problem["Allow"] = response["Allow"]
        return problem
