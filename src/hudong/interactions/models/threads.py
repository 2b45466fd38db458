"""Interactions and the conversations (threads) they belong to.

Every contact on every channel is one :class:`Interaction` on one customer. Interactions that
continue one conversation share a :class:`Thread`, whose state, next step and due date are the
breakpoint (断点): where the last contact stopped and what has to happen next. The next contact,
on any channel, opens there.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hudong.customers.models import Customer


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    WEBCHAT = "webchat", _("Web chat")
    WEBFORM = "webform", _("Web form")
    WECHAT = "wechat", _("WeChat")
    FACE = "face", _("Face to face")
    POSTAL = "postal", _("Postal mail")
    FAX = "fax", _("Fax")


class Direction(models.TextChoices):
    INBOUND = "in", _("Inbound")
    OUTBOUND = "out", _("Outbound")


class Initiator(models.TextChoices):
    CUSTOMER = "customer", pgettext_lazy("initiator", "Customer")
    COMPANY = "company", pgettext_lazy("initiator", "Company")


class ContactKind(models.TextChoices):
    """How personal the contact is (the seeds: personal, indirect personal, non-personal)."""

    PERSONAL = "personal", _("Personal")
    INDIRECT = "indirect", _("Indirect personal")
    NONPERSONAL = "nonpersonal", _("Non-personal")


class Purpose(models.TextChoices):
    SERVICE = "service", _("Service")
    MARKETING = "marketing", _("Marketing")


class ThreadState(models.TextChoices):
    OPEN = "open", pgettext_lazy("thread state", "Open")
    WAITING_CUSTOMER = "waiting_customer", _("Waiting on the customer")
    WAITING_US = "waiting_us", _("Waiting on us")
    CLOSED = "closed", pgettext_lazy("thread state", "Closed")


OPEN_STATES = (ThreadState.OPEN, ThreadState.WAITING_CUSTOMER, ThreadState.WAITING_US)


class Thread(models.Model):
    """One conversation, possibly across channels, with its breakpoint."""

    customer = models.ForeignKey(  # indexed by (customer, state, ...) below
        Customer,
        on_delete=models.CASCADE,
        related_name="threads",
        verbose_name=_("customer"),
        db_index=False,
    )
    channel = models.CharField(_("started on"), max_length=10, choices=Channel.choices)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=ThreadState.choices, default=ThreadState.OPEN
    )
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    next_step_due = models.DateTimeField(_("next step due"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_threads",
        verbose_name=_("assigned to"),
    )
    # Routing needs (the inbox): the skill and language the conversation asks for.
    skill = models.CharField(_("skill"), max_length=50, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    # A channel's own conversation key (an email's root Message-ID, a chat session).
    external_ref = models.CharField(_("channel reference"), max_length=250, blank=True)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-last_activity_at"]
        indexes = [
            models.Index(fields=["customer", "state", "-last_activity_at"]),
            models.Index(fields=["state", "last_activity_at"]),
            models.Index(fields=["external_ref"]),
        ]
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")

    def __str__(self) -> str:
        return self.subject or f"#{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_overdue(self) -> bool:
        return bool(self.next_step_due and self.is_open and self.next_step_due < timezone.now())


class Interaction(models.Model):
    """One contact: a call, an email, a chat, a visit."""

    # No index of its own: (customer, -started_at) below leads with it; every index costs
    # each of the millions of inserts a channel makes.
    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="interactions",
        verbose_name=_("customer"),
        db_index=False,
    )
    thread = models.ForeignKey(
        Thread,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interactions",
        verbose_name=_("conversation"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    initiator = models.CharField(_("initiator"), max_length=10, choices=Initiator.choices)
    kind = models.CharField(
        _("kind of contact"),
        max_length=12,
        choices=ContactKind.choices,
        default=ContactKind.PERSONAL,
    )
    purpose = models.CharField(
        _("purpose"), max_length=10, choices=Purpose.choices, default=Purpose.SERVICE
    )
    agent = models.ForeignKey(  # indexed by (agent, started_at) below
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interactions",
        verbose_name=_("agent"),
        db_index=False,
    )
    touchpoint = models.ForeignKey(
        "interactions.Touchpoint",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interactions",
        verbose_name=_("touchpoint"),
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), default=0)
    subject = models.CharField(_("subject"), max_length=250, blank=True)
    content = models.TextField(_("content"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)
    cost = models.DecimalField(_("cost"), max_digits=10, decimal_places=2, default=0)
    # The identifier the customer used, as written, and the channel's own id for the contact
    # (Message-ID, SMS id, call id, webhook event id): the same contact delivered twice is
    # recorded once.
    identifier_used = models.CharField(_("identifier used"), max_length=200, blank=True)
    external_id = models.CharField(_("channel id"), max_length=250, blank=True)
    meta = models.JSONField(_("channel details"), default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=~models.Q(external_id=""),
                name="interaction_once_per_channel_id",
            )
        ]
        indexes = [
            models.Index(fields=["customer", "-started_at"]),
            models.Index(fields=["agent", "started_at"]),
            models.Index(fields=["started_at"]),
        ]
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.started_at:%Y-%m-%d %H:%M}"
