"""What the email channel keeps besides the interaction itself.

An :class:`InboundMail` is the raw message exactly as it arrived, written before anything
else happens: the SMTP receiver acknowledges a message only once it is stored, so a crash
while parsing loses nothing and the message can be processed again. An :class:`Attachment`
is a file a customer sent, stored under a name derived from its hash (never the name the
sender chose) and only ever handed out as a download. :class:`ImapCursor` remembers the last
UID fetched per mailbox so polling reads each message once.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hudong.interactions.models import Interaction


class InboundStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("email", "Pending")
    PROCESSED = "processed", pgettext_lazy("email", "Processed")
    FAILED = "failed", pgettext_lazy("email", "Failed")
    # A delivery report about one of our mails: it updates that mail, not a timeline.
    BOUNCE = "bounce", pgettext_lazy("email", "Delivery report")


class InboundMail(models.Model):
    source = models.CharField(_("source"), max_length=10)  # "smtp" or "imap"
    mail_from = models.CharField(_("envelope sender"), max_length=320, blank=True)
    recipients = models.JSONField(_("envelope recipients"), default=list, blank=True)
    raw = models.BinaryField(_("raw message"))
    message_id = models.CharField(_("Message-ID"), max_length=250, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=InboundStatus.choices, default=InboundStatus.PENDING
    )
    error = models.CharField(_("error code"), max_length=200, blank=True)
    interaction = models.ForeignKey(
        Interaction, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["status", "received_at"]),
            models.Index(fields=["message_id"]),
        ]
        verbose_name = _("inbound email")
        verbose_name_plural = _("inbound emails")

    def __str__(self) -> str:
        return f"{self.source} {self.message_id or self.pk} ({self.status})"


def attachment_path(instance: Attachment, filename: str) -> str:
    # Content-addressed: the sender's file name never reaches the file system.
    return f"email/attachments/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(models.Model):
    interaction = models.ForeignKey(
        Interaction,
        on_delete=models.CASCADE,
        related_name="email_attachments",
        verbose_name=_("interaction"),
    )
    filename = models.CharField(_("file name"), max_length=200)
    # As the sender declared it; shown, never used to serve the file.
    content_type = models.CharField(_("declared type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["interaction", "id"]
        indexes = [models.Index(fields=["sha256"])]
        verbose_name = _("email attachment")
        verbose_name_plural = _("email attachments")

    def __str__(self) -> str:
        return self.filename


class ImapCursor(models.Model):
    mailbox = models.CharField(_("mailbox"), max_length=300, unique=True)
    uidvalidity = models.BigIntegerField(_("UIDVALIDITY"), default=0)
    last_uid = models.BigIntegerField(_("last UID"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("IMAP cursor")
        verbose_name_plural = _("IMAP cursors")

    def __str__(self) -> str:
        return f"{self.mailbox} @ {self.last_uid}"
