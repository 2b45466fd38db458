"""The worker's connection and the times it reads with plain SQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from hudong.interactions.channels.webhooks import sql
from hudong.interactions.models import Thread


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own page cache")
def test_the_worker_gives_its_connection_a_page_cache_that_holds_a_run() -> None:
    sql.roomy_cache()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (size,) = cursor.fetchone()
    assert size == -sql.CACHE_KIB


@pytest.mark.django_db
def test_a_time_read_as_text_is_the_time_the_orm_reads(customer_a: object) -> None:
    moved = timezone.now().replace(microsecond=123456) - dt.timedelta(days=3)
    thread = Thread.objects.create(customer=customer_a, last_activity_at=moved)
    thread.refresh_from_db()
    query = f"SELECT {sql.as_text('last_activity_at')} FROM {sql.table(Thread)}"
    rows = sql.select_in(query + " WHERE id IN ({marks})", [], [thread.pk])
    if connection.vendor == "sqlite":
        assert isinstance(rows[0][0], str)  # no converter ran (elsewhere the driver's own)
    assert sql.when(rows[0][0]) == thread.last_activity_at == moved
