"""The agent's chat console and the demo page that embeds the customer widget.

Thin views: they parse, call one action or query and render. Lines that arrive while the page
is open come over the agent's live stream (topic ``chat_message``); the agent's replies go to
the API (``POST /api/v1/chat/sessions/{id}/reply``), see ``static/webchat/console.js``.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hudong.core import audit
from hudong.core.errors import DomainError
from hudong.interactions.channels.webchat import actions, conf, queries
from hudong.interactions.channels.webchat.models import ChatStatus
from hudong.interactions.models import ThreadState


def _console_url(public_id: str = "") -> str:
    url = reverse("webchat:console")
    return f"{url}?s={public_id}" if public_id else url


def _lists(request: HttpRequest, selected: str) -> dict[str, object]:
    return {
        "waiting": queries.waiting(request.user),
        "mine": queries.mine(request.user),
        "others": queries.others(request.user),
        "selected": selected,
    }


@login_required
def console(request: HttpRequest) -> HttpResponse:
    """Waiting and active chats on the left, the chosen chat on the right."""
    selected = request.GET.get("s", "")[:40]
    session = queries.get_session(request.user, selected) if selected else None
    if session is not None and session.customer_id:  # the transcript is personal data
        audit.record_view(session, customer_id=session.customer_id, via=f"page {request.path}")
    context = {
        **_lists(request, selected),
        "session": session,
        "lines": queries.lines(session) if session else [],
        "is_mine": bool(
            session and session.status == ChatStatus.ACTIVE and session.agent_id == request.user.pk
        ),
        "states": [(s.value, s.label) for s in ThreadState],
        "max_text": conf.max_text(),
        "reply_url": (reverse("api-v1:webchat_reply", args=[session.public_id]) if session else ""),
    }
    return render(request, "webchat/console.html", context)


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """The two lists alone, for the console to refresh itself."""
    return render(request, "webchat/queue.html", _lists(request, request.GET.get("s", "")[:40]))


@login_required
@require_POST
def accept(request: HttpRequest, public_id: str) -> HttpResponse:
    session = queries.get_session(request.user, public_id)
    try:
        actions.accept(session, user=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect(_console_url())
    return redirect(_console_url(public_id))


def _due(raw: str) -> dt.datetime | None:
    """The due date of the next step, end of that day in the company's time zone."""
    try:
        day = dt.date.fromisoformat(raw) if raw else None
    except ValueError as exc:
        raise DomainError(
            "webchat.due_invalid", _("The due date is not valid."), status=422
        ) from exc
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time(18, 0)))


@login_required
@require_POST
def end(request: HttpRequest, public_id: str) -> HttpResponse:
    session = queries.get_session(request.user, public_id)
    actions.end(
        session,
        user=request.user,
        state=request.POST.get("state", ""),
        next_step=request.POST.get("next_step", ""),
        due=_due(request.POST.get("due", "")),
        outcome=request.POST.get("outcome", ""),
    )
    messages.success(
        request, _("The chat has ended; its transcript is on the customer's timeline.")
    )
    return redirect(_console_url(public_id))


def demo(request: HttpRequest) -> HttpResponse:
    """A stand-in for a company's web page with the widget on it, to try the chat."""
    return render(
        request, "webchat/demo.html", {"hudong": f"{request.scheme}://{request.get_host()}"}
    )
