"""Customer care (D6): rules that create after-sale care tasks for the agents' work lists.

A rule says what to do (a follow-up call after delivery, a warranty-expiry reminder), how many
days from its anchor, and which team does it. A task is unique per rule and shipment or order
line, so running the rules again creates nothing twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hudong.core.models import Team
from hudong.customers.models import Customer


class CareTrigger(models.TextChoices):
    AFTER_DELIVERY = "after_delivery", _("Days after delivery")
    WARRANTY_EXPIRY = "warranty_expiry", _("Days before the warranty ends")


class CareRule(models.Model):
    name = models.CharField(_("name"), max_length=100)
    trigger = models.CharField(_("trigger"), max_length=20, choices=CareTrigger.choices)
    days = models.PositiveSmallIntegerField(_("days"), default=3)
    # Blank: every customer; otherwise only customers of this value tier.
    tier = models.CharField(
        _("value tier"),
        max_length=1,
        blank=True,
        default="",
        choices=[("A", "A"), ("B", "B"), ("C", "C")],
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("team")
    )
    instructions = models.TextField(_("instructions"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("care rule")
        verbose_name_plural = _("care rules")

    def __str__(self) -> str:
        return self.name


class CareTaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Skipped")


class CareTask(models.Model):
    rule = models.ForeignKey(
        CareRule, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("rule")
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="care_tasks", verbose_name=_("customer")
    )
    # The anchor: a shipment (after delivery) or an order line (warranty).
    shipment = models.ForeignKey(
        "commerce.Shipment", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    order_line = models.ForeignKey(
        "commerce.OrderLine", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    due_at = models.DateTimeField(_("due"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="care_tasks",
        verbose_name=_("assignee"),
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("team")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CareTaskStatus.choices, default=CareTaskStatus.OPEN
    )
    outcome = models.TextField(_("outcome"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
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
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "shipment"],
                condition=models.Q(shipment__isnull=False),
                name="care_task_rule_shipment",
            ),
            models.UniqueConstraint(
                fields=["rule", "order_line"],
                condition=models.Q(order_line__isnull=False),
                name="care_task_rule_line",
            ),
        ]
        indexes = [
            models.Index(fields=["assignee", "status", "due_at"]),
            models.Index(fields=["team", "status", "due_at"]),
            models.Index(fields=["customer", "status"]),
        ]
        verbose_name = _("care task")
        verbose_name_plural = _("care tasks")

    def __str__(self) -> str:
        return f"{self.rule}: {self.customer_id}"
