"""View audits commit without an fsync, and the connection's durability comes back after."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from hudong.core import audit
from hudong.core.models import AuditEntry


def _setting() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous")
        else:
            cursor.execute("SHOW synchronous_commit")
        return str(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_a_view_audit_is_written_and_durable_commits_stay_durable(customer_a: Any) -> None:
    # Given the connection's own durability setting (FULL = 2 on SQLite; on PostgreSQL the
    # server's synchronous_commit, which a test server may run with "off")
    before = _setting()
    # When a view of the customer is recorded
    audit.record_view(customer_a, customer_id=customer_a.pk, via="test")
    # Then the row is there, and later commits are as durable as before
    assert AuditEntry.objects.filter(customer_id=customer_a.pk, action="view").count() == 1
    assert _setting() == before
