"""Kind of import → importer. Customers registers its own kinds; commerce registers orders,
shipments and the rest from its ``ready()``, so customers never imports commerce."""

from __future__ import annotations

from hudong.customers.imports import errors
from hudong.customers.imports.base import Importer

_IMPORTERS: dict[str, Importer] = {}


def register(importer: Importer) -> Importer:
    _IMPORTERS[importer.kind] = importer
    return importer


def get(kind: str) -> Importer:
    found = kinds().get(kind)
    if found is None:
        raise errors.kind_unknown()
    return found


def kinds() -> dict[str, Importer]:
    """Every registered kind, customers' own first."""
    from hudong.customers.imports import customers  # noqa: F401  (registers its kinds)

    return dict(_IMPORTERS)
