"""Permission-checked reads of the email channel: an attachment is visible exactly when the
interaction it came with is (the interactions area's scoping decides)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from hudong.core.errors import NotFound
from hudong.interactions import queries as interaction_queries
from hudong.interactions.channels.email.models import Attachment
from hudong.interactions.models import Channel, Interaction


def attachments_of(user: Any, interaction_id: int) -> list[Attachment]:
    interaction = interaction_queries.get_interaction(user, interaction_id)
    return list(Attachment.objects.filter(interaction=interaction))


def get_attachment(user: Any, attachment_id: int) -> Attachment:
    found = (
        Attachment.objects.filter(
            pk=attachment_id,
            interaction__in=interaction_queries.visible_interactions(user),
        )
        .select_related("interaction")
        .first()
    )
    if found is None:
        raise NotFound("email_channel.attachment_not_found")
    return found


def get_mail(user: Any, interaction_id: int) -> tuple[Interaction, list[Attachment]]:
    """One email the user may see, with its files (404 for any other channel)."""
    interaction = interaction_queries.get_interaction(user, interaction_id)
    if interaction.channel != Channel.EMAIL:
        raise NotFound("interactions.interaction_not_found")
    return interaction, list(Attachment.objects.filter(interaction=interaction))


def recent_mails(user: Any, customer_id: int, limit: int = 8) -> list[Interaction]:
    """The customer's latest emails, both ways, that the user may see, each with the number
    of files it brought (``files``). One query: the customer page pins its query count."""
    return list(
        interaction_queries.visible_interactions(user)
        .filter(customer_id=customer_id, channel=Channel.EMAIL)
        .annotate(files=Count("email_attachments"))
        .order_by("-started_at", "-id")[:limit]
    )
