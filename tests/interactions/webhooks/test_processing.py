"""Processing: stored events become interactions on the right customer, threaded, once; the
bulk path for batches records exactly what ``record_interaction()`` records one by one."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from hudong.core.models import DomainEvent
from hudong.customers.models import Customer
from hudong.interactions.channels.webhooks.models import WebhookEvent
from hudong.interactions.channels.webhooks.processing import process
from hudong.interactions.models import Interaction, Thread, ThreadState
from tests.factories import CustomerFactory
from tests.interactions.webhooks.conftest import event, run_worker

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_event_lands_on_the_known_customer_in_the_open_conversation(
    source: Any, post: Any, region_a: Any
) -> None:
    # Given a customer known by phone with a conversation waiting on them, next step noted
    li = CustomerFactory(region=region_a, name="李娜")
    li.identifiers.create(kind="phone", value="13800138000", normalized="+8613800138000")
    open_thread = Thread.objects.create(
        customer=li,
        channel="phone",
        state=ThreadState.WAITING_CUSTOMER,
        next_step="等客户寄回发票",
        last_activity_at=timezone.now() - dt.timedelta(days=2),
    )
    # When the shop posts a form written with the phone in another spelling
    assert post(event(1, phone="+86 138-0013-8000")).status_code == 202
    run_worker()
    # Then the form is on 李娜's timeline, in that conversation, which now waits on us
    interaction = Interaction.objects.get()
    assert interaction.customer == li
    assert interaction.thread == open_thread
    assert (interaction.channel, interaction.external_id) == ("webform", "shop:evt-1")
    assert interaction.content == "第1号表单"
    open_thread.refresh_from_db()
    assert open_thread.state == ThreadState.WAITING_US
    assert open_thread.next_step == "等客户寄回发票"
    stored = WebhookEvent.objects.get()
    assert (stored.status, stored.interaction_id) == ("processed", interaction.pk)
    assert DomainEvent.objects.filter(name="interactions.recorded").count() == 1


def test_the_same_event_delivered_twice_makes_one_interaction(source: Any, post: Any) -> None:
    # Given an event delivered, processed, and delivered again (alone and inside a batch)
    assert post(event(1)).status_code == 202
    run_worker()
    assert post(event(1)).status_code == 200
    assert post({"events": [event(1), event(2)]}, batch=True).status_code == 202
    # And the worker asked to process the first again
    process(list(WebhookEvent.objects.values_list("pk", flat=True)))
    run_worker()
    # Then each event made one interaction
    assert sorted(Interaction.objects.values_list("external_id", flat=True)) == [
        "shop:evt-1",
        "shop:evt-2",
    ]


def test_a_batch_of_good_and_bad_events_records_the_good_ones(source: Any, post: Any) -> None:
    # Given a batch with three good events from two people and two bad ones
    batch = {
        "events": [
            event(1, phone="139 0000 1111", name="王芳"),
            {"id": "no-one", "customer": {}},
            event(2, email="Wang.Fang@Example.cn", phone="13900001111"),
            {"id": "bad-mail", "customer": {"email": "@@"}},
            event(3, wechat="zhao_lei"),
        ]
    }
    response = post(batch, batch=True)
    assert response.status_code == 202
    assert [r["id"] for r in response.json()["rejected"]] == ["no-one", "bad-mail"]
    # When the worker runs
    run_worker()
    # Then the good ones are recorded: two customers, 王芳 with both identifiers
    assert Interaction.objects.count() == 3
    wang = Customer.objects.get(name="王芳")
    assert set(wang.identifiers.values_list("normalized", flat=True)) == {
        "+8613900001111",
        "wang.fang@example.cn",
    }
    assert wang.interactions.count() == 2
    assert wang.threads.count() == 1
    assert Customer.objects.get(name="zhao_lei").interactions.count() == 1
    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {"processed"}


SCENARIO_MINUTES = 60


def _scenario(region: Any) -> list[dict[str, Any]]:
    """Two known customers, and events that create, extend, reopen and merge."""
    kai = CustomerFactory(region=region, name="Kai")
    kai.identifiers.create(kind="phone", value="13800138000", normalized="+8613800138000")
    kai.identifiers.create(kind="email", value="k@x.cn", normalized="k@x.cn")
    now = timezone.now()
    Thread.objects.create(
        customer=kai,
        channel="phone",
        subject="open",
        state=ThreadState.WAITING_CUSTOMER,
        last_activity_at=now - dt.timedelta(days=2),
    )
    Thread.objects.create(
        customer=kai,
        channel="email",
        subject="order-1",
        external_ref="order-1",
        state=ThreadState.CLOSED,
        last_activity_at=now - dt.timedelta(days=30),
    )
    mei = CustomerFactory(region=region, name="Mei")
    mei.identifiers.create(kind="email", value="m@x.cn", normalized="m@x.cn")
    customers = [
        {"phone": "+86 138-0013-8000"},  # Kai, continues the open conversation
        {"email": "NEW@x.cn", "name": "Nina"},  # a new customer, a new conversation
        {"email": "new@x.cn", "phone": "13900001111"},  # Nina gains the phone
        {"phone": "139 0000 1111"},  # Nina again, by the phone she just gained
        {"email": "m@x.cn"},  # Mei, a new conversation under the shop's order reference
        {"wechat": "wx_kai", "email": "K@X.CN"},  # Kai gains a WeChat id
        {"email": "k@x.cn"},  # Kai, under the reference of his closed conversation: reopened
        {"phone": "13800138000", "email": "m@x.cn"},  # proves Kai and Mei are one: merged
        {"email": "m@x.cn"},  # Mei's email now leads to Kai
        {"wechat": "someone_else"},  # a third new customer
    ]
    refs = {4: "order-9", 6: "order-1"}
    start = now - dt.timedelta(minutes=SCENARIO_MINUTES)
    return [
        {
            **event(n, **who),
            "occurred_at": (start + dt.timedelta(minutes=n)).isoformat(),
            **({"thread_ref": refs[n]} if n in refs else {}),
        }
        for n, who in enumerate(customers)
    ]


def _snapshot() -> dict[str, Any]:
    """Who each event landed on, in which conversation (named by its first event or subject)
    and what each customer is known by, independent of row ids."""

    def thread_name(thread: Thread) -> str:
        first = thread.interactions.order_by("started_at").first()
        return thread.subject if thread.subject in {"open", "order-1"} else first.external_id

    out: dict[str, Any] = {}
    for i in Interaction.objects.select_related("customer", "thread").order_by("external_id"):
        thread = i.thread
        out[i.external_id] = (i.customer.name, thread_name(thread), thread.state, str(i.cost))
    for c in Customer.objects.filter(merged_into__isnull=True).order_by("name"):
        out[c.name] = sorted(c.identifiers.values_list("kind", "normalized"))
    out["merged"] = sorted(
        Customer.objects.filter(merged_into__isnull=False).values_list("name", flat=True)
    )
    return out


# Worked out by hand from the rules of record_interaction(); both paths must give exactly this.
EXPECTED: dict[str, Any] = {
    "shop:evt-0": ("Kai", "open", "waiting_us", "0.30"),
    "shop:evt-1": ("Nina", "shop:evt-1", "waiting_us", "0.30"),
    "shop:evt-2": ("Nina", "shop:evt-1", "waiting_us", "0.30"),
    "shop:evt-3": ("Nina", "shop:evt-1", "waiting_us", "0.30"),
    # Mei's conversation under the shop's reference; it followed her into Kai's record
    "shop:evt-4": ("Kai", "shop:evt-4", "waiting_us", "0.30"),
    "shop:evt-5": ("Kai", "open", "waiting_us", "0.30"),
    "shop:evt-6": ("Kai", "order-1", "waiting_us", "0.30"),
    # after the merge: the survivor's conversation that moved last
    "shop:evt-7": ("Kai", "order-1", "waiting_us", "0.30"),
    "shop:evt-8": ("Kai", "order-1", "waiting_us", "0.30"),
    "shop:evt-9": ("someone_else", "shop:evt-9", "waiting_us", "0.30"),
    "Kai": [
        ("email", "k@x.cn"),
        ("email", "m@x.cn"),
        ("phone", "+8613800138000"),
        ("wechat", "wx_kai"),
    ],
    "Nina": [("email", "new@x.cn"), ("phone", "+8613900001111")],
    "someone_else": [("wechat", "someone_else")],
    "merged": ["Mei"],
}


@pytest.mark.parametrize("mode", ["one-by-one", "batch"])
def test_the_bulk_path_records_what_record_interaction_records(
    source: Any, post: Any, region_a: Any, mode: str
) -> None:
    events = _scenario(region_a)
    if mode == "one-by-one":
        for item in events:  # each processed before the next arrives: record_interaction()
            assert post(item).status_code == 202
            run_worker()
    else:
        assert post({"events": events}, batch=True).status_code == 202
        run_worker()
    assert _snapshot() == EXPECTED
