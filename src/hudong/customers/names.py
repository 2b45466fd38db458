"""Name keys: one spelling-independent form of a name for search and matching.

Chinese customers are written in simplified or traditional characters, or in pinyin in either
order ("Zhang Wei", "Wei Zhang", "ZHANG Wei"). The key folds traditional to simplified
characters, full-width to half-width, case and spacing; the pinyin form drops tones and spaces
so a search typed on a Latin keyboard finds the record written in characters.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import opencc
from pypinyin import Style, lazy_pinyin

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@functools.cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def fold(text: str) -> str:
    """Simplified characters, half-width, lower case, no spaces or punctuation."""
    text = unicodedata.normalize("NFKC", text or "")
    if has_cjk(text):
        text = _t2s().convert(text)
    return _NOT_WORD.sub("", text).lower()


def pinyin(text: str) -> str:
    """Toneless pinyin of the characters, Latin letters kept, no spaces: 张伟 → zhangwei."""
    folded = fold(text)
    if not has_cjk(folded):
        return folded
    return "".join(lazy_pinyin(folded, style=Style.NORMAL, errors="default")).lower()


def latin_tokens(text: str) -> list[str]:
    """The words of a Latin spelling, lower case: "ZHANG Wei" → ["zhang", "wei"]."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return [t for t in _NOT_WORD.split(text) if t]


@functools.lru_cache(maxsize=262_144)
def search_keys(name: str, name_latin: str = "") -> tuple[str, str]:
    """(name key, pinyin key) stored on the customer. A Latin-only name with no characters keeps
    its own letters as the pinyin key, so "Zhang Wei" and 张伟 share "zhangwei"."""
    key = fold(name)[:200]
    spelled = pinyin(name) if has_cjk(name) else "".join(latin_tokens(name or name_latin))
    return key, spelled[:300]
