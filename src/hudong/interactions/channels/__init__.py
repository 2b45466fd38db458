"""Channel adapters. Each channel that can send registers a sender here at start-up; the
outbound service (:mod:`hudong.interactions.outbound`) looks senders up by channel, so the
core never imports a channel and a channel never bypasses the contact policy."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hudong.interactions.models import OutboundMessage


@dataclass(frozen=True)
class Sender:
    channel: str
    identifier_kind: str  # which of the customer's identifiers it sends to ("email", "phone")
    # Deliver one message to ``message.to``; returns the provider's reference for it and
    # raises on failure (the message is then marked failed with the error).
    deliver: Callable[[OutboundMessage], str]


_SENDERS: dict[str, Sender] = {}


def register_sender(sender: Sender) -> None:
    _SENDERS[sender.channel] = sender


def sender_for(channel: str) -> Sender | None:
    return _SENDERS.get(channel)


def sending_channels() -> list[str]:
    return sorted(_SENDERS)
