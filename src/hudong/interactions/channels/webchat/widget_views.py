"""The endpoints the customer's widget calls (no login: a session token per chat).

Thin: each parses, calls one action or query, and answers JSON. The protocol is described in
the project's web chat documentation.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from hudong.interactions.channels.webchat import actions, conf, queries, stream
from hudong.interactions.channels.webchat.http import (
    checked_origin,
    client_ip,
    json_body,
    json_response,
    token_of,
    widget_endpoint,
)
from hudong.interactions.channels.webchat.models import ChatSession


def _strings() -> dict[str, str]:
    """Every text the widget shows, in the visitor's language."""
    return {
        "open": _("Chat with us"),
        "title": _("Customer service"),
        "intro": _("Tell us who you are, so we can see what we already talked about."),
        "name": _("Your name"),
        "contact": _("Phone or email"),
        "question": _("How can we help?"),
        "start": _("Start chat"),
        "waiting": _("Thank you. An agent will be with you shortly."),
        "accepted": _("{agent} has joined the chat."),
        "ended": _("The chat has ended. Thank you!"),
        "placeholder": _("Type a message"),
        "send": _("Send"),
        "end": _("End chat"),
        "close": _("Close"),
        "you": _("You"),
        "agent": _("Agent"),
        "again": _("Start a new chat"),
        "error": _("Something went wrong. Please try again."),
    }


def _language(request: HttpRequest) -> str:
    wanted = request.GET.get("lang", "")
    if wanted:
        try:
            return translation.get_supported_language_variant(wanted.lower()[:20])
        except LookupError:
            pass
    return translation.get_language() or settings.LANGUAGE_CODE


def _session_json(session: ChatSession) -> dict[str, Any]:
    sid = session.public_id
    return {
        "session": sid,
        "status": session.status,
        "visitor": session.visitor_name,
        "agent": queries.agent_name(session.agent),
        "lines": [queries.line_json(m) for m in queries.lines(session)],
        "urls": {
            "messages": reverse("webchat:messages", args=[sid]),
            "events": reverse("webchat:events", args=[sid]),
            "end": reverse("webchat:end", args=[sid]),
        },
    }


@widget_endpoint("GET")
def config(request: HttpRequest) -> HttpResponse:
    """The widget's texts and limits, in the language the page asks for."""
    lang = _language(request)
    with translation.override(lang):
        strings = _strings()
    return json_response({"language": lang, "max_text": conf.max_text(), "strings": strings})


@widget_endpoint("POST")
def start(request: HttpRequest) -> HttpResponse:
    """The pre-chat form: who the visitor is, and what they want."""
    data = json_body(request)
    started = actions.start_session(
        name=data.get("name"),
        contact=data.get("contact"),
        message=data.get("message", ""),
        page=data.get("page", ""),
        touchpoint=data.get("touchpoint", ""),
        origin=checked_origin(request) or request.headers.get("Origin", ""),
        client_ip=client_ip(request),
    )
    body = _session_json(started.session)
    body["token"] = started.token
    return json_response(body, status=201)


@widget_endpoint("GET", "POST")
def messages(request: HttpRequest, public_id: str) -> HttpResponse:
    """GET: the chat so far (after a page change). POST: the visitor writes a line."""
    if request.method == "GET":
        session = queries.for_visitor(public_id, token_of(request))
        return json_response(_session_json(session))
    data = json_body(request)
    session = queries.for_visitor(public_id, token_of(request))
    line = actions.customer_says(session, data.get("text"))
    return json_response(queries.line_json(line), status=201)


@widget_endpoint("GET")
def events(request: HttpRequest, public_id: str) -> HttpResponseBase:
    """The chat's lines, live (server-sent events)."""
    session = queries.for_visitor(public_id, token_of(request))
    return stream.stream(request, session)


@widget_endpoint("POST")
def end(request: HttpRequest, public_id: str) -> HttpResponse:
    """The visitor closes the chat; its transcript is saved."""
    json_body(request)
    session = queries.for_visitor(public_id, token_of(request))
    actions.end(session)
    session.refresh_from_db()
    return json_response(_session_json(session))
