"""How fast ``hudong import customers`` takes a 1,000,000-row customer CSV into a fresh SQLite
database, validation and identity resolution included, next to a floor measured in the same
run: the same file read with the ``csv`` module and written with ``sqlite3.executemany`` into
one table without indexes, no validation, same chunking and journal settings.

The file is generated deterministically: Chinese names, phones in the spellings people type
("138 0013 8000", "+86-138-0013-8000", "0086…", full-width digits), emails, ERP ids, birth
dates in three Chinese spellings, a city and street; about 2% of rows reuse an earlier row's
phone (written differently) under a new ERP id, so they must land on that earlier customer;
about 0.5% are bad (a phone too short, an impossible date, no name).

Environment: ``BENCH_IMPORT_ROWS`` (default 1000000), ``BENCH_IMPORT_SEED`` (default 7).
"""

from __future__ import annotations

import csv
import os
import random
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from demo_db import setup_django_fresh  # noqa: E402

TARGET_SECONDS = 120.0  # for 1,000,000 rows
TARGET_RSS_MB = 1024
CHUNK = 5000
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国文辉鹏宇浩然欣怡子涵梓轩博雅思琪嘉俊晨阳佳瑶雨婷天宇志强海燕玉兰红梅凤英淑珍晓东春生秋菊冬梅"  # noqa: E501
DOMAINS = ["qq.com", "163.com", "126.com", "sina.com", "foxmail.com", "outlook.com", "139.com"]
CITIES = ["北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "南京", "西安", "重庆"]
REGIONS = ["north", "east", "south", "west"]
HEADER = [
    "external_id",
    "name",
    "phone",
    "email",
    "region",
    "birth_date",
    "gender",
    "city",
    "street",
]  # noqa: E501
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _phone_spelling(rng: random.Random, digits: str) -> str:
    style = rng.random()
    if style < 0.45:
        return digits
    if style < 0.65:
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    if style < 0.8:
        return f"+86-{digits[:3]}-{digits[3:7]}-{digits[7:]}"
    if style < 0.9:
        return f"0086 {digits}"
    if style < 0.97:
        return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
    return digits.translate(FULLWIDTH)


def _birth(rng: random.Random) -> str:
    y, m, d = rng.randint(1950, 2005), rng.randint(1, 12), rng.randint(1, 28)
    style = rng.random()
    if style < 0.5:
        return f"{y}-{m:02d}-{d:02d}"
    if style < 0.8:
        return f"{y}/{m}/{d}"
    return f"{y}年{m}月{d}日"


def generate(path: Path, rows: int, seed: int) -> dict[str, int]:
    """Write the benchmark file; returns how many rows are planted duplicates and bad."""
    rng = random.Random(seed)
    phones: list[str] = []
    planted = {"duplicates": 0, "bad": 0}
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        for n in range(rows):
            name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2, 2))))
            if phones and rng.random() < 0.02:
                digits = rng.choice(phones)
                planted["duplicates"] += 1
            else:
                digits = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
                phones.append(digits)
            phone = _phone_spelling(rng, digits)
            email = ""
            if rng.random() < 0.6:
                email = f"u{n}.{rng.randrange(1000)}@{rng.choice(DOMAINS)}"
            birth = _birth(rng) if rng.random() < 0.7 else ""
            bad = rng.random()
            if bad < 0.002:
                phone = "12345"
            elif bad < 0.004:
                birth = "2024-02-30"
            elif bad < 0.005:
                name = ""
            planted["bad"] += bad < 0.005
            street = f"{rng.choice(GIVEN)}{rng.choice(GIVEN)}路{rng.randint(1, 999)}号"
            out.writerow(
                [
                    f"C{n:08d}",
                    name,
                    phone,
                    email,
                    REGIONS[n % len(REGIONS)],
                    birth,
                    rng.choice(("男", "女", "")),
                    rng.choice(CITIES),
                    street,
                ]
            )
    return planted


def floor(path: Path, directory: str) -> dict[str, Any]:
    """The same file, read with ``csv`` and written with ``executemany`` (WAL, synchronous
    FULL, a commit per 5,000 rows like the import), one table, no index, no validation."""
    db = sqlite3.connect(Path(directory) / "floor.sqlite3", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute(f"CREATE TABLE floor (id INTEGER PRIMARY KEY, {', '.join(HEADER)})")
    marks = ", ".join("?" * len(HEADER))
    started = time.perf_counter()
    done = 0
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        while True:
            chunk = [row for _i, row in zip(range(CHUNK), reader, strict=False)]
            if not chunk:
                break
            db.execute("BEGIN")
            db.executemany(f"INSERT INTO floor ({', '.join(HEADER)}) VALUES ({marks})", chunk)
            db.execute("COMMIT")
            done += len(chunk)
    seconds = time.perf_counter() - started
    db.close()
    return {"rows": done, "seconds": round(seconds, 2), "rows_per_s": round(done / seconds)}


def _count_reader_processes() -> list[int]:
    """Counts (in the returned list) each time the import reads the file in a second process."""
    from hudong.customers.imports import pipeline

    started: list[int] = []
    real = pipeline._from_process

    def counted(plan: Any) -> Any:
        started.append(1)
        return real(plan)

    pipeline._from_process = counted  # type: ignore[assignment]
    return started


def _cpu_seconds() -> tuple[float, float]:
    """CPU seconds (user + system) of this process and of its finished children so far."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def run() -> dict[str, Any]:
    rows = int(os.environ.get("BENCH_IMPORT_ROWS", "1000000"))
    seed = int(os.environ.get("BENCH_IMPORT_SEED", "7"))
    tmp = tempfile.mkdtemp(prefix="hudong-bench-import-")
    try:
        setup_django_fresh(tmp)
        from django.core.management import call_command

        from hudong.core import jobs
        from hudong.core.models import Region
        from hudong.customers.imports import job as import_job
        from hudong.customers.models import Customer, Identifier

        started = time.perf_counter()
        path = Path(tmp) / "customers.csv"
        planted = generate(path, rows, seed)
        generate_s = time.perf_counter() - started
        call_command("migrate", verbosity=0)
        for code in REGIONS:
            Region.objects.create(code=code, name=code.title())

        job = import_job.create_local(None, kind="customers", path=path, source="bench")
        readers_started = _count_reader_processes()
        load_before = os.getloadavg()[0]
        cpu_before = _cpu_seconds()
        started = time.perf_counter()
        job = jobs.execute(job)
        seconds = time.perf_counter() - started
        cpu = [round(a - b, 1) for a, b in zip(_cpu_seconds(), cpu_before, strict=True)]
        load_after = os.getloadavg()[0]
        peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        reader_rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        first_readers = len(readers_started)
        result = dict(job.result)
        customers = Customer.objects.count()
        identifiers = Identifier.objects.count()

        job2 = import_job.create_local(None, kind="customers", path=path, source="bench")
        started = time.perf_counter()
        job2 = jobs.execute(job2)
        rerun_s = time.perf_counter() - started
        base = floor(path, tmp)
        per_target = TARGET_SECONDS * rows / 1_000_000
        return {
            "summary": {
                "rows": rows,
                "seconds": round(seconds, 1),
                "rows_per_s": round(rows / seconds),
                "target_seconds": per_target,
                "target_met": seconds <= per_target and peak_rss_mb <= TARGET_RSS_MB,
                "peak_rss_mb": round(peak_rss_mb),
                "reader_process": first_readers > 0,
                "reader_peak_rss_mb": round(reader_rss_mb),
                "cpu_seconds_writer_reader": cpu,
                "target_rss_mb": TARGET_RSS_MB,
                "floor_seconds": base["seconds"],
                "floor_rows_per_s": base["rows_per_s"],
                "ratio_to_floor": round(seconds / base["seconds"], 1),
                "status": job.status,
                "load_average_before_after": [round(load_before, 2), round(load_after, 2)],
                "cpu_count": os.cpu_count(),
            },
            "counts": {k: result.get(k) for k in ("created", "updated", "unchanged", "bad")},
            "planted": planted,
            "stored": {"customers": customers, "identifiers": identifiers},
            "rerun": {
                "seconds": round(rerun_s, 1),
                "reader_process": len(readers_started) > first_readers,
                "counts": {
                    k: job2.result.get(k) for k in ("created", "updated", "unchanged", "bad")
                },  # noqa: E501
            },
            "file_mb": round(path.stat().st_size / 2**20, 1),
            "generate_seconds": round(generate_s, 1),
            "floor": base,
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
