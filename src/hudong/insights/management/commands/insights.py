"""``hudong insights run``: compute every customer's value here and now, with a progress bar;
``hudong insights runs``: the last runs, their stages and row counts.

``run`` is the job an analyst starts from the dashboards (kind ``insights.run``) executed in
this process instead of the worker, so an operator sees it finish and gets its figures.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from hudong.core import jobs
from hudong.core.models import Job
from hudong.insights.models import InsightsRun


class Command(BaseCommand):
    help = "Compute value, tiers, CLV and segments for every customer (or list the last runs)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="run the insights engine now")
        run.add_argument("--as-of", help="compute values as of this date (YYYY-MM-DD), UTC")
        run.add_argument(
            "--intervals",
            action="store_true",
            help="add credible intervals to CLV (samples the posterior: much slower)",
        )
        run.add_argument(
            "--if-none", action="store_true", help="do nothing if a run has already succeeded"
        )
        runs = sub.add_parser("runs", help="show the last runs")
        runs.add_argument("--limit", type=int, default=10)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "runs":
            self._runs(options["limit"])
            return
        if options["if_none"] and InsightsRun.objects.filter(status="done").exists():
            return
        params: dict[str, Any] = {"intervals": options["intervals"]}
        if options.get("as_of"):
            try:
                as_of = dt.datetime.fromisoformat(options["as_of"])
            except ValueError as exc:
                raise CommandError(f"--as-of: {exc}") from exc
            params["as_of"] = (as_of if as_of.tzinfo else as_of.replace(tzinfo=dt.UTC)).isoformat()
        job = Job.objects.create(kind="insights.run", params=params)
        self._execute(job, quiet=options["verbosity"] < 1)

    def _execute(self, job: Job, *, quiet: bool) -> None:
        console = Console(file=self.stdout._out)  # type: ignore[attr-defined,arg-type]
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        with Progress(
            *columns, TimeElapsedColumn(), console=console, disable=quiet, transient=False
        ) as bar:
            task = bar.add_task("starting", total=None)

            def echo(job: Job) -> None:
                bar.update(task, description=job.message or "working", total=job.total or None,
                           completed=job.done)  # fmt: skip

            job = jobs.execute(job, echo=echo)
        if job.status != "done":
            raise CommandError(f"Insights run failed: {job.result.get('error', '')}")
        if not quiet:
            run = InsightsRun.objects.get(pk=job.result["run"])
            self.stdout.write(self._line(run))

    def _line(self, run: InsightsRun) -> str:
        s = run.summary
        tiers = ", ".join(f"{k} {v['customers']:,}" for k, v in sorted(s.get("tiers", {}).items()))
        stages = " ".join(f"{k} {v:.1f}s" for k, v in run.stages.items())
        return (
            f"run #{run.pk} {run.status} in {run.seconds:.1f}s ({stages}): "
            f"{run.rows.get('customers_written', 0):,} customers; tiers {tiers}; "
            f"gold {s.get('gold', 0):,}, drag {s.get('drag', 0):,}, MVC {s.get('mvc', 0):,}, "
            f"MGC {s.get('mgc', 0):,}, BZC {s.get('bzc', 0):,}; "
            f"CLV {s.get('clv', {}).get('status')}"
        )

    def _runs(self, limit: int) -> None:
        for run in InsightsRun.objects.order_by("-started_at")[:limit]:
            self.stdout.write(f"{run.started_at:%Y-%m-%d %H:%M} {self._line(run)}")
