"""Which text encoding a file a person uploads is in: UTF-8, or what Chinese Excel writes.

CSV comes in UTF-8 (with or without the byte-order mark Excel adds) or, from Chinese Excel and
most Chinese ERPs, in GBK/GB18030. The encoding is decided on a sample of whole lines: a file
whose lines are nearly all valid UTF-8 is UTF-8 (a stray line in another encoding is then a bad
row, not a reason to garble the rest); else GB18030 (a superset of GBK and GB2312); else
whatever charset-normalizer recognises; else the file is refused (``imports.encoding_unknown``).
Every importer (customers, calendars...) asks here, so they all accept the same files.
"""

from __future__ import annotations

from charset_normalizer import from_bytes
from django.utils.translation import gettext_lazy as _

from hudong.core.errors import DomainError

SAMPLE_BYTES = 1 << 20
UTF8_SHARE = 0.8  # of the sample's non-ASCII lines, to call a file UTF-8 despite a few bad ones
BOM = b"\xef\xbb\xbf"


def encoding_unknown() -> DomainError:
    return DomainError(
        "imports.encoding_unknown",
        _("The file's text encoding could not be recognised; save it as UTF-8 or GB18030 CSV."),
        status=422,
    )


def _decodes(line: bytes, encoding: str) -> bool:
    try:
        line.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(sample: bytes) -> str:
    """The encoding of a CSV file from its first bytes (up to :data:`SAMPLE_BYTES`)."""
    if sample.startswith(BOM):
        return "utf-8-sig"
    if b"\x00" in sample:  # UTF-16 or binary: not a CSV we read
        raise encoding_unknown()
    lines = sample.split(b"\n")
    if len(sample) >= SAMPLE_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last one may be cut in the middle of a character
    wide = [line for line in lines if not line.isascii()]
    if not wide:
        return "utf-8"
    for encoding in ("utf-8", "gb18030"):
        good = sum(_decodes(line, encoding) for line in wide)
        if good == len(wide) or (encoding == "utf-8" and good >= UTF8_SHARE * len(wide)):
            return encoding
    best = from_bytes(sample).best()
    if best is None:
        raise encoding_unknown()
    name = best.encoding.lower()
    if name.startswith("gb") or name in {"hz", "cp936"}:
        return "gb18030"
    return name
