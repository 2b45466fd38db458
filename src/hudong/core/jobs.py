"""Jobs: long work a person starts and watches (imports, exports, resolution runs).

``start()`` writes the job row and enqueues its task when the caller's transaction commits;
the task calls ``execute()``, which hands the work function a :class:`Progress`. Progress is
written with plain ``UPDATE`` statements at most a few times a second, outside the work's own
transactions, so a page or the API can show it while the work runs. A failure is recorded on
the job with its message; a domain error keeps its stable code.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from hudong.core.context import acting_as
from hudong.core.errors import DomainError
from hudong.core.models.jobs import Job, JobStatus

log = logging.getLogger(__name__)
Work = Callable[[Job, "Progress"], dict[str, Any]]
_WORK: dict[str, Work] = {}


def register(kind: str) -> Callable[[Work], Work]:
    """Name the function that does the work of jobs of ``kind``."""

    def decorate(fn: Work) -> Work:
        _WORK[kind] = fn
        return fn

    return decorate


class Progress:
    """Counts done out of total, written to the job row now and then (never more than every
    ``interval`` seconds, and always at the end)."""

    def __init__(self, job: Job, interval: float = 0.5, echo: Callable[[Job], None] | None = None):
        self.job = job
        self.interval = interval
        self.echo = echo
        self._last = 0.0

    def total(self, n: int, message: str = "") -> None:
        self.job.total = n
        if message:
            self.job.message = message[:300]
        self.flush()

    def stage(self, message: str) -> None:
        self.job.message = message[:300]
        self.flush()

    def advance(self, n: int = 1) -> None:
        self.job.done += n
        if time.monotonic() - self._last >= self.interval:
            self.flush()

    def flush(self) -> None:
        self._last = time.monotonic()
        Job.objects.filter(pk=self.job.pk).update(
            total=self.job.total, done=self.job.done, message=self.job.message
        )
        if self.echo is not None:
            self.echo(self.job)


def start(kind: str, *, user: Any, params: dict[str, Any] | None = None, **fields: Any) -> Job:
    """Create a job and enqueue it for the worker once the current transaction commits."""
    from hudong.core.tasks import run_job

    job = Job.objects.create(
        kind=kind,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        params=params or {},
        **fields,
    )
    transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return job


def execute(job: Job, *, echo: Callable[[Job], None] | None = None) -> Job:
    """Run a job's work here and now (the worker's task, the command line, tests)."""
    work = _WORK[job.kind]
    job.status, job.started_at, job.done = JobStatus.RUNNING, timezone.now(), 0
    job.save(update_fields=["status", "started_at", "done"])
    progress = Progress(job, echo=echo)
    try:
        with acting_as(job.created_by, f"job {job.kind} #{job.pk}"):
            result = work(job, progress)
    except DomainError as exc:
        _finish(job, JobStatus.FAILED, {"code": exc.code, "error": str(exc.message)})
    except Exception as exc:  # the job records it; the worker stays up
        log.exception("job %s failed", job.pk)
        _finish(job, JobStatus.FAILED, {"code": "job.failed", "error": repr(exc)[:500]})
        job.result["trace"] = traceback.format_exc()[-4000:]
        job.save(update_fields=["result"])
    else:
        _finish(job, JobStatus.DONE, result)
    progress.flush()
    return job


def _finish(job: Job, status: str, result: dict[str, Any]) -> None:
    job.status, job.finished_at, job.result = status, timezone.now(), result
    job.save(update_fields=["status", "finished_at", "result"])


HIDDEN_RESULT_KEYS = {"trace", "model"}  # internals: a traceback, a learnt model


def visible(user: Any, job_id: int) -> Job:
    """A job its starter (or an administrator) may watch; to anyone else it does not exist."""
    from hudong.core.errors import NotFound

    job = Job.objects.filter(pk=job_id).first()
    if job is None or not getattr(user, "is_authenticated", False):
        raise NotFound("jobs.not_found")
    if not (user.is_superuser or job.created_by_id == user.pk):
        raise NotFound("jobs.not_found")
    return job


def shown_result(job: Job) -> dict[str, Any]:
    """The job's result as people and API clients see it."""
    return {k: v for k, v in (job.result or {}).items() if k not in HIDDEN_RESULT_KEYS}
