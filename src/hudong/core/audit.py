"""The audit trail: every create, update and delete of a domain record, and every view.

Domain apps register their models with :func:`track`; changes made anywhere (actions, the
admin, a shell) are then recorded by signal, with the state before and after. Views of
personal data are recorded by the queries that serve them (:func:`record_view`).
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save

from hudong.core.context import current_actor
from hudong.core.durability import relaxed_commit
from hudong.core.models.audit import AuditAction, AuditEntry

_TRACKED: dict[type[models.Model], str | None] = {}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The stored field values of a record, as JSON (foreign keys by id)."""
    return {
        f.attname: _jsonable(getattr(instance, f.attname)) for f in instance._meta.concrete_fields
    }


def _customer_of(instance: models.Model) -> int | None:
    path = _TRACKED.get(type(instance))
    if path is None:
        return None
    if path == "pk":
        return instance.pk
    return getattr(instance, path, None)


def _write(action: str, instance: models.Model, before: Any, after: Any, **kw: Any) -> None:
    actor = current_actor()
    AuditEntry.objects.create(
        actor_id=actor.user_id,
        actor_name=actor.name,
        via=kw.get("via") or actor.via,
        action=action,
        model=instance._meta.label,
        object_pk=str(instance.pk),
        customer_id=kw.get("customer_id", _customer_of(instance)),
        before=before,
        after=after,
    )


def _pre_save(sender: type[models.Model], instance: models.Model, **kw: Any) -> None:
    if kw.get("raw") or instance.pk is None:
        instance._audit_before = None  # type: ignore[attr-defined]
        return
    old = sender._default_manager.filter(pk=instance.pk).first()
    instance._audit_before = snapshot(old) if old else None  # type: ignore[attr-defined]


def _post_save(
    sender: type[models.Model], instance: models.Model, created: bool, **kw: Any
) -> None:
    if kw.get("raw"):
        return
    before = getattr(instance, "_audit_before", None)
    after = snapshot(instance)
    if before is None:
        _write(AuditAction.CREATE, instance, None, after)
        return
    stamps = {f.attname for f in instance._meta.concrete_fields if getattr(f, "auto_now", False)}
    changed = {k: v for k, v in after.items() if before.get(k) != v and k not in stamps}
    if changed:
        _write(AuditAction.UPDATE, instance, {k: before.get(k) for k in changed}, changed)


def _post_delete(sender: type[models.Model], instance: models.Model, **kw: Any) -> None:
    _write(AuditAction.DELETE, instance, snapshot(instance), None)


def track(model: type[models.Model], *, customer: str | None = None) -> type[models.Model]:
    """Audit every change of ``model``. ``customer`` names the attribute holding the customer
    id (``"pk"`` for the customer itself) so a customer's whole history can be listed."""
    _TRACKED[model] = customer
    uid = f"audit:{model._meta.label}"
    pre_save.connect(_pre_save, sender=model, dispatch_uid=uid + ":pre")
    post_save.connect(_post_save, sender=model, dispatch_uid=uid + ":post")
    post_delete.connect(_post_delete, sender=model, dispatch_uid=uid + ":del")
    return model


def tracked_models() -> list[type[models.Model]]:
    return list(_TRACKED)


def record_view(instance: models.Model, *, customer_id: int | None, via: str = "") -> None:
    """Record that the current actor saw ``instance`` (personal data). The row commits without
    waiting for the disk (see :mod:`hudong.core.durability`): it is on every screen pop."""
    with relaxed_commit():
        _write(AuditAction.VIEW, instance, None, None, customer_id=customer_id, via=via)


def record(
    action: str, instance: models.Model, *, before: Any, after: Any, customer_id: int | None
) -> None:
    """An audit row for a change made in bulk (a merge, an import batch) that signals miss."""
    _write(action, instance, before, after, customer_id=customer_id)
