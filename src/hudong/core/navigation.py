"""The navigation registry that every area plugs into.

It lives in ``core`` so any app can register without importing the (higher) web app: an app
adds a ``nav.py`` that calls :func:`register`, and the web app discovers those modules at
start-up and renders them. An entry shows only to users who can see its ``resource`` (via
``core.scoping``) or who hold one of its ``roles``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class NavItem:
    key: str
    label: Any
    url_name: str
    order: int = 100
    resource: str | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    staff_only: bool = False


_ITEMS: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    _ITEMS[item.key] = item


def items() -> list[NavItem]:
    return sorted(_ITEMS.values(), key=lambda i: (i.order, i.key))
