"""Fixtures for the real-browser tests: Debian's Chromium driven by Playwright.

The browser is the system one (``/usr/bin/chromium``); nothing is downloaded. Outside CI a
machine without it skips the browser tests; under CI (``CI`` set) a missing browser fails.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API keeps an asyncio loop alive in this thread; Django's ORM would refuse
# to run "inside" it. The tests only call the ORM from plain synchronous code, so this is safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
# Serve the live server on 127.0.0.1 ("localhost" may resolve to ::1 first).
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} is not installed (apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class ConsoleLog:
    """Console errors, uncaught page errors and failed responses, collected per page."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def attach(self, page: Any) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        page.on("requestfailed", self._on_request_failed)

    def _on_console(self, msg: Any) -> None:
        # CSP violations ("Refused to load/execute/apply …") are reported as console errors.
        if msg.type == "error":
            self.errors.append(f"console error at {msg.location.get('url', '?')}: {msg.text}")

    def _on_request_failed(self, request: Any) -> None:
        # Leaving a page aborts what is still in flight that the page did not ask for: its live
        # event stream, and the favicon the browser fetches on its own. Neither is an error.
        aborted = "ERR_ABORTED" in (request.failure or "")
        if aborted and (
            request.resource_type == "eventsource" or request.url.endswith("/favicon.svg")
        ):
            return
        self.errors.append(f"request failed: {request.method} {request.url}: {request.failure}")

    def take(self) -> list[str]:
        errors, self.errors = self.errors, []
        return errors


@dataclass
class Tab:
    """A browser tab with what the tests need beside it."""

    page: Any
    console: ConsoleLog
    screenshots: Path
    keep_all: bool = False

    def snap(self, name: str) -> None:
        """A screenshot for a human to look at, only when HUDONG_SCREENSHOT_DIR asks for them."""
        if self.keep_all:
            self.shot(name)

    def shot(self, name: str) -> Path:
        path = self.screenshots / f"{re.sub(r'[^\w.-]+', '_', name)}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """On a failed browser test, screenshot every open tab and name the files in the report."""
    report = yield
    if report.when == "call" and report.failed:
        funcargs = getattr(item, "funcargs", {})
        for name in ("tab", "phone_tab"):
            tab = funcargs.get(name)
            if not isinstance(tab, Tab):
                continue
            try:
                shot = tab.shot(f"FAILED-{item.name}-{name}")
                report.sections.append(("screenshot", f"{name} at {tab.page.url}: {shot}"))
            except Exception as exc:  # the page may be gone; the failure itself matters more
                report.sections.append(("screenshot", f"{name}: none ({exc})"))
    return report


def _screenshot_dir(tmp_path: Path) -> Path:
    """Screenshots go to the test's temp dir, or to HUDONG_SCREENSHOT_DIR when set."""
    wanted = os.environ.get("HUDONG_SCREENSHOT_DIR")
    folder = Path(wanted) if wanted else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _open_page(browser: Any, tmp_path: Path, viewport: dict[str, int]) -> Iterator[Tab]:
    context = browser.new_context(viewport=viewport, locale="en-US")
    context.set_default_timeout(15_000)
    tab = Tab(
        page=context.new_page(),
        console=ConsoleLog(),
        screenshots=_screenshot_dir(tmp_path),
        keep_all=bool(os.environ.get("HUDONG_SCREENSHOT_DIR")),
    )
    tab.console.attach(tab.page)
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture
def tab(browser: Any, tmp_path: Path) -> Iterator[Tab]:
    """A fresh desktop-sized browser tab (own cookies) with console errors collected."""
    yield from _open_page(browser, tmp_path, DESKTOP)


@pytest.fixture
def phone_tab(browser: Any, tmp_path: Path) -> Iterator[Tab]:
    """The same at phone width (390x844)."""
    yield from _open_page(browser, tmp_path, PHONE)
