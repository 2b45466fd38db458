"""A local SMS gateway that speaks the Twilio Programmable Messaging protocol over real HTTP.

For tests and demos where no carrier can be reached: it takes ``Messages.json`` requests with
HTTP Basic auth exactly as Twilio does, keeps the messages, answers with a message resource,
and then calls back like a carrier would: signed, form-encoded status callbacks ("sent",
then "delivered" or "undelivered") to each message's ``StatusCallback``, and signed inbound
messages to the configured inbound URL when :meth:`LocalGateway.simulate_inbound` (or
``POST /_local/inbound``) asks for one. Run it with ``hudong sms-gateway``.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import logging
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import httpx

from hudong.interactions.channels.sms.provider import API_VERSION, SIGNATURE_HEADER, signature

log = logging.getLogger(__name__)
MESSAGES = re.compile(
    rf"^/{API_VERSION}/Accounts/(?P<account>[^/]+)/Messages(?:/(?P<sid>\w+))?\.json$"
)
MAX_REQUEST = 64 * 1024


def new_sid(prefix: str = "SM") -> str:
    return prefix + secrets.token_hex(16)


@dataclass
class StoredMessage:
    sid: str
    to: str
    sender: str
    body: str
    status_callback: str
    status: str = "queued"
    error_code: int | None = None
    created: str = field(default_factory=lambda: formatdate(usegmt=True))

    def resource(self, account_sid: str) -> dict[str, Any]:
        """The message as Twilio's API returns it."""
        from_service = self.sender.startswith("MG")
        return {
            "sid": self.sid,
            "account_sid": account_sid,
            "api_version": API_VERSION,
            "to": self.to,
            "from": None if from_service else self.sender,
            "messaging_service_sid": self.sender if from_service else None,
            "body": self.body,
            "status": self.status,
            "direction": "outbound-api",
            "num_segments": str(max(1, -(-len(self.body) // 70))),
            "num_media": "0",
            "error_code": self.error_code,
            "error_message": None,
            "date_created": self.created,
            "date_updated": formatdate(usegmt=True),
            "date_sent": None,
            "price": None,
            "price_unit": "USD",
            "uri": f"/{API_VERSION}/Accounts/{account_sid}/Messages/{self.sid}.json",
        }


@dataclass
class Callback:
    url: str
    params: dict[str, str]
    status_code: int
    body: str


class LocalGateway:
    """The gateway: ``start()`` it, point ``HUDONG_SMS_BASE_URL`` at :attr:`url`."""

    def __init__(
        self,
        account_sid: str = "AC" + "0" * 32,
        auth_token: str = "local-gateway-token",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        inbound_url: str = "",
        callback_delay: float = 0.05,
        undeliverable: frozenset[str] = frozenset(),
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.inbound_url = inbound_url
        self.callback_delay = callback_delay
        self.undeliverable = undeliverable  # numbers whose messages end "undelivered"
        self.messages: list[StoredMessage] = []
        self.callbacks: list[Callback] = []
        self._lock = threading.Lock()
        self._reporters: list[threading.Thread] = []
        self._server = ThreadingHTTPServer((host, port), _handler(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> LocalGateway:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self, wait: float = 5.0) -> None:
        """Finish the callbacks under way (so none lands after its test), then stop."""
        deadline = time.monotonic() + wait
        for reporter in list(self._reporters):
            reporter.join(max(0.0, deadline - time.monotonic()))
        self._server.shutdown()
        self._server.server_close()

    def authorised(self, header: str, account: str) -> bool:
        """HTTP Basic with the account sid and auth token, and the sid the path names."""
        scheme, _, encoded = header.partition(" ")
        try:
            user, _, password = base64.b64decode(encoded).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return (
            scheme.lower() == "basic"
            and hmac.compare_digest(user, self.account_sid)
            and hmac.compare_digest(password, self.auth_token)
            and account == self.account_sid
        )

    def accept(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """A ``Messages.json`` create: Twilio's validation codes, then the stored message."""
        sender = form.get("MessagingServiceSid") or form.get("From", "")
        if not form.get("To"):
            return 400, _error(21604, "A 'To' phone number is required.", 400)
        if not sender:
            return 400, _error(21603, "A 'From' phone number is required.", 400)
        if not form.get("Body"):
            return 400, _error(21602, "Message body is required.", 400)
        if len(form["Body"]) > 1600:
            return 400, _error(21617, "The concatenated message body exceeds 1600 chars.", 400)
        message = StoredMessage(
            sid=new_sid(),
            to=form["To"],
            sender=sender,
            body=form["Body"],
            status_callback=form.get("StatusCallback", ""),
        )
        with self._lock:
            self.messages.append(message)
        reporter = threading.Thread(target=self._report, args=(message,), daemon=True)
        with self._lock:
            self._reporters.append(reporter)
        reporter.start()
        return 201, message.resource(self.account_sid)

    def find(self, sid: str) -> StoredMessage | None:
        with self._lock:
            return next((m for m in self.messages if m.sid == sid), None)

    def _report(self, message: StoredMessage) -> None:
        """Carrier progress: "sent", then the handset's verdict, each as a status callback."""
        final = "undelivered" if message.to in self.undeliverable else "delivered"
        for status in ("sent", final):
            time.sleep(self.callback_delay)
            message.status = status
            if status == "undelivered":
                message.error_code = 30003  # Twilio: unreachable destination handset
            if not message.status_callback:
                continue
            params = {
                "AccountSid": self.account_sid,
                "ApiVersion": API_VERSION,
                "MessageSid": message.sid,
                "SmsSid": message.sid,
                "MessageStatus": status,
                "SmsStatus": status,
                "To": message.to,
                "From": message.sender,
            }
            if message.error_code:
                params["ErrorCode"] = str(message.error_code)
            self.post_signed(message.status_callback, params)

    def simulate_inbound(
        self, sender: str, body: str, *, to: str = "", sid: str = "", url: str = ""
    ) -> Callback:
        """A handset texts us: the inbound webhook, signed, as Twilio posts it."""
        target = url or self.inbound_url
        if not target:
            raise ValueError("the gateway has no inbound URL")
        sid = sid or new_sid()
        params = {
            "AccountSid": self.account_sid,
            "ApiVersion": API_VERSION,
            "MessageSid": sid,
            "SmsMessageSid": sid,
            "SmsSid": sid,
            "SmsStatus": "received",
            "From": sender,
            "To": to or "+10000000000",
            "Body": body,
            "NumMedia": "0",
            "NumSegments": "1",
        }
        return self.post_signed(target, params)

    def post_signed(self, url: str, params: dict[str, str], token: str = "") -> Callback:
        sig = signature(token or self.auth_token, url, params.items())
        try:
            reply = httpx.post(url, data=params, headers={SIGNATURE_HEADER: sig}, timeout=10)
            done = Callback(url, params, reply.status_code, reply.text)
        except httpx.HTTPError as exc:
            log.warning("sms gateway: callback to %s failed: %s", url, exc)
            done = Callback(url, params, 0, str(exc))
        with self._lock:
            self.callbacks.append(done)
        return done


def _error(code: int, message: str, status: int) -> dict[str, Any]:
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def _handler(gateway: LocalGateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "HudongLocalSmsGateway/1"

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("sms gateway: " + format, *args)

        def _reply(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _form(self) -> dict[str, str] | None:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_REQUEST:
                return None
            raw = self.rfile.read(length).decode("utf-8", "replace")
            return {k: v[-1] for k, v in parse_qs(raw, keep_blank_values=True).items()}

        def _auth(self, account: str) -> bool:
            if gateway.authorised(self.headers.get("Authorization", ""), account):
                return True
            self._reply(401, _error(20003, "Authenticate", 401))
            return False

        def do_GET(self) -> None:
            match = MESSAGES.match(self.path)
            if not match or not match["sid"]:
                self._reply(404, _error(20404, "The requested resource was not found", 404))
                return
            if not self._auth(match["account"]):
                return
            message = gateway.find(match["sid"])
            if message is None:
                self._reply(404, _error(20404, "The requested resource was not found", 404))
                return
            self._reply(200, message.resource(gateway.account_sid))

        def do_POST(self) -> None:
            match = MESSAGES.match(self.path)
            local = self.path == "/_local/inbound"
            if not local and (not match or match["sid"]):
                self._reply(404, _error(20404, "The requested resource was not found", 404))
                return
            if not self._auth(match["account"] if match else gateway.account_sid):
                return
            form = self._form()
            if form is None:
                self._reply(413, _error(413, "Request too large", 413))
                return
            if local and not gateway.inbound_url:
                self._reply(409, _error(409, "No inbound URL is configured", 409))
                return
            if local:
                done = gateway.simulate_inbound(
                    form.get("From", ""), form.get("Body", ""), to=form.get("To", "")
                )
                self._reply(200, {"sid": done.params["MessageSid"], "status": done.status_code})
                return
            status, payload = gateway.accept(form)
            self._reply(status, payload)

    return Handler
