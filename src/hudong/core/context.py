"""Who is acting, and through what, for the audit trail and events.

Set by the web middleware and the API auth; background jobs set it explicitly. A context
variable keeps concurrent requests under ASGI apart.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    name: str
    via: str


SYSTEM = Actor(user_id=None, name="system", via="")
_current: ContextVar[Actor] = ContextVar("hudong_actor", default=SYSTEM)


def current_actor() -> Actor:
    return _current.get()


@contextmanager
def acting_as(user: Any, via: str) -> Iterator[Actor]:
    """Attribute everything inside the block to ``user`` acting through ``via``."""
    if user is not None and getattr(user, "is_authenticated", False):
        actor = Actor(user_id=user.pk, name=user.get_username(), via=via[:200])
    else:
        actor = Actor(user_id=None, name="anonymous" if user is not None else "system", via=via)
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def set_actor(user: Any, via: str) -> None:
    """Switch the actor for the rest of the current request (the middleware restores it)."""
    _current.set(Actor(user_id=user.pk, name=user.get_username(), via=via[:200]))
