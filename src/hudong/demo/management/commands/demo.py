"""``hudong demo``: load deterministic synthetic demo data (see :mod:`hudong.demo.generator`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console

from hudong.customers.models import Customer
from hudong.demo.generator import generate


class Command(BaseCommand):
    help = "Load demo customers, orders, shipments, returns, invoices and payments."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--customers",
            type=int,
            default=3000,
            help="customer rows to create (about 4%% of them planted duplicates)",
        )
        parser.add_argument("--seed", type=int, default=42, help="random seed")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when customers already exist"
        )
        parser.add_argument(
            "--truth-file",
            default=None,
            help="CSV of planted duplicates (default: demo-duplicates.csv next to the database)",
        )
        parser.add_argument(
            "--find-duplicates",
            action="store_true",
            help="then run duplicate detection (hudong dedupe), so the review queue has work",
        )
        parser.add_argument(
            "--as-of",
            default=None,
            help="the day the data ends, YYYY-MM-DD (default: today); fixes every timestamp",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["customers"] < 1:
            raise CommandError("--customers must be at least 1.")
        if options["if_empty"] and Customer.objects.exists():
            self.stdout.write("Customers exist already; no demo data loaded (--if-empty).")
            return
        as_of = None
        if options["as_of"]:
            try:
                day = dt.date.fromisoformat(options["as_of"])
            except ValueError as exc:
                raise CommandError("--as-of must be a date, YYYY-MM-DD.") from exc
            as_of = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
        console = Console(file=self.stdout._out)  # type: ignore[attr-defined,arg-type]
        report = generate(
            options["customers"],
            options["seed"],
            as_of=as_of,
            truth_file=options["truth_file"],
            progress=options["verbosity"] > 0,
            console=console,
        )
        if options["verbosity"] > 0:
            self.stdout.write(
                f"{report.total_rows:,} rows in {report.seconds:.1f} s "
                f"({report.customers:,} customers, {report.duplicates} planted duplicates, "
                f"{report.households} households); truth: {report.truth_file}"
            )
            for table, rows in sorted(report.rows.items()):
                self.stdout.write(f"  {table:<28} {rows:>10,}")
        if options["find_duplicates"]:
            call_command("dedupe", verbosity=options["verbosity"])
