"""Background work of insights: the nightly value run and runs an analyst starts."""

from __future__ import annotations

import datetime as dt
from datetime import time
from typing import Any

from django.tasks import task

from hudong.core import jobs, schedules
from hudong.core.models.jobs import Job


@task()
def nightly_run(run_id: int) -> str:
    """Every night: recompute every customer's value, tiers, CLV and segment memberships."""
    from hudong.insights import engine

    run = engine.run(trigger="nightly")
    outcome = f"{run.status}; {run.rows.get('customers_written', 0)} customers in {run.seconds}s"
    schedules.finish(run_id, outcome)
    return outcome


@jobs.register("insights.run")
def run_job(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    """An insights run started from the page or the API, watched through its job."""
    from hudong.insights import engine

    as_of = job.params.get("as_of")
    run = engine.run(
        trigger="manual",
        job=job,
        progress=progress,
        as_of=dt.datetime.fromisoformat(as_of) if as_of else None,
        intervals=bool(job.params.get("intervals")),
    )
    return {"run": run.pk, "status": run.status, "seconds": run.seconds, **run.rows}


schedules.daily("insights.nightly", time(2, 30), nightly_run)
