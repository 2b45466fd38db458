"""The touchpoint catalogue and what a contact costs on each channel."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hudong.interactions.models.threads import Channel


class TouchpointStatus(models.TextChoices):
    CURRENT = "current", pgettext_lazy("touchpoint", "In use")
    POTENTIAL = "potential", pgettext_lazy("touchpoint", "Potential")
    RETIRED = "retired", pgettext_lazy("touchpoint", "Retired")


class Touchpoint(models.Model):
    """A place where the company and the customer meet (a hotline, the shop counter...)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    department = models.CharField(_("owning department"), max_length=100)
    cost_per_contact = models.DecimalField(
        _("cost per contact"), max_digits=10, decimal_places=2, default=0
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=TouchpointStatus.choices,
        default=TouchpointStatus.CURRENT,
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["channel", "code"]
        verbose_name = _("touchpoint")
        verbose_name_plural = _("touchpoints")

    def __str__(self) -> str:
        return self.name


class ChannelCost(models.Model):
    """What one contact on a channel costs the company, in the company's currency."""

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, unique=True)
    cost_per_contact = models.DecimalField(_("cost per contact"), max_digits=10, decimal_places=2)
    # Cost of a minute of an agent's time on top (calls, chats, visits); zero for messages.
    cost_per_minute = models.DecimalField(
        _("cost per minute"), max_digits=10, decimal_places=2, default=0
    )

    class Meta:
        ordering = ["channel"]
        verbose_name = _("channel cost")
        verbose_name_plural = _("channel costs")

    def __str__(self) -> str:
        return f"{self.channel}: {self.cost_per_contact}"
