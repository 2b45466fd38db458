"""Screen pop speed: ``GET /api/v1/identify`` (identify + the whole 360 payload) over real HTTP.

A demo database of ``BENCH_IDENTIFY_CUSTOMERS`` customers (default 1,000,000, built once by
:mod:`bench.demo_db`) is served by ``hudong serve`` (uvicorn, ``BENCH_IDENTIFY_WORKERS``
processes, default 2). Requests carry a bearer token of the demo administrator (who sees every
customer) and ask for a customer's phone in another spelling than the stored one, as a switch
or an agent would type it. Each request identifies the customer and returns the 360 payload:
profile, identifiers, addresses, attributes with freshness, completeness, drip questions,
last orders and shipment, returns, credit and overdue invoices; and writes the audit row of
the view. Measured:

- one client, sequential, keep-alive: p50 / p99 latency;
- 8 concurrent clients (separate processes, keep-alive): requests per second, p50 / p99;
- the floor: the same reads done raw with ``sqlite3`` in one process (no HTTP, no Django, no
  audit write), p50; reported as the ratio of the one-client p50 to it.

The database file is read through once before the server starts, so that its pages are in the
operating system's cache as on a server that has been answering calls for a while (the floor,
measured last, would otherwise read warm pages the server had to fetch from disk).
"""

from __future__ import annotations

import http.client
import json
import multiprocessing as mp
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from demo_db import django_env, ensure_demo_db  # noqa: E402

CUSTOMERS = int(os.environ.get("BENCH_IDENTIFY_CUSTOMERS", "1000000"))
WORKERS = int(os.environ.get("BENCH_IDENTIFY_WORKERS", "2"))
SAMPLE = 3000
ONE_CLIENT_REQUESTS = 2000
CONCURRENT_SECONDS = 20.0
CLIENTS = 8
TARGETS = {"p50_ms": 5.0, "p99_ms": 15.0, "rps_8": 400.0, "p99_8_ms": 50.0}


def respell(e164: str, i: int) -> str:
    """The stored +86 number as people write it: with 0086, dashes, spaces, or bare."""
    national = e164.removeprefix("+86")
    styles = [
        f"0086 {national}",
        f"+86-{national[:3]}-{national[3:7]}-{national[7:]}",
        f"{national[:3]} {national[3:7]} {national[7:]}",
        national,
    ]
    return styles[i % len(styles)]


def sample_phones(db: Path) -> list[tuple[int, str]]:
    """(customer id, phone in another spelling) for customers with an unshared mobile."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = con.execute(
        "SELECT i.customer_id, i.normalized FROM customers_identifier i"
        " JOIN customers_customer c ON c.id = i.customer_id"
        " WHERE i.kind = 'phone' AND i.is_shared = 0 AND i.normalized LIKE '+861%'"
        " AND c.merged_into_id IS NULL AND i.id % 97 = 0 LIMIT ?",
        (SAMPLE,),
    ).fetchall()
    con.close()
    return [(cid, respell(num, k)) for k, (cid, num) in enumerate(rows)]


def issue_token(db: Path) -> str:
    code = (
        "import django; django.setup();"
        "from django.contrib.auth import get_user_model;"
        "from hudong.core.models import ApiToken;"
        "u = get_user_model().objects.get(username='admin');"
        "print(ApiToken.issue(u, 'bench-identify')[1])"
    )
    env = {**os.environ, **django_env(db)}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
    )
    return out.stdout.strip().splitlines()[-1]


def warm(db: Path) -> float:
    """Read the database file (and its WAL) once; seconds taken."""
    started = time.perf_counter()
    for path in (db, db.with_name(db.name + "-wal")):
        if path.exists():
            with path.open("rb", buffering=0) as f:
                while f.read(8 << 20):
                    pass
    return round(time.perf_counter() - started, 1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(db: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, **django_env(db), "PORT": str(port)}
    cmd = [sys.executable, "-m", "hudong.cli", "serve", "--port", str(port)]
    proc = subprocess.Popen(
        [*cmd, "--workers", str(WORKERS)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")


def _get(conn: http.client.HTTPConnection, path: str, token: str) -> tuple[int, bytes]:
    conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    resp = conn.getresponse()
    return resp.status, resp.read()


def _path(phone: str) -> str:
    from urllib.parse import quote

    return f"/api/v1/identify?q={quote(phone)}"


def one_client(port: int, token: str, sample: list[tuple[int, str]]) -> dict[str, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for _cid, phone in sample[:100]:  # warm up both workers' caches and connections
        _get(conn, _path(phone), token)
    latencies, wrong = [], 0
    for k in range(ONE_CLIENT_REQUESTS):
        cid, phone = sample[k % len(sample)]
        started = time.perf_counter()
        status, body = _get(conn, _path(phone), token)
        latencies.append((time.perf_counter() - started) * 1000)
        data = json.loads(body) if status == 200 else {}
        if data.get("status") != "found" or data["customer"]["id"] != cid:
            wrong += 1
    conn.close()
    return {"requests": len(latencies), "wrong_answers": wrong, **_stats(latencies)}


def _client_proc(port: int, token: str, paths: list[str], until: float, out: Any) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies, errors, k = [], 0, 0
    while time.time() < until:
        started = time.perf_counter()
        status, _body = _get(conn, paths[k % len(paths)], token)
        latencies.append((time.perf_counter() - started) * 1000)
        errors += status != 200
        k += 1
    out.put((latencies, errors))


def concurrent(port: int, token: str, sample: list[tuple[int, str]]) -> dict[str, Any]:
    queue: Any = mp.Queue()
    until = time.time() + CONCURRENT_SECONDS
    procs = []
    for c in range(CLIENTS):
        paths = [_path(p) for _cid, p in random.Random(c).sample(sample, len(sample))]
        procs.append(mp.Process(target=_client_proc, args=(port, token, paths, until, queue)))
    started = time.perf_counter()
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    seconds = time.perf_counter() - started
    for p in procs:
        p.join()
    latencies = [x for lat, _ in results for x in lat]
    return {
        "clients": CLIENTS,
        "seconds": round(seconds, 1),
        "requests": len(latencies),
        "errors": sum(e for _, e in results),
        "requests_per_s": round(len(latencies) / seconds, 1),
        **_stats(latencies),
    }


def _stats(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p99_ms": round(ordered[int(0.99 * (len(ordered) - 1))], 2),
        "mean_ms": round(statistics.fmean(ordered), 2),
    }


FLOOR_QUERIES = [
    "SELECT * FROM customers_customer WHERE id = ?",
    "SELECT * FROM customers_identifier WHERE customer_id = ?",
    "SELECT * FROM customers_address WHERE customer_id = ?",
    "SELECT * FROM customers_attribute WHERE customer_id = ?",
    "SELECT * FROM customers_customer WHERE organization_id = ?",
    "SELECT * FROM commerce_order WHERE customer_id = ? ORDER BY ordered_at DESC LIMIT 5",
    "SELECT s.*, c.name, o.number FROM commerce_shipment s JOIN commerce_order o"
    " ON o.id = s.order_id JOIN commerce_carrier c ON c.id = s.carrier_id"
    " WHERE o.customer_id = ? ORDER BY s.shipped_at DESC LIMIT 1",
    "SELECT * FROM commerce_return WHERE customer_id = ? ORDER BY requested_at DESC LIMIT 3",
    "SELECT SUM(amount) FROM commerce_invoice WHERE customer_id = ? AND status = 'open'",
    "SELECT * FROM commerce_invoice WHERE customer_id = ? AND status = 'open'"
    " ORDER BY due_at LIMIT 5",
]


def floor(db: Path, sample: list[tuple[int, str]]) -> dict[str, Any]:
    """The same reads with plain sqlite3: the identifier lookup by its normalised key (the
    caller has normalised it), then the customer and each panel's rows."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    keys = [
        con.execute(
            "SELECT normalized FROM customers_identifier WHERE customer_id = ? AND kind='phone'",
            (cid,),
        ).fetchone()[0]
        for cid, _p in sample
    ]
    latencies = []
    for k in range(ONE_CLIENT_REQUESTS):
        key = keys[k % len(keys)]
        started = time.perf_counter()
        cid = con.execute(
            "SELECT customer_id FROM customers_identifier WHERE kind = 'phone' AND normalized = ?",
            (key,),
        ).fetchone()[0]
        for sql in FLOOR_QUERIES:
            con.execute(sql, (cid,)).fetchall()
        latencies.append((time.perf_counter() - started) * 1000)
    con.close()
    return {"requests": len(latencies), **_stats(latencies)}


def _counts(db: Path) -> dict[str, int]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    out = {
        t: con.execute(f"SELECT MAX(id) FROM {t}").fetchone()[0] or 0
        for t in ("customers_customer", "commerce_order", "customers_identifier")
    }
    con.close()
    return out


def run() -> dict[str, Any]:
    db = ensure_demo_db(CUSTOMERS)
    sample = sample_phones(db)
    token = issue_token(db)
    warm_seconds = warm(db)
    port = free_port()
    server = start_server(db, port)
    try:
        single = one_client(port, token, sample)
        many = concurrent(port, token, sample)
    finally:
        server.terminate()
        server.wait(timeout=30)
    raw = floor(db, sample)
    summary = {
        "customers": CUSTOMERS,
        "server_workers": WORKERS,
        "warm_read_seconds": warm_seconds,
        "one_client_p50_ms": single["p50_ms"],
        "one_client_p99_ms": single["p99_ms"],
        "clients_8_rps": many["requests_per_s"],
        "clients_8_p99_ms": many["p99_ms"],
        "floor_p50_ms": raw["p50_ms"],
        "ratio_p50_to_floor": round(single["p50_ms"] / raw["p50_ms"], 1),
        "targets": TARGETS,
        "targets_met": {
            "p50_ms": single["p50_ms"] <= TARGETS["p50_ms"],
            "p99_ms": single["p99_ms"] <= TARGETS["p99_ms"],
            "rps_8": many["requests_per_s"] >= TARGETS["rps_8"],
            "p99_8_ms": many["p99_ms"] <= TARGETS["p99_8_ms"],
        },
    }
    return {
        "summary": summary,
        "rows": _counts(db),
        "one_client": single,
        "concurrent": many,
        "floor": raw,
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
