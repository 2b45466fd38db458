"""Send one signed call event to a running Hudong, as the switch would: to try the screen pop,
or to check a switch's set-up (secret, clock, extension) from the server's side.

    hudong cti_event ringing --caller "138 0013 8000" --extension 8001 --call-id c-1
    hudong cti_event ended --call-id c-1 --extension 8001 --duration 95
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from hudong.interactions.channels.telephony.signing import HEADER, secrets, sign


class Command(BaseCommand):
    help = "Post one HMAC-signed CTI event (ringing, answered, ended) to a Hudong server."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("type", choices=["ringing", "answered", "ended"])
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="the server's base URL")
        parser.add_argument("--call-id", default="", help="the call (default: a new one)")
        parser.add_argument("--caller", default="", help="the caller's number")
        parser.add_argument("--extension", default="", help="the agent's extension")
        parser.add_argument("--duration", type=int, default=None, help="talk time in seconds")
        parser.add_argument("--secret", default="", help="default: HUDONG_CTI_SECRET (the first)")

    def handle(self, *args: Any, **options: Any) -> None:
        secret = options["secret"] or next(iter(secrets()), "")
        if not secret:
            raise CommandError("no secret: pass --secret or set HUDONG_CTI_SECRET")
        event: dict[str, Any] = {
            "event_id": uuid.uuid4().hex,
            "call_id": options["call_id"] or f"cli-{uuid.uuid4().hex[:12]}",
            "type": options["type"],
            "timestamp": timezone.now().isoformat(),
            "caller": options["caller"],
            "extension": options["extension"],
        }
        if options["duration"] is not None:
            event["duration"] = options["duration"]
        body = json.dumps(event, ensure_ascii=False).encode()
        url = options["url"].rstrip("/") + "/api/v1/cti/events"
        try:
            response = httpx.post(
                url,
                content=body,
                headers={"Content-Type": "application/json", HEADER: sign(body, secret)},
                timeout=10,
            )
        except httpx.HTTPError as exc:
            raise CommandError(f"{url}: {exc}") from exc
        self.stdout.write(f"{response.status_code} {response.text}")
        if response.status_code >= 400:
            raise CommandError(f"the server refused the event ({response.status_code})")
