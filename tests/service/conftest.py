"""Fixtures of the service tests: a case in region A, a fake channel that records what it sends."""

from __future__ import annotations

from typing import Any

import pytest

from hudong.interactions import channels
from hudong.interactions.channels import Sender
from hudong.service import actions
from hudong.service.models import Case, CaseCategory


def category(code: str = "delivery") -> CaseCategory:
    return CaseCategory.objects.get(code=code)


def open_case(customer: Any, user: Any = None, **kw: Any) -> Case:
    kw.setdefault("category", category(kw.pop("code", "delivery")))
    kw.setdefault("subject", "快递三天没到")
    return actions.open_case(customer, user=user, **kw)


@pytest.fixture
def case_a(customer_a: Any, agent_a: Any) -> Case:
    return open_case(customer_a, agent_a)


class FakeSms:
    """A channel that sends to the customer's phone and remembers what it sent."""

    def __init__(self) -> None:
        self.sent: list[Any] = []

    def deliver(self, message: Any) -> str:
        self.sent.append(message)
        return f"fake-{len(self.sent)}"


@pytest.fixture
def sms(monkeypatch: pytest.MonkeyPatch) -> FakeSms:
    fake = FakeSms()
    monkeypatch.setattr(channels, "_SENDERS", {"sms": Sender("sms", "phone", fake.deliver)})
    return fake
