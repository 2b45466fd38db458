"""An operator processes again the mail that could not be recorded, once the cause is fixed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from hudong.interactions.channels.email import actions
from hudong.interactions.channels.email.models import InboundMail, InboundStatus
from hudong.interactions.models import Interaction
from tests.factories import RegionFactory

pytestmark = pytest.mark.django_db

RAW = b"From: first@mail.example\r\nSubject: hi\r\nMessage-ID: <a-1@mail.example>\r\n\r\nhi\r\n"


def test_mail_that_arrived_before_any_region_existed_is_recorded_when_processed_again(
    admin_client: Any,
) -> None:
    # Given a mail that failed because no region was set up to place a new customer in
    failed = actions.process(actions.store(RAW, source="smtp").pk)
    assert (failed.status, failed.error) == (InboundStatus.FAILED, "interactions.no_region")
    # When the region exists and an operator processes the message again
    RegionFactory(code="east")
    response = admin_client.post(
        "/admin/email_channel/inboundmail/",
        {"action": "process_again", "_selected_action": [failed.pk]},
        follow=True,
        headers={"accept-language": "en"},
    )
    # Then it is on the new customer's timeline, and the page says so
    assert response.status_code == 200
    assert "1 of 1 messages recorded." in response.content.decode()
    assert InboundMail.objects.get(pk=failed.pk).status == InboundStatus.PROCESSED
    assert Interaction.objects.get(external_id="a-1@mail.example").customer.region.code == "east"
    # and the raw message, personal data, is not shown on the admin page
    page = admin_client.get(
        f"/admin/email_channel/inboundmail/{failed.pk}/change/", headers={"accept-language": "en"}
    )
    assert page.status_code == 200 and b"Raw message" not in page.content


def test_raw_copies_of_old_recorded_mail_are_forgotten_but_failed_mail_is_kept(
    region_a: Any,
) -> None:
    # Given a mail recorded 40 days ago, one recorded today and one that failed long ago
    old = actions.process(actions.store(RAW, source="smtp").pk)
    new = actions.process(actions.store(RAW.replace(b"a-1", b"a-2"), source="smtp").pk)
    broken = actions.process(actions.store(b"Subject: no sender\r\n\r\nx", source="smtp").pk)
    long_ago = timezone.now() - dt.timedelta(days=40)
    InboundMail.objects.filter(pk__in=[old.pk, broken.pk]).update(processed_at=long_ago)
    # When the nightly clean-up keeps 30 days
    assert actions.forget_raw(days=30) == 1
    # Then only the old recorded one is gone, and its interaction stays on the timeline
    assert set(InboundMail.objects.values_list("pk", flat=True)) == {new.pk, broken.pk}
    assert Interaction.objects.filter(external_id="a-1@mail.example").exists()
