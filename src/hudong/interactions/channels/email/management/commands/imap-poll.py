"""``hudong imap-poll``: fetch new mail from the configured IMAP mailbox once.

The worker runs the same poll every minute when ``HUDONG_IMAP_HOST`` is set."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hudong.interactions.channels.email import conf, imap


class Command(BaseCommand):
    help = "Fetch new customer email from the IMAP mailbox (HUDONG_IMAP_* settings) once."

    def handle(self, *args: Any, **options: Any) -> None:
        account = conf.imap()
        if account is None:
            raise CommandError("No IMAP mailbox is configured (set HUDONG_IMAP_HOST).")
        try:
            result = imap.poll(account)
        except (OSError, imap.imaplib.IMAP4.error) as exc:
            raise CommandError(f"IMAP poll failed: {exc}") from exc
        self.stdout.write(
            f"fetched {result.fetched}, recorded {result.recorded}, duplicates {result.duplicates}"
        )
