"""The SMTP receiver: an aiosmtpd server that stores each accepted message, then records it.

The order matters. A message is written to the database before the server answers 250, so
the sending server only deletes its copy once ours is durable; parsing and recording then run
on one worker thread, off the SMTP conversation, so a slow identify never makes a sender wait
or time out. Messages stored but not processed (the receiver stopped) are processed when it
starts again. Recipients can be limited to the company's domains (``HUDONG_EMAIL_DOMAINS``):
the receiver is then no open relay for anyone else's mail.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aiosmtpd.controller import Controller
from django.db import OperationalError, close_old_connections

from hudong.core.errors import DomainError
from hudong.interactions.channels.email import actions, conf

log = logging.getLogger(__name__)
RETRY_PAUSES = (0.05, 0.1, 0.2, 0.5, 1.0, 2.0)


def _retrying[T](work: Callable[[], T]) -> T:
    """Run a database write, waiting out a lock another writer holds (SQLite allows one
    writer at a time; past its busy timeout, or in a shared-cache database, it says so)."""
    for pause in RETRY_PAUSES:
        close_old_connections()
        try:
            return work()
        except OperationalError as exc:
            if "locked" not in str(exc):
                raise
            time.sleep(pause)
    close_old_connections()
    return work()


def _process(inbound_id: int) -> None:
    try:
        _retrying(lambda: actions.process(inbound_id))
    except Exception:  # keep the receiver up; the message stays pending for a retry
        log.exception("inbound email %s could not be processed", inbound_id)


def _store(raw: bytes, mail_from: str, recipients: list[str]) -> int:
    return _retrying(
        lambda: actions.store(raw, source="smtp", mail_from=mail_from, recipients=recipients).pk
    )


class Handler:
    """aiosmtpd handler hooks (RCPT, DATA)."""

    def __init__(self, domains: frozenset[str] | None = None) -> None:
        self.domains = conf.accepted_domains() if domains is None else domains
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="email-in")

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        domain = address.rsplit("@", 1)[-1].lower()
        if self.domains and domain not in self.domains:
            return "550 5.7.1 Relaying denied: we do not accept mail for this domain"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            pk = await asyncio.to_thread(
                _store, raw, str(envelope.mail_from or ""), list(envelope.rcpt_tos)
            )
        except DomainError:
            return "552 5.3.4 Message too big"
        except Exception:
            log.exception("inbound email could not be stored")
            return "451 4.3.0 Temporary failure, try again later"
        self.worker.submit(_process, pk)
        return "250 Message accepted"

    def catch_up(self) -> None:
        """Process what an earlier run stored but did not get to."""
        self.worker.submit(_pending)

    def drain(self) -> None:
        self.worker.shutdown(wait=True)


def _pending() -> None:
    try:
        _retrying(actions.process_pending)
    except Exception:
        log.exception("pending inbound email could not be processed")


def tls_context(cert: str, key: str | None) -> ssl.SSLContext:
    """The server side of STARTTLS, from a PEM certificate chain and its key."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    return context


def server(
    host: str,
    port: int,
    domains: frozenset[str] | None = None,
    *,
    tls: ssl.SSLContext | None = None,
    require_tls: bool = False,
) -> Controller:
    """A receiver ready to ``start()`` on host:port (port must be a real, free port). With
    ``tls`` it offers STARTTLS; ``require_tls`` refuses mail until the session is encrypted."""
    handler = Handler(domains)
    controller = Controller(
        handler,
        hostname=host,
        port=port,
        data_size_limit=conf.max_message_bytes(),
        enable_SMTPUTF8=True,
        ident="Hudong",
        tls_context=tls,
        require_starttls=bool(tls and require_tls),
    )
    handler.catch_up()
    return controller
