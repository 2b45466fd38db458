"""Urgent writers go ahead of the bulk writers (hudong.interactions.channels.priority)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from django.db import connections

from hudong.interactions.channels import priority


def test_nobody_announced_means_no_wait(tmp_path: Path) -> None:
    gate = str(tmp_path / "db.sqlite3-priority")
    assert priority.give_way(path=gate) < 0.05


def test_a_bulk_writer_waits_while_an_urgent_writer_holds_the_gate(tmp_path: Path) -> None:
    gate = str(tmp_path / "db.sqlite3-priority")
    order: list[str] = []
    inside = threading.Event()

    def urgent_writer() -> None:
        with priority.urgent(path=gate):
            inside.set()
            time.sleep(0.2)
            order.append("urgent")

    thread = threading.Thread(target=urgent_writer)
    thread.start()
    inside.wait(5)
    waited = priority.give_way(path=gate)
    order.append("bulk")
    thread.join()
    assert order == ["urgent", "bulk"]
    assert 0.1 < waited < 1.0


def test_several_urgent_writers_hold_the_gate_together(tmp_path: Path) -> None:
    gate = str(tmp_path / "db.sqlite3-priority")
    started = time.monotonic()
    with priority.urgent(path=gate), priority.urgent(path=gate):
        assert time.monotonic() - started < 0.5  # shared: the second did not wait for the first


def test_a_stuck_urgent_writer_delays_a_bulk_writer_at_most_max_wait(tmp_path: Path) -> None:
    gate = str(tmp_path / "db.sqlite3-priority")
    with priority.urgent(path=gate):
        waited = priority.give_way(path=gate, max_wait=0.1)
    assert 0.1 <= waited < 0.5


def test_the_gate_is_released_when_the_block_fails(tmp_path: Path) -> None:
    gate = str(tmp_path / "db.sqlite3-priority")
    with pytest.raises(RuntimeError), priority.urgent(path=gate):
        raise RuntimeError("the transaction failed")
    assert priority.give_way(path=gate, max_wait=1.0) < 0.05


def test_the_gate_sits_next_to_a_database_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(connections["default"].settings_dict, "NAME", "/srv/crm/hudong.sqlite3")
    if connections["default"].vendor == "sqlite":
        assert priority.gate_path() == "/srv/crm/hudong.sqlite3-priority"
    else:  # a server database orders its writers itself: no gate
        assert priority.gate_path() is None


@pytest.mark.parametrize("name", [":memory:", "file:memorydb_default?mode=memory&cache=shared"])
def test_an_in_memory_database_has_no_gate(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    # Nothing to order in memory, so no file either
    monkeypatch.setitem(connections["default"].settings_dict, "NAME", name)
    assert priority.gate_path() is None
    assert priority.give_way() == 0.0
    with priority.urgent():
        pass


def test_without_a_gate_file_writes_go_the_old_way(tmp_path: Path) -> None:
    gate = str(tmp_path / "missing-directory" / "db.sqlite3-priority")
    with priority.urgent(path=gate):
        assert priority.give_way(path=gate) == 0.0
