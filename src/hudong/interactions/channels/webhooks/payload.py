"""What an event looks like, checked on receipt so a bad one is refused while the sender waits.

An event is a JSON object::

    {"id": "evt_1042",                      required, unique per source, at most 200 characters
     "type": "form.submitted",              optional, kept in the interaction's details
     "occurred_at": "2026-05-01T09:30:00+08:00",   optional (default: when it was received)
     "customer": {"phone": "138 0013 8000", "email": "li@example.cn", "wechat": "li_wx",
                  "name": "李娜"},            at least one of phone, email, wechat
     "channel": "webform",                  optional: webform, wechat, email, sms, webchat
     "purpose": "service",                  optional: service or marketing
     "kind": "nonpersonal",                 optional: personal, indirect, nonpersonal
     "subject": "…", "content": "…",        optional text
     "thread_ref": "order-SO1234",          optional: a conversation key of the sender's
     "data": {…}}                           optional object, kept in the interaction's details

Checks are hand-written rather than a schema library: the batch endpoint checks a thousand
events per request, and this is on its hot path.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hudong.core.errors import DomainError
from hudong.customers.normalize import normalize
from hudong.interactions.channels.webhooks.models import HOOK_CHANNELS
from hudong.interactions.models import ContactKind, Purpose

ID_KINDS = ("phone", "email", "wechat")
# A mainland mobile as people write it ("138 0013 8000", "+86-138-0013-8000", "0086 138…"):
# its key is always +86 and the eleven digits, which the phone library takes ~20 µs to say.
_MOBILE = re.compile(r"(?:\+86|0086)?(1[3-9]\d{9})")
_SEPARATORS = re.compile(r"[ \-]+")
MAX_CONTENT = 50_000
_CHANNELS = frozenset(code for code, _label in HOOK_CHANNELS)
_TEXT_LIMITS = {"type": 100, "subject": 250, "content": MAX_CONTENT, "thread_ref": 250}
_CHOICES = {
    "channel": _CHANNELS,
    "purpose": frozenset(Purpose.values),
    "kind": frozenset(ContactKind.values),
}


def _invalid(code: str, message: object, field: str = "") -> DomainError:
    extra = {"field": field} if field else {}
    return DomainError(code, message, status=422, **extra)


def malformed() -> DomainError:
    return _invalid("webhooks.body_malformed", _("The body is not a JSON object."))


@dataclass(frozen=True, slots=True)
class Checked:
    """An event that passed the checks: its id and identifiers (kind, as written, key)."""

    event_id: str
    identifiers: tuple[tuple[str, str, str], ...]


def check(data: Any) -> Checked:
    """Check one event; raise a 422 ``DomainError`` naming the field at fault."""
    if not isinstance(data, dict):
        raise malformed()
    event_id = data.get("id")
    if event_id is None or event_id == "":
        raise _invalid("webhooks.field_missing", _("The event has no id."), "id")
    if isinstance(event_id, int) and not isinstance(event_id, bool):
        event_id = str(event_id)
    if not isinstance(event_id, str) or len(event_id) > 200 or not event_id.strip():
        raise _invalid("webhooks.field_invalid", _("The event id is not valid."), "id")
    for name, limit in _TEXT_LIMITS.items():
        value = data.get(name)
        if value is not None and (not isinstance(value, str) or len(value) > limit):
            raise _invalid("webhooks.field_invalid", _("This field is not valid."), name)
    for name, allowed in _CHOICES.items():
        value = data.get(name)
        if value is not None and value not in allowed:
            raise _invalid("webhooks.field_invalid", _("This value is not allowed."), name)
    if data.get("data") is not None and not isinstance(data["data"], dict):
        raise _invalid("webhooks.field_invalid", _("This field is not valid."), "data")
    if data.get("occurred_at") is not None:
        occurred_at(data)
    _storable(data)
    return Checked(event_id, _identifiers(data.get("customer")))


def _storable(data: dict[str, Any]) -> None:
    """Refuse text no database stores faithfully: NUL characters and lone surrogates (both
    can be written as JSON escapes)."""
    try:
        text = json.dumps(data, ensure_ascii=False)
        text.encode("utf-8")
    except (UnicodeEncodeError, ValueError, RecursionError) as exc:
        raise malformed() from exc
    if "\\u0000" in text:
        raise _invalid("webhooks.field_invalid", _("The event contains a NUL character."))


def _identifiers(customer: Any) -> tuple[tuple[str, str, str], ...]:
    if customer is None:
        raise _invalid(
            "webhooks.identifier_missing",
            _("The event names no customer (phone, email or WeChat id)."),
            "customer",
        )
    if not isinstance(customer, dict):
        raise _invalid("webhooks.field_invalid", _("This field is not valid."), "customer")
    name = customer.get("name")
    if name is not None and (not isinstance(name, str) or len(name) > 200):
        raise _invalid("webhooks.field_invalid", _("This field is not valid."), "customer.name")
    found = []
    for kind in ID_KINDS:
        raw = customer.get(kind)
        if raw is None or raw == "":
            continue
        field = f"customer.{kind}"
        if not isinstance(raw, str) or len(raw) > 200:
            raise _invalid("webhooks.field_invalid", _("This field is not valid."), field)
        try:
            key = fast_key(kind, raw) or normalize(kind, raw)
        except DomainError as exc:
            raise _invalid("webhooks.identifier_invalid", exc.message, field) from exc
        found.append((kind, raw, key))
    if not found:
        raise _invalid(
            "webhooks.identifier_missing",
            _("The event names no customer (phone, email or WeChat id)."),
            "customer",
        )
    return tuple(found)


def fast_key(kind: str, raw: str) -> str:
    """The key :func:`hudong.customers.normalize.normalize` gives a mainland mobile, found
    without the phone library; "" for anything else (the library decides those)."""
    if kind != "phone":
        return ""
    match = _MOBILE.fullmatch(_SEPARATORS.sub("", unicodedata.normalize("NFKC", raw).strip()))
    return "+86" + match.group(1) if match else ""


def occurred_at(data: dict[str, Any]) -> dt.datetime | None:
    """The event's own time, timezone-aware (a time without a zone is the server's zone)."""
    raw = data.get("occurred_at")
    if raw is None:
        return None
    try:
        value = dt.datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        value = None
    if value is None:
        raise _invalid("webhooks.field_invalid", _("Not an ISO 8601 time."), "occurred_at")
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def pack(identifiers: tuple[tuple[str, str, str], ...]) -> str:
    """Identifiers as stored on the event row: one "kind<TAB>raw<TAB>key" line each."""
    return "\n".join(
        "\t".join((kind, raw.replace("\t", " ").replace("\n", " "), key))
        for kind, raw, key in identifiers
    )


def unpack(text: str) -> list[tuple[str, str, str]]:
    out = []
    for line in text.split("\n"):
        if line:
            kind, raw, key = line.split("\t")
            out.append((kind, raw, key))
    return out
