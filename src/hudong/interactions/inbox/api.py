"""One inbox over the API: the queue, take / transfer / release / reply, presence, agents and
their measures. Thin: parse, call one query or action, render."""

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from hudong.api.pagination import Page
from hudong.api.types import CleanStr, Id, Instant
from hudong.core.errors import NotFound
from hudong.interactions.inbox import actions, metrics, queries
from hudong.interactions.inbox.value import tier_of_rank

router = Router(tags=["inbox"])

CHANNEL = "^(|phone|email|sms|webchat|webform|wechat|face|postal|fax)$"
STATUS = "^(available|busy|away|offline)$"


class ConversationOut(Schema):
    id: int
    customer_id: int
    customer_name: str = Field(..., alias="customer.name")
    channel: str
    subject: str
    state: str
    skill: str
    language: str
    assigned_to: str | None
    waiting_since: dt.datetime = Field(..., alias="last_activity_at")
    opened_at: dt.datetime
    next_step: str
    next_step_due: dt.datetime | None
    tier: str

    @staticmethod
    def resolve_assigned_to(obj: Any) -> str | None:
        return obj.assigned_to.get_username() if obj.assigned_to_id else None

    @staticmethod
    def resolve_tier(obj: Any) -> str:
        return tier_of_rank(obj.tier_rank)


class QueueFilter(Schema):
    view: str = Field("all", pattern="^(all|mine|unassigned)$")
    channel: str = Field("", pattern=CHANNEL)


class TransferIn(Schema):
    to: Id = Field(..., description="The user id of the agent who takes over")
    reason: CleanStr = Field("", max_length=300)


class ReplyIn(Schema):
    body: CleanStr = Field(..., min_length=1, max_length=20000)
    subject: CleanStr = Field("", max_length=250)


class ReplyOut(Schema):
    message_id: int
    channel: str
    status: str
    reason: str


class PresenceIn(Schema):
    status: str = Field(..., pattern=STATUS)


class PresenceOut(Schema):
    user_id: int
    status: str
    skills: list[str]
    languages: list[str]
    capacity: int
    since: dt.datetime


class AgentOut(PresenceOut):
    username: str
    role: str
    team: str | None
    region: str | None
    open_conversations: int


class AgentPatch(Schema):
    skills: list[CleanStr] | None = Field(None, max_length=50)
    languages: list[CleanStr] | None = Field(None, max_length=20)
    capacity: int | None = Field(None, ge=0, le=actions.MAX_CAPACITY)


class MetricsFilter(Schema):
    start: Instant | None = None
    end: Instant | None = None
    group: str = Field("agent", pattern="^(agent|team|region)$")


@router.get("/inbox/conversations", response=list[ConversationOut])
@paginate(Page)
def inbox_queue(request: HttpRequest, filters: Query[QueueFilter]) -> Any:
    """Open conversations waiting on us that the caller may see: top value tier first, then
    the longest waiting. ``view``: all, mine, unassigned."""
    return queries.queue(request.user, view=filters.view, channel=filters.channel)


@router.post("/inbox/conversations/{thread_id}/take", response=ConversationOut)
def take_conversation(request: HttpRequest, thread_id: Id) -> Any:
    """Take a waiting conversation (409 ``inbox.assigned_elsewhere`` if an agent has it)."""
    actions.take(queries.get_thread(request.user, thread_id), request.user)
    return queries.conversation(request.user, thread_id)


@router.post("/inbox/conversations/{thread_id}/transfer", response=dict[str, Any])
def transfer_conversation(request: HttpRequest, thread_id: Id, payload: TransferIn) -> Any:
    """Hand the conversation to another agent; recorded as a transfer."""
    thread = queries.get_thread(request.user, thread_id)
    target = get_user_model().objects.filter(pk=payload.to).first()
    moved = actions.transfer(thread, target, by=request.user, reason=payload.reason)
    return {"transfer_id": moved.pk, "thread_id": thread.pk, "to": payload.to}


@router.post("/inbox/conversations/{thread_id}/release", response=dict[str, Any])
def release_conversation(request: HttpRequest, thread_id: Id) -> Any:
    """Put the conversation back in the queue, unassigned."""
    actions.release(queries.get_thread(request.user, thread_id), request.user)
    return {"thread_id": thread_id, "assigned_to": None}


@router.post("/inbox/conversations/{thread_id}/reply", response=ReplyOut)
def reply_to_conversation(request: HttpRequest, thread_id: Id, payload: ReplyIn) -> Any:
    """Reply on the conversation's channel (else the customer's), as a service message
    through the contact policy. ``status`` says whether it went (sent) or why not."""
    thread = queries.get_thread(request.user, thread_id)
    message = actions.reply(thread, request.user, body=payload.body, subject=payload.subject)
    return {
        "message_id": message.pk,
        "channel": message.channel,
        "status": message.status,
        "reason": message.reason,
    }


def _presence_out(p: Any) -> dict[str, Any]:
    return {
        "user_id": p.user_id,
        "status": p.status,
        "skills": p.skills,
        "languages": p.languages,
        "capacity": p.capacity,
        "since": p.since,
    }


@router.get("/inbox/presence", response=PresenceOut)
def my_presence(request: HttpRequest) -> Any:
    """The caller's own presence."""
    return _presence_out(queries.presence(request.user))


@router.put("/inbox/presence", response=PresenceOut)
def set_my_presence(request: HttpRequest, payload: PresenceIn) -> Any:
    """Change the caller's status; becoming available pulls waiting conversations."""
    return _presence_out(actions.set_presence(request.user, payload.status))


@router.get("/inbox/agents", response=list[AgentOut])
def list_agents(request: HttpRequest) -> Any:
    """Agents the caller may see, with their presence and open conversations."""
    return [_agent_out(row) for row in queries.agents_overview(request.user)]


@router.patch("/inbox/agents/{user_id}", response=AgentOut)
def configure_agent(request: HttpRequest, user_id: Id, payload: AgentPatch) -> Any:
    """A supervisor sets an agent's skills, languages and capacity."""
    profile = queries.visible_agents(request.user).filter(user_id=user_id).first()
    if profile is None:
        raise NotFound("inbox.agent_not_found")
    actions.configure_agent(profile.user, by=request.user, **payload.dict(exclude_unset=True))
    return _agent_out(queries.agents_overview(request.user, user_id=user_id)[0])


def _agent_out(row: dict[str, Any]) -> dict[str, Any]:
    profile, presence = row["profile"], row["presence"]
    return {
        **_presence_out(presence),
        "username": profile.user.get_username(),
        "role": profile.role,
        "team": profile.team.name if profile.team else None,
        "region": profile.region.code if profile.region else None,
        "open_conversations": row["open"],
    }


@router.get("/inbox/metrics", response=dict[str, Any])
def agent_metrics(request: HttpRequest, filters: Query[MetricsFilter]) -> Any:
    """First response time, handle time, time on duty, non-contact time and transfers per
    agent (or team, or region) over a period (default: the last seven days)."""
    return metrics.report(request.user, start=filters.start, end=filters.end, by=filters.group)
