"""Screen pop under load: a ringing call to the screen of an agent's open browser, p99.

A working copy of the demo database of ``BENCH_SCREEN_POP_CUSTOMERS`` customers (default
1,000,000, built once by :mod:`bench.demo_db`) is migrated and served by ``hudong serve
--workers 2`` (uvicorn). An agent (role agent, one region, extension 8001) is signed in on the
home page in Chromium (Playwright, ``/usr/bin/chromium``); the page's live stream is the one
every signed-in page opens.

A "switch" posts a signed ``ringing`` event every ``INTERVAL_SECONDS`` for a customer of the
agent's region, the number written another way than the stored one: first with no load
("quiet"), then while the webhook load of ``bench/bench_webhooks.py`` runs, in two phases:
"ingest" (its single-event clients posting signed events to ``/hooks/bench/``, acknowledged
and stored) and "ingest+worker" (the same clients, and ``hudong worker`` processing the events:
identify, interaction, conversation, domain events). Measured per call: from just before the
POST (the switch's clock) to the moment the page's ``hudong:screen_pop`` DOM event fires (the
browser's ``Date.now()``; same machine, same clock), and whether the pop named the right
customer. Target: p99 <= 1 s under load.

If ``bench_webhooks`` cannot be imported, the load is generated here: signed CTI events
(``ringing`` then ``ended``, at an extension nobody answers) from ``LOAD_CLIENTS`` processes.

Run alone: ``uv run --frozen python bench/bench_screen_pop.py`` (writes
``bench/results/screen_pop_live.json``).
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

CUSTOMERS = int(os.environ.get("BENCH_SCREEN_POP_CUSTOMERS", "1000000"))
LOAD_SECONDS = float(os.environ.get("BENCH_SCREEN_POP_SECONDS", "40"))
QUIET_CALLS = int(os.environ.get("BENCH_SCREEN_POP_QUIET_CALLS", "30"))
INTERVAL_SECONDS = 0.3
LOAD_CLIENTS = 4
CTI_SECRET = "cti-bench-secret"
AGENT = "bench-pop-agent"
PASSWORD = "bench-pop-password-1"
EXTENSION = "8001"
TARGET_P99_MS = 1000.0
CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parent.parent
RESULT = ROOT / "bench" / "results" / "screen_pop_live.json"

SETUP = """
import django; django.setup()
from django.contrib.auth import get_user_model
from hudong.core.models import Profile, Region, Role
from hudong.interactions.channels.telephony.models import Extension
user, _ = get_user_model().objects.get_or_create(username=%(agent)r)
user.set_password(%(password)r); user.is_active = True; user.save()
region = Region.objects.order_by("id").first()
Profile.objects.update_or_create(user=user, defaults={"role": Role.AGENT, "region": region})
Extension.objects.update_or_create(number=%(extension)r, defaults={"user": user})
try:
    from hudong.interactions.channels.webhooks.models import Source, SourceSecret
    for slug in ("bench", "bench-batch"):
        source, _ = Source.objects.get_or_create(slug=slug, defaults={"name": slug})
        SourceSecret.objects.get_or_create(source=source, secret=%(webhook_secret)r)
except ImportError:
    pass
print(region.id)
"""


def _webhook_load() -> Any:
    """The other benchmark's load, if it is there: (client function, identities, secret)."""
    try:
        import bench_webhooks as wh
    except Exception:  # absent or broken: this benchmark makes its own load
        return None
    return wh


def working_copy(db: Path, webhook_secret: str) -> tuple[Path, int]:
    """A migrated copy of the demo database with the agent and extension; the agent's region."""
    work = BENCH_VAR / f"screen-pop-work-{db.stem}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(db, work)
    env = {**os.environ, **django_env(work)}
    cli = [sys.executable, "-m", "hudong.cli"]
    subprocess.run([*cli, "migrate", "--verbosity", "0"], env=env, check=True, cwd=ROOT)
    code = SETUP % {
        "agent": AGENT,
        "password": PASSWORD,
        "extension": EXTENSION,
        "webhook_secret": webhook_secret,
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, cwd=ROOT, capture_output=True, text=True
    )
    return work, int(out.stdout.strip().splitlines()[-1])


def callers(db: Path, region_id: int, n: int) -> list[tuple[int, str]]:
    """(customer id, mobile in another spelling) of customers the agent may see."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = con.execute(
        "SELECT i.customer_id, i.normalized FROM customers_identifier i"
        " JOIN customers_customer c ON c.id = i.customer_id"
        " WHERE i.kind = 'phone' AND i.is_shared = 0 AND i.normalized LIKE '+861%'"
        " AND c.merged_into_id IS NULL AND c.region_id = ?"
        " AND i.normalized IN (SELECT normalized FROM customers_identifier"
        "   WHERE kind = 'phone' GROUP BY normalized HAVING COUNT(*) = 1)"
        " AND i.id % 13 = 0 LIMIT ?",
        (region_id, n),
    ).fetchall()
    con.close()
    return [(cid, respell(num, k)) for k, (cid, num) in enumerate(rows)]


def _cti_body(kind: str, call_id: str, n: int, **fields: Any) -> bytes:
    import datetime as dt

    return json.dumps(
        {
            "event_id": f"{call_id}-{n}",
            "call_id": call_id,
            "type": kind,
            "timestamp": dt.datetime.now(dt.UTC).isoformat(),
            **fields,
        }
    ).encode()


def _post_cti(conn: http.client.HTTPConnection, body: bytes) -> int:
    from hudong.interactions.channels.telephony.signing import HEADER, sign

    headers = {"Content-Type": "application/json", HEADER: sign(body, CTI_SECRET)}
    conn.request("POST", "/api/v1/cti/events", body=body, headers=headers)
    resp = conn.getresponse()
    resp.read()
    return resp.status


def _cti_load_client(port: int, numbers: list[str], client: int, until: float, out: Any) -> None:
    """Fallback load: whole calls (ringing, ended) at an extension nobody answers."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    sent, k = 0, 0
    while time.time() < until:
        call = f"load-{client}-{k}"
        number = numbers[k % len(numbers)]
        _post_cti(conn, _cti_body("ringing", call, 1, caller=number, extension="0000"))
        _post_cti(conn, _cti_body("ended", call, 2, extension="0000", duration=60))
        sent, k = sent + 2, k + 1
    out.put(([], {200: sent}))


class Agent:
    """The agent's browser: signed in, home page open, recording each pop's arrival."""

    def __init__(self, base: str) -> None:
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self.browser = self._pw.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        self.page = self.browser.new_page()
        self.page.goto(f"{base}/login/")
        self.page.fill("#id_username", AGENT)
        self.page.fill("#id_password", PASSWORD)
        with self.page.expect_navigation():
            self.page.click("main form button.primary")
        self.page.wait_for_selector("html[data-live=open]", timeout=30_000)
        self.page.evaluate(
            "() => { window.__pops = {}; document.addEventListener('hudong:screen_pop', (ev) =>"
            " { window.__pops[ev.detail.call_id] = [Date.now(), ev.detail.customer_id]; }); }"
        )

    def arrivals(self) -> dict[str, list[Any]]:
        return dict(self.page.evaluate("() => window.__pops"))

    def close(self) -> None:
        self.browser.close()
        self._pw.stop()


def ring(port: int, sample: list[tuple[int, str]], calls: int, tag: str) -> dict[str, Any]:
    """Post ``calls`` ringing events, one every INTERVAL_SECONDS; when each was sent."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    sent: dict[str, Any] = {}
    for k in range(calls):
        cid, number = sample[k % len(sample)]
        call = f"{tag}-{k}"
        body = _cti_body("ringing", call, 1, caller=number, extension=EXTENSION)
        at = time.time()
        status = _post_cti(conn, body)
        sent[call] = (at, cid, status, time.time() - at)
        time.sleep(max(0.0, INTERVAL_SECONDS - (time.time() - at)))
    conn.close()
    return sent


def _stats(sent: dict[str, Any], arrived: dict[str, list[Any]]) -> dict[str, Any]:
    latencies, wrong, missing = [], 0, 0
    acks = sorted(v[3] * 1000 for v in sent.values())
    for call, (at, cid, _status, _ack) in sent.items():
        if call not in arrived:
            missing += 1
            continue
        latencies.append(arrived[call][0] - at * 1000)
        wrong += arrived[call][1] != cid
    latencies.sort()
    if not latencies:
        return {"calls": len(sent), "delivered": 0, "missing": missing}
    return {
        "calls": len(sent),
        "delivered": len(latencies),
        "missing": missing,
        "wrong_customer": wrong,
        "p50_ms": round(statistics.median(latencies), 1),
        "p90_ms": round(latencies[int(0.9 * (len(latencies) - 1))], 1),
        "p99_ms": round(latencies[int(0.99 * (len(latencies) - 1))], 1),
        "max_ms": round(latencies[-1], 1),
        "ack_p50_ms": round(statistics.median(acks), 1),
        "ack_p99_ms": round(acks[int(0.99 * (len(acks) - 1))], 1),
        "ack_max_ms": round(acks[-1], 1),  # tells a slow request from a slow delivery
    }


def _start_load(
    port: int, work: Path, wh: Any, numbers: list[str], first_client: int
) -> tuple[list[Any], Any]:
    """Start the load's clients, numbered from ``first_client``: the webhook clients name their
    events after their number, so each phase sends new events (not duplicates, which write
    nothing)."""
    until = time.time() + LOAD_SECONDS
    queue: Any = mp.Queue()
    procs: list[Any] = []
    if wh is not None:
        who = wh.identities(work, 5000, seed=3)
        target, args = wh._single_client, lambda c: (port, who, c, until, queue)
    else:
        target, args = _cti_load_client, lambda c: (port, numbers, c, until, queue)
    for c in range(first_client, first_client + LOAD_CLIENTS):
        procs.append(mp.Process(target=target, args=args(c)))
    for p in procs:
        p.start()
    return procs, queue


def _phase(
    port: int,
    work: Path,
    wh: Any,
    agent: Agent,
    sample: list[tuple[int, str]],
    name: str,
    first_client: int,
) -> dict[str, Any]:
    """Ring the agent every INTERVAL_SECONDS while the load of phase ``name`` runs."""
    worker = wh.start_worker(work) if name == "ingest+worker" else None
    try:
        procs, queue = _start_load(port, work, wh, [n for _c, n in sample[:500]], first_client)
        time.sleep(2)  # let the load reach its pace
        calls = int((LOAD_SECONDS - 4) / INTERVAL_SECONDS)
        sent = ring(port, sample, calls, name)
        results = [queue.get() for _ in procs]
        for p in procs:
            p.join()
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
    time.sleep(1.5)
    statuses: dict[str, int] = {}
    for _lat, st in results:
        for code, count in st.items():
            statuses[str(code)] = statuses.get(str(code), 0) + count
    events = sum(statuses.values())
    return {
        "load": name,
        "load_events": events,
        "load_events_per_s": round(events / LOAD_SECONDS, 1),
        "load_statuses": statuses,
        **_stats(sent, agent.arrivals()),
    }


def run() -> dict[str, Any]:
    wh = _webhook_load()
    db = ensure_demo_db(CUSTOMERS)
    work, region_id = working_copy(db, wh.SECRET if wh is not None else "unused")
    sample = callers(work, region_id, 2000)
    random.Random(7).shuffle(sample)
    port = free_port()
    os.environ["HUDONG_CTI_SECRET"] = CTI_SECRET  # the server reads it from its environment
    server = start_server(work, port)
    agent = None
    # With the webhook benchmark present: its clients alone (events acknowledged and stored),
    # then its clients with the worker processing the events. Without it: CTI calls as load.
    names = ["ingest", "ingest+worker"] if wh is not None else ["cti"]
    phases: dict[str, Any] = {}
    try:
        agent = Agent(f"http://127.0.0.1:{port}")
        ring(port, sample[-20:], 5, "warm")  # first requests of each worker process
        time.sleep(1)
        quiet = ring(port, sample, QUIET_CALLS, "quiet")
        time.sleep(1.5)
        phases["quiet"] = _stats(quiet, agent.arrivals())
        used = QUIET_CALLS
        for k, name in enumerate(names):
            phases[name] = _phase(
                port, work, wh, agent, sample[used:], name, first_client=k * LOAD_CLIENTS
            )
            used += phases[name]["calls"]
    finally:
        if agent is not None:
            agent.close()
        server.terminate()
        server.wait(timeout=30)
        for suffix in ("", "-wal", "-shm", "-priority"):  # as large as the demo database
            Path(f"{work}{suffix}").unlink(missing_ok=True)
    summary: dict[str, Any] = {
        "customers": CUSTOMERS,
        "server_workers": 2,
        "interval_s": INTERVAL_SECONDS,
        "quiet_p50_ms": phases["quiet"].get("p50_ms"),
        "quiet_p99_ms": phases["quiet"].get("p99_ms"),
        "target_p99_ms": TARGET_P99_MS,
    }
    for name in names:
        got = phases[name]
        summary[f"{name}_load_events_per_s"] = got["load_events_per_s"]
        summary[f"{name}_p50_ms"] = got.get("p50_ms")
        summary[f"{name}_p99_ms"] = got.get("p99_ms")
        summary[f"{name}_target_met"] = (
            (got.get("p99_ms") or 1e9) <= TARGET_P99_MS
            and got.get("missing", 1) == 0
            and got.get("wrong_customer", 1) == 0
        )
    return {"summary": summary, **phases}


if __name__ == "__main__":
    result = run()
    RESULT.parent.mkdir(exist_ok=True)
    RESULT.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(result["summary"], ensure_ascii=False, indent=2))
