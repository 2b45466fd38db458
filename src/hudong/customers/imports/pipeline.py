"""Rows of a file, read and checked chunk by chunk, in this process or in a second one.

Checking a row (text limits, phones, emails, dates, name keys) needs no database, and at a
million rows it is about a third of an import. For a large file the reading and checking run
in a second process (:mod:`reader_process`) that hands finished chunks to this one through a
bounded queue, so they overlap the database writes on a second core; memory stays bounded by
the queue's depth. Both ways yield the same chunks in file order with the same problems; a
file-level error met in the middle of the file (a malformed CSV line) arrives after the chunks
before it, as it would here. Setting the second process up takes a second or two, so a small
file is read here.
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
import queue
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import ENVIRONMENT_VARIABLE, settings
from django.utils import translation
from django.utils.translation import gettext as _

from hudong.core.errors import DomainError
from hudong.customers.imports import reader_process, readers, registry
from hudong.customers.imports.base import Context, Importer, Problem
from hudong.customers.imports.fields import Binding
from hudong.customers.imports.reader_process import Plan
from hudong.customers.imports.readers import Row

MIN_ROWS = 50_000  # below this a second process costs more than it saves
DEPTH = 1  # chunks waiting in the queue: bounds the memory the overlap costs
SAMPLES = 5  # looks at the run queue when deciding whether a core is free
POLL_SECONDS = 1.0


@dataclass
class Prepared:
    """One chunk read and checked: how many rows of the file it covers, what the importer
    writes (``units``), and the problems found so far with the number of bad rows."""

    rows: int
    units: list[Any]
    problems: list[Problem] = field(default_factory=list)
    bad: int = 0


def plan_for(path: Any, importer: Importer, binding: Binding, region: str) -> Plan:
    """The plan of reading ``path`` for ``importer`` in the active language."""
    return Plan(
        path=path,
        kind=importer.kind,
        positions=dict(binding.positions),
        header=list(binding.header),
        region=region,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        chunk_size=importer.chunk_size,
        settings=_settings_module(),
    )


def _settings_module() -> str:
    """The settings module a second process sets Django up with ("" when unknown: settings
    configured in code, so the file is read here)."""
    module = getattr(settings, "SETTINGS_MODULE", None) or os.environ.get(ENVIRONMENT_VARIABLE)
    return module or ""


def prepare_chunk(
    importer: Importer, binding: Binding, chunk: Sequence[Row], checker: Context
) -> Prepared:
    """Check one chunk's rows: unreadable rows are reported, the rest go to the importer's
    per-row work. ``checker`` collects this chunk's problems and is emptied for the next."""
    items = []
    for row in chunk:
        if row.problem:
            message = _("The row is not valid text in this file's encoding.")
            checker.bad(row, "", row.problem, message)
        else:
            items.append((row, binding.values(row.cells)))
    units = importer.prepare(items, checker)
    prepared = Prepared(len(chunk), units, checker.problems, checker.chunk_counts.bad)
    checker.start_chunk()
    return prepared


def _chunks(plan: Plan, importer: Importer, rows: Iterator[Row]) -> Iterator[Prepared]:
    checker = Context(plan.kind, region=plan.region)
    binding = Binding(plan.positions, plan.header)
    for chunk in itertools.batched(rows, plan.chunk_size):
        yield prepare_chunk(importer, binding, chunk, checker)
        tidy()


@contextmanager
def chunked_gc() -> Iterator[None]:
    """The cycle collector off while chunks are worked, run by :func:`tidy` between them.

    A chunk allocates hundreds of thousands of container objects (rows, dicts, tuples) that
    live until it is written; the automatic collector kept scanning them, which cost a third
    of the import's time. Between chunks they are garbage and a young-generation collection
    frees whatever cycles they formed, so memory stays bounded as before.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def tidy() -> None:
    """Collect the cycles the last chunk left (young generations only: quick)."""
    gc.collect(1)


def prepared_chunks(plan: Plan, importer: Importer, source: readers.Source) -> Iterator[Prepared]:
    """The file's chunks, read and checked in a second process when that pays off."""
    large = importer.offload and source.total >= MIN_ROWS and bool(plan.settings)
    # A daemonic process (a pool worker) may not start processes of its own.
    if large and not multiprocessing.current_process().daemon and core_free():
        return _from_process(plan)
    return _chunks(plan, importer, source.rows)


def core_free() -> bool:
    """Whether a core is idle for the second process. When every core is busy already, it
    only takes time from the writing process (measured: a 100,000-row import took twice as
    long with a second process on a 2-core machine whose other core ran another job). The
    number of runnable tasks now (Linux ``/proc/loadavg``, this process included) is sampled
    a few times and the least kept; elsewhere, any machine with two cores counts."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if (cores or 1) < 2:
        return False
    try:
        running = min(_runnable() for _ in range(SAMPLES))
    except (OSError, ValueError, IndexError):
        return True
    return (running - 1) + 2 <= (cores or 1)


def _runnable() -> int:
    """Tasks running or ready to run on the machine now (the 4th field: "running/total")."""
    time.sleep(0.01)
    with open("/proc/loadavg", encoding="ascii") as fh:
        return int(fh.read().split()[3].split("/")[0])


# --- the second process -----------------------------------------------------------------------


def produce(plan: Plan, out: Any) -> None:
    """The second process's work: read and check the file, put each chunk, then None (or the
    error). A file-level error travels as its parts: the exception may not unpickle."""
    translation.activate(plan.language)
    source = readers.open_source(plan.path)
    try:
        with chunked_gc():
            for prepared in _chunks(plan, registry.get(plan.kind), source.rows):
                out.put(prepared)
        out.put(None)
    except DomainError as exc:
        out.put(("error", exc.code, str(exc.message), exc.status, exc.extra))
    except BaseException as exc:  # anything else fails the job, with what happened
        out.put(("crash", repr(exc)[:500]))
    finally:
        source.close()


def _from_process(plan: Plan) -> Iterator[Prepared]:
    context = multiprocessing.get_context("spawn")
    out = context.Queue(maxsize=DEPTH)
    process = context.Process(target=reader_process.main, args=(plan, out), daemon=True)
    process.start()
    try:
        while (message := _next(out, process)) is not None:
            yield message
        process.join()
    finally:
        if process.is_alive():  # the consumer stopped early (an error while writing)
            process.terminate()
            process.join()
        out.close()
        out.cancel_join_thread()


def _next(out: Any, process: Any) -> Prepared | None:
    """The next chunk; raises the reader's error, or a crash if it died without a word."""
    while True:
        try:
            message = out.get(timeout=POLL_SECONDS)
        except queue.Empty:
            if not process.is_alive() and out.empty():
                raise RuntimeError(f"import reader exited ({process.exitcode})") from None
            continue
        if message is None or isinstance(message, Prepared):
            return message
        if message[0] == "error":
            _tag, code, text, status, extra = message
            raise DomainError(code, text, status=status, **extra)
        raise RuntimeError(f"import reader failed: {message[1]}")
