"""Background work of the email channel: IMAP polling every minute, only when an IMAP
account is configured (an installation that receives over SMTP polls nothing), and a nightly
clean-up of raw messages kept longer than needed."""

from __future__ import annotations

import logging
from datetime import time, timedelta

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
def forget_raw_mail(run_id: int) -> str:
    """Nightly: drop the raw copies of mail recorded long ago (the interaction keeps the text,
    the sanitised HTML and the files); failed mail stays until someone processes it."""
    from hudong.interactions.channels.email import actions

    removed = actions.forget_raw(days=conf.keep_raw_days())
    outcome = f"ok; removed {removed} raw messages"
    schedules.finish(run_id, outcome)
    return outcome


def register_schedules() -> None:
    schedules.daily("email.forget_raw_mail", time(3, 40), forget_raw_mail)
    if conf.imap() is not None:
        schedules.every("email.imap_poll", timedelta(minutes=1), imap_poll)
