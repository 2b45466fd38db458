"""The complaint process (D3), service recovery (D4) and the satisfaction follow-up (D3, G1).

A category's checklist is a template; opening a case copies it onto the case, so editing the
template later never rewrites a case's history. Recovery actions keep what they cost. A CSAT
survey is sent once per closing and answered through a signed link.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hudong.interactions.models import OutboundMessage
from hudong.service.models.cases import Case, CaseCategory


class ChecklistStep(models.Model):
    """One step of a category's checklist; a blank category is the default checklist."""

    category = models.ForeignKey(
        CaseCategory,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="checklist",
        verbose_name=_("category"),
    )
    code = models.SlugField(_("code"), max_length=30)
    label = models.CharField(_("label"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["category_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="checklist_step_unique"),
        ]
        verbose_name = _("checklist step")
        verbose_name_plural = _("checklist steps")

    def __str__(self) -> str:
        return self.label


class CaseChecklistItem(models.Model):
    """A checklist step as copied onto one case, and when it was done and by whom."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="checklist", verbose_name=_("case")
    )
    code = models.SlugField(_("code"), max_length=30)
    label = models.CharField(_("label"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )

    class Meta:
        ordering = ["case_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "code"], name="case_checklist_unique"),
        ]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")

    def __str__(self) -> str:
        return self.label


class RecoveryKind(models.TextChoices):
    APOLOGY = "apology", _("Apology")
    REFUND = "refund", _("Refund")
    COUPON = "coupon", _("Coupon or compensation")
    REPLACEMENT = "replacement", _("Replacement or re-delivery")
    GIFT = "gift", _("Gift")


class RecoveryAction(models.Model):
    """Something the company did to win the customer back, and what it cost."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="recovery_actions", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=RecoveryKind.choices)
    cost = models.DecimalField(_("cost"), max_digits=12, decimal_places=2, default=0)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["case_id", "created_at", "id"]
        verbose_name = _("recovery action")
        verbose_name_plural = _("recovery actions")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.kind}"


class CsatSurvey(models.Model):
    """The satisfaction survey sent when a case closes, and the customer's answer."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="surveys", verbose_name=_("case")
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    channel = models.CharField(_("channel"), max_length=10, blank=True)
    outbound = models.ForeignKey(
        OutboundMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["answered_at"], name="csat_answered_at")]
        verbose_name = _("CSAT survey")
        verbose_name_plural = _("CSAT surveys")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.score}"
