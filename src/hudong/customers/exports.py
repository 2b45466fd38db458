"""Export of the customers a user may see, to CSV (UTF-8 with BOM, so Chinese Excel opens it)
and XLSX, streamed so the size of the export does not decide the memory it needs.

Spreadsheet formulas are neutralised (OWASP "CSV injection"): a text cell that starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return, also after leading spaces, gets a leading
apostrophe, and XLSX cells are written as strings, never as formulas. Every export leaves an
audit row (personal data left the system): who, how many, which filter.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import tempfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import IO, Any

from django.http import FileResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _

from hudong.core import audit
from hudong.core.models import Job, JobStatus
from hudong.core.models.audit import AuditAction
from hudong.customers import queries
from hudong.customers.models import Customer

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
BATCH = 2000
EXPORT_KIND = "customers.export"


def neutralise(value: str) -> str:
    """Text a spreadsheet would take for a formula, made plain text with a leading apostrophe."""
    if value and (value.startswith(_FORMULA_START) or value.lstrip().startswith(_FORMULA_START)):
        return "'" + value
    return value


def columns() -> list[tuple[str, Any]]:
    """(column name, header shown) of an export; names match the import's columns, so an
    export can be imported again."""
    return [
        ("id", _("Id")),
        ("external_id", _("External id")),
        ("kind", _("Kind")),
        ("name", _("Name")),
        ("name_latin", _("Name in Latin letters")),
        ("phone", _("Phone")),
        ("email", _("Email")),
        ("wechat", _("WeChat id")),
        ("loyalty", _("Loyalty card")),
        ("region", _("Region")),
        ("owner", _("Owner")),
        ("organization", _("Organization")),
        ("gender", _("Gender")),
        ("birth_date", _("Birth date")),
        ("job_title", _("Job title")),
        ("industry", _("Industry")),
        ("credit_limit", _("Credit limit")),
        ("currency", _("Currency")),
        ("language", _("Language")),
        ("source", _("Source")),
        ("province", _("Province")),
        ("city", _("City")),
        ("district", _("District")),
        ("street", _("Street")),
        ("postal_code", _("Postal code")),
        ("attributes", _("Attributes")),
        ("created_at", _("Created at")),
    ]


def _identifiers(customer: Customer) -> dict[str, str]:
    found: dict[str, list[str]] = {}
    for ident in customer.identifiers.all():
        found.setdefault(ident.kind, []).append(ident.value)
    joined = {kind: "; ".join(values) for kind, values in found.items()}
    joined["external_id"] = joined.pop("erp", "")
    return joined


def _address(customer: Customer) -> dict[str, str]:
    addresses = sorted(customer.addresses.all(), key=lambda a: (not a.is_default, a.pk))
    if not addresses:
        return {}
    first = addresses[0]
    return {
        "province": first.province,
        "city": first.city,
        "district": first.district,
        "street": first.street,
        "postal_code": first.postal_code,
    }


def record(customer: Customer) -> dict[str, Any]:
    """One customer flattened: identifiers joined per kind, the default address, attributes."""
    organization = customer.organization
    values: dict[str, Any] = {
        "id": customer.pk,
        "kind": customer.kind,
        "name": customer.name,
        "name_latin": customer.name_latin,
        "region": customer.region.code,
        "owner": customer.owner.get_username() if customer.owner else "",
        "organization": organization.name if organization else "",
        "gender": customer.gender,
        "birth_date": customer.birth_date,
        "job_title": customer.job_title,
        "industry": customer.industry,
        "credit_limit": customer.credit_limit,
        "currency": customer.currency,
        "language": customer.language,
        "source": customer.source,
        "attributes": "; ".join(f"{a.key}={a.value}" for a in customer.attributes.all()),
        "created_at": timezone.localtime(customer.created_at).replace(tzinfo=None),
    }
    values.update(_identifiers(customer))
    values.update(_address(customer))
    return values


def customers_of(user: Any, q: str = "") -> Iterator[dict[str, Any]]:
    """The flattened customers ``user`` may see (matching ``q``), a batch of queries at a time."""
    qs = queries.search(user, q) if q else queries.visible_customers(user)
    qs = qs.select_related("region", "owner", "organization").prefetch_related(
        "identifiers", "addresses", "attributes"
    )
    for customer in qs.order_by("id").iterator(chunk_size=BATCH):
        yield record(customer)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date | Decimal | int):
        return str(value)
    return neutralise(str(value))


def audit_export(user: Any, fmt: str, q: str) -> Job:
    """The export as a finished job row, and the audit row that says who took what."""
    job = Job.objects.create(
        kind=EXPORT_KIND,
        status=JobStatus.DONE,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        params={"format": fmt, "q": q},
        started_at=timezone.now(),
        finished_at=timezone.now(),
    )
    audit.record(
        AuditAction.VIEW, job, before=None, after={"export": fmt, "q": q}, customer_id=None
    )
    return job


class _Echo:
    """A file-like object whose write returns the line, for a streaming csv writer."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The CSV text, line by line, starting with the BOM and the header."""
    names = columns()
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([str(label) for _name, label in names])
    for row in rows:
        yield writer.writerow([_text(row.get(name)) for name, _label in names])


def write_xlsx(rows: Iterable[dict[str, Any]], target: IO[bytes]) -> int:
    """Write the workbook (openpyxl write-only, so rows are not kept); returns the row count."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_("Customers")[:31])
    names = columns()
    sheet.append([_cell(sheet, str(label), WriteOnlyCell) for _name, label in names])
    count = 0
    for row in rows:
        sheet.append([_cell(sheet, row.get(name), WriteOnlyCell) for name, _label in names])
        count += 1
    book.save(target)
    return count


def _cell(sheet: Any, value: Any, cell_type: Any) -> Any:
    """Numbers and dates as themselves; everything else as a string cell, never a formula."""
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return cell_type(sheet, value=value)
    if isinstance(value, dt.date):
        return cell_type(sheet, value=value)
    cell = cell_type(sheet, value=None)
    cell.value = _ILLEGAL_XLSX.sub("", _text(value))
    cell.data_type = "s"
    return cell


def xlsx_file(user: Any, q: str = "") -> IO[bytes]:
    """The XLSX export in a temporary file (spills to disk when large), rewound."""
    target = tempfile.SpooledTemporaryFile(max_size=32 << 20)  # noqa: SIM115
    write_xlsx(customers_of(user, q), target)
    target.seek(0)
    return target


def download(user: Any, fmt: str, q: str = "") -> HttpResponseBase:
    """The export as a download (``fmt`` is "csv" or "xlsx"), audited; shared by the page
    and the API. CSV streams; XLSX is built in a temporary file first (a zip needs its end)."""
    audit_export(user, fmt, q)
    if fmt == "csv":
        response = StreamingHttpResponse(
            csv_lines(customers_of(user, q)), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="customers.csv"'
        return response
    return FileResponse(
        xlsx_file(user, q),
        as_attachment=True,
        filename="customers.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
