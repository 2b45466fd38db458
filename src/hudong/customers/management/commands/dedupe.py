"""``hudong dedupe``: one identity-resolution run here and now, with a progress bar.

The same job a person starts from the review queue (kind ``customers.resolution``), run in this
process instead of the worker, so an operator sees it finish and gets its counts.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from hudong.core import jobs
from hudong.core.models import Job
from hudong.customers.resolution.batch import KIND


class Command(BaseCommand):
    help = "Find duplicate customers: merge the sure pairs, queue the likely ones for review."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-auto-merge",
            action="store_true",
            help="queue every likely pair for review, even the sure ones",
        )
        parser.add_argument(
            "--retrain",
            action="store_true",
            help="learn a new model from the data instead of reusing the last one",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        params = {"auto_merge": not options["no_auto_merge"], "retrain": options["retrain"]}
        job = Job.objects.create(kind=KIND, params=params)
        console = Console(file=self.stdout._out)  # type: ignore[attr-defined,arg-type]
        quiet = options["verbosity"] < 1
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console, disable=quiet, transient=False) as bar:
            task = bar.add_task("starting", total=None)

            def echo(job: Job) -> None:
                bar.update(
                    task,
                    description=job.message or "working",
                    total=job.total or None,
                    completed=job.done,
                )

            job = jobs.execute(job, echo=echo)
        if job.status != "done":
            self.stderr.write(f"Resolution failed: {job.result.get('error', '')}")
            raise SystemExit(1)
        if not quiet:
            r = job.result
            self.stdout.write(
                f"{r['pairs_scored']:,} pairs scored: {r['auto_merged']:,} merged automatically,"
                f" {r['queued']:,} queued for review ({r['pending_updated']:,} already queued),"
                f" {r['skipped_decided']:,} skipped as already decided."
            )
