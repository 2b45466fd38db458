"""Run the background worker together with the recurring-schedule loop."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from hudong.core import schedules

log = logging.getLogger("hudong.worker")


class Command(BaseCommand):
    help = "Run background tasks and enqueue recurring schedules as they fall due."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--tick", type=float, default=10.0, help="Scheduler check interval (s)."
        )
        parser.add_argument("--no-scheduler", action="store_true")

    def handle(self, *args: Any, tick: float, no_scheduler: bool, **options: Any) -> None:
        if not no_scheduler:
            threading.Thread(target=self._scheduler, args=(tick,), daemon=True).start()
        call_command("db_worker", "--queue-name=*", "--no-reload", verbosity=options["verbosity"])

    def _scheduler(self, tick: float) -> None:
        while True:
            try:
                schedules.enqueue_due()
            except Exception:  # keep scheduling through a transient database error
                log.exception("scheduler tick failed")
            finally:
                close_old_connections()
            time.sleep(tick)
