"""Turn an RFC 5322 message into what the timeline needs.

The standard library's parser with ``policy.default`` decodes encoded words, charsets and
transfer encodings. Whatever a sender puts in a header is treated as hostile: a missing or
garbled Message-ID gets a stable one derived from the bytes (so the same message delivered
twice is still recorded once), a missing sender is a coded error, and an unknown charset is
decoded with replacement characters instead of failing the message.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

from django.utils.translation import gettext_lazy as _

from hudong.core.errors import DomainError
from hudong.interactions.channels.email import html

# What a timeline keeps of one mail's text and of its HTML (the raw message keeps it all).
MAX_CHARS = 1_000_000
_MSGID = re.compile(r"<([^<>\s]{1,240})>")
_REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|sv|回复|答复|转发)\s*[:：]\s*)+", re.IGNORECASE)
_ANGLE_ADDRESS = re.compile(r"<([^<>\s@]+@[^<>\s@]+)>")
_SPACE_OR_ANGLE = re.compile(r"[\s<>]")
_DSN_STATUS = re.compile(r"^Status:\s*([245]\.\d{1,3}\.\d{1,3})", re.IGNORECASE | re.MULTILINE)
_FILENAME_BAD = re.compile(r"[^\w.\- ()\[\]]+", re.UNICODE)


@dataclass
class ParsedAttachment:
    filename: str
    content_type: str
    data: bytes


@dataclass
class ParsedMail:
    sender: str
    sender_name: str
    message_id: str
    references: list[str]  # References then In-Reply-To, oldest first, without brackets
    subject: str
    text: str
    html: str  # sanitised; "" when the mail had no HTML part
    date: str
    to: list[str] = field(default_factory=list)
    attachments: list[ParsedAttachment] = field(default_factory=list)
    # A delivery status notification (RFC 3464) about one of our mails: its Message-ID and
    # the status it reports ("5.1.1"); "" for an ordinary mail.
    bounce_of: str = ""
    bounce_status: str = ""
    # An out-of-office or other automatic answer (RFC 3834 Auto-Submitted: auto-replied).
    auto_reply: bool = False


def message_ids(value: str) -> list[str]:
    """The ids in a Message-ID, In-Reply-To or References header, without angle brackets."""
    return _MSGID.findall(value or "")


def bare_subject(subject: str) -> str:
    """The subject without its "Re:"/"回复:" prefixes (threads and keywords compare this)."""
    return _REPLY_PREFIX.sub("", subject or "").strip()


def safe_filename(name: str, fallback: str = "attachment") -> str:
    """A file name for the download header: no path, no control or shell characters."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _FILENAME_BAD.sub("_", name).strip(" ._")
    if not name:
        return fallback
    stem, dot, ext = name.rpartition(".")
    if dot and len(ext) <= 10:
        return f"{stem[: 150 - len(ext)]}.{ext}"
    return name[:150]


def _header(msg: Message, name: str) -> str:
    try:
        value = msg.get(name)
    except Exception:  # a header the parser cannot decode counts as absent
        return ""
    return str(value or "")


def _decoded(part: Message) -> str:
    try:
        return str(part.get_content())  # type: ignore[attr-defined]
    except (LookupError, UnicodeError, AssertionError):
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""


def _address(header: str) -> tuple[str, str]:
    """Display name and address; a header too garbled to parse still yields its <address>."""
    name, address = parseaddr(header)
    if "@" in address and not _SPACE_OR_ANGLE.search(address):
        return name, address
    found = _ANGLE_ADDRESS.findall(header)
    return ("", found[-1]) if found else ("", "")


def _sender(msg: Message) -> tuple[str, str]:
    name, address = _address(_header(msg, "From"))
    if not address:
        name, address = _address(_header(msg, "Sender"))
    if not address:
        raise DomainError(
            "email_channel.no_sender", _("The message has no sender address."), status=422
        )
    return address.strip(), name.strip()


def _attachments(msg: EmailMessage, bodies: set[int]) -> list[ParsedAttachment]:
    found: list[ParsedAttachment] = []
    for part in msg.walk():
        if part.is_multipart() or id(part) in bodies:
            continue
        disposition = part.get_content_disposition()
        filename = part.get_filename()
        if disposition != "attachment" and not filename and part.get_content_maintype() == "text":
            continue  # an extra text part of the body, not a file
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            continue
        found.append(
            ParsedAttachment(
                filename=safe_filename(str(filename or ""), f"attachment-{len(found) + 1}"),
                content_type=part.get_content_type()[:100],
                data=data,
            )
        )
    return found


def _bounce(msg: EmailMessage) -> tuple[str, str]:
    """The Message-ID a delivery report is about and its status, or ("", "")."""
    if msg.get_content_type() != "multipart/report":
        return "", ""
    original, status = "", ""
    for part in msg.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status" and not status:
            found = _DSN_STATUS.search(_delivery_status_text(part))
            status = found.group(1) if found else ""
        elif kind in ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers"):
            ids = message_ids(_embedded_header(part, "Message-ID"))
            original = original or (ids[0] if ids else "")
    return original, status


def _delivery_status_text(part: Message) -> str:
    payload = part.get_payload()
    if isinstance(payload, list):  # the parser splits it into header blocks
        return "\n".join(str(block) for block in payload)
    return str(payload or "")


def _embedded_header(part: Message, name: str) -> str:
    payload = part.get_payload()
    if isinstance(payload, list):  # message/rfc822: the attached message
        first = payload[0] if payload else None
        return _header(first, name) if isinstance(first, Message) else ""
    text = payload if isinstance(payload, str) else ""
    headers = BytesParser(policy=policy.default).parsebytes(text.encode("utf-8", "replace"))
    return _header(headers, name)


def is_auto_reply(msg: Message) -> bool:
    """RFC 3834's header, and the older ones mail servers and clients still send."""
    submitted = _header(msg, "Auto-Submitted").strip().lower()
    precedence = _header(msg, "Precedence").strip().lower()
    return (
        submitted.startswith("auto-replied")
        or precedence == "auto_reply"
        or bool(_header(msg, "X-Autoreply") or _header(msg, "X-Autorespond"))
    )


def parse(raw: bytes) -> ParsedMail:
    """Parse one message; raises ``email_channel.no_sender`` when nobody can be identified."""
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(msg, EmailMessage)
    sender, name = _sender(msg)
    ids = message_ids(_header(msg, "Message-ID"))
    message_id = ids[0] if ids else f"sha256-{hashlib.sha256(raw).hexdigest()}@hudong.invalid"
    references = message_ids(_header(msg, "References"))
    for parent in message_ids(_header(msg, "In-Reply-To")):
        if parent not in references:
            references.append(parent)
    plain = msg.get_body(preferencelist=("plain",))
    rich = msg.get_body(preferencelist=("html",))
    clean_html = html.sanitise(_decoded(rich)[:MAX_CHARS]) if rich is not None else ""
    if plain is not None:
        text = _decoded(plain)[:MAX_CHARS].strip()
    else:
        text = html.to_text(clean_html) if clean_html else ""
    bodies = {id(p) for p in (plain, rich) if p is not None}
    bounce_of, bounce_status = _bounce(msg)
    return ParsedMail(
        auto_reply=is_auto_reply(msg),
        bounce_of=bounce_of,
        bounce_status=bounce_status,
        sender=sender,
        sender_name=name,
        message_id=message_id,
        references=references,
        subject=" ".join(_header(msg, "Subject").split()),
        text=text,
        html=clean_html,
        date=_header(msg, "Date")[:100],
        to=[a for _n, a in getaddresses([_header(msg, "To"), _header(msg, "Cc")]) if a][:50],
        attachments=_attachments(msg, bodies),
    )
