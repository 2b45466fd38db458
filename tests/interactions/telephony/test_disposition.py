"""After the call: the agent records the outcome and where the conversation stands, and the
screen pop's compact 360 view opens inside the agent's page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from hudong.interactions.channels.telephony.models import Extension
from hudong.interactions.models import Interaction, Thread, ThreadState
from tests.factories import make_user
from tests.interactions.telephony.helpers import SECRET, event, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(client: Any, agent_a: Any, customer_a: Any) -> Interaction:
    """A 90-second call from customer A, taken by agent A at 8001."""
    customer_a.identifiers.create(kind="phone", value="13800138000", normalized="+8613800138000")
    Extension.objects.create(number="8001", user=agent_a)
    with override_settings(HUDONG_CTI_SECRET=SECRET):
        post(client, event("ringing", "d-1", caller="138-0013-8000", extension="8001"))
        post(client, event("answered", "d-1", extension="8001"))
        post(client, event("ended", "d-1", extension="8001", duration=90))
    return Interaction.objects.get(external_id="d-1")


def test_the_disposition_form_saves_outcome_next_step_due_date_and_state(
    client: Any, agent_a: Any, call: Interaction
) -> None:
    client.force_login(agent_a)
    url = f"/cti/calls/{call.pk}/disposition/"
    page = client.get(url)
    assert page.status_code == 200
    assert call.customer.name in page.content.decode()
    response = client.post(
        url,
        {
            "outcome": "答应退款",
            "next_step": "财务确认后回电",
            "next_step_due": "2030-01-15T10:00",
            "state": ThreadState.WAITING_US,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{call.customer_id}/"
    call.refresh_from_db()
    thread = Thread.objects.get(pk=call.thread_id)
    assert call.outcome == "答应退款"
    assert thread.next_step == "财务确认后回电"
    assert thread.next_step_due is not None and thread.next_step_due.year == 2030
    assert thread.state == ThreadState.WAITING_US
    # The customer page now leads with that breakpoint
    customer_page = client.get(response["Location"]).content.decode()
    assert "财务确认后回电" in customer_page


def test_an_empty_outcome_is_refused_and_nothing_changes(
    client: Any, agent_a: Any, call: Interaction
) -> None:
    client.force_login(agent_a)
    response = client.post(f"/cti/calls/{call.pk}/disposition/", {"outcome": "", "state": "open"})
    assert response.status_code == 422
    call.refresh_from_db()
    assert call.outcome == ""


def test_an_agent_of_another_region_cannot_see_the_call(
    client: Any, call: Interaction, region_b: Any
) -> None:
    stranger = make_user("agent", region_b, username="agent-b")
    client.force_login(stranger)
    assert client.get(f"/cti/calls/{call.pk}/disposition/").status_code == 404
    assert client.post(f"/cti/calls/{call.pk}/disposition/", {"outcome": "x"}).status_code == 404


def test_the_disposition_api_closes_the_conversation(
    client: Any, agent_a: Any, call: Interaction
) -> None:
    client.force_login(agent_a)
    response = client.post(
        f"/api/v1/cti/calls/{call.pk}/disposition",
        data={"outcome": "已解决", "state": "closed"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "closed"
    assert Thread.objects.get(pk=call.thread_id).closed_at is not None
    bad = client.post(
        f"/api/v1/cti/calls/{call.pk}/disposition",
        data={"outcome": "x", "state": "sleeping"},
        content_type="application/json",
    )
    assert (bad.status_code, bad.json()["code"]) == (422, "interactions.state_unknown")


def test_the_compact_360_view_may_be_framed_by_hudong_pages_only(
    client: Any, agent_a: Any, call: Interaction
) -> None:
    client.force_login(agent_a)
    response = client.get(f"/cti/pop/{call.customer_id}/")
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert "script-src 'none'" in response["Content-Security-Policy"]
    assert call.customer.name in response.content.decode()
