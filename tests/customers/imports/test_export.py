"""Export: scoped to what the user may see, formulas neutralised in CSV and XLSX."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from hudong.core.models import Job
from hudong.core.models.audit import AuditEntry
from hudong.customers.exports import neutralise
from tests.factories import CustomerFactory, IdentifierFactory

pytestmark = pytest.mark.django_db

PAYLOADS = ["=1+1", "@SUM(A1)", "\t=1+1", "-2+3", "+1", "\r=2", '  =HYPERLINK("x")']


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _csv(response: Any) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # so Chinese Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(body[1:])))


def test_neutralise() -> None:
    for payload in PAYLOADS:
        assert neutralise(payload) == "'" + payload
    assert neutralise("张伟") == "张伟"
    assert neutralise("") == ""


def test_agent_export_holds_only_their_region(
    agent_a: Any, customer_a: Any, customer_b: Any
) -> None:
    # Given an agent of region A and a customer in A and one in B
    IdentifierFactory(customer=customer_a)
    # When the agent exports as CSV
    rows = _csv(_client(agent_a).get("/customers/export.csv"))
    # Then only the region-A customer is in it, and the export is audited
    names = [r[3] for r in rows[1:]]
    assert names == ["张伟"]
    assert Job.objects.filter(kind="customers.export", created_by=agent_a).exists()
    assert AuditEntry.objects.filter(action="view", model="core.Job", actor=agent_a).exists()


@pytest.mark.parametrize("url", ["/customers/export.csv", "/api/v1/exports/customers.csv"])
def test_formulas_are_neutralised_in_csv(url: str, admin_user: Any, region_a: Any) -> None:
    for i, payload in enumerate(PAYLOADS):
        CustomerFactory(region=region_a, name=payload, name_latin=f"x{i}", job_title=payload)
    rows = _csv(_client(admin_user).get(url))
    header = rows[0]
    names = sorted(r[header.index(rows[0][3])] for r in rows[1:])
    assert names == sorted("'" + p for p in PAYLOADS)
    assert all(not r[3].startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows[1:])


@pytest.mark.parametrize("url", ["/customers/export.xlsx", "/api/v1/exports/customers.xlsx"])
def test_formulas_are_neutralised_in_xlsx(url: str, admin_user: Any, region_a: Any) -> None:
    for payload in PAYLOADS:
        CustomerFactory(region=region_a, name=payload, job_title=payload)
    response = _client(admin_user).get(url)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.worksheets[0]
    cells = [row[3] for row in sheet.iter_rows(min_row=2)]
    # (XML reads a carriage return back as a line feed)
    assert sorted(c.value for c in cells) == sorted("'" + p.replace("\r", "\n") for p in PAYLOADS)
    assert {c.data_type for c in cells} == {"s"}  # strings, never formulas ("f")
    every = [c for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in every)


def test_xlsx_export_scoped(agent_a: Any, customer_a: Any, customer_b: Any) -> None:
    response = _client(agent_a).get("/api/v1/exports/customers.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    assert [row[3].value for row in sheet.iter_rows(min_row=2)] == ["张伟"]


def test_export_page(agent_a: Any) -> None:
    response = _client(agent_a).get("/customers/export/")
    assert response.status_code == 200
    assert b"export.csv" in response.content
