"""Background work of the email channel: IMAP polling every minute, only when an IMAP
account is configured (an installation that receives over SMTP polls nothing)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.tasks import task

from hudong.core import schedules
from hudong.interactions.channels.email import conf

log = logging.getLogger(__name__)


@task()
def imap_poll(run_id: int) -> str:
    """Fetch new mail from the configured IMAP mailbox."""
    from hudong.interactions.channels.email import imap

    try:
        result = imap.poll()
        outcome = (
            f"ok; fetched {result.fetched}, recorded {result.recorded}, "
            f"duplicates {result.duplicates}"
        )
    except Exception as exc:  # the mail server's failure is this run's outcome
        log.warning("IMAP poll failed: %s", exc)
        outcome = f"failed: {exc}"
    schedules.finish(run_id, outcome)
    return outcome


@task()
def process_inbound(inbound_id: int) -> str:
    """Record one stored message (a retry of one that failed for a passing reason)."""
    from hudong.interactions.channels.email import actions

    return str(actions.process(inbound_id).status)


def register_schedules() -> None:
    if conf.imap() is not None:
        schedules.every("email.imap_poll", timedelta(minutes=1), imap_poll)
