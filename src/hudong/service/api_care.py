"""API routes of this area (filled in by its module)."""

from ninja import Router

router = Router(tags=["service"])
