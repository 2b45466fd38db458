"""``hudong smtp-receive``: run the SMTP receiver until stopped (SIGINT or SIGTERM)."""

from __future__ import annotations

import signal
import ssl
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hudong.interactions.channels.email import conf, receiver


def serve(
    host: str,
    port: int,
    domains: frozenset[str] | None,
    stop: threading.Event,
    *,
    tls: ssl.SSLContext | None = None,
    require_tls: bool = False,
) -> None:
    """Receive until ``stop`` is set, then finish the messages already accepted."""
    controller = receiver.server(host, port, domains, tls=tls, require_tls=require_tls)
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
        parser.add_argument("--tls-cert", default="", help="PEM certificate chain: offer STARTTLS")
        parser.add_argument("--tls-key", default="", help="the certificate's PEM private key")
        parser.add_argument(
            "--require-tls",
            action="store_true",
            help="refuse mail from senders that do not switch to TLS first",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        domains = frozenset(d.lower() for d in options["domain"]) or conf.accepted_domains()
        tls = None
        if options["tls_cert"]:
            try:
                tls = receiver.tls_context(options["tls_cert"], options["tls_key"] or None)
            except (OSError, ssl.SSLError) as exc:
                raise CommandError(f"cannot load the TLS certificate: {exc}") from exc
        elif options["require_tls"]:
            raise CommandError("--require-tls needs --tls-cert")
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write(
            f"SMTP receiver on {options['host']}:{options['port']}"
            + (f" for {', '.join(sorted(domains))}" if domains else "")
        )
        serve(
            options["host"],
            options["port"],
            domains,
            stop,
            tls=tls,
            require_tls=options["require_tls"],
        )
