"""Webhook ingest: signed events over real HTTP, acknowledged and processed, on the demo database.

A working copy of the demo database of ``BENCH_WEBHOOKS_CUSTOMERS`` customers (default
1,000,000, built once by :mod:`bench.demo_db`) is migrated and served by ``hudong serve
--workers 2`` (uvicorn). Events name customers as other systems would: 70% an existing
customer's mobile in another spelling, 20% an existing customer's email in capitals, 10% a
phone nobody has (a new customer). Measured:

(a) single events: ``CLIENTS`` (32) senders post signed events one at a time (keep-alive)
    for ``SINGLE_SECONDS``; acknowledged events per second and latency. A 202 is sent only
    after the event row and its task are committed (``synchronous=FULL``); the run checks that
    the stored rows equal the 202s. The background worker is not running during (a).
(b) batches: ``hudong worker`` runs; ``BATCHES`` batches of 1,000 signed events are posted and
    the clock stops when the last event is processed (customer found or created, identifiers,
    interaction, conversation and breakpoint, domain events). Reported: events per second end to
    end, and the worker's processing rate alone (from its tasks' start and finish times).

The floor, measured in the same run after the measured phases: the same event rows written with
plain ``sqlite3`` into the working copy's own tables (same size, indexes, disk and journal
settings), one transaction per row for (a) and one per 1,000 rows for (b) (for (b) with, per
event, an interaction row and a domain-event row as well, the rows every processed event
writes). The floor's connection gets what the worker's gets: the same page cache
(``webhooks.sql.CACHE_KIB``) and the same kind of domain-event ids (time-ordered UUIDs). Ratios are
Hudong's rate over the floor's.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing as mp
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from bench_identify import free_port, respell, start_server  # noqa: E402
from demo_db import BENCH_VAR, django_env, ensure_demo_db  # noqa: E402
from hudong.core.ids import time_ordered_uuid as new_id  # noqa: E402
from hudong.interactions.channels.webhooks.signing import headers as sign  # noqa: E402
from hudong.interactions.channels.webhooks.sql import CACHE_KIB  # noqa: E402

CUSTOMERS = int(os.environ.get("BENCH_WEBHOOKS_CUSTOMERS", "1000000"))
SINGLE_SECONDS = float(os.environ.get("BENCH_WEBHOOKS_SECONDS", "15"))
CLIENTS = int(os.environ.get("BENCH_WEBHOOKS_CLIENTS", "32"))
BATCHES = int(os.environ.get("BENCH_WEBHOOKS_BATCHES", "100"))
BATCH = 1000
SECRET = "whsec_bench"
TARGETS = {"single_per_s": 1000.0, "batched_per_s": 20000.0}
ROOT = Path(__file__).resolve().parent.parent
CONTENT = "我想咨询一下订单的配送时间，谢谢。"
META = '{"webhook": "bench"}'
FLOOR_SOURCE = 999_999  # the floor's rows name no real source (foreign keys are not enforced)


def working_copy(db: Path) -> Path:
    """A migrated copy of the demo database, with two sources ("bench", "bench-batch")."""
    work = BENCH_VAR / f"webhooks-work-{db.stem}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(db, work)
    env = {**os.environ, **django_env(work)}
    cli = [sys.executable, "-m", "hudong.cli"]
    subprocess.run([*cli, "migrate", "--verbosity", "0"], env=env, check=True, cwd=ROOT)
    code = (
        "import django; django.setup();"
        "from hudong.interactions.channels.webhooks.models import Source, SourceSecret;"
        "[SourceSecret.objects.create(source=Source.objects.create(slug=s, name=s),"
        f" secret={SECRET!r}) for s in ('bench', 'bench-batch')]"
    )
    subprocess.run([sys.executable, "-c", code], env=env, check=True, cwd=ROOT)
    return work


def identities(db: Path, n: int, seed: int) -> list[dict[str, str]]:
    """Who ``n`` events name: 70% known mobile (respelled), 20% known email, 10% new phone."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    phones = [
        r[0]
        for r in con.execute(
            "SELECT normalized FROM customers_identifier WHERE kind = 'phone' AND is_shared = 0"
            " AND normalized LIKE '+861%' AND id % 7 = ? LIMIT ?",
            (seed % 7, n),
        )
    ]
    emails = [
        r[0]
        for r in con.execute(
            "SELECT normalized FROM customers_identifier WHERE kind = 'email' AND is_shared = 0"
            " AND id % 5 = ? LIMIT ?",
            (seed % 5, n),
        )
    ]
    con.close()
    rng = random.Random(seed)
    out = []
    for i in range(n):
        roll = rng.random()
        if roll < 0.7 and phones:
            out.append({"phone": respell(rng.choice(phones), i)})
        elif roll < 0.9 and emails:
            out.append({"email": rng.choice(emails).upper()})
        else:
            out.append({"phone": f"+86 199 {rng.randrange(10**8):08d}", "name": f"新客{i}"})
    return out


def make_event(event_id: str, who: dict[str, str]) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": "form.submitted",
        "customer": who,
        "subject": "在线表单",
        "content": CONTENT,
        "data": {"form": "contact", "page": "/help"},
    }


def _single_client(
    port: int, who: list[dict[str, str]], client: int, until: float, out: Any
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies, statuses, k = [], {}, 0
    while time.time() < until:
        body = json.dumps(make_event(f"s{client}-{k}", who[k % len(who)])).encode()
        hdrs = {"Content-Type": "application/json", **sign(SECRET, body)}
        started = time.perf_counter()
        conn.request("POST", "/hooks/bench/", body=body, headers=hdrs)
        resp = conn.getresponse()
        resp.read()
        latencies.append((time.perf_counter() - started) * 1000)
        statuses[resp.status] = statuses.get(resp.status, 0) + 1
        k += 1
    out.put((latencies, statuses))


def single(port: int, db: Path) -> dict[str, Any]:
    who = identities(db, 5000, seed=1)
    queue: Any = mp.Queue()
    until = time.time() + SINGLE_SECONDS
    procs = [
        mp.Process(target=_single_client, args=(port, who, c, until, queue)) for c in range(CLIENTS)
    ]
    started = time.perf_counter()
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    seconds = time.perf_counter() - started
    for p in procs:
        p.join()
    latencies = sorted(x for lat, _ in results for x in lat)
    statuses: dict[int, int] = {}
    for _lat, st in results:
        for code, count in st.items():
            statuses[code] = statuses.get(code, 0) + count
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    stored = con.execute(
        "SELECT COUNT(*) FROM webhooks_webhookevent e JOIN webhooks_source s"
        " ON s.id = e.source_id WHERE s.slug = 'bench'"
    ).fetchone()[0]
    con.close()
    acked = statuses.get(202, 0)
    return {
        "clients": CLIENTS,
        "seconds": round(seconds, 1),
        "acknowledged": acked,
        "statuses": {str(k): v for k, v in statuses.items()},
        "stored_rows": stored,
        "per_s": round(acked / seconds, 1),
        "p50_ms": round(statistics.median(latencies), 2),
        "p99_ms": round(latencies[int(0.99 * (len(latencies) - 1))], 2),
    }


def _forget_single_phase(db: Path) -> None:
    """Phase (a) measured acknowledgement only: drop its queued tasks so the worker of phase
    (b) works on the batches alone."""
    con = sqlite3.connect(db, timeout=60)
    con.execute("DELETE FROM django_tasks_database_dbtaskresult WHERE status = 'READY'")
    con.commit()
    con.close()


SETTINGS = """from hudong.settings import *  # noqa: F403

# Ingest alone is measured: the subscribers of the events (inbox routing...) run later.
HUDONG_WEBHOOK_DISPATCH_DELAY = 3600
"""


def bench_env(db: Path) -> dict[str, str]:
    """Django pointed at ``db``, with the subscribers' dispatch held back (see SETTINGS)."""
    folder = db.parent / "webhooks-settings"
    folder.mkdir(exist_ok=True)
    (folder / "bench_webhooks_settings.py").write_text(SETTINGS)
    path = os.pathsep.join(p for p in (str(folder), os.environ.get("PYTHONPATH", "")) if p)
    return {
        **django_env(db),
        "DJANGO_SETTINGS_MODULE": "bench_webhooks_settings",
        "PYTHONPATH": path,
    }


def start_worker(db: Path) -> subprocess.Popen[bytes]:
    """``hudong worker``, returned once it has opened the database: a deployment's worker is
    already running when events arrive, so its start-up (Django, imports: seconds on a busy
    machine) is not counted as processing time."""
    env = {**os.environ, **bench_env(db)}
    cmd = [sys.executable, "-m", "hudong.cli", "worker", "--no-scheduler"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_until_open(proc.pid, db.resolve(), timeout=60)
    return proc


def _wait_until_open(pid: int, db: Path, timeout: float) -> None:
    """Wait until process ``pid`` has the file ``db`` open (Linux ``/proc``; elsewhere, or
    after ``timeout`` seconds, go on)."""
    fds = Path(f"/proc/{pid}/fd")
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if any(link.resolve() == db for link in fds.iterdir()):
                return
        except OSError:
            if not fds.parent.exists():
                return
        time.sleep(0.05)


def _processed(db: Path) -> int:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return int(
            con.execute(
                "SELECT COUNT(*) FROM webhooks_webhookevent e JOIN webhooks_source s"
                " ON s.id = e.source_id WHERE s.slug = 'bench-batch' AND e.status != 'pending'"
            ).fetchone()[0]
        )
    finally:
        con.close()


def _ready_tasks(db: Path) -> int:
    """Tasks still waiting: the subscribers' dispatch, held back during the measurement."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return int(
            con.execute(
                "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult"
                " WHERE status IN ('READY', 'RUNNING')"
            ).fetchone()[0]
        )
    finally:
        con.close()


def batched(port: int, db: Path) -> dict[str, Any]:
    who = identities(db, BATCH * 10, seed=2)
    bodies = []
    for b in range(BATCHES):
        events = [make_event(f"b{b}-{i}", who[(b * BATCH + i) % len(who)]) for i in range(BATCH)]
        bodies.append(json.dumps({"events": events}, ensure_ascii=False).encode())
    total = BATCHES * BATCH
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    accepted = 0
    for body in bodies:
        hdrs = {"Content-Type": "application/json", **sign(SECRET, body)}
        conn.request("POST", "/hooks/bench-batch/batch", body=body, headers=hdrs)
        resp = conn.getresponse()
        accepted += json.loads(resp.read()).get("accepted", 0)
    posted = time.perf_counter() - started
    while _processed(db) < accepted and time.perf_counter() - started < 600:
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    conn.close()
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    spans = con.execute(
        "SELECT SUM((julianday(finished_at) - julianday(started_at)) * 86400.0), COUNT(*)"
        " FROM django_tasks_database_dbtaskresult"
        " WHERE task_path LIKE '%webhooks.tasks.process_events' AND status = 'SUCCESSFUL'"
    ).fetchone()
    states = dict(
        con.execute(
            "SELECT e.status, COUNT(*) FROM webhooks_webhookevent e JOIN webhooks_source s"
            " ON s.id = e.source_id WHERE s.slug = 'bench-batch' GROUP BY e.status"
        ).fetchall()
    )
    interactions = con.execute(
        "SELECT COUNT(*) FROM interactions_interaction WHERE external_id LIKE 'bench-batch:%'"
    ).fetchone()[0]
    con.close()
    processing_s = float(spans[0] or 0.0)
    return {
        "batches": BATCHES,
        "events": total,
        "accepted": accepted,
        "event_states": states,
        "interactions": interactions,
        "post_seconds": round(posted, 2),
        "acknowledged_per_s": round(accepted / posted, 1),
        "end_to_end_seconds": round(seconds, 2),
        "end_to_end_per_s": round(accepted / seconds, 1),
        "deferred_dispatch_tasks": _ready_tasks(db),
        "worker_tasks": spans[1],
        "worker_processing_seconds": round(processing_s, 2),
        "worker_processing_per_s": round(accepted / processing_s, 1) if processing_s else None,
    }


def floor(work: Path) -> dict[str, Any]:
    """Plain sqlite3 writing the same rows into the working copy's own tables (same size, same
    indexes, same disk, same journal settings) after the measured runs: what the database
    itself costs, without Django, checks, resolution or threading."""
    con = sqlite3.connect(work, isolation_level=None, timeout=60)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute(f"PRAGMA cache_size=-{CACHE_KIB}")  # the worker's page cache, for a fair floor
    top = con.execute("SELECT MAX(id) FROM customers_customer").fetchone()[0] or 1
    rng = random.Random(3)
    who = identities(work, 2000, seed=3)
    now = "2026-01-01 00:00:00"

    def event_row(event_id: str, i: int) -> tuple[Any, ...]:
        body = json.dumps(make_event(event_id, who[i % len(who)]), ensure_ascii=False)
        return (FLOOR_SOURCE, event_id, body, "phone\t138\t+86138", now, "pending", "")

    insert_event = (
        "INSERT INTO webhooks_webhookevent (source_id, event_id, body, identifiers,"
        " received_at, status, error) VALUES (?, ?, ?, ?, ?, ?, ?)"
    )
    n_single = 5000
    started = time.perf_counter()
    for i in range(n_single):
        con.execute("BEGIN IMMEDIATE")
        con.execute(insert_event, event_row(f"f{i}", i))
        con.execute("COMMIT")
    single_rate = n_single / (time.perf_counter() - started)
    insert_interaction = (
        "INSERT INTO interactions_interaction (customer_id, thread_id, channel, direction,"
        " initiator, kind, purpose, started_at, duration_seconds, subject, content, outcome,"
        " cost, identifier_used, external_id, meta, created_at)"
        " VALUES (?, ?, 'webform', 'in', 'customer', 'nonpersonal', 'service', ?, 0, ?, ?, '',"
        " '0.30', ?, ?, ?, ?)"
    )
    insert_domain = (
        "INSERT INTO core_domainevent (id, name, payload, occurred_at, attempts, last_error)"
        " VALUES (?, 'interactions.recorded', ?, ?, 0, '')"
    )
    batches = 20
    started = time.perf_counter()
    for b in range(batches):
        events = [event_row(f"g{b}-{i}", i) for i in range(BATCH)]
        con.execute("BEGIN IMMEDIATE")
        con.executemany(insert_event, events)
        con.executemany(
            insert_interaction,
            [
                (rng.randint(1, top), None, now, "表单", CONTENT, "138", f"floor:{e[1]}", META, now)
                for e in events
            ],
        )  # fmt: skip
        con.executemany(
            insert_domain,
            [(new_id().hex, json.dumps({"interaction_id": i}), now) for i in range(BATCH)],
        )
        con.execute("COMMIT")
    batch_rate = batches * BATCH / (time.perf_counter() - started)
    con.close()
    return {"single_per_s": round(single_rate, 1), "batched_per_s": round(batch_rate, 1)}


def run() -> dict[str, Any]:
    db = ensure_demo_db(CUSTOMERS)
    work = working_copy(db)
    try:
        port = free_port()
        server = start_server(work, port)
        try:
            one = single(port, work)
            _forget_single_phase(work)
            worker = start_worker(work)
            try:
                many = batched(port, work)
            finally:
                worker.terminate()
                worker.wait(timeout=30)
        finally:
            server.terminate()
            server.wait(timeout=30)
        raw = floor(work)
    finally:
        for suffix in ("", "-wal", "-shm", "-priority"):
            Path(f"{work}{suffix}").unlink(missing_ok=True)
    summary = {
        "customers": CUSTOMERS,
        "server_workers": 2,
        "single_acknowledged_per_s": one["per_s"],
        "single_p99_ms": one["p99_ms"],
        "single_stored_equals_acknowledged": one["stored_rows"] == one["acknowledged"],
        "batched_end_to_end_per_s": many["end_to_end_per_s"],
        "batched_worker_processing_per_s": many["worker_processing_per_s"],
        "floor_single_per_s": raw["single_per_s"],
        "floor_batched_per_s": raw["batched_per_s"],
        "ratio_single_to_floor": round(one["per_s"] / raw["single_per_s"], 3),
        "ratio_batched_to_floor": round(many["end_to_end_per_s"] / raw["batched_per_s"], 3),
        "targets": TARGETS,
        "targets_met": {
            "single_per_s": one["per_s"] >= TARGETS["single_per_s"],
            "batched_per_s": many["end_to_end_per_s"] >= TARGETS["batched_per_s"],
        },
    }
    return {"summary": summary, "single": one, "batched": many, "floor": raw}


if __name__ == "__main__":
    print(json.dumps(run(), indent=2, ensure_ascii=False))
