"""What each customer is worth, as the last insights run computed it."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from hudong.customers.models import Customer
from hudong.insights.models.runs import InsightsRun


def money(label: Any, **kw: Any) -> models.DecimalField:
    return models.DecimalField(label, max_digits=14, decimal_places=2, **kw)


class Tier(models.TextChoices):
    A = "A", _("A: top value")
    B = "B", _("B: middle value")
    C = "C", _("C: low value")


class CustomerValue(models.Model):
    """One row per customer, rewritten by every run (never edited by hand).

    Money is in the company currency over the policy's value window (12 months by default)
    unless the field says lifetime. Scores are 1 (worst) to 5 (best); 0 means no order yet.
    """

    customer = models.OneToOneField(
        Customer,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="value",
        verbose_name=_("customer"),
    )
    run = models.ForeignKey(
        InsightsRun, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("run")
    )
    revenue = money(_("revenue"), default=0)
    gross_margin = money(_("gross margin"), default=0)
    cost_to_serve = money(_("cost to serve"), default=0)
    profit = money(_("profit"), default=0)
    revenue_lifetime = money(_("lifetime revenue"), default=0)
    revenue_last_year = money(_("revenue last calendar year"), default=0)
    revenue_ytd = money(_("revenue this year to date"), default=0)
    revenue_prev_ytd = money(_("revenue same period last year"), default=0)
    orders_window = models.PositiveIntegerField(_("orders in the value window"), default=0)
    orders_total = models.PositiveIntegerField(_("orders, lifetime"), default=0)
    first_order_at = models.DateTimeField(_("first order"), null=True, blank=True)
    last_order_at = models.DateTimeField(_("last order"), null=True, blank=True)
    recency_days = models.PositiveIntegerField(_("days since last order"), null=True, blank=True)
    r_score = models.PositiveSmallIntegerField(_("recency score"), default=0)
    f_score = models.PositiveSmallIntegerField(_("frequency score"), default=0)
    m_score = models.PositiveSmallIntegerField(_("monetary score"), default=0)
    rfm = models.CharField(_("RFM"), max_length=3, default="000")
    product_lines = models.PositiveSmallIntegerField(_("product lines bought"), default=0)
    tier = models.CharField(_("value tier"), max_length=1, choices=Tier.choices, default=Tier.C)
    value_rank_share = models.FloatField(
        _("cumulative share of value"), default=1.0, help_text=_("0 is the most valuable")
    )
    is_gold = models.BooleanField(_("gold"), default=False)
    is_drag = models.BooleanField(_("drag"), default=False)
    is_mvc = models.BooleanField(_("most valuable (MVC)"), default=False)
    is_mgc = models.BooleanField(_("most growable (MGC)"), default=False)
    is_bzc = models.BooleanField(_("below zero (BZC)"), default=False)
    was_top_last_year = models.BooleanField(_("top customer last year"), default=False)
    expected_purchases = models.FloatField(_("expected purchases, next 12 months"), null=True)
    p_alive = models.FloatField(_("probability still active"), null=True)
    clv = money(_("12-month CLV"), null=True)
    clv_low = money(_("CLV, lower bound"), null=True, blank=True)
    clv_high = money(_("CLV, upper bound"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        indexes = [
            models.Index(fields=["tier", "profit"], name="value_tier_profit"),
            models.Index(fields=["clv"], name="value_clv"),
        ]
        verbose_name = _("customer value")
        verbose_name_plural = _("customer values")

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.tier}"


class ValueChange(models.Model):
    """A customer whose tier or lists changed in a run: the history analysts follow.

    Storing only the changes keeps a nightly run of a million customers from writing a million
    history rows; the full state of any run is its own rows plus the changes after it.
    """

    run = models.ForeignKey(
        InsightsRun, on_delete=models.CASCADE, related_name="changes", verbose_name=_("run")
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="+", verbose_name=_("customer")
    )
    tier_before = models.CharField(_("tier before"), max_length=1, blank=True)
    tier_after = models.CharField(_("tier after"), max_length=1)
    flags_before = models.CharField(_("lists before"), max_length=40, blank=True)
    flags_after = models.CharField(_("lists after"), max_length=40, blank=True)
    clv_before = money(_("CLV before"), null=True)
    clv_after = money(_("CLV after"), null=True)

    class Meta:
        indexes = [models.Index(fields=["customer", "run"], name="valuechange_customer")]
        verbose_name = _("value change")
        verbose_name_plural = _("value changes")

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.tier_before}→{self.tier_after}"
