"""Web chat sessions and their lines.

A session is one visit's chat: the visitor identified by the pre-chat form, the conversation
(thread) it continues, the agent who took it. Its public id is random, so it can appear in URLs
without letting anyone guess another visitor's chat; the visitor proves it is theirs with a
token signed over that id (see :mod:`hudong.interactions.channels.webchat.tokens`). When the
chat ends, the lines become the transcript of the session's one interaction.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hudong.customers.models import Customer
from hudong.interactions.models import Interaction, Thread


def new_public_id() -> str:
    return secrets.token_urlsafe(18)


class ChatStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for an agent")
    ACTIVE = "active", pgettext_lazy("chat status", "Active")
    ENDED = "ended", pgettext_lazy("chat status", "Ended")


class Sender(models.TextChoices):
    CUSTOMER = "customer", pgettext_lazy("chat sender", "Customer")
    AGENT = "agent", pgettext_lazy("chat sender", "Agent")
    SYSTEM = "system", pgettext_lazy("chat sender", "System")


class ChatSession(models.Model):
    public_id = models.CharField(
        _("session id"), max_length=40, unique=True, default=new_public_id, editable=False
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="chat_sessions", verbose_name=_("customer")
    )
    thread = models.ForeignKey(
        Thread,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="chat_sessions",
        verbose_name=_("conversation"),
    )
    # The one interaction the chat is recorded as; its content becomes the transcript at the end.
    interaction = models.OneToOneField(
        Interaction,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="chat_session",
        verbose_name=_("interaction"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ChatStatus.choices, default=ChatStatus.WAITING
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="chat_sessions",
        verbose_name=_("agent"),
    )
    visitor_name = models.CharField(_("visitor name"), max_length=100, blank=True)
    identifier_used = models.CharField(_("identifier used"), max_length=200, blank=True)
    page = models.CharField(_("page"), max_length=500, blank=True)
    origin = models.CharField(_("site"), max_length=200, blank=True)
    # Kept only to limit how many chats one address may open in an hour.
    client_ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        ordering = ["started_at"]
        indexes = [
            models.Index(fields=["status", "started_at"]),
            models.Index(fields=["agent", "status"]),
            models.Index(fields=["client_ip", "started_at"]),
        ]
        verbose_name = _("chat session")
        verbose_name_plural = _("chat sessions")

    def __str__(self) -> str:
        return f"{self.visitor_name or self.identifier_used} ({self.get_status_display()})"


class ChatMessage(models.Model):
    session = models.ForeignKey(
        ChatSession, on_delete=models.CASCADE, related_name="messages", verbose_name=_("session")
    )
    sender = models.CharField(_("sender"), max_length=10, choices=Sender.choices)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agent"),
    )
    # A line's text; for a system line, what happened ("accepted", "ended").
    text = models.TextField(_("text"))
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["session", "id"]), models.Index(fields=["session", "at"])]
        verbose_name = _("chat line")
        verbose_name_plural = _("chat lines")

    def __str__(self) -> str:
        return f"{self.sender}: {self.text[:40]}"
