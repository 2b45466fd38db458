"""Agent measures on a small known dataset equal the figures computed by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from hudong.core.models import Role
from hudong.interactions.actions import Contact, record_interaction
from hudong.interactions.inbox.models import PresenceChange, Transfer
from hudong.interactions.inbox.templatetags.inbox_tags import duration
from tests.factories import CustomerFactory, TeamFactory, make_user

pytestmark = pytest.mark.django_db

MIN = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)


def contact(agent: Any, customer: Any, at: dt.datetime, **kw: Any) -> Any:
    return record_interaction(Contact(agent=agent, customer=customer, started_at=at, **kw))


@pytest.fixture
def t0() -> dt.datetime:
    return (timezone.now() - dt.timedelta(days=2)).replace(microsecond=0)


@pytest.fixture
def dataset(region_a: Any, t0: dt.datetime) -> dict[str, Any]:
    """Two agents of one team over the four hours from t0.

    ann: available from before t0, busy at +1h, away at +2h, available at +3h, offline at
    +3h30 → on duty 2h + 30 min = 9000 s. She takes a 600 s call at +10 min and a 300 s chat
    at +1h10 (handle 900 s; a 1000 s call the day before is outside the period) and answers
    them by email at +25 min and +1h15: first responses of 900 s and 300 s (mean 600 s), four
    contacts. Non-contact 9000 - 900 = 8100 s. She transfers one conversation to bob at +2h.

    bob: available +1h to +1h30 → 1800 s on duty; a 120 s call at +1h05 that nobody has
    answered yet; non-contact 1680 s; one transfer in.
    """
    team = TeamFactory(name="Hotline", region=region_a)
    ann = make_user(Role.AGENT, region_a, username="ann", team=team)
    bob = make_user(Role.AGENT, region_a, username="bob", team=team)
    log = [
        (ann, "available", t0 - HOUR),
        (ann, "busy", t0 + HOUR),
        (ann, "away", t0 + 2 * HOUR),
        (ann, "available", t0 + 3 * HOUR),
        (ann, "offline", t0 + 3 * HOUR + 30 * MIN),
        (bob, "available", t0 + HOUR),
        (bob, "offline", t0 + HOUR + 30 * MIN),
    ]
    for user, status, at in log:
        PresenceChange.objects.create(user=user, status=status, at=at)
    c1, c2, c3 = (CustomerFactory(region=region_a) for _ in range(3))
    contact(ann, c1, t0 - dt.timedelta(days=1), channel="phone", duration_seconds=1000)
    call = contact(ann, c1, t0 + 10 * MIN, channel="phone", duration_seconds=600, new_thread=True)
    chat = contact(ann, c2, t0 + 70 * MIN, channel="webchat", duration_seconds=300)
    for first, at in ((call, 25 * MIN), (chat, 75 * MIN)):
        contact(
            ann,
            first.interaction.customer,
            t0 + at,
            channel="email",
            direction="out",
            thread=first.interaction.thread,
        )
    contact(bob, c3, t0 + 65 * MIN, channel="phone", duration_seconds=120)
    Transfer.objects.create(
        thread=chat.interaction.thread, from_user=ann, to_user=bob, by=ann, at=t0 + 2 * HOUR
    )
    return {"ann": ann, "bob": bob, "supervisor": make_user(Role.SUPERVISOR, region_a)}


def metrics(user: Any, t0: dt.datetime, group: str = "agent") -> dict[str, dict[str, Any]]:
    client = Client()
    client.force_login(user)
    resp = client.get(
        "/api/v1/inbox/metrics",
        {"start": t0.isoformat(), "end": (t0 + 4 * HOUR).isoformat(), "group": group},
    )
    assert resp.status_code == 200, resp.content
    return {row["key"]: row for row in resp.json()["rows"]}


def test_agent_measures_equal_the_hand_computed_figures(
    dataset: dict[str, Any], t0: dt.datetime
) -> None:
    rows = metrics(dataset["supervisor"], t0)
    ann, bob = rows["ann"], rows["bob"]
    assert (ann["first_responses"], ann["first_response_avg_seconds"]) == (2, 600.0)
    assert (ann["handled"], ann["handle_seconds"]) == (4, 900)
    assert (ann["on_duty_seconds"], ann["non_contact_seconds"]) == (9000, 8100)
    assert (ann["transfers_out"], ann["transfers_in"]) == (1, 0)
    assert (bob["first_responses"], bob["first_response_avg_seconds"]) == (0, None)
    assert (bob["handled"], bob["handle_seconds"]) == (1, 120)
    assert (bob["on_duty_seconds"], bob["non_contact_seconds"]) == (1800, 1680)
    assert (bob["transfers_out"], bob["transfers_in"]) == (0, 1)


def test_team_and_region_measures_add_up_their_agents(
    dataset: dict[str, Any], t0: dt.datetime
) -> None:
    team = metrics(dataset["supervisor"], t0, group="team")["Hotline"]
    assert team["agents"] == 2 and sorted(team["members"]) == ["ann", "bob"]
    assert (team["handle_seconds"], team["on_duty_seconds"]) == (1020, 10800)
    assert team["non_contact_seconds"] == 9780
    assert (team["first_responses"], team["first_response_avg_seconds"]) == (2, 600.0)
    assert (team["transfers_out"], team["transfers_in"]) == (1, 1)
    region = metrics(dataset["supervisor"], t0, group="region")["Region A"]
    assert region["handle_seconds"] == 1020  # the supervisor has no contact of their own


def test_an_agent_sees_only_their_own_measures(dataset: dict[str, Any], t0: dt.datetime) -> None:
    assert set(metrics(dataset["bob"], t0)) == {"bob"}


def test_the_metrics_page_shows_durations_as_people_read_them(
    dataset: dict[str, Any], t0: dt.datetime
) -> None:
    assert (duration(9000), duration(59.6), duration(None)) == ("2:30:00", "0:01:00", "—")
    client = Client()
    client.force_login(dataset["supervisor"])
    day = timezone.localtime(t0).date()
    html = client.get(
        "/inbox/metrics/", {"start": day.isoformat(), "end": day.isoformat()}
    ).content.decode()
    # The page's figures for that local day are the API's for the same period
    start = timezone.make_aware(dt.datetime.combine(day, dt.time()))
    api = client.get(
        "/api/v1/inbox/metrics",
        {"start": start.isoformat(), "end": (start + dt.timedelta(days=1)).isoformat()},
    ).json()
    ann = next(r for r in api["rows"] if r["key"] == "ann")
    assert ann["on_duty_seconds"] > 0
    for key in ("on_duty_seconds", "non_contact_seconds", "handle_seconds"):
        assert f'data-seconds="{ann[key]}">{duration(ann[key])}<' in html
