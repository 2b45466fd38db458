"""Cases (D1): a customer's problem, from the first contact to its closing.

A case belongs to one customer, sits in one category of a configurable tree, and moves through
a fixed workflow (see :mod:`hudong.service.workflow`). Its priority is computed, never typed
(:func:`hudong.service.priority.priority`). Notes are either internal (for colleagues) or
replies that went out to the customer through the contact policy.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hudong.core.models import Team
from hudong.customers.models import Customer
from hudong.interactions.models import Channel, Interaction, OutboundMessage


class CaseCategory(models.Model):
    """One node of the category tree (产品质量, 配送...); ``skill`` routes its cases."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    # An agent skill ("billing") the category's cases need; blank: any agent of the team.
    skill = models.CharField(_("skill"), max_length=50, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("case category")
        verbose_name_plural = _("case categories")

    def __str__(self) -> str:
        return self.name


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class CaseStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("case status", "New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_CUSTOMER = "waiting_customer", _("Waiting on the customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", pgettext_lazy("case status", "Closed")


OPEN_STATUSES = (
    CaseStatus.NEW,
    CaseStatus.ACKNOWLEDGED,
    CaseStatus.IN_PROGRESS,
    CaseStatus.WAITING_CUSTOMER,
)


class CaseSource(models.TextChoices):
    INTERACTION = "interaction", _("A contact")
    WEB_FORM = "web_form", _("Web form")
    AGENT = "agent", _("Opened by an agent")


class Temperament(models.TextChoices):
    CALM = "calm", _("Calm")
    EMOTIONAL = "emotional", _("Emotional")
    STUBBORN = "stubborn", _("Stubborn")


class RecoveryOutcome(models.TextChoices):
    RECOVERED = "recovered", _("Recovered")
    PARTIAL = "partial", _("Partly recovered")
    NOT_RECOVERED = "not_recovered", _("Not recovered")


class RootCause(models.Model):
    """A root-cause code set on resolution (D5); seeded, edited in the admin."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("root cause")
        verbose_name_plural = _("root causes")

    def __str__(self) -> str:
        return self.name


class Case(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="cases", verbose_name=_("customer")
    )
    category = models.ForeignKey(
        CaseCategory, on_delete=models.PROTECT, related_name="cases", verbose_name=_("category")
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM
    )
    priority = models.PositiveSmallIntegerField(_("priority"), default=3)
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.NEW
    )
    source = models.CharField(
        _("source"), max_length=20, choices=CaseSource.choices, default=CaseSource.AGENT
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, blank=True)
    interaction = models.ForeignKey(
        Interaction,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("opened from"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("assignee"),
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("team")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opened by"),
    )
    created_at = models.DateTimeField(_("opened at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(_("reopened"), default=0)
    root_cause = models.ForeignKey(
        "service.RootCause",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("root cause"),
    )
    # What the complaint is about, so root-cause analysis can join it with carriers, warehouses,
    # products (D5). Any of them may be unknown.
    order = models.ForeignKey(
        "commerce.Order",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("order"),
    )
    shipment = models.ForeignKey(
        "commerce.Shipment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("shipment"),
    )
    product = models.ForeignKey(
        "commerce.Product",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("product"),
    )
    # How the customer comes across (D3): the case page shows the guidance for it.
    temperament = models.CharField(
        _("customer temperament"),
        max_length=10,
        choices=Temperament.choices,
        default=Temperament.CALM,
    )
    # Agent measures (I1): reassignments after the first, and when the case went up a level.
    transfer_count = models.PositiveSmallIntegerField(_("transfers"), default=0)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    # Service recovery (D4).
    customer_informed_at = models.DateTimeField(_("customer informed at"), null=True, blank=True)
    recovery_outcome = models.CharField(
        _("recovery outcome"), max_length=16, choices=RecoveryOutcome.choices, blank=True
    )
    # The CSAT answer (1-5), copied from the survey so reports aggregate one table.
    csat_score = models.PositiveSmallIntegerField(_("CSAT"), null=True, blank=True)
    # SLA (see hudong.service.sla): due times in business time from the opening, the clock
    # paused while waiting on the customer, warnings and breaches recorded once.
    sla_policy = models.ForeignKey(
        "service.SlaPolicy",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("SLA policy"),
    )
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    paused_at = models.DateTimeField(_("SLA paused at"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("SLA paused (business seconds)"), default=0)
    # When the clock reaches the policy's warning percentage (the sweep's indexed cue).
    sla_warn_at = models.DateTimeField(_("SLA warning due"), null=True, blank=True)
    sla_warned_at = models.DateTimeField(_("SLA warned at"), null=True, blank=True)
    first_response_breached_at = models.DateTimeField(
        _("first response breached at"), null=True, blank=True
    )
    resolution_breached_at = models.DateTimeField(
        _("resolution breached at"), null=True, blank=True
    )

    class Meta:
        ordering = ["priority", "created_at"]
        indexes = [
            models.Index(fields=["status", "priority", "created_at"]),
            models.Index(fields=["customer", "status"]),
            models.Index(fields=["assignee", "status"]),
            models.Index(fields=["team", "assigned_at"]),
            # The SLA sweep's cues, led by the status so that the closed cases (nine in ten,
            # their due times long past) are never read (see docs/benchmarks.md).
            models.Index(fields=["status", "resolution_due"], name="case_status_resolution_due"),
            models.Index(fields=["status", "first_response_due"], name="case_status_first_due"),
            models.Index(fields=["status", "sla_warn_at"], name="case_status_warn_at"),
            # The queue's "at risk" filter: warned, not breached (a few percent of open cases).
            models.Index(
                fields=["status", "priority", "created_at"],
                name="case_at_risk_queue",
                condition=models.Q(
                    sla_warned_at__isnull=False,
                    first_response_breached_at__isnull=True,
                    resolution_breached_at__isnull=True,
                ),
            ),
            models.Index(fields=["category", "created_at"], name="case_category_created"),
            models.Index(fields=["resolved_at"], name="case_resolved_at"),
        ]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def sla_state(self) -> str:
        """ "breached", "at_risk" (warned) or "" (on time, or no SLA)."""
        if self.first_response_breached_at or self.resolution_breached_at:
            return "breached"
        return "at_risk" if self.sla_warned_at else ""


class CaseNote(models.Model):
    """An internal note (colleagues only) or a reply that went to the customer."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="notes", verbose_name=_("case")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("text"))
    internal = models.BooleanField(_("internal"), default=True)
    created_at = models.DateTimeField(_("written at"), default=timezone.now)
    # A reply: the message handed to the contact policy, and the outbound contact once sent.
    outbound = models.ForeignKey(
        OutboundMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    interaction = models.ForeignKey(
        Interaction, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"])]
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.body[:40]}"
