"""Demo databases for benchmarks, built once and reused: ``ensure_demo_db(customers, seed)``.

Generating a large demo database is slow (about 7 minutes and 3.5 GB for 1,000,000 customers),
so each size is built once under ``var/bench/`` and reused by every benchmark that needs it:

- ``var/bench/demo-<N>-v<V>.sqlite3``: the database (``N`` customers, seed 42 unless asked
  otherwise; a seed other than 42 is part of the name: ``demo-<N>-s<seed>-v<V>.sqlite3``). ``V``
  is :data:`DEMO_VERSION`, raised whenever the generator writes new tables, so a benchmark never
  reads a database that lacks what the code now expects;
- ``var/bench/demo-<N>-duplicates.csv``: the truth file of planted duplicates and households
  (see :mod:`hudong.demo.duplicates`), next to it.

The build runs ``hudong migrate`` and ``hudong demo`` in a subprocess pointed at a fresh var
directory (``HUDONG_VAR_DIR``), exactly as a user would, with a fixed ``--as-of`` date so the
rows are identical on every machine and day; the finished files are then moved into place, so
an interrupted build never leaves a half-written database behind under the final name.

To run Django against a built database in another process, pass :func:`django_env` as its
environment; in this process, set those variables before ``django.setup()``.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_VAR = ROOT / "var" / "bench"
AS_OF = "2026-01-01"  # fixed, so every build writes the same rows
DEMO_VERSION = 2  # 2: conversations, interactions and the consent ledger


def demo_db_path(customers: int, seed: int = 42) -> Path:
    """Where the demo database of this size and seed lives (built or not)."""
    suffix = "" if seed == 42 else f"-s{seed}"
    return BENCH_VAR / f"demo-{customers}{suffix}-v{DEMO_VERSION}.sqlite3"


def truth_path(database: Path) -> Path:
    """The truth CSV of planted duplicates that goes with ``database``."""
    return database.with_name(database.name.removesuffix(".sqlite3") + "-duplicates.csv")


def django_env(database: Path) -> dict[str, str]:
    """Environment variables that point Django (``hudong.settings``) at ``database``."""
    return {
        "HUDONG_ENV": os.environ.get("HUDONG_ENV", "development"),
        "DJANGO_SETTINGS_MODULE": "hudong.settings",
        "DATABASE_URL": f"sqlite:///{database.resolve()}",
        "HUDONG_VAR_DIR": str(database.resolve().parent),
    }


def ensure_demo_db(customers: int, seed: int = 42) -> Path:
    """The path of a demo SQLite database of ``customers`` customers, built if missing.

    The truth file is at :func:`truth_path` of the returned path. Building prints one line
    before and after (it can take minutes); an existing database is returned at once.
    """
    target = demo_db_path(customers, seed)
    if target.exists() and truth_path(target).exists():
        return target
    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    # One build at a time: a second benchmark asking for the same database waits for it.
    with (BENCH_VAR / f".{target.stem}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.exists() and truth_path(target).exists():
            return target
        return _build(target, customers, seed)


def _build(target: Path, customers: int, seed: int) -> Path:
    build = BENCH_VAR / f"build-{target.stem}"
    shutil.rmtree(build, ignore_errors=True)
    build.mkdir(parents=True)
    env = {**os.environ, "HUDONG_ENV": "development", "HUDONG_VAR_DIR": str(build)}
    env.pop("DATABASE_URL", None)
    cli = [sys.executable, "-m", "hudong.cli"]
    print(f"building demo database of {customers:,} customers in {build} ...", flush=True)
    started = time.perf_counter()
    subprocess.run([*cli, "migrate", "--verbosity", "0"], env=env, check=True, cwd=ROOT)
    truth = build / "demo-duplicates.csv"
    demo = ["demo", "--customers", str(customers), "--seed", str(seed), "--as-of", AS_OF]
    subprocess.run(
        [*cli, *demo, "--truth-file", str(truth), "--verbosity", "0"],
        env=env,
        check=True,
        cwd=ROOT,
    )
    built = build / "hudong.sqlite3"
    _single_file(built)
    shutil.move(truth, truth_path(target))
    shutil.move(built, target)
    shutil.rmtree(build, ignore_errors=True)
    print(f"built {target} in {time.perf_counter() - started:.0f} s", flush=True)
    return target


def _single_file(database: Path) -> None:
    """Fold the write-ahead log into the database file, so the file can be moved alone."""
    db = sqlite3.connect(database)
    try:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("PRAGMA journal_mode=DELETE")
    finally:
        db.close()


if __name__ == "__main__":
    for arg in sys.argv[1:] or ["100000"]:
        print(ensure_demo_db(int(arg)))


def setup_django_fresh(var_dir: str) -> None:
    """Start Django in this process on a new, empty default database under ``var_dir``."""
    os.environ["HUDONG_VAR_DIR"] = var_dir
    os.environ.setdefault("HUDONG_ENV", "development")
    os.environ["DJANGO_SETTINGS_MODULE"] = "hudong.settings"
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
