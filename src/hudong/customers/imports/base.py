"""What every importer gets: the job's context, the counts, and the bad-row buffer.

Rows are handed to an importer a chunk at a time inside one transaction. Bad rows and counts
are buffered per chunk and kept only when the chunk commits, so a chunk that is retried row
by row (after a conflict with a concurrent writer) reports each row once.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from hudong.core import scoping
from hudong.customers.imports.fields import Column
from hudong.customers.imports.readers import Row

Item = tuple[Row, dict[str, str]]  # a row as read, and its values by column name


@dataclass
class Problem:
    row: Row
    field: str
    code: str
    message: str


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    bad: int = 0

    def add(self, other: Counts) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.bad += other.bad

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "bad": self.bad,
        }


@dataclass
class Context:
    """One import run. ``user`` None is a trusted system caller (the command line without
    ``--user``); ``state`` lets an importer remember things across chunks (external ids seen)."""

    kind: str
    user: Any = None
    source: str = "import"
    region: str = ""  # default region code for rows without one
    job_id: int | None = None
    counts: Counts = field(default_factory=Counts)
    chunk_counts: Counts = field(default_factory=Counts)
    problems: list[Problem] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)
    seen: set[Any] = field(default_factory=set)
    chunk_seen: set[Any] = field(default_factory=set)

    def bad(self, row: Row, field_name: str, code: str, message: Any) -> None:
        """Report one problem of a row. A row with several problems counts once as bad."""
        if not self.problems or self.problems[-1].row is not row:
            self.chunk_counts.bad += 1
        self.problems.append(Problem(row, field_name, code, str(message)))

    def may_place(self, region_id: int | None, owner_id: int | None) -> bool:
        """Whether the importing user may put (or change) a customer in that region."""
        if self.user is None:
            return True
        return scoping.may_place(
            self.user, "imports_allowed", region_id=region_id, owner_id=owner_id
        )

    def first_time(self, key: Any) -> bool:
        """Whether a row with this external id is the first of the file to land."""
        if key in self.seen or key in self.chunk_seen:
            return False
        self.chunk_seen.add(key)
        return True

    def start_chunk(self) -> None:
        self.chunk_counts = Counts()
        self.problems = []
        self.chunk_seen = set()

    def end_chunk(self) -> list[Problem]:
        """The chunk committed: keep its counts and external ids; hand back its problems."""
        self.counts.add(self.chunk_counts)
        self.seen |= self.chunk_seen
        problems, self.problems = self.problems, []
        self.start_chunk()
        return problems


class Importer:
    """One kind of import. Subclasses name their columns and import a chunk of rows.

    An importer whose rows need much checking that touches no database (``offload``) splits
    the work: :meth:`prepare` turns a chunk's rows into units (it may run in a second process,
    with a context that only collects problems), :meth:`import_prepared` writes them. By
    default a unit is the row itself and :meth:`import_chunk` does everything.
    """

    kind: str = ""
    label: Any = ""
    columns: tuple[Column, ...] = ()
    chunk_size: int = 10_000
    offload: bool = False

    def import_chunk(self, items: list[Item], ctx: Context) -> None:
        """Import the rows (the caller holds the chunk's transaction)."""
        raise NotImplementedError

    def prepare(self, items: list[Item], ctx: Context) -> list[Any]:
        """The per-row work that needs no database: report bad rows, keep the rest as units.
        Must not query: it may run in another process."""
        return list(items)

    def import_prepared(self, units: list[Any], ctx: Context) -> None:
        """Write prepared units (the caller holds the chunk's transaction)."""
        self.import_chunk(units, ctx)

    def row_of(self, unit: Any) -> Row:
        """The file's row a unit came from."""
        row: Row = unit[0]
        return row

    def import_slowly(self, units: list[Any], ctx: Context) -> None:
        """The same units one at a time, each in its own savepoint: the fallback after a chunk
        ran into a concurrent writer."""
        from django.db import IntegrityError, transaction
        from django.utils.translation import gettext as _

        for unit in units:
            counts = dataclasses.replace(ctx.chunk_counts)
            try:
                with transaction.atomic():
                    self.import_prepared([unit], ctx)
            except IntegrityError:
                ctx.chunk_counts = counts
                message = _("Another change to the same record got in the way; import it again.")
                ctx.bad(self.row_of(unit), "", "imports.conflict", message)
