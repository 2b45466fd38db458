"""The web UI in a real browser: log in, switch language, walk the navigation, find a customer.

Runs Debian's Chromium against pytest-django's live server (a real HTTP server on 127.0.0.1),
so CSP, cookies, CSRF, redirects and static files are exercised as a user meets them. Any
console error (CSP violations included) fails the page that caused it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils.translation import to_locale
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tests.web.conftest import Tab

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What the page must say in each language. "Log out" must not stay English in Chinese.
EXPECTED = {
    "en": {"customers": "Customers", "logout": "Log out"},
    "zh-hans": {"customers": "客户"},
}
OTHER = {"en": "zh-hans", "zh-hans": "en"}


def _catalogue_compiled(lang: str) -> bool:
    """Whether the project ships a compiled catalogue for ``lang`` (English needs none)."""
    if lang == "en":
        return True
    locale = to_locale(lang)
    return any(
        (Path(p) / locale / "LC_MESSAGES" / "django.mo").exists() for p in settings.LOCALE_PATHS
    )


def _assert_clean(tab: Tab, where: str) -> None:
    errors = tab.console.take()
    assert not errors, f"browser errors on {where}:\n" + "\n".join(errors)


def _goto(tab: Tab, url: str) -> Any:
    response = tab.page.goto(url)
    assert response is not None and response.status == 200, f"{url}: {response and response.status}"
    return response


def _log_in(tab: Tab, base_url: str, username: str) -> None:
    page = tab.page
    _goto(tab, f"{base_url}/")  # anonymous: redirected to the login page
    assert "/login/" in page.url
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation() as nav:
        page.click("main form button.primary")
    assert nav.value is not None and nav.value.status == 200
    assert page.url.rstrip("/") == base_url, f"landed on {page.url}, not the home page"
    expect(page.locator("button[data-action=logout]")).to_be_visible()
    _assert_clean(tab, "login and home page")


def _switch_language(tab: Tab, lang: str) -> None:
    page = tab.page
    button = page.locator(f"button[data-lang={lang}]")
    with page.expect_navigation() as nav:
        button.click()
    assert nav.value is not None and nav.value.status == 200
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator(f"button[data-lang={lang}]")).to_have_attribute("aria-pressed", "true")
    _assert_clean(tab, f"switch to {lang}")


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_agent_session_in_each_language(
    tab: Tab, live_server: Any, lang: str, agent_a: Any, customer_a: Any, customer_b: Any
) -> None:
    page, base = tab.page, live_server.url
    _log_in(tab, base, agent_a.username)

    # The browser asks for English. Reach ``lang`` from the other language with the buttons.
    if page.locator(f"button[data-lang={OTHER[lang]}]").is_enabled():
        _switch_language(tab, OTHER[lang])
    _switch_language(tab, lang)
    tab.snap(f"desktop-{lang}-home")
    customers_label = page.locator("nav.mainnav a[data-nav=customers]").inner_text().strip()
    logout_label = page.locator("button[data-action=logout]").inner_text().strip()
    untranslated: list[str] = []
    if customers_label != EXPECTED[lang]["customers"]:
        untranslated.append(f"nav label {customers_label!r} != {EXPECTED[lang]['customers']!r}")
    if lang == "en" and logout_label != EXPECTED["en"]["logout"]:
        untranslated.append(f"logout button {logout_label!r} != 'Log out'")
    if lang != "en" and logout_label == EXPECTED["en"]["logout"]:
        untranslated.append(f"logout button still English: {logout_label!r}")
    assert not untranslated or not _catalogue_compiled(lang), "; ".join(untranslated)

    # Every entry of the main navigation loads, is marked current, and is error-free.
    keys = page.locator("nav.mainnav a").evaluate_all("els => els.map(e => e.dataset.nav)")
    assert "home" in keys and "customers" in keys, keys
    assert "system" not in keys and "audit" not in keys, f"an agent sees staff pages: {keys}"
    for key in keys:
        with page.expect_navigation() as nav:
            page.click(f"nav.mainnav a[data-nav={key}]")
        assert nav.value is not None and nav.value.status == 200, f"{key}: {nav.value.status}"
        expect(page.locator("html")).to_have_attribute("lang", lang)
        current = page.locator("nav.mainnav a[aria-current=page]")
        expect(current).to_have_attribute("data-nav", key)
        tab.snap(f"desktop-{lang}-nav-{key}")
        _assert_clean(tab, f"nav {key} ({page.url})")

    # Find a customer by name from the home page and open the customer page.
    with page.expect_navigation():
        page.click("nav.mainnav a[data-nav=home]")
    page.fill("main form.search input[name=q]", customer_a.name)
    with page.expect_navigation() as nav:
        page.click("main form.search button[type=submit]")
    assert nav.value is not None and nav.value.status == 200
    assert "/customers/" in page.url
    results = page.locator("[data-testid=customer-results] tbody a")
    expect(results).to_have_count(1)
    expect(results.first).to_have_text(customer_a.name)
    tab.snap(f"desktop-{lang}-search")
    with page.expect_navigation() as nav:
        results.first.click()
    assert nav.value is not None and nav.value.status == 200
    assert page.url.rstrip("/").endswith(f"/customers/{customer_a.pk}")
    expect(page.locator("main h1")).to_contain_text(customer_a.name)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    tab.snap(f"desktop-{lang}-customer")
    _assert_clean(tab, "search and customer page")

    # A customer of another region is not found by this agent.
    with page.expect_navigation():
        page.click("nav.mainnav a[data-nav=home]")
    page.fill("main form.search input[name=q]", customer_b.name)
    with page.expect_navigation():
        page.click("main form.search button[type=submit]")
    expect(page.locator("[data-testid=customer-results] tbody a")).to_have_count(0)
    _assert_clean(tab, "search outside the agent's region")

    # Log out: back on the login page, and the home page asks to log in again.
    with page.expect_navigation() as nav:
        page.click("button[data-action=logout]")
    assert "/login/" in page.url
    _goto(tab, f"{base}/")
    assert "/login/" in page.url
    expect(page.locator("button[data-action=logout]")).to_have_count(0)
    _assert_clean(tab, "logout")

    if untranslated:
        pytest.xfail(f"{lang} catalogue not compiled yet: " + "; ".join(untranslated))


def test_admin_walks_every_navigation_entry(tab: Tab, live_server: Any, admin_user: Any) -> None:
    """Staff pages too: every entry an administrator sees loads cleanly."""
    page = tab.page
    _log_in(tab, live_server.url, admin_user.username)
    keys = page.locator("nav.mainnav a").evaluate_all("els => els.map(e => e.dataset.nav)")
    assert {"home", "customers", "system", "audit"} <= set(keys), keys
    for key in keys:
        with page.expect_navigation() as nav:
            page.click(f"nav.mainnav a[data-nav={key}]")
        assert nav.value is not None and nav.value.status == 200, f"{key}: {nav.value.status}"
        expect(page.locator("nav.mainnav a[aria-current=page]")).to_have_attribute("data-nav", key)
        tab.snap(f"desktop-admin-nav-{key}")
        _assert_clean(tab, f"nav {key} ({page.url})")


def test_phone_navigation_through_the_menu_toggle(
    phone_tab: Tab, live_server: Any, agent_a: Any, customer_a: Any
) -> None:
    tab, page = phone_tab, phone_tab.page
    _log_in(tab, live_server.url, agent_a.username)
    nav = page.locator("nav.mainnav")
    toggle = page.locator("label.nav-toggle-label")
    expect(toggle).to_be_visible()
    expect(nav).to_be_hidden()
    tab.snap("phone-home-menu-closed")
    toggle.click()
    expect(nav).to_be_visible()
    tab.snap("phone-home-menu-open")
    with page.expect_navigation() as response:
        nav.locator("a[data-nav=customers]").click()
    assert response.value is not None and response.value.status == 200
    expect(page.locator("[data-testid=customer-results]")).to_be_visible()
    expect(nav).to_be_hidden()  # a new page starts with the menu closed
    tab.snap("phone-customers")
    _assert_clean(tab, "phone navigation")
    for url in ("/", "/customers/", f"/customers/{customer_a.pk}/"):
        _goto(tab, live_server.url + url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{url} scrolls sideways at phone width ({width}px wide)"
        tab.snap(f"phone-{url.strip('/').replace('/', '-') or 'home'}")
    _assert_clean(tab, "phone pages")
