"""``hudong sms-gateway``: run the local SMS gateway (Twilio's protocol) for a demo."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.urls import reverse

from hudong.interactions.channels.sms.gateway import LocalGateway
from hudong.interactions.channels.sms.provider import public_url


class Command(BaseCommand):
    help = (
        "Run a local SMS gateway that speaks the Twilio Messaging protocol: it accepts "
        "messages, calls back with signed delivery receipts, and forwards inbound texts "
        "posted to /_local/inbound (From, Body) to Hudong, signed."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8025)
        parser.add_argument(
            "--inbound-url",
            default="",
            help="Where inbound texts go (default: HUDONG_PUBLIC_URL + the SMS inbound path).",
        )
        parser.add_argument("--delay", type=float, default=0.5, help="Seconds per receipt.")

    def handle(
        self, *args: Any, host: str, port: int, inbound_url: str, delay: float, **options: Any
    ) -> None:
        sid = str(getattr(settings, "HUDONG_SMS_ACCOUNT_SID", "")) or "AC" + "0" * 32
        token = str(getattr(settings, "HUDONG_SMS_AUTH_TOKEN", "")) or "local-gateway-token"
        gateway = LocalGateway(
            sid,
            token,
            host=host,
            port=port,
            inbound_url=inbound_url or public_url(reverse("sms_channel:inbound")),
            callback_delay=delay,
        )
        self.stdout.write(
            f"SMS gateway on {gateway.url} (account {sid}); inbound texts go to "
            f"{gateway.inbound_url}. Set HUDONG_SMS_BASE_URL={gateway.url}, "
            f"HUDONG_SMS_ACCOUNT_SID={sid} and HUDONG_SMS_AUTH_TOKEN to the same token."
        )
        try:
            gateway.serve_forever()
        except KeyboardInterrupt:
            gateway.stop()
