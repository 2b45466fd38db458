"""Saved customer segments, their membership per run, and customer tags.

A **dynamic** segment is a filter (see :mod:`hudong.insights.segments.language`) evaluated
whenever someone looks; every insights run also stores who was in it then (a snapshot), so an
analyst can follow its size. A **static** segment is a list of customers someone put together
(from a playbook list, by hand): its members live on one snapshot without a run, its "current
list". Whoever reads a segment only ever sees the members in their own scope.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hudong.customers.models import Customer
from hudong.insights.models.runs import InsightsRun

TAG_PATTERN = r"^[\w][\w.:-]{0,49}$"


class CustomerTag(models.Model):
    """A short label on a customer (``vip``, ``展会2025``) that segments can filter on."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="tags", verbose_name=_("customer")
    )
    name = models.CharField(_("tag"), max_length=50)
    source = models.CharField(_("source"), max_length=50, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "name"], name="tag_once_per_customer")
        ]
        indexes = [models.Index(fields=["name"], name="tag_name")]
        verbose_name = _("customer tag")
        verbose_name_plural = _("customer tags")

    def __str__(self) -> str:
        return self.name


class SegmentKind(models.TextChoices):
    DYNAMIC = "dynamic", _("Dynamic (a filter)")
    STATIC = "static", _("Static (a list)")


class Segment(models.Model):
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    filter = models.TextField(_("filter"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=10, choices=SegmentKind.choices, default=SegmentKind.DYNAMIC
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    is_shared = models.BooleanField(
        _("shared"), default=False, help_text=_("everyone can use it; each sees their own scope")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")

    def __str__(self) -> str:
        return self.name

    @property
    def is_static(self) -> bool:
        return self.kind == SegmentKind.STATIC


class SegmentSnapshot(models.Model):
    """Who was in a segment at one moment: after a run (dynamic) or, without a run, the
    current list of a static segment."""

    segment = models.ForeignKey(
        Segment, on_delete=models.CASCADE, related_name="snapshots", verbose_name=_("segment")
    )
    run = models.ForeignKey(
        InsightsRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("run"),
    )
    taken_at = models.DateTimeField(_("taken at"), default=timezone.now)
    count = models.PositiveIntegerField(_("members"), default=0)

    class Meta:
        ordering = ["-taken_at", "-id"]
        indexes = [models.Index(fields=["segment", "taken_at"], name="snapshot_segment_time")]
        verbose_name = _("segment snapshot")
        verbose_name_plural = _("segment snapshots")

    def __str__(self) -> str:
        return f"{self.segment_id} @ {self.taken_at:%Y-%m-%d}: {self.count}"


class SegmentMember(models.Model):
    snapshot = models.ForeignKey(
        SegmentSnapshot,
        on_delete=models.CASCADE,
        related_name="members",
        db_index=False,  # the unique (snapshot, customer) index serves it
        verbose_name=_("snapshot"),
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="+", verbose_name=_("customer")
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "customer"], name="member_once_per_snapshot"
            )
        ]
        verbose_name = _("segment member")
        verbose_name_plural = _("segment members")

    def __str__(self) -> str:
        return f"{self.snapshot_id}: {self.customer_id}"
