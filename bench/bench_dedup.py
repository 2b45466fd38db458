"""Probabilistic identity resolution: how right, and how fast.

(a) FEBRL datasets 1-3: pairwise precision, recall and F1 of our model
    (:mod:`hudong.customers.resolution.probabilistic`) next to a plain Splink model on the raw
    fields (no folding, no pinyin, no normalised keys), both trained on the data alone.
(b) The demo's planted duplicates (``hudong demo``, seed 42) at 100,000 and 1,000,000
    customers: the same figures against each truth file, where pairs of kind
    ``household_not_duplicate`` are not duplicates. Each size is read and scored in a process
    of its own (Django is set up on one database per process), read-only.
(c) The full resolution run (``hudong dedupe``: read, train, score, merge, queue) on copies of
    the 100,000- and 1,000,000-customer demo databases: wall time and peak memory.

Environment: ``BENCH_DEDUP_SIZES`` (full runs, default ``100000,1000000``),
``BENCH_DEDUP_QUALITY_SIZES`` (default ``100000,1000000``), ``BENCH_DEDUP_BASELINE_MAX``
(the largest demo the baseline is scored on, default 1000000; above it the baseline is
skipped and the JSON says so). Demo databases come from :mod:`demo_db` (built once, under
``var/bench``).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from demo_db import django_env, ensure_demo_db, truth_path  # noqa: E402

FEBRL = ROOT.parent / "shared" / "data" / "febrl"
TARGET_SECONDS_1M = 600.0
TARGET_QUALITY = 0.95
HOUSEHOLD = "household_not_duplicate"


def _setup_django(database: Path) -> None:
    os.environ.update(django_env(database))
    import django

    django.setup()


def _found(pairs: Any, threshold: float) -> set[tuple[int, int]]:
    """The (left, right) pairs of an Arrow table of scored pairs at or above ``threshold``."""
    import pyarrow.compute as pc

    kept = pairs.filter(pc.greater_equal(pairs.column("probability"), threshold))
    return set(
        zip(kept.column("left_id").to_pylist(), kept.column("right_id").to_pylist(), strict=True)
    )


def _evaluate(
    pairs: Any, truth: set[tuple[int, int]], thresholds: tuple[float, float]
) -> dict[str, Any]:
    from hudong.customers.resolution.probabilistic import pair_metrics

    review, auto = thresholds
    return {
        "at_review_threshold": pair_metrics(_found(pairs, review), truth),
        "at_auto_threshold": pair_metrics(_found(pairs, auto), truth),
    }


# --------------------------------------------------------------------------- baseline


def _baseline_pairs(table: Any, spec: dict[str, Any]) -> Any:
    """A plain Splink model: library comparisons on the raw columns, u by random sampling,
    m and the prior by EM, the same way our model is trained."""
    import duckdb
    from splink import Linker, SettingsCreator
    from splink.internals.duckdb.database_api import DuckDBAPI

    con = duckdb.connect()
    try:
        sdf = DuckDBAPI(connection=con).register(table, table_name="raw_records")
        creator = SettingsCreator(
            link_type="dedupe_only",
            comparisons=spec["comparisons"],
            blocking_rules_to_generate_predictions=spec["blocking"],
        )
        linker = Linker(sdf, creator, log_level=None)
        linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=42)
        for i, rule in enumerate(spec["em"]):
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule,
                max_pairs=1e6,
                populate_probability_two_random_records_match_from_trained_values=i == 0,
            )
        predictions = linker.inference.predict(threshold_match_probability=0.5)
        return con.sql(
            "SELECT least(unique_id_l, unique_id_r) AS left_id,"
            " greatest(unique_id_l, unique_id_r) AS right_id, match_probability AS probability"
            f" FROM {predictions.physical_name}"
        ).to_arrow_table()
    finally:
        con.close()


def _febrl_baseline_spec() -> dict[str, Any]:
    import splink.comparison_library as cl
    from splink import block_on

    return {
        "comparisons": [
            cl.JaroWinklerAtThresholds("given_name", [0.9, 0.8]),
            cl.JaroWinklerAtThresholds("surname", [0.9, 0.8]),
            cl.LevenshteinAtThresholds("date_of_birth", [1, 2]),
            cl.ExactMatch("street_number"),
            cl.JaroWinklerAtThresholds("address_1", [0.9]),
            cl.ExactMatch("suburb"),
            cl.ExactMatch("postcode"),
            cl.ExactMatch("state"),
            cl.LevenshteinAtThresholds("soc_sec_id", [1, 2]),
        ],
        "blocking": [
            block_on("given_name"),
            block_on("surname"),
            block_on("date_of_birth"),
            block_on("soc_sec_id"),
            block_on("postcode"),
        ],
        "em": [block_on("date_of_birth"), block_on("surname")],
    }


def _febrl_raw(path: Path) -> Any:
    import pyarrow as pa

    with path.open(newline="", encoding="utf-8") as fh:
        rows = [
            {k.strip(): (v or "").strip() or None for k, v in r.items()} for r in csv.DictReader(fh)
        ]
    columns = [c for c in rows[0] if c != "rec_id"]
    return pa.table(
        {"unique_id": list(range(len(rows))), **{c: [r[c] for r in rows] for c in columns}}
    )


def febrl() -> dict[str, Any]:
    from hudong.customers.resolution.batch import thresholds
    from hudong.customers.resolution.probabilistic import febrl_records, score_pairs

    auto, review = thresholds()
    out: dict[str, Any] = {}
    for number in (1, 2, 3):
        path = FEBRL / f"dataset{number}.csv"
        if not path.exists():
            out[f"dataset{number}"] = {"skipped": "file not present"}
            continue
        records, truth = febrl_records(path)
        started = time.perf_counter()
        ours = score_pairs(records).pairs
        ours_s = time.perf_counter() - started
        started = time.perf_counter()
        base = _baseline_pairs(_febrl_raw(path), _febrl_baseline_spec())
        base_s = time.perf_counter() - started
        out[f"dataset{number}"] = {
            "records": records.num_rows,
            "true_pairs": len(truth),
            "ours": {**_evaluate(ours, truth, (review, auto)), "seconds": round(ours_s, 1)},
            "baseline": {**_evaluate(base, truth, (review, auto)), "seconds": round(base_s, 1)},
        }
    return out


# --------------------------------------------------------------------------- demo quality


def _demo_truth(path: Path) -> tuple[dict[tuple[int, int], str], set[tuple[int, int]]]:
    duplicates: dict[tuple[int, int], str] = {}
    households: set[tuple[int, int]] = set()
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            a, b = int(row["customer_id"]), int(row["duplicate_of_id"])
            pair = (min(a, b), max(a, b))
            if row["kind_of_duplicate"] == HOUSEHOLD:
                households.add(pair)
            else:
                duplicates[pair] = row["kind_of_duplicate"]
    return duplicates, households


def _name_only(records: Any, duplicates: dict[tuple[int, int], str]) -> set[tuple[int, int]]:
    """Planted pairs whose two records share nothing but a name (and gender, region, at most
    the city): no birth date on one of them, no street on one of them, no identifier on both.
    Since every planted duplicate keeps the birth date or the address, these are the
    companies whose duplicate knows only the city."""
    position = {uid: i for i, uid in enumerate(records.column("unique_id").to_pylist())}
    columns = ("birth_date", "street", "phones", "emails", "ids")
    values = {c: records.column(c).to_pylist() for c in columns}

    def both(a: int, b: int, column: str) -> bool:
        return bool(values[column][a]) and bool(values[column][b])

    out = set()
    for left, right in duplicates:
        a, b = position[left], position[right]
        if not any(both(a, b, c) for c in columns):
            out.add((left, right))
    return out


def _demo_baseline_spec() -> dict[str, Any]:
    import splink.comparison_library as cl
    from splink import block_on

    return {
        "comparisons": [
            cl.JaroWinklerAtThresholds("name", [0.9, 0.8]),
            cl.JaroWinklerAtThresholds("name_latin", [0.9, 0.8]),
            cl.LevenshteinAtThresholds("birth_date", [1, 2]),
            cl.ExactMatch("gender"),
            cl.ExactMatch("city"),
            cl.ExactMatch("district"),
            cl.JaroWinklerAtThresholds("street", [0.9]),
        ],
        "blocking": [
            block_on("name"),
            block_on("name_latin"),
            block_on("birth_date", "substr(name, 1, 1)"),
            block_on("street"),
        ],
        "em": [block_on("birth_date"), block_on("name")],
    }


def demo_quality(customers: int, with_baseline: bool = True) -> dict[str, Any]:
    """Ours (and the baseline) on the demo database Django is set up on, against its truth
    file: precision, recall and F1 at both thresholds, recall by kind of duplicate, and the
    household pairs (different people) proposed for review and merged automatically."""
    from hudong.customers.resolution.batch import read_records, thresholds
    from hudong.customers.resolution.probabilistic import pair_metrics, score_pairs

    database = ensure_demo_db(customers)
    duplicates, households = _demo_truth(truth_path(database))
    auto, review = thresholds()
    started = time.perf_counter()
    records = read_records()
    read_s = time.perf_counter() - started
    started = time.perf_counter()
    ours = score_pairs(records).pairs
    ours_s = time.perf_counter() - started
    truth = set(duplicates)
    name_only = _name_only(records, duplicates)
    with_evidence = truth - name_only

    def report(pairs: Any, seconds: float) -> dict[str, Any]:
        found = _found(pairs, review)
        by_kind = {
            kind: pair_metrics(
                found & {p for p, k in duplicates.items() if k == kind},
                {p for p, k in duplicates.items() if k == kind},
            )["recall"]
            for kind in sorted(set(duplicates.values()))
        }
        return {
            **_evaluate(pairs, truth, (review, auto)),
            "recall_beyond_name_only": pair_metrics(found & with_evidence, with_evidence)["recall"],
            "recall_by_kind": by_kind,
            "households_predicted": len(found & households),
            "households_auto_merged": len(_found(pairs, auto) & households),
            "pairs_at_or_above_0_5": pairs.num_rows,
            "seconds": round(seconds, 1),
        }

    out: dict[str, Any] = {
        "customers": customers,
        "records": records.num_rows,
        "planted_pairs": len(truth),
        "households_pairs": len(households),
        "name_only_pairs": len(name_only),
        "read_seconds": round(read_s, 1),
        "ours": report(ours, ours_s),
    }
    if not with_baseline:
        out["baseline"] = {"skipped": f"BENCH_DEDUP_BASELINE_MAX is below {customers}"}
        return out
    raw = records.select(["unique_id", *_demo_baseline_columns()])
    del records
    started = time.perf_counter()
    base = _baseline_pairs(raw, _demo_baseline_spec())
    out["baseline"] = report(base, time.perf_counter() - started)
    return out


def _demo_baseline_columns() -> list[str]:
    return ["name", "name_latin", "birth_date", "gender", "city", "district", "street"]


# --------------------------------------------------------------------------- full runs

_RUN = """
import json, os, resource, sys, time
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)  # the copy may predate the newest tables; not timed
from hudong.customers.resolution.batch import resolve
started = time.perf_counter()
outcome = resolve(auto_merge=True)
print("RESULT " + json.dumps({**outcome.as_dict(),
    "wall_seconds": round(time.perf_counter() - started, 1),
    "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))
"""


def full_run(customers: int) -> dict[str, Any]:
    """``resolve()`` in a fresh process on a throw-away copy of the demo database (the run
    merges records, and the built database is shared with other benchmarks). The copy is
    migrated first: a demo database built before a newer migration lacks its tables, and a
    merge moves the rows of every table that refers to a customer."""
    source = ensure_demo_db(customers)
    with tempfile.TemporaryDirectory(dir=source.parent, prefix="dedup-") as tmp:
        copy = Path(tmp) / source.name
        shutil.copyfile(source, copy)
        env = {**os.environ, **django_env(copy)}
        proc = subprocess.run(
            [sys.executable, "-c", _RUN], env=env, cwd=ROOT, capture_output=True, text=True
        )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        return {"customers": customers, "failed": proc.stderr[-2000:]}
    return {"customers": customers, **json.loads(lines[-1].removeprefix("RESULT "))}


def quality_run(customers: int) -> dict[str, Any]:
    """:func:`demo_quality` in a fresh process set up on that size's demo database (read
    only: nothing is written)."""
    database = ensure_demo_db(customers)
    env = {**os.environ, **django_env(database)}
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "quality", str(customers)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        return {"customers": customers, "failed": proc.stderr[-2000:]}
    return json.loads(lines[-1].removeprefix("RESULT "))


def _sizes(variable: str, default: str) -> list[int]:
    return [int(s) for s in os.environ.get(variable, default).split(",") if s.strip()]


def run() -> dict[str, Any]:
    sizes = _sizes("BENCH_DEDUP_SIZES", "100000,1000000")
    quality_sizes = _sizes("BENCH_DEDUP_QUALITY_SIZES", "100000,1000000")
    _setup_django(ensure_demo_db(min(quality_sizes or [100000])))
    febrl_figures = febrl()
    demos = [quality_run(n) for n in quality_sizes]
    runs = [full_run(n) for n in sizes]
    big = next((r for r in runs if r["customers"] == 1_000_000), None)

    def pr(block: dict[str, Any]) -> dict[str, Any]:
        if "at_review_threshold" not in block:
            return block
        m = block["at_review_threshold"]
        return {"precision": m["precision"], "recall": m["recall"], "f1": m["f1"]}

    summary: dict[str, Any] = {
        f"febrl{n}": {"ours": pr(v["ours"]), "baseline": pr(v["baseline"])}
        for n, v in ((k[-1], v) for k, v in febrl_figures.items())
        if "ours" in v
    }
    for demo in demos:
        if "ours" not in demo:
            summary[f"demo_{demo['customers']}"] = {"failed": True}
            continue
        ours = demo["ours"]["at_review_threshold"]
        summary[f"demo_{demo['customers']}"] = {
            "ours": pr(demo["ours"]),
            "baseline": pr(demo["baseline"]),
            "households_auto_merged": demo["ours"]["households_auto_merged"],
            "target_quality_met": min(ours["precision"], ours["recall"]) >= TARGET_QUALITY,
        }
    summary["runs"] = {
        r["customers"]: {"seconds": r.get("wall_seconds"), "peak_rss_mb": r.get("peak_rss_mb")}
        for r in runs
    }
    if big and "wall_seconds" in big:
        summary["target_1m_seconds"] = TARGET_SECONDS_1M
        summary["target_1m_met"] = big["wall_seconds"] <= TARGET_SECONDS_1M
    return {
        "summary": summary,
        "thresholds": dict(zip(("auto", "review"), _thresholds(), strict=True)),
        "febrl": febrl_figures,
        "demos": demos,
        "runs": runs,
    }


def _thresholds() -> tuple[float, float]:
    from hudong.customers.resolution.batch import thresholds

    return thresholds()


def _quality_main(customers: int) -> None:
    """The child of :func:`quality_run`: Django on the database in the environment."""
    import django

    django.setup()
    limit = int(os.environ.get("BENCH_DEDUP_BASELINE_MAX", "1000000"))
    result = demo_quality(customers, with_baseline=customers <= limit)
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__" and sys.argv[1:2] == ["quality"]:
    _quality_main(int(sys.argv[2]))
