"""Shared fixtures: two regions and a user of every role, for the permission tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from hudong.core.models import Role
from tests.factories import CustomerFactory, RegionFactory, make_user


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    """Policy and question caches live per process; each test starts from its database."""
    from hudong.core.scoping import forget_rules
    from hudong.customers.quality import forget_questions

    forget_rules()
    forget_questions()


@pytest.fixture
def region_a() -> Any:
    return RegionFactory(code="region-a", name="Region A")


@pytest.fixture
def region_b() -> Any:
    return RegionFactory(code="region-b", name="Region B")


@pytest.fixture
def agent_a(region_a: Any) -> Any:
    return make_user(Role.AGENT, region_a, username="agent-a")


@pytest.fixture
def admin_user() -> Any:
    return make_user(Role.ADMIN, None, superuser=True, username="root")


@pytest.fixture
def customer_a(region_a: Any) -> Any:
    return CustomerFactory(region=region_a, name="张伟", name_latin="Zhang Wei")


@pytest.fixture
def customer_b(region_b: Any) -> Any:
    return CustomerFactory(region=region_b, name="李娜", name_latin="Li Na")


@pytest.fixture
def asgi_server(transactional_db: Any) -> Iterator[str]:
    """uvicorn serving Hudong's ASGI application (as ``hudong serve`` runs it) on a free port
    of 127.0.0.1, in a thread of this process so it sees the test database."""
    import uvicorn

    from hudong.asgi import application
    from hudong.customers.asgi import close_reader_connections

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(
        application, host="127.0.0.1", port=port, lifespan="off", log_level="warning"
    )
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not instance.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        instance.should_exit = True
        thread.join(timeout=10)
        close_reader_connections()
