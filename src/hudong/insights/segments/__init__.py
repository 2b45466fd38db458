"""Saved customer segments: the filter language, actions, scoped reads and run snapshots."""

from __future__ import annotations


def install() -> None:
    """Register the after-run hook that snapshots every dynamic segment (idempotent: the
    registry is keyed by name). Called from the insights app's ``ready``."""
    from hudong.insights.segments import snapshots  # noqa: F401
