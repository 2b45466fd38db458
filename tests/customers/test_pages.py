"""Customer pages: pinyin search, the 360 page with drip questions, the review queue, merge
history with undo, the data-quality work list."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from hudong.core.models import Role
from hudong.customers import actions
from hudong.customers.models import Attribute, Customer, MatchCandidate, MergeRecord
from tests.factories import CustomerFactory, make_user


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _stale_attribute(customer: Customer, key: str, value: str) -> Attribute:
    """An attribute last confirmed long past any freshness limit."""
    return Attribute.objects.create(
        customer=customer,
        key=key,
        value=value,
        verified_at=timezone.now() - dt.timedelta(days=800),
    )


@pytest.fixture
def supervisor_a(region_a: Any) -> Any:
    return make_user(Role.SUPERVISOR, region_a, username="sup-a")


@pytest.mark.django_db
def test_search_by_pinyin_and_by_a_phone_in_another_spelling(agent_a: Any, customer_a: Any) -> None:
    actions.add_identifier(customer_a, "phone", "13800138000")
    client = login(agent_a)
    for q in ["zhang wei", "張偉", "+86 138-0013-8000"]:
        body = client.get("/customers/", {"q": q}).content.decode()
        assert f"/customers/{customer_a.pk}/" in body, q


@pytest.mark.django_db
def test_the_360_page_asks_drip_questions_and_saves_the_answer(
    agent_a: Any, customer_a: Any
) -> None:
    client = login(agent_a)
    # Given a customer whose birthday nobody knows
    page = client.get(f"/customers/{customer_a.pk}/").content.decode()
    assert 'data-testid="drip-questions"' in page and 'name="key" value="birth_date"' in page
    # When the agent saves the answer through htmx
    resp = client.post(
        f"/customers/{customer_a.pk}/answer/",
        {"key": "birth_date", "value": "1988-05-01"},
        headers={"HX-Request": "true"},
    )
    # Then it is stored and the next question takes its place
    assert resp.status_code == 200
    assert Customer.objects.get(pk=customer_a.pk).birth_date == dt.date(1988, 5, 1)
    assert 'value="birth_date"' not in resp.content.decode()


@pytest.mark.django_db
def test_a_stale_fact_is_asked_with_what_is_on_file_and_confirming_it_refreshes_it(
    agent_a: Any, customer_a: Any
) -> None:
    # Given a customer whose birthday is known, whose email was last confirmed two years ago
    # and whose preferred channel is just as old
    long_ago = timezone.now() - dt.timedelta(days=800)
    Customer.objects.filter(pk=customer_a.pk).update(birth_date=dt.date(1988, 5, 1))
    email = actions.add_identifier(customer_a, "email", "Zhang.Wei@Example.com")
    email.verified_at = long_ago
    email.save(update_fields=["verified_at"])
    Attribute.objects.create(
        customer=customer_a, key="preferred_channel", value="短信", verified_at=long_ago
    )
    client = login(agent_a)
    # When the agent opens the customer
    page = client.get(f"/customers/{customer_a.pk}/").content.decode()
    # Then the email question shows the address on file, filled in, to confirm
    assert 'value="email"' in page and 'data-testid="drip-known"' in page
    assert "档案记录：Zhang.Wei@Example.com" in page
    assert f"上次确认于 {timezone.localtime(long_ago):%Y-%m-%d}" in page
    assert 'name="value" maxlength="500" required value="Zhang.Wei@Example.com"' in page
    # and the channel question has the answer on file chosen
    assert '<option value="短信" selected>' in page
    # And the 360 payload says the same to a phone system
    body = client.get(f"/api/v1/customers/{customer_a.pk}/360").json()
    asked = {q["key"]: q["known"] for q in body["questions"]}
    assert asked["email"]["value"] == "Zhang.Wei@Example.com"
    assert dt.datetime.fromisoformat(asked["email"]["verified_at"]) == long_ago
    # When the customer confirms it (the agent saves it as it stands, in any case)
    resp = client.post(
        f"/customers/{customer_a.pk}/answer/",
        {"key": "email", "value": "zhang.wei@example.com"},
        headers={"HX-Request": "true"},
    )
    # Then the address is confirmed today, not added twice, and no longer asked
    email.refresh_from_db()
    assert email.verified_at is not None and email.verified_at > long_ago
    assert customer_a.identifiers.filter(kind="email").count() == 1
    assert 'value="email"' not in resp.content.decode()


@pytest.mark.django_db
def test_what_is_on_file_is_shown_as_text(agent_a: Any, customer_a: Any) -> None:
    # Given a stale hobby a customer once typed with markup in it
    _stale_attribute(customer_a, "hobby", '"><script>window.__xss=1</script>')
    Customer.objects.filter(pk=customer_a.pk).update(birth_date=dt.date(1988, 5, 1))
    actions.add_identifier(customer_a, "email", "a@example.com")
    Attribute.objects.create(customer=customer_a, key="preferred_channel", value="短信")
    Attribute.objects.create(customer=customer_a, key="preferred_contact_time", value="上午")
    page = login(agent_a).get(f"/customers/{customer_a.pk}/").content.decode()
    # Then the question is asked with it on file, escaped everywhere it shows: the habits
    # panel, the hint and the filled-in field
    assert 'value="hobby"' in page
    assert "<script>window.__xss" not in page
    assert page.count("&quot;&gt;&lt;script&gt;window.__xss=1&lt;/script&gt;") == 3


@pytest.mark.django_db
def test_a_bad_answer_is_explained_not_saved(agent_a: Any, customer_a: Any) -> None:
    resp = login(agent_a).post(
        f"/customers/{customer_a.pk}/answer/",
        {"key": "birth_date", "value": "next tuesday"},
        headers={"HX-Request": "true"},
    )
    assert resp.status_code == 200 and 'role="alert"' in resp.content.decode()
    assert Customer.objects.get(pk=customer_a.pk).birth_date is None


@pytest.mark.django_db
def test_stale_attributes_are_flagged(agent_a: Any, customer_a: Any) -> None:
    _stale_attribute(customer_a, "hobby", "钓鱼")
    page = login(agent_a).get(f"/customers/{customer_a.pk}/").content.decode()
    assert "钓鱼" in page and "badge bad" in page


@pytest.mark.django_db
def test_review_merge_and_undo_through_the_pages(supervisor_a: Any, region_a: Any) -> None:
    # Given a pending pair in the supervisor's region
    a = CustomerFactory(region=region_a, name="张伟")
    b = CustomerFactory(region=region_a, name="張偉")
    pair = MatchCandidate.objects.create(left=a, right=b, probability=0.93)
    client = login(supervisor_a)
    assert (
        f"/customers/duplicates/{pair.pk}/" in client.get("/customers/duplicates/").content.decode()
    )
    assert "張偉" in client.get(f"/customers/duplicates/{pair.pk}/").content.decode()
    # When they merge it
    resp = client.post(
        f"/customers/duplicates/{pair.pk}/decide/", {"decision": "merge", "keep": a.pk}
    )
    assert resp.status_code == 302
    assert Customer.objects.get(pk=b.pk).merged_into_id == a.pk
    # then an old link to the merged record leads to the kept one
    assert client.get(f"/customers/{b.pk}/")["Location"] == f"/customers/{a.pk}/"
    # and the merge is undone from the history
    record = MergeRecord.objects.get()
    assert (
        f"/customers/merges/{record.pk}/undo/" in client.get("/customers/merges/").content.decode()
    )
    client.post(f"/customers/merges/{record.pk}/undo/")
    assert Customer.objects.get(pk=b.pk).merged_into_id is None


@pytest.mark.django_db
def test_not_the_same_is_remembered(supervisor_a: Any, region_a: Any) -> None:
    a, b = CustomerFactory(region=region_a), CustomerFactory(region=region_a)
    pair = MatchCandidate.objects.create(left=a, right=b, probability=0.9)
    login(supervisor_a).post(f"/customers/duplicates/{pair.pk}/decide/", {"decision": "not_same"})
    pair.refresh_from_db()
    assert pair.status == "not_same" and pair.decided_by == supervisor_a


@pytest.mark.django_db
def test_the_review_queue_is_scoped(supervisor_a: Any, agent_a: Any, region_b: Any) -> None:
    a, b = CustomerFactory(region=region_b), CustomerFactory(region=region_b)
    pair = MatchCandidate.objects.create(left=a, right=b, probability=0.9)
    client = login(supervisor_a)
    assert (
        f"/customers/duplicates/{pair.pk}/"
        not in client.get("/customers/duplicates/").content.decode()
    )
    assert client.get(f"/customers/duplicates/{pair.pk}/").status_code == 404
    assert (
        client.post(f"/customers/duplicates/{pair.pk}/decide/", {"decision": "merge"}).status_code
        == 404
    )
    # an agent has no merge privilege at all
    assert login(agent_a).get(f"/customers/duplicates/{pair.pk}/").status_code == 404


@pytest.mark.django_db
def test_the_work_list_shows_gaps_of_visible_customers(
    agent_a: Any, customer_a: Any, customer_b: Any
) -> None:
    body = login(agent_a).get("/customers/data-quality/").content.decode()
    assert f"/customers/{customer_a.pk}/" in body and f"/customers/{customer_b.pk}/" not in body


@pytest.mark.django_db
def test_the_360_page_query_count_is_pinned(
    agent_a: Any, customer_a: Any, django_assert_max_num_queries: Any
) -> None:
    from tests.factories import InvoiceFactory, ShipmentFactory

    for _ in range(3):
        ShipmentFactory(order__customer=customer_a)
        InvoiceFactory(customer=customer_a)
        Attribute.objects.create(customer=customer_a, key=f"k{_}", value="v")
    client = login(agent_a)
    client.get(f"/customers/{customer_a.pk}/")
    # 16 of the customer's own page and commerce, and the interaction panels: open
    # conversations, the timeline, the contact policy and the consent ledger, email attachments;
    # the insights panels: the customer's value row and the open follow-up tasks; the service
    # panel: the open cases (one query)
    with django_assert_max_num_queries(22):
        assert client.get(f"/customers/{customer_a.pk}/").status_code == 200


@pytest.mark.django_db
def test_find_duplicates_starts_one_run_at_a_time(supervisor_a: Any, region_a: Any) -> None:
    from hudong.core.models import Job

    CustomerFactory(region=region_a)
    client = login(supervisor_a)
    first = client.post("/customers/duplicates/run/")
    job = Job.objects.get(kind="customers.resolution")
    assert first["Location"] == f"/jobs/{job.pk}/"
    # a second click while the first run waits for the worker joins it
    second = client.post("/customers/duplicates/run/")
    assert second["Location"] == f"/jobs/{job.pk}/"
    assert Job.objects.filter(kind="customers.resolution").count() == 1
