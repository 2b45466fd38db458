"""Identifier normalisation: every common spelling of one identifier gives one key."""

from __future__ import annotations

import pytest

from hudong.core.errors import DomainError
from hudong.customers.normalize import guesses, normalize

MOBILE = [
    "138 0013 8000",
    "+86-138-0013-8000",
    "0086 13800138000",
    "13800138000",
    "+86 (138) 0013 8000",
    "１３８００１３８０００",
    "tel:+8613800138000",
    "8613800138000",
]


@pytest.mark.parametrize("spelling", MOBILE)
def test_every_spelling_of_a_mobile_number_is_one_key(spelling: str) -> None:
    assert normalize("phone", spelling) == "+8613800138000"


@pytest.mark.parametrize(
    ("spelling", "key"),
    [
        ("010-12345678", "+861012345678"),
        ("(010) 1234 5678", "+861012345678"),
        ("+86 10 1234 5678", "+861012345678"),
        ("0571-8888 7777", "+8657188887777"),
        ("+1 415 555 2671", "+14155552671"),
    ],
)
def test_landlines_with_area_codes_and_foreign_numbers(spelling: str, key: str) -> None:
    assert normalize("phone", spelling) == key


@pytest.mark.parametrize("bad", ["abc", "12345", "", "138-0013-800a", "=1+1"])
def test_what_is_not_a_phone_number_is_refused_with_a_stable_code(bad: str) -> None:
    with pytest.raises(DomainError) as err:
        normalize("phone", bad)
    assert err.value.code == "customers.identifier_invalid"


@pytest.mark.parametrize(
    "spelling",
    [" Li.Na@Example.COM ", "li.na@example.com", "mailto:LI.NA@example.com", "li.na＠example.com"],
)
def test_email_spellings_are_one_key(spelling: str) -> None:
    assert normalize("email", spelling) == "li.na@example.com"


def test_international_domains_are_stored_in_idna() -> None:
    assert normalize("email", "王@例子.中国") == "王@xn--fsqu00a.xn--fiqs8s"


@pytest.mark.parametrize("bad", ["no-at-sign", "a@b", "@example.com", "a@@example.com"])
def test_bad_emails_are_refused(bad: str) -> None:
    with pytest.raises(DomainError):
        normalize("email", bad)


def test_codes_ignore_case_and_separators() -> None:
    assert normalize("loyalty", " vip-0012 3456 ") == normalize("loyalty", "VIP00123456")
    assert normalize("wechat", "Zhang_Wei88") == "zhang_wei88"


def test_guesses_tries_only_the_kinds_the_text_could_be() -> None:
    assert guesses("138 0013 8000")["phone"] == "+8613800138000"
    assert "phone" not in guesses("li.na@example.com")
    assert guesses("li.na@example.com")["email"] == "li.na@example.com"
