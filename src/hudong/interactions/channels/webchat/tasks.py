"""Background work of the web chat."""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task

from hudong.core import schedules


@task()
def end_idle_chats(run_id: int) -> str:
    """Every minute: chats left idle are ended, so none stays open without its transcript."""
    from hudong.interactions.channels.webchat import actions

    ended = actions.end_idle()
    outcome = f"ok; ended {ended} idle chats"
    schedules.finish(run_id, outcome)
    return outcome


schedules.every("webchat.end_idle", timedelta(minutes=1), end_idle_chats)
