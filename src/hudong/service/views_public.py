"""Public complaint pages (no login): the form, its answer, and the signed status page.
Thin: parse, call :mod:`hudong.service.public`, render. A refused submission answers with the
form again, the reason and the status of the refusal (422, or 429 when rate limited)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from hudong.core.errors import DomainError
from hudong.interactions.channels.webchat.http import client_ip
from hudong.service import public
from hudong.service.forms_public import ComplaintForm, MessageForm

FILED_SESSION_KEY = "complaints.filed"


def _refused(request: HttpRequest, form: ComplaintForm, error: DomainError) -> HttpResponse:
    if error.code == "complaints.form_expired":
        data = request.POST.copy()
        data["started"] = public.form_token()
        form = ComplaintForm(data)
        form.is_valid()
    response = render(
        request,
        "service/public_form.html",
        {"form": form, "error": error.message, "code": error.code},
        status=error.status,
    )
    if error.status == 429:
        response["Retry-After"] = str(error.extra.get("retry_after", 3600))
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def complaint_form(request: HttpRequest) -> HttpResponse:
    form = ComplaintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            filed = public.submit(form.submission(client_ip(request)))
        except DomainError as error:
            return _refused(request, form, error)
        # The answer page shows the number and the link once; a reload does not file again.
        request.session[FILED_SESSION_KEY] = {"number": filed.case.number, "token": filed.token}
        return redirect("public:filed")
    status = 422 if request.method == "POST" else 200
    return render(request, "service/public_form.html", {"form": form}, status=status)


@never_cache
def filed(request: HttpRequest) -> HttpResponse:
    data = request.session.get(FILED_SESSION_KEY)
    if not isinstance(data, dict):
        return redirect("public:form")
    link = request.build_absolute_uri(reverse("public:status", args=[data["token"]]))
    return render(
        request, "service/public_filed.html", {"number": data["number"], "status_link": link}
    )


@never_cache
@require_http_methods(["GET", "POST"])
def status(request: HttpRequest, token: str) -> HttpResponse:
    """Whoever holds the signed link sees the case and may write to us."""
    try:
        case = public.case_for_token(token)
    except DomainError as error:
        return render(
            request,
            "service/public_error.html",
            {"message": error.message, "code": error.code},
            status=error.status,
        )
    form = MessageForm(request.POST or None)
    refusal: DomainError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            public.customer_writes(case, form.cleaned_data["text"], client_ip(request))
            return redirect("public:status", token)
        except DomainError as exc:
            refusal = exc
    context = {
        "case": case,
        "conversation": public.conversation(case),
        "form": form if request.method == "POST" else MessageForm(),
        "error": refusal.message if refusal else None,
        "code": refusal.code if refusal else None,
    }
    code = refusal.status if refusal else (422 if request.method == "POST" else 200)
    return render(request, "service/public_status.html", context, status=code)
