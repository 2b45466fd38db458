"""Interactions on every channel, conversations with breakpoints, consent and contact policy,
touchpoints and costs, and outbound messages."""

from hudong.interactions.models.catalog import ChannelCost, Touchpoint, TouchpointStatus
from hudong.interactions.models.outbound import OutboundMessage, OutboundStatus
from hudong.interactions.models.policy import ANY_CHANNEL, ConsentEntry, ContactPolicy
from hudong.interactions.models.threads import (
    OPEN_STATES,
    Channel,
    ContactKind,
    Direction,
    Initiator,
    Interaction,
    Purpose,
    Thread,
    ThreadState,
)

__all__ = [
    "ANY_CHANNEL",
    "OPEN_STATES",
    "Channel",
    "ChannelCost",
    "ConsentEntry",
    "ContactKind",
    "ContactPolicy",
    "Direction",
    "Initiator",
    "Interaction",
    "OutboundMessage",
    "OutboundStatus",
    "Purpose",
    "Thread",
    "ThreadState",
    "Touchpoint",
    "TouchpointStatus",
]
