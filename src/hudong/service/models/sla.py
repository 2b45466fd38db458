"""SLA policies (D2): how soon a case must be answered and resolved, in business minutes.

A case takes the most specific active policy that matches it (see
:func:`hudong.service.sla.policy_for`): one naming its category, priority and value tier beats
one naming two of them, which beats one naming one, which beats the catch-all.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from hudong.core.models.calendars import BusinessCalendar
from hudong.service.models.cases import CaseCategory


class SlaPolicy(models.Model):
    name = models.CharField(_("name"), max_length=100)
    # Blank criteria match any case.
    category = models.ForeignKey(
        CaseCategory,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
    )
    priority = models.PositiveSmallIntegerField(_("priority"), null=True, blank=True)
    tier = models.CharField(
        _("value tier"),
        max_length=1,
        blank=True,
        default="",
        choices=[("A", "A"), ("B", "B"), ("C", "C")],
    )
    first_response_minutes = models.PositiveIntegerField(_("first response (business minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution (business minutes)"))
    warn_at_percent = models.PositiveSmallIntegerField(_("warn at (percent)"), default=80)
    # Blank: the default business calendar.
    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("calendar"),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["priority", "name"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return self.name
