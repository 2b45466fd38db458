"""The receipt-time shortcut for mainland mobiles gives exactly the key the customers app gives."""

from __future__ import annotations

import random

from hudong.customers.normalize import normalize
from hudong.interactions.channels.webhooks.payload import fast_key


def _spellings(national: str) -> list[str]:
    a, b, c = national[:3], national[3:7], national[7:]
    return [
        national,
        f"{a} {b} {c}",
        f"{a}-{b}-{c}",
        f"+86 {national}",
        f"+86-{a}-{b}-{c}",
        f"0086 {national}",
        f"0086{national}",
        " " + "".join(chr(ord(d) + 0xFEE0) for d in national),  # full-width digits
    ]


def test_mobiles_in_every_spelling_get_the_same_key_as_the_phone_library() -> None:
    rng = random.Random(4)
    for _ in range(300):
        national = f"1{rng.randint(3, 9)}{rng.randrange(10**9):09d}"
        for spelling in _spellings(national):
            assert fast_key("phone", spelling) == normalize("phone", spelling)


def test_anything_else_is_left_to_the_phone_library() -> None:
    for raw in ["010-1234 5678", "12800138000", "1380013800", "+1 415 555 0100", "8613800138000"]:
        assert fast_key("phone", raw) == ""
    assert fast_key("email", "a@b.cn") == ""
