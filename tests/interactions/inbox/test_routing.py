"""Routing: an inbound contact goes to an available agent who fits, or waits in the queue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from hudong.core.models import LiveMessage, Role
from hudong.interactions.actions import Contact, record_interaction, set_breakpoint
from hudong.interactions.inbox import actions, queries, routing
from hudong.interactions.models import ThreadState
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_a_conversation_goes_to_the_agent_with_its_skill_and_the_customer_language(
    region_a: Any, make_agent: Callable[..., Any], inbound: Callable[..., Any]
) -> None:
    # Given three available agents of the region
    make_agent("billing-zh", region_a, skills=("billing",), languages=("zh-hans",))
    returns_en = make_agent("returns-en", region_a, skills=("returns",), languages=("en",))
    returns_zh = make_agent("returns-zh", region_a, skills=("returns",), languages=("zh-hans",))
    chinese = CustomerFactory(region=region_a, language="zh-hans")
    english = CustomerFactory(region=region_a, language="en")
    # When a Chinese-speaking and an English-speaking customer write about a return
    first = inbound(chinese, skill="returns")
    second = inbound(english, skill="returns")
    # Then each goes to the agent who has the skill and speaks the language
    assert first.assigned_to == returns_zh
    assert second.assigned_to == returns_en


def test_the_chosen_agent_browser_is_told_at_once(
    region_a: Any, make_agent: Callable[..., Any], inbound: Callable[..., Any]
) -> None:
    agent = make_agent("ann", region_a)
    customer = CustomerFactory(region=region_a, name="王<b>芳</b>")
    thread = inbound(customer, subject="退货")
    pushed = LiveMessage.objects.get(user=agent, topic="inbox")
    assert pushed.payload["thread_id"] == thread.pk and pushed.payload["kind"] == "assigned"
    assert pushed.payload["customer"] == "王<b>芳</b>"  # data; the page sets it as text
    # A second message on the same conversation tells the same agent, and stays with them
    again = inbound(customer, new_thread=False, content="还在吗")
    assert again.pk == thread.pk and again.assigned_to == agent
    kinds = list(LiveMessage.objects.filter(user=agent).values_list("payload__kind", flat=True))
    assert kinds == ["assigned", "message"]


def test_capacity_is_respected_and_the_least_loaded_agent_wins(
    region_a: Any, make_agent: Callable[..., Any], inbound: Callable[..., Any]
) -> None:
    # Given one agent who can hold one conversation and one who can hold two
    small = make_agent("small", region_a, capacity=1)
    large = make_agent("large", region_a, capacity=2)
    # When four customers write
    threads = [inbound(CustomerFactory(region=region_a)) for _ in range(4)]
    # Then nobody gets more than their capacity; the fourth waits, unassigned
    owners = [t.assigned_to for t in threads]
    assert owners.count(small) == 1 and owners.count(large) == 2
    assert owners[3] is None
    assert [t.pk for t in queries.queue(small, view="unassigned")] == [threads[3].pk]


def test_a_top_tier_customer_goes_to_a_senior_even_if_busier(
    region_a: Any, make_agent: Callable[..., Any], inbound: Callable[..., Any], vip: Any
) -> None:
    # Given a supervisor already holding one conversation and an idle junior
    senior = make_agent("senior", region_a, role=Role.SUPERVISOR)
    junior = make_agent("junior", region_a)
    actions.take(inbound(CustomerFactory(region=region_a), skill="none-fits"), senior)
    # When a top-tier customer writes, then a tier-C customer
    vip_thread = inbound(vip)
    plain_thread = inbound(CustomerFactory(region=region_a))
    # Then the top-tier customer gets the senior, the other the junior
    assert vip_thread.assigned_to == senior
    assert plain_thread.assigned_to == junior


def test_the_senior_skill_marks_a_senior_agent(
    region_a: Any, make_agent: Callable[..., Any], inbound: Callable[..., Any], vip: Any
) -> None:
    make_agent("junior", region_a)
    expert = make_agent("expert", region_a, skills=("senior",))
    assert inbound(vip).assigned_to == expert


def test_nobody_available_leaves_it_in_the_queue_until_an_agent_comes(
    region_a: Any, make_agent: Callable[..., Any], inbound: Callable[..., Any]
) -> None:
    # Given agents who are away, busy or offline
    away = make_agent("away", region_a, status="away")
    make_agent("busy", region_a, status="busy")
    make_agent("off", region_a, status="offline")
    # When a customer writes
    thread = inbound(CustomerFactory(region=region_a), channel="email", subject="发票")
    # Then it waits unassigned in the queue
    assert thread.assigned_to is None
    assert thread in list(queries.queue(away, view="unassigned"))
    # And the first agent who becomes available gets it
    actions.set_presence(away, "available")
    thread.refresh_from_db()
    assert thread.assigned_to == away


def test_an_agent_of_another_region_is_never_given_the_conversation(
    region_a: Any, region_b: Any, make_agent: Callable[..., Any], inbound: Callable[..., Any]
) -> None:
    make_agent("b-agent", region_b, skills=("returns",))
    thread = inbound(CustomerFactory(region=region_a), skill="returns")
    assert thread.assigned_to is None


@pytest.mark.django_db(transaction=True)
def test_the_background_worker_routes_after_the_contact_commits(
    region_a: Any, make_agent: Callable[..., Any]
) -> None:
    # Given an available agent and a contact recorded in a committed transaction
    agent = make_agent("worker-agent", region_a)
    customer = CustomerFactory(region=region_a)
    with transaction.atomic():
        recorded = record_interaction(Contact(channel="webchat", customer=customer))
    thread = recorded.interaction.thread
    assert thread is not None and thread.assigned_to is None
    # When the task worker runs
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    # Then the conversation is the agent's
    thread.refresh_from_db()
    assert thread.assigned_to == agent


def test_an_agent_who_signs_off_hands_waiting_customers_to_a_colleague(
    region_a: Any, make_agent: Callable[..., Any], inbound: Callable[..., Any]
) -> None:
    # Given an agent with two conversations waiting on us, and a colleague on a break
    leaving = make_agent("leaving", region_a)
    colleague = make_agent("colleague", region_a, status="away")
    first = inbound(CustomerFactory(region=region_a))
    second = inbound(CustomerFactory(region=region_a))
    assert first.assigned_to == second.assigned_to == leaving
    # When the colleague comes back (nothing waits unassigned) and the agent signs off
    actions.set_presence(colleague, "available")
    actions.set_presence(leaving, "offline")
    # Then both conversations are the colleague's; nobody waits on an absent agent
    for thread in (first, second):
        thread.refresh_from_db()
        assert thread.assigned_to == colleague


def test_a_place_freed_by_a_closed_conversation_is_filled_by_the_sweep(
    region_a: Any, make_agent: Callable[..., Any], inbound: Callable[..., Any]
) -> None:
    # Given an agent who can hold one conversation, and a second customer waiting
    agent = make_agent("solo", region_a, capacity=1)
    first = inbound(CustomerFactory(region=region_a))
    second = inbound(CustomerFactory(region=region_a))
    assert first.assigned_to == agent and second.assigned_to is None
    # When the agent closes the first conversation and the minute's sweep runs
    set_breakpoint(first, user=agent, state=ThreadState.CLOSED)
    assert routing.route_waiting() == 1
    # Then the waiting customer is the agent's
    second.refresh_from_db()
    assert second.assigned_to == agent
    assert routing.route_waiting() == 0


def test_an_agent_without_configured_languages_takes_their_own(
    region_a: Any, make_agent: Callable[..., Any], inbound: Callable[..., Any]
) -> None:
    # Given an agent whose languages nobody configured (profile and site language: Chinese)
    agent = make_agent("plain", region_a, languages=())
    # Then a Chinese-speaking customer reaches them, an English-speaking one waits
    assert inbound(CustomerFactory(region=region_a, language="zh-hans")).assigned_to == agent
    assert inbound(CustomerFactory(region=region_a, language="en")).assigned_to is None


def test_an_agent_coming_back_takes_the_most_valuable_waiting_customer_first(
    region_a: Any, make_agent: Callable[..., Any], inbound: Callable[..., Any], vip: Any
) -> None:
    # Given nobody available, a tier-C customer waiting long and a top-tier one since now
    agent = make_agent("returning", region_a, status="away", capacity=1)
    long_waiting = inbound(
        CustomerFactory(region=region_a), started_at=timezone.now() - dt.timedelta(hours=3)
    )
    valuable = inbound(vip)
    # When the agent, who has room for one, becomes available
    actions.set_presence(agent, "available")
    # Then the top-tier customer is theirs; the other still waits
    valuable.refresh_from_db()
    long_waiting.refresh_from_db()
    assert valuable.assigned_to == agent and long_waiting.assigned_to is None
