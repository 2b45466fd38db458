"""Importing customers: encodings, bad rows, idempotence, identity resolution."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from hudong.core.models import JobStatus
from hudong.customers.models import Address, Customer, Identifier
from tests.customers.imports.conftest import HEADER, report_rows, run_import
from tests.factories import CustomerFactory, IdentifierFactory

pytestmark = pytest.mark.django_db

ROWS = [
    ["E001", "张伟", "138 0013 8000", "zhang.wei@qq.com", "region-a", "1985/3/7", "男", "",
     "北京", "朝阳路1号"],
    ["E002", "王芳", "+86-139-0013-9000", "", "region-a", "1990年12月1日", "女", "", "", ""],
    ["E003", "李娜", "", "li.na@163.com", "region-a", "", "", "", "上海", ""],
]  # fmt: skip


def csv_text(rows: list[list[str]], header: str = HEADER) -> str:
    return header + "".join(",".join(r) + "\n" for r in rows)


def xlsx_file(path: Path, rows: list[list[str]], header: str = HEADER) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header.strip().split(","))
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def table_state() -> dict[str, list[tuple[Any, ...]]]:
    """Everything an import writes, to compare before and after a second run."""
    return {
        "customers": list(Customer.objects.order_by("id").values_list()),
        "identifiers": list(Identifier.objects.order_by("id").values_list()),
        "addresses": list(Address.objects.order_by("id").values_list()),
    }


def summary() -> list[tuple[str, list[str]]]:
    return [
        (c.name, sorted(c.identifiers.values_list("normalized", flat=True)))
        for c in Customer.objects.order_by("name")
    ]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8", "xlsx"])
def test_every_encoding_imports_the_same(
    encoding: str, region_a: Any, write: Callable[..., Path], tmp_path: Path
) -> None:
    # Given the same three customers saved as GBK, GB18030, UTF-8 (with and without BOM), XLSX
    if encoding == "xlsx":
        path = xlsx_file(tmp_path / "customers.xlsx", ROWS)
    else:
        path = write("customers.csv", csv_text(ROWS), encoding)
    # When it is imported
    job = run_import("customers", path)
    # Then all three land with normalised identifiers, dates, genders and addresses
    assert job.status == JobStatus.DONE, job.result
    assert job.result["created"] == 3 and job.result["bad"] == 0
    assert summary() == [
        ("张伟", ["+8613800138000", "E001", "zhang.wei@qq.com"]),
        ("李娜", ["E003", "li.na@163.com"]),
        ("王芳", ["+8613900139000", "E002"]),
    ]
    zhang = Customer.objects.get(name="张伟")
    assert (str(zhang.birth_date), zhang.gender, zhang.source) == ("1985-03-07", "m", "import")
    assert zhang.name_pinyin == "zhangwei"
    assert str(Customer.objects.get(name="王芳").birth_date) == "1990-12-01"
    assert list(zhang.addresses.values_list("city", "street", "is_default")) == [
        ("北京", "朝阳路1号", True)
    ]


BAD_ROWS = [
    *ROWS,
    ["E004", "赵磊", "12345", "", "region-a", "", "", "", "", ""],  # bad phone
    ["E005", "孙丽", "", "not-an-email", "region-a", "2024-02-30", "", "", "", ""],  # two problems
    ["E001", "张伟二", "13700137000", "", "region-a", "", "", "", "", ""],  # duplicate id
    ["E006", "周杰", "", "", "nowhere", "", "", "", "", ""],  # unknown region
    ["E007", "吴敏", "", "", "region-a", "", "", "ORG9", "", ""],  # unknown organization
    ["", "无编号", "", "", "region-a", "", "", "", "", ""],  # no external id
    ["E008", "陈静", "13600136000", "", "region-a", "31.12.2024", "", "", "", ""],  # bad date
]  # fmt: skip


def test_bad_rows_are_reported_and_good_rows_land(
    region_a: Any, write: Callable[..., Path]
) -> None:
    # Given a UTF-8 file with good rows, bad rows and a row in GBK among them
    data = csv_text(BAD_ROWS).encode() + "E009,测试,,,region-a,,,,,\n".encode("gbk")
    path = write("bad.csv", data)
    # When it is imported
    job = run_import("customers", path)
    # Then the good rows landed and each bad row is in the report with field and code
    assert job.status == JobStatus.DONE, job.result
    assert job.result["created"] == 3
    assert job.result["bad"] == 8
    problems = {(r[0], r[1], r[2]) for r in report_rows(job)}
    assert problems == {
        ("5", "phone", "customers.identifier_invalid"),
        ("6", "email", "customers.identifier_invalid"),
        ("6", "birth_date", "imports.date_invalid"),
        ("7", "external_id", "imports.external_id_duplicate"),
        ("8", "region", "imports.region_unknown"),
        ("9", "organization", "imports.organization_unknown"),
        ("10", "external_id", "imports.required"),
        ("11", "birth_date", "imports.date_invalid"),
        ("12", "", "imports.encoding_invalid"),
    }
    first = report_rows(job)[0]
    assert first[3] and first[4:6] == ["E004", "赵磊"]  # a message and the original cells
    assert job.report_file


def test_running_the_same_file_twice_changes_nothing(
    region_a: Any, write: Callable[..., Path]
) -> None:
    # Given a file with good and bad rows, imported once
    path = write("bad.csv", csv_text(BAD_ROWS), "gb18030")
    first = run_import("customers", path)
    before = table_state()
    # When it is imported again
    second = run_import("customers", path)
    # Then every good row is unchanged, the bad ones are reported again, the tables identical
    assert second.result["unchanged"] == first.result["created"] + first.result["updated"]
    assert (second.result["created"], second.result["updated"]) == (0, 0)
    assert second.result["bad"] == first.result["bad"]
    assert table_state() == before


def test_a_phone_written_differently_lands_on_the_existing_customer(
    region_a: Any, write: Callable[..., Path]
) -> None:
    # Given a customer known by +86-138-0013-8000
    existing = CustomerFactory(region=region_a, name="张伟", name_latin="")
    IdentifierFactory(customer=existing, value="+86-138-0013-8000", normalized="+8613800138000")
    # When a file lists "138 0013 8000" with an ERP id and a job title
    header = "external_id,name,phone,job_title\n"
    path = write("one.csv", header + "E100,张伟,138 0013 8000,经理\n")
    job = run_import("customers", path, region="region-a")
    # Then no new customer: the ERP id and the missing job title are added to the existing one
    assert job.result == {**job.result, "created": 0, "updated": 1, "bad": 0}
    assert Customer.objects.count() == 1
    existing.refresh_from_db()
    assert existing.job_title == "经理"
    assert set(existing.identifiers.values_list("normalized", flat=True)) == {
        "+8613800138000",
        "E100",
    }


def test_a_row_linking_two_customers_merges_them(region_a: Any, write: Callable[..., Path]) -> None:
    # Given one customer known by phone and another by email
    by_phone = CustomerFactory(region=region_a, name="张伟")
    IdentifierFactory(customer=by_phone, value="13800138000", normalized="+8613800138000")
    by_email = CustomerFactory(region=region_a, name="張偉")
    IdentifierFactory(customer=by_email, kind="email", value="zw@qq.com", normalized="zw@qq.com")
    # When a row carries both
    path = write("both.csv", "external_id,name,phone,email\nE1,张伟,13800138000,zw@qq.com\n")
    job = run_import("customers", path, region="region-a")
    # Then they are merged (as ingest() does) into the older one, which gets the ERP id
    assert job.result["updated"] == 1, job.result
    by_email.refresh_from_db()
    assert by_email.merged_into_id == by_phone.pk
    assert set(by_phone.identifiers.values_list("normalized", flat=True)) == {
        "+8613800138000",
        "zw@qq.com",
        "E1",
    }


def test_rows_sharing_a_phone_in_one_file_are_one_customer(
    region_a: Any, write: Callable[..., Path]
) -> None:
    # Given two rows (two ERP ids) with one phone written two ways
    text = (
        "external_id,name,phone,region\n"
        "E1,王芳,13900139000,region-a\n"
        "E2,王芳,+86 139 0013 9000,region-a\n"
    )
    path = write("twice.csv", text)
    # When imported twice
    first = run_import("customers", path)
    second = run_import("customers", path)
    # Then one customer carries both ERP ids, and the second run changes nothing
    assert (first.result["created"], first.result["updated"]) == (1, 1)
    assert second.result["unchanged"] == 2
    assert summary() == [("王芳", ["+8613900139000", "E1", "E2"])]


def test_partner_source_is_kept(region_a: Any, write: Callable[..., Path]) -> None:
    path = write("partner.csv", "external_id,name,phone\nP1,刘洋,13500135000\n")
    run_import("customers", path, source="partner:jd", region="region-a")
    customer = Customer.objects.get()
    assert customer.source == "partner:jd"
    assert set(customer.identifiers.values_list("source", flat=True)) == {"partner:jd"}


def test_contacts_link_to_their_organization(region_a: Any, write: Callable[..., Path]) -> None:
    orgs = write("orgs.csv", "external_id,name,industry\nORG1,华为技术,通信\n")
    run_import("organizations", orgs, region="region-a")
    people = write("people.csv", "external_id,name,organization\nP1,李强,ORG1\n")
    job = run_import("customers", people, region="region-a")
    assert job.result["created"] == 1
    person = Customer.objects.get(name="李强")
    assert person.organization is not None and person.organization.kind == "organization"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        ("name,phone\n张伟,13800138000\n", "imports.columns_missing"),
        (b"\x00\x01\x02\xff\xfe binary", "imports.encoding_unknown"),
        ("", "imports.file_empty"),
    ],
)
def test_file_level_errors_fail_the_job(
    content: str | bytes, code: str, write: Callable[..., Path]
) -> None:
    job = run_import("customers", write("broken.csv", content))
    assert job.status == JobStatus.FAILED
    assert job.result["code"] == code
    assert Customer.objects.count() == 0
