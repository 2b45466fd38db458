"""``hudong smtp-receive``: run the SMTP receiver until stopped (SIGINT or SIGTERM)."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hudong.interactions.channels.email import conf, receiver


def serve(host: str, port: int, domains: frozenset[str] | None, stop: threading.Event) -> None:
    """Receive until ``stop`` is set, then finish the messages already accepted."""
    controller = receiver.server(host, port, domains)
    controller.start()
    try:
        stop.wait()
    finally:
        controller.stop()
        controller.handler.drain()


class Command(BaseCommand):
    help = "Receive customer email over SMTP and record it on the customers' timelines."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=8025, help="port to listen on")
        parser.add_argument(
            "--domain",
            action="append",
            default=[],
            help="accept mail only for this domain (repeatable; default HUDONG_EMAIL_DOMAINS)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        domains = frozenset(d.lower() for d in options["domain"]) or conf.accepted_domains()
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write(
            f"SMTP receiver on {options['host']}:{options['port']}"
            + (f" for {', '.join(sorted(domains))}" if domains else "")
        )
        serve(options["host"], options["port"], domains, stop)
