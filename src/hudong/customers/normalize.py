"""Identifier normalisation: the many ways people write one phone number or email become one key.

"138 0013 8000", "+86-138-0013-8000", "0086 13800138000" and "１３８００１３８０００" (full-width,
as typed on a Chinese keyboard) are all ``+8613800138000``; "010-1234 5678" is the Beijing
landline ``+861012345678``. Emails lose case and spacing and get their domain in IDNA form.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from django.utils.translation import gettext_lazy as _
from email_validator import EmailNotValidError, validate_email

from hudong.core.errors import DomainError

DEFAULT_REGION = "CN"
KINDS = ("phone", "email", "wechat", "loyalty", "erp")
_SPACES = re.compile(r"[\s\-_.]+")
_PHONE_CHARS = re.compile(r"^[\d\s\-+().]+$")


def _invalid(message: object) -> DomainError:
    return DomainError("customers.identifier_invalid", message, status=422)


def _clean(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw or "").strip()


def normalize_phone(raw: str, region: str = DEFAULT_REGION) -> str:
    text = _clean(raw).removeprefix("tel:")
    if not text or not _PHONE_CHARS.match(text):
        raise _invalid(_("Not a phone number."))
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise _invalid(_("Not a phone number.")) from exc
    national = str(number.national_number)
    # The library's ranges lag behind new number blocks: accept what is possible and long
    # enough to be a real subscriber number, not just what it knows to be assigned.
    if not (
        phonenumbers.is_valid_number(number)
        or (phonenumbers.is_possible_number(number) and len(national) >= 7)
    ):
        raise _invalid(_("Not a phone number."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_email(raw: str) -> str:
    text = _clean(raw).removeprefix("mailto:").strip().lower()
    try:
        # Syntax only: this runs offline and at import speed, never asks DNS.
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise _invalid(_("Not an email address.")) from exc
    local, _at, domain = checked.normalized.rpartition("@")
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise _invalid(_("Not an email address.")) from exc
    return f"{local.lower()}@{ascii_domain.lower()}"


def normalize_wechat(raw: str) -> str:
    text = _clean(raw).lower()
    if not text:
        raise _invalid(_("The identifier is empty."))
    return text


def normalize_code(raw: str) -> str:
    text = _SPACES.sub("", _clean(raw)).upper()
    if not text:
        raise _invalid(_("The identifier is empty."))
    return text


def normalize(kind: str, raw: str) -> str:
    """The normalised key of an identifier of ``kind``; raises ``customers.identifier_invalid``."""
    if kind == "phone":
        return normalize_phone(raw)
    if kind == "email":
        return normalize_email(raw)
    if kind == "wechat":
        return normalize_wechat(raw)
    if kind in KINDS:
        return normalize_code(raw)
    raise DomainError(
        "customers.identifier_kind_unknown", _("Unknown identifier kind."), status=422
    )


def guesses(text: str) -> dict[str, str]:
    """Every kind ``text`` could be an identifier of, with its key: what a search box or a
    screen pop does with whatever the agent typed or the switch delivered."""
    found: dict[str, str] = {}
    cleaned = _clean(text)
    if not cleaned or len(cleaned) > 200:
        return found
    for kind in KINDS:
        if kind == "email" and "@" not in cleaned:
            continue
        if kind == "phone" and not _PHONE_CHARS.match(cleaned.removeprefix("tel:")):
            continue
        try:
            found[kind] = normalize(kind, cleaned)
        except DomainError:
            continue
    return found
