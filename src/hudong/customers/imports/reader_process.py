"""The entry point of the second process of a large import (see :mod:`pipeline`).

The process is spawned, not forked: forking a process that has other threads (a progress bar's,
a web server's, the thread pools numerical libraries start) risks a deadlock in the child, and
Python deprecates it. A spawned process unpickles its arguments before Django is set up, so this
module imports nothing of Django or the project at load time: the plan is plain data, and
Django is set up here with the parent's settings module before any project code is loaded.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Plan:
    """What reading and checking a file needs: the file, how its columns bind (``positions``
    of the ``header``), the import's kind and default region, the language of the messages,
    the chunk size, and the settings module the second process sets Django up with."""

    path: Path
    kind: str
    positions: dict[str, int]
    header: list[str]
    region: str
    language: str
    chunk_size: int
    settings: str


def main(plan: Plan, out: Any) -> None:
    """Set Django up as the parent has it, then read, check and queue the file's chunks."""
    os.environ["DJANGO_SETTINGS_MODULE"] = plan.settings
    import django

    django.setup()
    from hudong.customers.imports import pipeline

    pipeline.produce(plan, out)
