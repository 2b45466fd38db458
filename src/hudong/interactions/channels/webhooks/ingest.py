"""Group commit for single events: many requests, one transaction, one disk flush.

A single event must be on disk before its 202, and a commit with ``synchronous=FULL`` costs a
flush of the disk whatever it holds. So under ``hudong serve`` the requests of a server
process do not commit one by one: each hands its checked event to one writer thread and waits;
the writer takes every event waiting (up to ``GROUP``), stores them in one transaction
(:func:`hudong.interactions.channels.webhooks.receive.store`) and answers them all after the
commit. One request alone is committed at once; a hundred concurrent ones share a handful of
flushes. Nothing is answered before its commit, and a failed commit fails every request of
its group (the senders retry; event ids make that safe).

Before each group the writer gives way to an urgent writer (a ringing call, see
:mod:`hudong.interactions.channels.priority`): committing group after group, it would otherwise
hold SQLite's write lock almost without a break, and a screen pop waited behind it for seconds.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from typing import Any

from django.db import close_old_connections

from hudong.interactions.channels.priority import give_way
from hudong.interactions.channels.webhooks.receive import Prepared, Receipt, store

log = logging.getLogger(__name__)
GROUP = 500

_Waiting = tuple[Prepared, asyncio.AbstractEventLoop, "asyncio.Future[Receipt]"]


class Committer:
    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[_Waiting] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, event: Prepared) -> asyncio.Future[Receipt]:
        """Queue ``event`` for the next commit; the future resolves after it."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Receipt] = loop.create_future()
        self._start()
        self._queue.put((event, loop, future))
        return future

    def _start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="webhooks-commit", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            group = [self._queue.get()]
            while len(group) < GROUP:
                try:
                    group.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._commit(group)

    def _commit(self, group: list[_Waiting]) -> None:
        outcome: list[Any]
        try:
            close_old_connections()
            give_way()
            outcome = list(store([event for event, _loop, _future in group]))
        except Exception as exc:  # answered as 503 by the endpoint: the sender retries
            log.exception("webhook group commit failed (%s events)", len(group))
            outcome = [exc] * len(group)
        for (_event, loop, future), result in zip(group, outcome, strict=True):
            loop.call_soon_threadsafe(_settle, future, result)


def _settle(future: asyncio.Future[Receipt], result: Any) -> None:
    if future.done():
        return
    if isinstance(result, BaseException):
        future.set_exception(result)
    else:
        future.set_result(result)


committer = Committer()
