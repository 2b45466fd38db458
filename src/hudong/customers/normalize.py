"""Identifier normalisation: the many ways people write one phone number or email become one key."""

from __future__ import annotations

import re

import phonenumbers
from django.utils.translation import gettext_lazy as _

from hudong.core.errors import DomainError

DEFAULT_REGION = "CN"
_SPACES = re.compile(r"[\s\-_.]+")


def normalize_phone(raw: str, region: str = DEFAULT_REGION) -> str:
    text = raw.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise DomainError("customers.identifier_invalid", _("Not a phone number.")) from exc
    if not phonenumbers.is_possible_number(number):
        raise DomainError("customers.identifier_invalid", _("Not a phone number."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_email(raw: str) -> str:
    text = raw.strip().lower()
    local, sep, domain = text.rpartition("@")
    if not sep or not local or "." not in domain:
        raise DomainError("customers.identifier_invalid", _("Not an email address."))
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise DomainError("customers.identifier_invalid", _("Not an email address.")) from exc
    return f"{local}@{domain}"


def normalize_code(raw: str) -> str:
    text = _SPACES.sub("", raw.strip()).upper()
    if not text:
        raise DomainError("customers.identifier_invalid", _("The identifier is empty."))
    return text


def normalize(kind: str, raw: str) -> str:
    """The normalised key of an identifier of ``kind``; raises ``customers.identifier_invalid``."""
    if kind == "phone":
        return normalize_phone(raw)
    if kind == "email":
        return normalize_email(raw)
    if kind == "wechat":
        text = raw.strip().lower()
        if not text:
            raise DomainError("customers.identifier_invalid", _("The identifier is empty."))
        return text
    return normalize_code(raw)
