"""Run the benchmarks: every ``bench/bench_*.py`` exposes ``run() -> dict``.

Each module runs in a fresh interpreter (each sets Django up its own way, e.g. on a temporary
database), and its result is written, with the machine it ran on, to
``bench/results/<name>.json``. ``python bench/run.py demo`` runs only ``bench_demo.py``.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def machine() -> dict[str, Any]:
    """Where and when a result was measured."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=HERE,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = ""
    try:
        memory_gb = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        memory_gb = None
    return {
        "cpu_count": os.cpu_count(),
        "memory_gb": memory_gb,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": commit,
    }


def _load(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", HERE / f"bench_{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _child(name: str, out: str) -> None:
    result = _load(name).run()
    Path(out).write_text(json.dumps(result, ensure_ascii=False, default=str))


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        _child(argv[1], argv[2])
        return 0
    names = argv or sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    RESULTS.mkdir(exist_ok=True)
    failed = 0
    for name in names:
        print(f"bench {name} ...", flush=True)
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
            out = fh.name
        try:
            proc = subprocess.run([sys.executable, __file__, "--child", name, out], check=False)
            if proc.returncode != 0:
                print(f"bench {name}: failed ({proc.returncode})", flush=True)
                failed += 1
                continue
            result = {"name": name, "machine": machine(), **json.loads(Path(out).read_text())}
        finally:
            Path(out).unlink(missing_ok=True)
        path = RESULTS / f"{name}.json"
        path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        print(json.dumps(result.get("summary", result), ensure_ascii=False, indent=2))
        print(f"bench {name}: wrote {path.relative_to(HERE.parent)}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
