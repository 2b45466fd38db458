"""The SMS channel under test: Hudong on a live server and the local gateway on 127.0.0.1,
talking Twilio's protocol to each other over real HTTP both ways."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from hudong.interactions.channels.sms.gateway import LocalGateway
from tests.web.conftest import browser, tab  # noqa: F401  (the real-browser fixtures)

os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

ACCOUNT = "AC" + "1" * 32
TOKEN = "test-auth-token-7f3a"
OUR_NUMBER = "+8610690001"


@pytest.fixture
def gateway(live_server: Any, settings: Any) -> Iterator[LocalGateway]:
    """A running gateway, with Hudong configured to send through it and be called back."""
    gw = LocalGateway(
        ACCOUNT, TOKEN, inbound_url=f"{live_server.url}/sms/inbound/", callback_delay=0.2
    ).start()
    settings.HUDONG_SMS_BASE_URL = gw.url
    settings.HUDONG_SMS_ACCOUNT_SID = ACCOUNT
    settings.HUDONG_SMS_AUTH_TOKEN = TOKEN
    settings.HUDONG_SMS_FROM = OUR_NUMBER
    settings.HUDONG_PUBLIC_URL = live_server.url
    settings.HUDONG_QUIET_HOURS = ""  # the tests run at any hour; quiet hours have their own
    try:
        yield gw
    finally:
        gw.stop()


def wait_until(check: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Poll until ``check()`` is truthy (the gateway calls back on its own threads)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)
