"""Every dashboard ≤ 1 s server time at 1,000,000 customers and 10,000,000 orders.

The database is the one of :mod:`bench_insights` (the 1,000,000-customer demo database with its
orders replayed to ``BENCH_INSIGHTS_ORDERS``), or ``BENCH_DASHBOARDS_DB`` when set. If no
insights run has written the dashboards' facts (per region and per owner) yet, one run (as of
the benchmark's date) writes them first; its seconds are reported (the ``after`` stage holds
the facts).

Measured in this process with Django's test client (the whole request: middleware, session,
the facts query, the template; no network), 20 requests per page after one warm-up, p50 and
p95, for three users: an administrator (every region's facts), an agent of one region (that
region's facts) and the sales user who owns the most customers (their owner facts); the first
request of each user after the cache is cleared is reported apart. Each dashboard page, its
JSON API, and the first page of one drill-down list per dashboard (informative; a list is not
a dashboard) are timed.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_insights import AS_OF, ensure_insights_db  # noqa: E402
from demo_db import ROOT, django_env  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_DASHBOARDS_REQUESTS", "20"))
TARGET_SECONDS = 1.0
DRILLS = {
    "value": ("value-tiers", "tier:A"),
    "retention": ("churn", "churned:{month}"),
    "channels": ("channel-cost", "channel:phone"),
    "consumption": ("revenue-by-month", "buyers:{month}"),
}


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def _time(client: Any, url: str, n: int, host: str) -> dict[str, Any]:
    status = client.get(url, HTTP_HOST=host).status_code  # warm-up
    seconds = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url, HTTP_HOST=host)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
        seconds.append(time.perf_counter() - started)
    return {
        "url": url,
        "status": status,
        "p50": round(statistics.median(seconds), 4),
        "p95": round(_percentile(seconds, 0.95), 4),
        "max": round(max(seconds), 4),
    }


def _users() -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from hudong.core.models import Profile, Region, Role
    from hudong.customers.models import Customer

    users = get_user_model()

    def user(name: str, role: str, region: Any = None, superuser: bool = False) -> Any:
        u, _ = users.objects.get_or_create(
            username=name, defaults={"is_superuser": superuser, "is_staff": superuser}
        )
        Profile.objects.update_or_create(user=u, defaults={"role": role, "region": region})
        return u

    region = Region.objects.order_by("pk").first()
    owner = (
        Customer.objects.filter(owner__isnull=False)
        .values("owner_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    out = {
        "admin": user("bench-dash-admin", Role.ADMIN, superuser=True),
        "agent": user("bench-dash-agent", Role.AGENT, region),
    }
    if owner is not None:
        sales = users.objects.get(pk=owner["owner_id"])
        Profile.objects.update_or_create(user=sales, defaults={"role": Role.SALES})
        out["sales"] = sales
    return out


def _measure(db: Path) -> dict[str, Any]:
    subprocess.run(  # the facts table may be newer than the database
        [sys.executable, "-m", "hudong.cli", "migrate", "--verbosity", "0"],
        env={**os.environ, **django_env(db)},
        check=True,
        cwd=ROOT,
    )
    os.environ.update(django_env(db))
    import datetime as dt

    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client

    from hudong.core.scoping import seed_default_rules
    from hudong.insights import engine
    from hudong.insights.kpis import charts, facts, registry  # noqa: F401  (registries)
    from hudong.insights.kpis.scope import has_owner_facts, latest_run
    from hudong.insights.models import KpiFact, KpiOwnerFact

    seed_default_rules()
    prepared: dict[str, Any] = {}
    if not has_owner_facts(latest_run()) or not KpiFact.objects.exists():
        run = engine.run(trigger="bench", as_of=dt.datetime.fromisoformat(AS_OF))
        prepared = {"run_seconds": run.seconds, "stages": run.stages}
    run = latest_run()
    assert run is not None
    month = run.as_of.astimezone(dt.UTC).strftime("%Y-%m")
    hosts = [h for h in settings.ALLOWED_HOSTS if h and h != "*" and not h.startswith(".")]
    host = hosts[0] if hosts else "localhost"
    pages: list[dict[str, Any]] = []
    cold: dict[str, float] = {}
    for who, user in _users().items():
        client = Client()
        client.force_login(user)
        # the first page after a run, nothing cached
        cache.clear()
        started = time.perf_counter()
        client.get(f"/insights/dashboards/{registry.dashboards()[0].key}/", HTTP_HOST=host)
        cold[who] = round(time.perf_counter() - started, 4)
        for board in registry.dashboards():
            page = _time(client, f"/insights/dashboards/{board.key}/", REQUESTS, host)
            api = _time(client, f"/api/v1/dashboards/{board.key}", REQUESTS, host)
            entry = {"user": who, "dashboard": board.key, "page": page, "api": api}
            if board.key in DRILLS:
                chart, token = DRILLS[board.key]
                url = f"/insights/charts/{chart}/customers/?point={token.format(month=month)}"
                entry["drill"] = _time(client, url, max(3, REQUESTS // 4), host)
            pages.append(entry)
    worst = max(max(p["page"]["p95"], p["api"]["p95"]) for p in pages)
    return {
        "facts": KpiFact.objects.count(),
        "owner_facts": KpiOwnerFact.objects.count(),
        "run": run.pk,
        "prepared": prepared,
        "requests_per_page": REQUESTS,
        "pages": pages,
        "first_request_seconds": cold,
        "summary": {
            "worst_p95_seconds": worst,
            "target_seconds": TARGET_SECONDS,
            "target_met": worst <= TARGET_SECONDS,
            "worst_first_request_seconds": max(cold.values()),
        },
    }


def run() -> dict[str, Any]:
    wanted = os.environ.get("BENCH_DASHBOARDS_DB")
    db = Path(wanted) if wanted else ensure_insights_db()
    return _measure(db)


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
