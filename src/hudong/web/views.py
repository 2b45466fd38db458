"""Shell pages: login, home, the system status page, the audit browser and the live stream."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, user_passes_test
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from hudong.core import jobs, schedules, scoping
from hudong.core import live as core_live
from hudong.core.lockout import is_locked
from hudong.core.models import AuditEntry, ScheduleRun

superuser_required = user_passes_test(lambda u: u.is_active and u.is_superuser)


class LoginForm(AuthenticationForm):
    """Django's login form that says plainly when an account is locked out."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        if username and is_locked(username):
            raise ValidationError(
                _("Too many failed attempts. This account is locked for a while; try later."),
                code="locked",
            )
        return super().clean()


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True


@login_required
def home(request: HttpRequest) -> HttpResponse:
    customers = scoping.visible(request.user, "customers")
    return render(request, "web/home.html", {"customer_count": customers.count()})


@login_required
@superuser_required
def system(request: HttpRequest) -> HttpResponse:
    """What the background worker has been doing: each schedule and its recent runs."""
    rows = []
    for schedule in schedules.registered():
        runs = list(ScheduleRun.objects.filter(schedule=schedule.name)[:5])
        rows.append({"schedule": schedule, "runs": runs})
    return render(request, "web/system.html", {"rows": rows})


@login_required
@superuser_required
def audit(request: HttpRequest) -> HttpResponse:
    entries = AuditEntry.objects.all()
    customer = request.GET.get("customer", "")
    if customer.isascii() and customer.isdigit():
        entries = entries.filter(customer_id=int(customer))
    action = request.GET.get("action", "")
    if action:
        entries = entries.filter(action=action)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "web/audit.html", {"page": page, "customer": customer, "action": action})


JOB_KINDS = {
    "customers.resolution": _("Duplicate detection"),
    "customers.import": _("Import"),
    "customers.export": _("Export"),
}


@login_required
def job(request: HttpRequest, job_id: int) -> HttpResponse:
    """A background job's progress; the bar refreshes itself until the job has finished."""
    template = "web/job_progress.html" if request.headers.get("HX-Request") else "web/job.html"
    found = jobs.visible(request.user, job_id)
    context = {
        "job": found,
        "kind": JOB_KINDS.get(found.kind, found.kind),
        "result": jobs.shown_result(found),
    }
    return render(request, template, context)


@login_required
def live(request: HttpRequest) -> StreamingHttpResponse:
    """The signed-in user's live event stream (screen pops, chat lines): see core.live."""
    return core_live.stream(request)
