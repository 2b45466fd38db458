"""Playbook pages: the lists of 表7.2, their CSV export and actions, and "My tasks".
Thin: parse, call one query or action, render."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from hudong.insights.playbook import actions, export, lists, queries, segmenting, spend
from hudong.insights.playbook.forms import ActionForm, selected_ids
from hudong.service import care_queries

PAGE_SIZE = 50


@login_required
def index(request: HttpRequest) -> HttpResponse:
    rows = [(lst, lst.describe(lst.values({}))) for lst in lists.LISTS.values()]
    return render(request, "insights/playbook/index.html", {"lists": rows})


def _list_url(key: str, values: dict[str, Any]) -> str:
    return f"{reverse('playbook:list', args=[key])}?{urlencode(values)}"


@login_required
def show(request: HttpRequest, key: str) -> HttpResponse:
    lst = lists.get_list(key)
    values = lst.values(request.GET)
    context: dict[str, Any] = {
        "list": lst,
        "values": values,
        "params": [(p, values[p.name]) for p in lst.params],
        "definition": lst.describe(values),
        "query": urlencode(values),
    }
    if not lst.customers:
        context["report"] = spend.suggestion(request.user, values["days"], values["keep_c_pct"])
        return render(request, "insights/playbook/spend.html", context)
    page = Paginator(lst.rows(request.user, values), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = lst.complete(request.user, list(page.object_list), values)
    context.update(
        page=page,
        rows=[(c, [(col, getattr(c, col.key, None)) for col in lst.columns]) for c in rows],
        form=ActionForm(initial={"title": lst.title}),
        segments=segmenting.static_segments(request.user),
    )
    return render(request, "insights/playbook/list.html", context)


@login_required
def export_csv(request: HttpRequest, key: str) -> HttpResponseBase:
    lst = lists.get_list(key)
    if not lst.customers:
        return redirect("playbook:list", key)
    return export.download(request.user, lst, lst.values(request.GET))


@login_required
@require_POST
def act(request: HttpRequest, key: str) -> HttpResponse:
    """Create tasks for, or add to a segment, the ticked rows or the whole list."""
    lst = lists.get_list(key)
    values = lst.values(request.POST)
    form = ActionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(_list_url(key, values))
    data = form.cleaned_data
    if data["scope"] == "all":
        ids = actions.whole_list(request.user, lst.rows(request.user, values))
    else:
        ids = selected_ids(request.POST.getlist("ids"))
    if data["action"] == "task":
        created = actions.create_tasks(
            request.user,
            ids,
            title=data["title"],
            note=data["note"],
            due_date=data["due_date"],
            assignee_id=request.user.pk if data["assignee"] == "me" else None,
            source=key,
        )
        messages.success(
            request,
            ngettext("%(n)d task created.", "%(n)d tasks created.", len(created))
            % {"n": len(created)},
        )
    else:
        added = actions.add_to_segment(request.user, data["segment"], ids)
        messages.success(
            request,
            ngettext(
                "%(n)d customer added to the segment.",
                "%(n)d customers added to the segment.",
                added,
            )
            % {"n": added},
        )
    return redirect(_list_url(key, values))


@login_required
def my_tasks(request: HttpRequest) -> HttpResponse:
    page = Paginator(queries.my_tasks(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    care_open = care_queries.open_count(request.user)  # the service area's care calls
    return render(request, "insights/playbook/tasks.html", {"page": page, "care_open": care_open})


@login_required
@require_POST
def complete(request: HttpRequest, task_id: int) -> HttpResponse:
    task = actions.complete_task(request.user, task_id)
    messages.success(request, _("Done: %(title)s") % {"title": task.title})
    return redirect("playbook:my_tasks")
