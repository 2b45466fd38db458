"""Pre-aggregated facts the dashboards read, written by every insights run.

A dashboard never aggregates the orders table while a person waits: the run (which already
holds every table in DuckDB) counts and sums once per month, region and key, and the pages
add up these few thousand rows with the user's filters. Every fact is additive over months
and regions (each customer belongs to one region), so rates are computed at read time as a
sum of numerators over a sum of denominators.

The same facts are also kept per owner (:class:`KpiOwnerFact`) for the users who see only
their own or their team's customers: each customer has at most one owner, so these too add
up over owners, and a sales user's dashboards are a sum of their owners' rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hudong.core.models import Region
from hudong.insights.models.runs import InsightsRun


class Fact(models.Model):
    """One number of one metric: for a month (or, for the state after a run, its date), a
    region (empty for contacts of no region) and a key such as a tier or a channel."""

    run = models.ForeignKey(
        InsightsRun, on_delete=models.CASCADE, related_name="+", verbose_name=_("run")
    )
    metric = models.CharField(_("metric"), max_length=40)
    period = models.DateField(_("period"))
    region = models.ForeignKey(
        Region,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region"),
    )
    key = models.CharField(_("key"), max_length=40, blank=True, default="")
    series = models.CharField(_("series"), max_length=40, blank=True, default="")
    value = models.FloatField(_("value"), default=0)
    count = models.BigIntegerField(_("count"), default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.metric} {self.period} {self.key}: {self.count} / {self.value}"


class KpiFact(Fact):
    """A fact over every customer of a region (or of no region)."""

    class Meta:
        indexes = [
            models.Index(fields=["metric", "period", "region"], name="kpifact_metric_period"),
        ]
        verbose_name = _("KPI fact")
        verbose_name_plural = _("KPI facts")


class KpiOwnerFact(Fact):
    """A fact over the customers one user owned when the run counted (customers without an
    owner have no row here: they are in :class:`KpiFact` only)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("owner"),
    )

    class Meta:
        indexes = [
            models.Index(fields=["metric", "period", "owner"], name="kpiownerfact_metric_owner"),
        ]
        verbose_name = _("KPI fact")
        verbose_name_plural = _("KPI facts")
