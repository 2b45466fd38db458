"""Helpers for the web chat tests: a visitor's widget calls, as the browser makes them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from hudong.core.models import Role
from tests.factories import make_user

TOKEN = "HTTP_X_HUDONG_CHAT_TOKEN"


class Visitor:
    """The widget's side of the protocol, through Django's test client (no login, no cookie)."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.session = ""
        self.token = ""

    def start(self, origin: str = "", **fields: Any) -> Any:
        body = {"name": "王芳", "contact": "13800138000", "message": "我的订单还没到", **fields}
        headers = {"HTTP_ORIGIN": origin} if origin else {}
        response = self.client.post(
            "/chat/w/sessions/", body, content_type="application/json", **headers
        )
        if response.status_code == 201:
            self.session, self.token = response.json()["session"], response.json()["token"]
        return response

    def say(self, text: str, *, token: str | None = None, session: str | None = None) -> Any:
        return self.client.post(
            f"/chat/w/sessions/{session or self.session}/messages/",
            {"text": text},
            content_type="application/json",
            **{TOKEN: self.token if token is None else token},
        )

    def end(self) -> Any:
        return self.client.post(
            f"/chat/w/sessions/{self.session}/end/",
            "{}",
            content_type="application/json",
            **{TOKEN: self.token},
        )

    def events(self) -> list[dict[str, Any]]:
        """Every frame of the chat's event stream (it closes after the chat ended)."""
        response = self.client.get(
            f"/chat/w/sessions/{self.session}/events/", {"token": self.token}
        )
        assert response.status_code == 200, response.content
        raw = b"".join(response.streaming_content).decode()
        frames = []
        for block in raw.split("\n\n"):
            data = [line[6:] for line in block.split("\n") if line.startswith("data: ")]
            if data:
                frames.append(json.loads(data[0]))
        return frames


@pytest.fixture
def visitor() -> Visitor:
    return Visitor(Client())


@pytest.fixture
def agent_client(agent_a: Any) -> Client:
    client = Client()
    client.force_login(agent_a)
    return client


@pytest.fixture
def agent_b(region_b: Any) -> Any:
    return make_user(Role.AGENT, region_b, username="agent-b")
