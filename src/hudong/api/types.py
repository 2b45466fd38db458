"""Shared API field types: reject what would corrupt storage instead of failing with a 500."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

DB_ID_MAX = 2**63 - 1


def _no_control_chars(value: str) -> str:
    if any(ord(c) < 32 and c not in "\t\n\r" for c in value):
        raise ValueError("control characters are not allowed")
    if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise ValueError("unpaired surrogates are not allowed")
    return value


CleanStr = Annotated[str, AfterValidator(_no_control_chars)]
Id = Annotated[int, Field(ge=1, le=DB_ID_MAX)]
