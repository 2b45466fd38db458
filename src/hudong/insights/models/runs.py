"""The configurable cut-offs of the value model, and the record of each insights run."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def share(label: Any, default: str, help_text: Any = "") -> models.DecimalField:
    """A share of customers or of value, between 0 and 1."""
    return models.DecimalField(
        label,
        max_digits=4,
        decimal_places=3,
        default=Decimal(default),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
        help_text=help_text,
    )


class ValuePolicy(models.Model):
    """Every cut-off of tiers, lists and CLV in one row that an administrator edits.

    A run copies the policy it used into :attr:`InsightsRun.params`, so a past run can be read
    with the cut-offs that made it even after someone changes them.
    """

    tier_a_share = share(
        _("tier A: share of value"), "0.800", _("A is the customers who make this share of value")
    )
    tier_b_share = share(
        _("tier B: share of value"), "0.150", _("B makes the next share; C is the rest")
    )
    gold_share = share(_("gold: top share by predicted value"), "0.050")
    drag_inactive_days = models.PositiveIntegerField(_("drag: days without an order"), default=365)
    mvc_share = share(_("MVC: top share by current value"), "0.100")
    mgc_share = share(_("MGC: top share by growth potential"), "0.100")
    top_last_year_share = share(_("top customers of last year: share"), "0.050")
    value_window_days = models.PositiveIntegerField(_("value window (days)"), default=365)
    rfm_window_days = models.PositiveIntegerField(
        _("RFM window (days)"), default=730, help_text=_("orders older than this do not count")
    )
    clv_horizon_months = models.PositiveSmallIntegerField(_("CLV horizon (months)"), default=12)
    discount_rate = models.DecimalField(
        _("annual discount rate"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.100"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
    )
    clv_sample_size = models.PositiveIntegerField(
        _("CLV fit sample size"),
        default=20_000,
        help_text=_("customers the model is fitted on; every customer is scored"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("value policy")
        verbose_name_plural = _("value policy")

    def __str__(self) -> str:
        return str(_("value policy"))

    @classmethod
    def current(cls) -> ValuePolicy:
        policy = cls.objects.order_by("pk").first()
        return policy if policy is not None else cls.objects.create()

    def as_params(self) -> dict[str, Any]:
        return {
            f.name: (float(v) if isinstance(v := getattr(self, f.name), Decimal) else v)
            for f in self._meta.concrete_fields
            if f.name not in ("id", "updated_at")
        }


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class InsightsRun(models.Model):
    """One computation of every customer's value: when, how long each stage took, how many rows
    it read and wrote, and what came out (customers per tier and list)."""

    job = models.ForeignKey(
        "core.Job", on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("job")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    trigger = models.CharField(_("trigger"), max_length=20, default="manual")
    as_of = models.DateTimeField(_("values as of"))
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    seconds = models.FloatField(_("seconds"), default=0)
    stages = models.JSONField(_("seconds per stage"), default=dict, blank=True)
    rows = models.JSONField(_("rows read and written"), default=dict, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("insights run")
        verbose_name_plural = _("insights runs")

    def __str__(self) -> str:
        return f"#{self.pk} {self.as_of:%Y-%m-%d} ({self.status})"
