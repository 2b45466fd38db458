"""The satisfaction follow-up (D3, G1): a survey on closing, answered through a signed link."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core import signing
from django.test import Client

from hudong.core.errors import DomainError
from hudong.core.models import LiveMessage, Role
from hudong.service import csat
from hudong.service.models import Case, CaseNote, CsatSurvey
from tests.factories import TeamFactory, make_user
from tests.service.conftest import FakeSms
from tests.service.factories_recovery import (
    S,
    closed_case,
    deliver_events,
    reachable_by_sms,
    walk,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_quiet_hours(settings: Any) -> None:
    """A survey is a proactive message: in the customer's night it waits for the morning (a
    test of its own below). The other tests run at any hour."""
    settings.HUDONG_QUIET_HOURS = ""
    settings.HUDONG_PUBLIC_URL = "https://crm.example.cn"


def _link(sent: Any) -> str:
    found = re.search(r"https://crm\.example\.cn(/survey/[^/\s]+/)", sent.body)
    assert found, sent.body
    return found.group(1)


def _token(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


def _closed_and_surveyed(sms: FakeSms, customer: Any, agent: Any) -> tuple[Case, str]:
    reachable_by_sms(customer)
    case = closed_case(customer, agent)
    deliver_events()
    [sent] = sms.sent
    return case, _link(sent)


def test_closing_sends_one_survey_with_a_working_link(
    sms: FakeSms, customer_a: Any, agent_a: Any
) -> None:
    # Given a customer reachable by SMS whose case the agent closes
    reachable_by_sms(customer_a)
    case = closed_case(customer_a, agent_a)
    # When the worker delivers the events (twice: delivery is at least once)
    deliver_events()
    csat.send_survey(case.pk)
    deliver_events()
    # Then one survey went out, on the customer's channel, as a service message
    [sent] = sms.sent
    assert (sent.channel, sent.purpose, sent.to) == ("sms", "service", "+8613800138000")
    assert case.number in sent.body
    [survey] = CsatSurvey.objects.filter(case=case)
    assert survey.channel == "sms" and survey.outbound_id == sent.pk
    # And the follow-up step of the checklist is done
    assert case.checklist.get(code="follow-up").done_at is not None
    # And the link opens the survey without a login
    page = Client().get(_link(sent))
    assert page.status_code == 200 and 'data-testid="csat-form"' in page.content.decode()


def test_a_case_reopened_and_closed_again_gets_a_new_survey(
    sms: FakeSms, customer_a: Any, agent_a: Any
) -> None:
    case, _ = _closed_and_surveyed(sms, customer_a, agent_a)
    walk(case, agent_a, S.IN_PROGRESS, S.RESOLVED, S.CLOSED)
    deliver_events()
    assert CsatSurvey.objects.filter(case=case).count() == 2 and len(sms.sent) == 2


def test_a_case_reopened_before_the_worker_ran_gets_no_survey(
    sms: FakeSms, customer_a: Any, agent_a: Any
) -> None:
    reachable_by_sms(customer_a)
    case = closed_case(customer_a, agent_a)
    walk(case, agent_a, S.IN_PROGRESS)
    deliver_events()
    assert not CsatSurvey.objects.exists() and sms.sent == []


def test_in_the_customers_night_the_survey_waits_for_the_morning(
    sms: FakeSms, customer_a: Any, agent_a: Any, settings: Any
) -> None:
    settings.HUDONG_QUIET_HOURS = "00:00-23:59"
    reachable_by_sms(customer_a)
    case = closed_case(customer_a, agent_a)
    deliver_events()
    [survey] = CsatSurvey.objects.filter(case=case)
    assert sms.sent == [] and survey.outbound is not None
    assert (survey.outbound.status, survey.outbound.reason) == (
        "queued",
        "interactions.quiet_hours",
    )


def test_a_customer_no_channel_reaches_gets_a_note_on_the_case(
    sms: FakeSms, customer_a: Any, agent_a: Any
) -> None:
    # Given a customer with no phone
    case = closed_case(customer_a, agent_a)
    # When the survey is due, nothing can carry it: the case says so, and the worker does
    # not retry forever
    deliver_events()
    [survey] = CsatSurvey.objects.filter(case=case)
    assert survey.outbound is None and sms.sent == []
    assert CaseNote.objects.filter(case=case, internal=True).count() == 1
    assert case.checklist.get(code="follow-up").done_at is None


def test_the_answer_lands_on_the_survey_and_the_case(
    sms: FakeSms, customer_a: Any, agent_a: Any
) -> None:
    # Given a closed case whose survey went out
    case, link = _closed_and_surveyed(sms, customer_a, agent_a)
    client = Client()
    client.get(link)
    # When the customer answers 5 with a comment
    resp = client.post(link, {"score": "5", "comment": "<b>很满意</b>，谢谢！"})
    # Then they are thanked, and the answer is on the survey and the case
    assert resp.status_code == 200 and 'data-testid="csat-done"' in resp.content.decode()
    survey = CsatSurvey.objects.get(case=case)
    assert (survey.score, survey.comment) == (5, "<b>很满意</b>，谢谢！")
    assert survey.answered_at is not None
    case.refresh_from_db()
    assert (case.csat_score, case.status) == (5, "closed")
    # And the agent sees it on the case page, escaped
    agent = Client()
    agent.force_login(agent_a)
    page = agent.get(f"/service/cases/{case.pk}/").content.decode()
    assert 'data-state="answered"' in page and "5/5" in page
    assert "<b>很满意</b>" not in page and "&lt;b&gt;很满意&lt;/b&gt;" in page
    # And the API returns it
    [got] = agent.get(f"/api/v1/cases/{case.pk}/csat").json()
    assert (got["score"], got["delivery"]) == (5, "sent")


def test_answering_twice_keeps_the_first_answer(
    sms: FakeSms, customer_a: Any, agent_a: Any
) -> None:
    case, link = _closed_and_surveyed(sms, customer_a, agent_a)
    client = Client()
    client.post(link, {"score": "4"})
    resp = client.post(link, {"score": "1", "comment": "改主意了"})
    assert 'data-again="1"' in resp.content.decode()
    case.refresh_from_db()
    assert case.csat_score == 4 and case.status == "closed"
    api = Client().post(
        f"/api/v1/csat/{_token(link)}",
        data=json.dumps({"score": 2}),
        content_type="application/json",
    )
    assert (api.status_code, api.json()["code"]) == (409, "csat.already_answered")


def test_a_low_score_reopens_the_case_and_alerts_the_supervisors(
    sms: FakeSms, customer_a: Any, agent_a: Any, region_a: Any
) -> None:
    # Given a case of a team with a supervisor, closed and surveyed
    team = TeamFactory()
    boss = make_user(Role.SUPERVISOR, region_a, username="boss-a", team=team)
    reachable_by_sms(customer_a)
    case = closed_case(customer_a, agent_a, team=team)
    deliver_events()
    link = _link(sms.sent[0])
    # When the customer answers 2 through the public API
    resp = Client().post(
        f"/api/v1/csat/{_token(link)}",
        data=json.dumps({"score": 2, "comment": "还是没修好"}),
        content_type="application/json",
    )
    assert resp.status_code == 200, resp.content
    # Then the case is back in progress, reopened by the system
    case.refresh_from_db()
    assert (case.status, case.reopened_count, case.csat_score) == ("in_progress", 1, 2)
    # And the supervisor got a live alert, and the case an internal note with the comment
    alert = LiveMessage.objects.get(user=boss, topic="service.csat")
    assert alert.payload["case_id"] == case.pk and alert.payload["score"] == 2
    note = CaseNote.objects.filter(case=case, internal=True).last()
    assert note is not None and "还是没修好" in note.body and note.author_id is None


def test_the_reopen_is_a_setting(
    sms: FakeSms, customer_a: Any, agent_a: Any, settings: Any
) -> None:
    settings.HUDONG_CSAT_REOPEN_ON_LOW = False
    settings.HUDONG_CSAT_LOW_SCORE = 3
    case, link = _closed_and_surveyed(sms, customer_a, agent_a)
    csat.answer(_token(link), 3)
    case.refresh_from_db()
    assert case.status == "closed"
    # the note still tells the team (no supervisor: the assignee would be told)
    assert CaseNote.objects.filter(case=case, internal=True).exists()


@pytest.mark.parametrize(
    "token",
    ["nonsense", "MQ:1kAAAA:tampered", signing.dumps(1, salt="another.salt"), "x" * 300],
    # fixed ids: a signed token carries the time, and parallel workers must collect alike
    ids=["nonsense", "tampered", "other-salt", "too-long"],
)
def test_a_tampered_link_is_a_clear_error(token: str) -> None:
    resp = Client().get(f"/survey/{token}/")
    assert resp.status_code == 400
    assert "csat.link_invalid" in resp.content.decode()
    api = Client().post(
        f"/api/v1/csat/{token}", data=json.dumps({"score": 5}), content_type="application/json"
    )
    assert (api.status_code, api.json()["code"]) == (400, "csat.link_invalid")


def test_a_link_to_another_survey_id_signed_elsewhere_cannot_be_forged(
    sms: FakeSms, customer_a: Any, agent_a: Any
) -> None:
    _case, link = _closed_and_surveyed(sms, customer_a, agent_a)
    value, rest = _token(link).split(":", 1)
    forged = f"{value}x:{rest}"
    with pytest.raises(DomainError) as exc:
        csat.answer(forged, 5)
    assert exc.value.code == "csat.link_invalid"


def test_an_expired_link_says_so(
    sms: FakeSms, customer_a: Any, agent_a: Any, settings: Any
) -> None:
    _case, link = _closed_and_surveyed(sms, customer_a, agent_a)
    settings.HUDONG_CSAT_LINK_DAYS = -1
    resp = Client().get(link)
    assert resp.status_code == 410 and "csat.link_expired" in resp.content.decode()


@pytest.mark.parametrize("score", ["0", "6", "abc", ""])
def test_a_score_out_of_range_is_asked_again(
    sms: FakeSms, customer_a: Any, agent_a: Any, score: str
) -> None:
    case, link = _closed_and_surveyed(sms, customer_a, agent_a)
    client = Client()
    resp = client.post(link, {"score": score})
    assert resp.status_code == 422 and 'data-testid="csat-form"' in resp.content.decode()
    assert CsatSurvey.objects.get(case=case).answered_at is None


def test_the_survey_page_speaks_english_and_chinese(
    sms: FakeSms, customer_a: Any, agent_a: Any
) -> None:
    _case, link = _closed_and_surveyed(sms, customer_a, agent_a)
    en = Client(HTTP_ACCEPT_LANGUAGE="en").get(link).content.decode()
    assert "How did we do?" in en and 'lang="en"' in en
    zh = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(link).content.decode()
    assert 'lang="zh-hans"' in zh


def test_a_survey_the_policy_refuses_leaves_a_note_and_the_step_open(
    sms: FakeSms, customer_a: Any, agent_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a customer the policy refuses service messages to at the moment of sending
    from hudong.interactions import policy

    reachable_by_sms(customer_a)
    case = closed_case(customer_a, agent_a)
    monkeypatch.setattr(
        policy, "decide", lambda *a, **k: policy.Decision(False, "interactions.consent_withdrawn")
    )
    # When the survey is due
    deliver_events()
    # Then nothing went out, the case says why, and the follow-up step is left to the agent
    [survey] = CsatSurvey.objects.filter(case=case)
    assert sms.sent == [] and survey.outbound is not None
    assert survey.outbound.status == "refused"
    note = CaseNote.objects.get(case=case, internal=True)
    assert "interactions.consent_withdrawn" in note.body
    assert case.checklist.get(code="follow-up").done_at is None
