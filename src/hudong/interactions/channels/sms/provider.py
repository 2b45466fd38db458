"""SMS providers: the interface Hudong needs from a gateway, and the one protocol it speaks.

The interface is small on purpose (send one message, verify one callback) so another carrier
or aggregator is one class. The concrete protocol is Twilio's Programmable Messaging API,
which many aggregators clone: ``POST {base}/2010-04-01/Accounts/{sid}/Messages.json`` with
form fields and HTTP Basic auth, JSON back; status callbacks and inbound messages come back
form-encoded, signed with ``X-Twilio-Signature`` = base64(HMAC-SHA1(auth token, URL + each
parameter's name and value, sorted by name)).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

import httpx
from django.conf import settings
from django.http import HttpRequest

SIGNATURE_HEADER = "X-Twilio-Signature"
API_VERSION = "2010-04-01"


class SmsSendError(Exception):
    """The gateway refused or could not take the message; ``code`` is the provider's code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"sms {code}: {message}")
        self.code = code


class SmsProvider(Protocol):
    """What the SMS channel needs from a gateway."""

    def send(self, to: str, body: str, status_callback_url: str) -> str:
        """Hand one message to the gateway; returns the provider's id for it."""
        ...

    def verify_callback(self, request: HttpRequest) -> bool:
        """Whether a callback request (receipt or inbound message) really came from it."""
        ...


def signature(token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """Twilio's request signature: the URL, then every name+value sorted by name (then by
    value, for a name given twice), HMAC-SHA1 with the auth token, base64."""
    data = url + "".join(name + value for name, value in sorted(set(params)))
    digest = hmac.new(token.encode(), data.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def form_pairs(form: Iterable[tuple[str, list[str]]]) -> list[tuple[str, str]]:
    """Every (name, value) pair of a form given as (name, values), repeated names included."""
    return [(name, value) for name, values in form for value in values]


def _url_variants(url: str) -> list[str]:
    """The URL as called, and with/without the scheme's default port: gateways differ in
    whether they sign the port (Twilio's own validators try both)."""
    scheme, _, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    default = {"http": "80", "https": "443"}.get(scheme, "")
    variants = [url]
    if default and host.endswith(f":{default}"):
        variants.append(f"{scheme}://{host[: -len(default) - 1]}{slash}{path}")
    elif default and ":" not in host:
        variants.append(f"{scheme}://{host}:{default}{slash}{path}")
    return variants


def public_url(path: str = "") -> str:
    """Where the gateway reaches us: ``HUDONG_PUBLIC_URL`` (behind a proxy the host the
    request shows is not the one the gateway signed), else where ``hudong serve`` listens,
    joined with ``path``."""
    base = str(getattr(settings, "HUDONG_PUBLIC_URL", "")) or (
        f"http://{getattr(settings, 'HOST', '127.0.0.1')}:{getattr(settings, 'PORT', 8000)}"
    )
    return base.rstrip("/") + path


def callback_url(request: HttpRequest) -> str:
    """The full URL the gateway called, as it saw it (the signed string starts with it)."""
    if getattr(settings, "HUDONG_PUBLIC_URL", ""):
        return public_url(request.get_full_path())
    return request.build_absolute_uri()


@dataclass(frozen=True)
class TwilioProvider:
    """Twilio Programmable Messaging (and the gateways that speak its protocol)."""

    base_url: str
    account_sid: str
    auth_token: str
    sender: str = ""  # a From number; or a Messaging Service (its sid starts with "MG")
    timeout: float = 10.0
    # Tokens still accepted on callbacks while a rotation settles (the gateway may sign with
    # the old token for a while after the new one is promoted); never used to send.
    previous_tokens: tuple[str, ...] = ()

    def send(self, to: str, body: str, status_callback_url: str) -> str:
        if not (self.account_sid and self.auth_token and self.sender):
            raise SmsSendError("not_configured", "the SMS gateway is not configured")
        form = {"To": to, "Body": body}
        form["MessagingServiceSid" if self.sender.startswith("MG") else "From"] = self.sender
        if status_callback_url:
            form["StatusCallback"] = status_callback_url
        url = f"{self.base_url.rstrip('/')}/{API_VERSION}/Accounts/{self.account_sid}/Messages.json"
        try:
            reply = httpx.post(
                url, data=form, auth=(self.account_sid, self.auth_token), timeout=self.timeout
            )
        except httpx.HTTPError as exc:
            raise SmsSendError("unreachable", str(exc) or type(exc).__name__) from exc
        try:
            data = reply.json()
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        if reply.status_code >= 400 or not data.get("sid"):
            code = str(data.get("code") or reply.status_code)
            raise SmsSendError(code, str(data.get("message") or reply.reason_phrase))
        if data.get("status") == "failed":
            raise SmsSendError(str(data.get("error_code") or "failed"), "rejected")
        return str(data["sid"])

    def verify_callback(self, request: HttpRequest) -> bool:
        given = request.headers.get(SIGNATURE_HEADER, "")
        tokens = [t for t in (self.auth_token, *self.previous_tokens) if t]
        if not (given and tokens):
            return False
        params = form_pairs(request.POST.lists()) if request.method == "POST" else []
        return any(
            hmac.compare_digest(signature(token, url, params), given)
            for token in tokens
            for url in _url_variants(callback_url(request))
        )


def provider() -> SmsProvider:
    """The configured gateway (settings are read at call time, so tests can point them at
    a local gateway)."""
    return TwilioProvider(
        base_url=str(getattr(settings, "HUDONG_SMS_BASE_URL", "") or "https://api.twilio.com"),
        account_sid=str(getattr(settings, "HUDONG_SMS_ACCOUNT_SID", "")),
        auth_token=str(getattr(settings, "HUDONG_SMS_AUTH_TOKEN", "")),
        sender=str(getattr(settings, "HUDONG_SMS_FROM", "")),
        previous_tokens=_token_list(getattr(settings, "HUDONG_SMS_PREVIOUS_AUTH_TOKENS", ())),
    )


def _token_list(value: object) -> tuple[str, ...]:
    """A list setting, or a comma-separated string from the environment."""
    items: list[object] = []
    if isinstance(value, str):
        items = list(value.split(","))
    elif isinstance(value, list | tuple):
        items = list(value)
    return tuple(str(item).strip() for item in items if str(item).strip())
