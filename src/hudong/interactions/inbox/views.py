"""Inbox pages: the queue with the selected conversation, the presence control, the agent
metrics page. Thin: parse, call one query or action, render."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from hudong.core import audit
from hudong.core.errors import DomainError
from hudong.interactions.inbox import actions, metrics, queries
from hudong.interactions.inbox.models import PresenceStatus
from hudong.interactions.models import Channel, OutboundStatus

QUEUE_PAGE = 100


def _filters(request: HttpRequest) -> tuple[str, str]:
    view = request.GET.get("view", "all")
    channel = request.GET.get("channel", "")
    return (
        view if view in queries.VIEWS else "all",
        channel if channel in Channel.values else "",
    )


def _queue_context(request: HttpRequest) -> dict[str, Any]:
    view, channel = _filters(request)
    return {
        "threads": list(queries.queue(request.user, view=view, channel=channel)[:QUEUE_PAGE]),
        "view": view,
        "channel": channel,
        "channels": Channel.choices,
        "selected_id": request.GET.get("thread", ""),
    }


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    context = _queue_context(request)
    selected = request.GET.get("thread", "")
    if (selected.isascii() and selected.isdigit()) and 0 < int(selected) < 2**63:
        thread = queries.get_thread(request.user, int(selected))
        audit.record_view(thread, customer_id=thread.customer_id, via=f"page {request.path}")
        context.update(
            thread=thread,
            contacts=queries.recent_contacts(thread),
            targets=queries.transfer_targets(request.user, thread),
        )
    context.update(presence=queries.presence(request.user), statuses=PresenceStatus.choices)
    if actions.is_supervisor(request.user):
        context["agents"] = queries.agents_overview(request.user)
    return render(request, "inbox/queue.html", context)


@login_required
def rows(request: HttpRequest) -> HttpResponse:
    """The queue's table alone, for the page to refresh when a live "inbox" message comes."""
    return render(request, "inbox/queue_rows.html", _queue_context(request))


@login_required
@require_POST
def presence(request: HttpRequest) -> HttpResponse:
    try:
        current = actions.set_presence(request.user, request.POST.get("status", ""))
    except DomainError as exc:
        messages.error(request, str(exc.message))
        current = queries.presence(request.user)
    if request.headers.get("HX-Request"):
        return render(
            request,
            "inbox/presence.html",
            {"presence": current, "statuses": PresenceStatus.choices},
        )
    return redirect("inbox:queue")


def _act(
    request: HttpRequest, thread_id: int, act: Callable[[Any], Any], done: Any
) -> HttpResponse:
    """Run one action on a conversation the user may see; say how it went on the page."""
    thread = queries.get_thread(request.user, thread_id)
    try:
        outcome = act(thread)
    except DomainError as exc:
        if exc.status == 404:
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, outcome if isinstance(outcome, str) else str(done))
    return redirect(f"{reverse('inbox:queue')}?thread={thread_id}")


@login_required
@require_POST
def take(request: HttpRequest, thread_id: int) -> HttpResponse:
    return _act(
        request, thread_id, lambda t: actions.take(t, request.user), _("The conversation is yours.")
    )


@login_required
@require_POST
def release(request: HttpRequest, thread_id: int) -> HttpResponse:
    return _act(
        request,
        thread_id,
        lambda t: actions.release(t, request.user),
        _("The conversation is back in the queue."),
    )


@login_required
@require_POST
def transfer(request: HttpRequest, thread_id: int) -> HttpResponse:
    raw = request.POST.get("to", "")
    valid = raw.isascii() and raw.isdigit() and len(raw) < 19
    target = get_user_model().objects.filter(pk=int(raw)).first() if valid else None
    reason = request.POST.get("reason", "")[:300]
    return _act(
        request,
        thread_id,
        lambda t: actions.transfer(t, target, by=request.user, reason=reason),
        _("The conversation was transferred."),
    )


def _reply_outcome(message: Any) -> str:
    if message.status in (OutboundStatus.SENT, OutboundStatus.DELIVERED):
        return str(_("Reply sent."))
    if message.status == OutboundStatus.QUEUED:
        return str(_("Reply queued; it goes out as soon as the contact policy allows."))
    raise DomainError(
        "inbox.reply_not_sent",
        _("The reply was not sent (%(reason)s).") % {"reason": message.reason or message.status},
        status=409,
    )


@login_required
@require_POST
def reply(request: HttpRequest, thread_id: int) -> HttpResponse:
    body = request.POST.get("body", "")[:20000]
    return _act(
        request,
        thread_id,
        lambda t: _reply_outcome(actions.reply(t, request.user, body=body)),
        "",
    )


def _day(raw: str, end_of_day: bool = False) -> dt.datetime | None:
    day = parse_date(raw) if raw else None
    if day is None:
        return None
    if end_of_day:
        day += dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


@login_required
def metrics_page(request: HttpRequest) -> HttpResponse:
    group = request.GET.get("group", "agent")
    group = group if group in metrics.GROUPS else "agent"
    try:
        start = _day(request.GET.get("start", "")[:10])
        end = _day(request.GET.get("end", "")[:10], end_of_day=True)
    except ValueError:
        start = end = None
    data = metrics.report(request.user, start=start, end=end, by=group)
    chart = {
        "labels": [r["key"] for r in data["rows"]],
        "series": {
            "handle": [round(r["handle_seconds"] / 60, 1) for r in data["rows"]],
            "non_contact": [round(r["non_contact_seconds"] / 60, 1) for r in data["rows"]],
            "first_response": [
                round((r["first_response_avg_seconds"] or 0) / 60, 1) for r in data["rows"]
            ],
        },
        "names": {
            "handle": str(_("Handle time (min)")),
            "non_contact": str(_("Non-contact time (min)")),
            "first_response": str(_("Mean first response (min)")),
        },
    }
    return render(
        request,
        "inbox/metrics.html",
        {"data": data, "chart": chart, "group": group, "groups": metrics.GROUPS},
    )
