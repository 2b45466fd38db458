"""After every insights run: who is in each dynamic segment, kept for the last few runs.

The run has just written every customer's value, so a segment on tiers, lists or CLV is read
as of that run; "in N days" counts back from the run's as-of time. A segment whose filter no
longer compiles (a category code removed) is skipped and named in the run's summary; it never
fails the run.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from hudong.core.errors import DomainError
from hudong.insights import engine
from hudong.insights.models import InsightsRun
from hudong.insights.models.segments import Segment, SegmentKind
from hudong.insights.segments import actions

log = logging.getLogger(__name__)

KEEP = 7  # snapshots kept per segment


def take_all(
    run: InsightsRun | None = None, now: dt.datetime | None = None, keep: int = KEEP
) -> dict[str, Any]:
    """Snapshot every dynamic segment; returns ``{"segments": n, "members": m}`` (and the
    codes of segments that were skipped, if any)."""
    segments = members = 0
    skipped: dict[str, str] = {}
    for segment in Segment.objects.filter(kind=SegmentKind.DYNAMIC).order_by("pk"):
        try:
            snap = actions.snapshot(segment, run=run, now=now)
        except DomainError as exc:
            log.warning("segment %s skipped: %s", segment.pk, exc.code)
            skipped[str(segment.pk)] = exc.code
            continue
        actions.prune(segment, keep)
        segments += 1
        members += snap.count
    out: dict[str, Any] = {"segments": segments, "members": members}
    if skipped:
        out["skipped"] = skipped
    return out


@engine.after_run("segments")
def after_run(ctx: engine.RunContext) -> dict[str, Any]:
    return take_all(run=ctx.run, now=ctx.run.as_of)
