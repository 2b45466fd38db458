"""The public satisfaction survey: no login, the signed token in the address says which survey.

GET shows the question (or the answer already given: the first one stands); POST stores the
answer. The form carries Django's CSRF token like any page form: the customer's browser gets
the cookie from the GET. A mangled or expired link is a clear error page with its code.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from hudong.core.errors import DomainError
from hudong.service import csat
from hudong.service.forms_recovery import CsatForm
from hudong.service.models import CsatSurvey


def _done(request: HttpRequest, survey: CsatSurvey, *, again: bool) -> HttpResponse:
    low = survey.score is not None and survey.score <= csat.low_score()
    return render(request, "service/csat_done.html", {"survey": survey, "again": again, "low": low})


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    survey = csat.survey_for(token)
    if survey.answered_at is not None:
        return _done(request, survey, again=True)
    form = CsatForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey = csat.answer(token, form.cleaned_data["score"], form.cleaned_data["comment"])
        except DomainError as exc:
            if exc.code != "csat.already_answered":
                raise
            return _done(request, csat.survey_for(token), again=True)
        return _done(request, survey, again=False)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "service/csat_answer.html",
        {"form": form, "token": token, "number": survey.case.number},
        status=status,
    )
