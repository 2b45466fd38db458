"""``hudong import KIND FILE``: import a CSV or XLSX file here and now, with a progress bar.

The job is recorded like one started from the UI (so it shows in the job list with its
report), but runs in this process. The exit code is non-zero only when the file itself could
not be imported (unreadable encoding, missing columns, unknown kind); bad rows are reported
in the report file and do not fail the command.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from hudong.core import jobs
from hudong.core.errors import DomainError
from hudong.core.models import Job, JobStatus
from hudong.customers.imports import job as import_job
from hudong.customers.imports import registry
from hudong.customers.imports.report import absolute


class Command(BaseCommand):
    help = "Import customers, organizations or commerce data from a CSV or XLSX file."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kind", choices=sorted(registry.kinds()))
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", default="", help="Where the list came from (partner)")
        parser.add_argument("--region", default="", help="Region code for rows without one")
        parser.add_argument("--user", default="", help="Import as this user (their access)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("No such file: %(file)s") % {"file": path})
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(_("No such user: %(user)s") % {"user": options["user"]})
        try:
            job = import_job.create_local(
                user,
                kind=options["kind"],
                path=path,
                source=options["source"],
                region=options["region"],
            )
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        job = self._run(job)
        self._summary(job)

    def _run(self, job: Job) -> Job:
        console = Console(stderr=True)
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=console, transient=False) as bar:
            task = bar.add_task(_("Importing"), total=None)

            def echo(current: Job) -> None:
                bar.update(task, total=current.total or None, completed=current.done)

            return jobs.execute(job, echo=echo)

    def _summary(self, job: Job) -> None:
        result = job.result
        if job.status != JobStatus.DONE:
            raise CommandError(f"{result.get('code', 'job.failed')}: {result.get('error', '')}")
        self.stdout.write(
            _(
                "%(rows)s rows: %(created)s created, %(updated)s updated, "
                "%(unchanged)s unchanged, %(bad)s bad"
            )
            % result
        )
        if job.report_file:
            self.stdout.write(
                _("Bad rows are listed in %(path)s") % {"path": absolute(job.report_file)}
            )
