"""The email channel in a real browser: hostile mail is inert text in the agent's page, files
only download, and the customer's unsubscribe page works under the site's CSP."""

from __future__ import annotations

import smtplib
from email.headerregistry import Address
from email.message import EmailMessage
from html import escape
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from hudong.core.models import Role
from hudong.interactions import consent, policy
from hudong.interactions.models import Interaction
from tests.factories import make_user
from tests.interactions.email.conftest import customer_with_email, wait_for
from tests.web.conftest import Tab
from tests.web.test_browser import _assert_clean, _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYLOADS = [
    "<script>window.__xss=1</script>",
    "<img src=x onerror=window.__xss=1>",
    '"><svg onload=window.__xss=1>',
]
INJECTED = "main script:not([src]), img[src='x'], svg[onload], [onerror], [onload]"


def _assert_inert(tab: Tab, where: str) -> None:
    assert tab.page.evaluate("typeof window.__xss") == "undefined", f"a payload ran on {where}"
    assert tab.page.locator(INJECTED).count() == 0, f"a payload became markup on {where}"
    _assert_clean(tab, where)


def _leave(tab: Tab, url: str) -> None:
    """Go to another page; the old page's live stream is cut by the navigation, not an error."""
    tab.page.goto(url)
    tab.console.errors = [
        e for e in tab.console.errors if not ("/live/" in e and "ERR_ABORTED" in e)
    ]


def test_a_hostile_mail_shows_as_text_and_its_file_only_downloads(
    tab: Tab, live_server: Any, receiver: tuple[str, int], region_a: Any, tmp_path: Path
) -> None:
    page, base = tab.page, live_server.url
    agent = make_user(Role.AGENT, region_a, username="agent-mail")
    # Given a customer known by email
    customer = customer_with_email(region_a, "attacker@mail.example", name="Mallory")
    # When they send a mail whose subject, body, HTML and file name are script payloads
    mail = EmailMessage()
    mail["From"] = Address(PAYLOADS[2], addr_spec="ATTACKER@mail.example")
    mail["To"] = "service@shop.example"
    mail["Subject"] = PAYLOADS[0]
    mail["Message-ID"] = "<xss-1@mail.example>"
    mail.set_content(PAYLOADS[1])
    mail.add_alternative(
        f"<p>{escape(PAYLOADS[1])}</p>{PAYLOADS[1]}<script>window.__xss=1</script>", subtype="html"
    )
    mail.add_attachment(
        b"<script>window.__xss=1</script>",
        maintype="text",
        subtype="html",
        filename=f"{PAYLOADS[1]}.html",
    )
    with smtplib.SMTP(*receiver, timeout=10) as smtp:
        smtp.send_message(mail, "attacker@mail.example", ["service@shop.example"])
    wait_for(lambda: Interaction.objects.filter(external_id="xss-1@mail.example").exists())
    # Then the agent's customer page shows the payloads as text and runs none of them
    _log_in(tab, base, agent.username)
    _leave(tab, f"{base}/customers/{customer.pk}/")
    timeline = page.locator("[data-testid=timeline]")
    expect(timeline).to_contain_text(PAYLOADS[0])
    expect(timeline).to_contain_text(PAYLOADS[1])
    mails = page.locator("[data-testid=email-messages] a")
    expect(mails).to_have_count(1)
    expect(page.locator("[data-testid=email-messages]")).to_contain_text("1 file")
    _assert_inert(tab, "the customer page")
    # and the mail read in full shows the same text, its HTML only in a sandboxed frame
    mails.click()
    expect(page.locator("main h1")).to_have_text(PAYLOADS[0])
    expect(page.locator("[data-testid=email-text]")).to_have_text(PAYLOADS[1])
    page.locator("details summary").click()
    expect(page.locator("iframe.mail-html")).to_have_attribute("sandbox", "")
    expect(page.frame_locator("iframe.mail-html").locator("p")).to_have_text(PAYLOADS[1])
    assert page.frame_locator("iframe.mail-html").locator("script, img, [onerror]").count() == 0
    files = page.locator("[data-testid=email-attachments] a")
    expect(files).to_have_count(1)
    expect(files).to_contain_text("onerror")
    _assert_inert(tab, "the email page")
    # and the file comes down as a download, never opened as a page
    files.scroll_into_view_if_needed()
    with page.expect_download() as download:
        files.click()
    saved = tmp_path / "file"
    download.value.save_as(saved)
    assert saved.read_bytes() == b"<script>window.__xss=1</script>"
    _assert_inert(tab, "the email page after the download")


def test_the_unsubscribe_page_works_in_a_browser_without_logging_in(
    tab: Tab, live_server: Any, region_a: Any
) -> None:
    page, base = tab.page, live_server.url
    customer = customer_with_email(region_a, "reader@mail.example")
    consent.record(customer, purpose="marketing", granted=True, source="signup")
    page.goto(f"{base}/email/unsubscribe/{consent.unsubscribe_token(customer)}/")
    expect(page.locator("button[data-action=unsubscribe]")).to_be_visible()
    assert policy.consent(customer, "email", "marketing")
    page.click("button[data-action=unsubscribe]")
    expect(page.locator("[data-testid=unsubscribed]")).to_be_visible()
    _assert_clean(tab, "the unsubscribe pages")
    assert not policy.consent(customer, "email", "marketing")
    assert not policy.consent(customer, "sms", "marketing")
    assert policy.consent(customer, "email", "service")
