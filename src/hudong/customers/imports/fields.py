"""Column binding and the parsing of single cells, as Chinese spreadsheets write them.

Dates: 2024-01-31, 2024/1/31, 2024.1.31, 20240131, 2024年1月31日 (with an optional time).
Phones and emails go through :mod:`hudong.customers.normalize`; the common shapes (an 11-digit
mainland mobile with or without +86, a plain ASCII address at a known-good domain) take a fast
path that returns exactly what ``normalize`` returns (a test compares the two), because an
import of a million rows spends most of its time here otherwise.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hudong.core.errors import DomainError
from hudong.customers.imports import errors
from hudong.customers.normalize import normalize, normalize_email

# --- columns --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    aliases: tuple[str, ...] = ()
    required: bool = False


def header_key(text: str) -> str:
    """A header cell folded for matching: "Phone ", "PHONE", "phone" and "手机" by alias."""
    text = unicodedata.normalize("NFKC", text or "").strip().lstrip("\ufeff").lower()
    return re.sub(r"[\s\-]+", "_", text)


@dataclass(frozen=True)
class Binding:
    """Where each known column sits in the file's header."""

    positions: dict[str, int]
    header: list[str]

    def values(self, cells: list[str]) -> dict[str, str]:
        if len(cells) > self._widest:  # the usual row: every bound cell is there
            return dict(zip(self._names, map(str.strip, self._pick(cells)), strict=True))
        width = len(cells)
        return {name: cells[i].strip() if i < width else "" for name, i in self.positions.items()}

    @functools.cached_property
    def _names(self) -> tuple[str, ...]:
        return tuple(self.positions)

    @functools.cached_property
    def _widest(self) -> int:
        return max(self.positions.values(), default=-1)

    @functools.cached_property
    def _pick(self) -> Callable[[list[str]], tuple[str, ...]]:
        """The bound cells of a row at C speed (this runs once per row of the file)."""
        places = tuple(self.positions.values())
        if len(places) == 1:
            return lambda cells: (cells[places[0]],)
        return operator.itemgetter(*places)


def bind(columns: Iterable[Column], header: list[str]) -> Binding:
    """Map the file's header to the known columns; missing required ones stop the import."""
    keys = [header_key(h) for h in header]
    positions: dict[str, int] = {}
    missing: list[str] = []
    for column in columns:
        names = {column.name, *(header_key(a) for a in column.aliases)}
        found = next((i for i, key in enumerate(keys) if key in names), None)
        if found is not None:
            positions[column.name] = found
        elif column.required:
            missing.append(column.name)
    if missing:
        raise errors.columns_missing(missing)
    return Binding(positions, header)


# --- cells ----------------------------------------------------------------------------------

_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[\sT]+(\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2}(?:\.\d+)?))?秒?)?\s*$"
)
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def _date_parts(text: str, field: str) -> tuple[dt.date, dt.time | None]:
    text = unicodedata.normalize("NFKC", text).strip()
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if match is None:
        raise errors.RowProblem(field, "imports.date_invalid", _("Not a date (2024-01-31)."))
    parts = match.groups()
    try:
        day = dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
        clock = None
        if len(parts) > 3 and parts[3] is not None:
            seconds = float(parts[5] or 0)
            clock = dt.time(int(parts[3]), int(parts[4]), int(seconds))
    except ValueError as exc:
        raise errors.RowProblem(
            field, "imports.date_invalid", _("Not a date (2024-01-31).")
        ) from exc
    return day, clock


def parse_date(text: str, field: str) -> dt.date | None:
    if not text:
        return None
    return _date_parts(text, field)[0]


def parse_datetime(text: str, field: str) -> dt.datetime | None:
    """A date with an optional time, in the site's time zone (midnight when no time)."""
    if not text:
        return None
    day, clock = _date_parts(text, field)
    naive = dt.datetime.combine(day, clock or dt.time(0, 0))
    return timezone.make_aware(naive, timezone.get_default_timezone())


def parse_decimal(text: str, field: str, *, minimum: Decimal | None = Decimal(0)) -> Decimal:
    cleaned = unicodedata.normalize("NFKC", text).replace(",", "").replace("¥", "").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise errors.RowProblem(field, "imports.number_invalid", _("Not a number.")) from exc
    if not value.is_finite() or abs(value) >= Decimal(10) ** 12:
        raise errors.RowProblem(field, "imports.number_invalid", _("Not a number."))
    if minimum is not None and value < minimum:
        raise errors.RowProblem(field, "imports.number_negative", _("May not be negative."))
    return value.quantize(Decimal("0.01"))


def parse_int(text: str, field: str, *, default: int = 0) -> int:
    if not text:
        return default
    value = parse_decimal(text, field)
    if value != value.to_integral_value() or value > 2**31:
        raise errors.RowProblem(field, "imports.number_invalid", _("Not a whole number."))
    return int(value)


_GENDERS = {
    "f": "f", "female": "f", "女": "f", "w": "f",
    "m": "m", "male": "m", "男": "m",
    "x": "x", "other": "x", "其他": "x",
}  # fmt: skip


def parse_gender(text: str, field: str = "gender") -> str:
    if not text:
        return ""
    found = _GENDERS.get(text.strip().lower())
    if found is None:
        raise errors.RowProblem(field, "imports.choice_invalid", _("Not one of the choices."))
    return found


_TRUE = {"1", "true", "yes", "y", "是", "对", "√"}
_FALSE = {"0", "false", "no", "n", "否", "不", "×", ""}


def parse_bool(text: str, field: str) -> bool:
    folded = text.strip().lower()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise errors.RowProblem(field, "imports.choice_invalid", _("Not yes or no."))


# --- identifiers ----------------------------------------------------------------------------

_MULTI = re.compile(r"[;；,，、|]+")
_MOBILE = re.compile(r"^(?:\+86|0086)?(1[3-9]\d{9})$")
_PHONE_NOISE = re.compile(r"[\s\-().]+")
_EMAIL = re.compile(r"^([a-z0-9_+\-]+(?:\.[a-z0-9_+\-]+)*)@([a-z0-9\-]+(?:\.[a-z0-9\-]+)+)$")


def split_multi(text: str) -> list[str]:
    """Several values in one cell ("138… ; 139…"), each stripped, blanks dropped."""
    return [part.strip() for part in _MULTI.split(text) if part.strip()]


def phone_key(raw: str) -> str:
    """``normalize("phone", raw)``, with a fast path for mainland mobiles."""
    compact = _PHONE_NOISE.sub("", unicodedata.normalize("NFKC", raw))
    match = _MOBILE.match(compact)
    if match is not None:
        return "+86" + match.group(1)
    return normalize("phone", raw)


@functools.lru_cache(maxsize=4096)
def _domain_ok(domain: str) -> bool:
    try:
        return normalize_email(f"a@{domain}") == f"a@{domain}"
    except DomainError:
        return False


def email_key(raw: str) -> str:
    """``normalize("email", raw)``, with a fast path for plain ASCII addresses."""
    text = raw.strip().lower()
    match = _EMAIL.match(text) if text.isascii() and len(text) <= 254 else None
    if match is not None and len(match.group(1)) <= 64 and _domain_ok(match.group(2)):
        return text
    return normalize_email(raw)


def identifier_key(kind: str, raw: str, field: str) -> str:
    """The normalised key, or a row problem naming the column."""
    try:
        if kind == "phone":
            return phone_key(raw)
        if kind == "email":
            return email_key(raw)
        return normalize(kind, raw)
    except DomainError as exc:
        raise errors.RowProblem(field, exc.code, exc.message) from exc
