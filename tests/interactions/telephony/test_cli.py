"""``hudong cti_event``: a signed event posted over real HTTP to a running server."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import CommandError, call_command

from hudong.core.models.live import LiveMessage
from hudong.interactions.channels.telephony.models import Extension
from tests.interactions.telephony.helpers import SECRET

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_command_rings_an_agent_through_a_running_server(
    live_server: Any, settings: Any, agent_a: Any, customer_a: Any, capsys: Any
) -> None:
    settings.HUDONG_CTI_SECRET = SECRET
    customer_a.identifiers.create(kind="phone", value="13800138000", normalized="+8613800138000")
    Extension.objects.create(number="8001", user=agent_a)
    call_command(
        "cti_event",
        "ringing",
        "--url",
        live_server.url,
        "--caller",
        "138-0013-8000",
        "--extension",
        "8001",
    )
    assert capsys.readouterr().out.startswith("200 ")
    (pop,) = LiveMessage.objects.filter(user_id=agent_a.pk, topic="screen_pop")
    assert customer_a.name in pop.payload["title"]


def test_a_wrong_secret_is_reported_as_refused(live_server: Any, settings: Any) -> None:
    settings.HUDONG_CTI_SECRET = SECRET
    with pytest.raises(CommandError, match="refused"):
        call_command("cti_event", "ringing", "--url", live_server.url, "--secret", "wrong")
