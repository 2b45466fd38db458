"""The customer's search keys (:func:`hudong.customers.names.search_keys`) at import speed.

pypinyin segments a text into dictionary phrases before it converts, because a character can
read differently inside a phrase. A name in which no two or more consecutive characters form a
dictionary phrase is converted character by character, so its pinyin is the concatenation of
each character's own reading: that is computed here from a per-character cache. Any other name
goes through ``search_keys`` itself. A test checks both give the same keys. Names repeat (a
few hundred surnames, common given names), so the keys of recent names are remembered.
"""

from __future__ import annotations

import functools
import re

from pypinyin import Style, lazy_pinyin
from pypinyin.constants import PHRASES_DICT

from hudong.customers.names import fold, search_keys

_ALL_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


@functools.lru_cache(maxsize=65_536)
def _reading(char: str) -> str:
    return "".join(lazy_pinyin(char, style=Style.NORMAL, errors="default")).lower()


def _has_phrase(text: str) -> bool:
    size = len(text)
    return any(text[i:j] in PHRASES_DICT for i in range(size - 1) for j in range(i + 2, size + 1))


@functools.lru_cache(maxsize=1 << 17)
def name_keys(name: str, name_latin: str = "") -> tuple[str, str]:
    """(name key, pinyin key) exactly as ``Customer.save()`` would store them."""
    folded = fold(name)
    if folded and len(folded) <= 8 and _ALL_CJK.fullmatch(folded) and not _has_phrase(folded):
        return folded[:200], "".join(_reading(c) for c in folded)[:300]
    return search_keys(name, name_latin)
