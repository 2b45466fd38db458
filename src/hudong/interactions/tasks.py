"""Background work of the interactions area."""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task

from hudong.core import schedules


@task()
def deliver_message(message_id: int) -> str:
    """Deliver one outbound message through its channel (after the policy agrees again)."""
    from hudong.interactions import outbound

    return outbound.deliver(message_id)


@task()
def release_deferred(run_id: int) -> str:
    """Every minute: messages deferred by quiet hours or a cap whose time has come go out."""
    from hudong.interactions import outbound

    released = outbound.release_due()
    outcome = f"ok; released {released} messages"
    schedules.finish(run_id, outcome)
    return outcome


schedules.every("interactions.release_deferred", timedelta(minutes=1), release_deferred)
