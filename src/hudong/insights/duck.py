"""The DuckDB side of a run: one in-process connection, Arrow tables loaded into it."""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa


def connect() -> Any:
    """A fresh in-memory DuckDB behind Ibis, in UTC (timestamps are naive UTC throughout)."""
    con = ibis.duckdb.connect()
    con.raw_sql("SET TimeZone = 'UTC'")
    return con


def load(
    con: Any, name: str, data: pa.Table | ir.Table, types: dict[str, str] | None = None
) -> ir.Table:
    """``data`` as a temporary DuckDB table named ``name`` (replacing one of that name).

    Arrow goes in through DuckDB's zero-copy scan of a registered table and is cast to
    ``types`` (column → Ibis type) on the way, in one pass; an Ibis expression is materialised
    where it is, so later expressions start from stored columns.
    """
    if isinstance(data, ir.Table):
        return con.create_table(name, data, temp=True, overwrite=True)
    raw = con.con
    source = f"__arrow_{name}"
    raw.register(source, data)
    try:
        scan = con.table(source)
        if types:
            scan = scan.select(**{c: scan[c].cast(t) for c, t in types.items()})
        table = con.create_table(name, scan, temp=True, overwrite=True)
    finally:
        raw.unregister(source)
    return table


def view(con: Any, name: str, data: pa.Table, types: dict[str, str]) -> ir.Table:
    """``data`` seen by DuckDB in place, cast to ``types``: no copy (DuckDB scans the Arrow
    buffers each time an expression reads it, which is cheaper than copying 20 million rows
    that are read twice). The connection keeps the Arrow table alive."""
    source = f"__arrow_{name}"
    con.con.register(source, data)
    scan = con.table(source)
    return con.create_view(
        name, scan.select(**{c: scan[c].cast(t) for c, t in types.items()}), overwrite=True
    )
