"""The email channel's settings, read in one place with their defaults.

Each value comes from Django settings when the project defines it (``HUDONG_EMAIL_FROM``,
``HUDONG_IMAP_HOST``...); the defaults let a development install run without any of them.
SMTP itself (host, port, TLS, credentials) is Django's own ``EMAIL_*`` settings.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


def _get(name: str, default: object) -> object:
    return getattr(settings, name, default)


def from_address() -> str:
    """The From: of outbound mail: ``HUDONG_EMAIL_FROM``, else Django's DEFAULT_FROM_EMAIL."""
    return str(_get("HUDONG_EMAIL_FROM", "") or settings.DEFAULT_FROM_EMAIL)


def message_id_domain() -> str:
    """The right-hand side of the Message-IDs we generate (the From: address's domain), so
    replies carry ids that are ours and unique across installations."""
    explicit = str(_get("HUDONG_EMAIL_MESSAGE_ID_DOMAIN", ""))
    if explicit:
        return explicit
    address = from_address().rsplit("<", 1)[-1].rstrip(">")
    return address.rsplit("@", 1)[-1] or "hudong.localhost"


def public_url() -> str:
    """Where customers reach this installation (the unsubscribe link is absolute)."""
    return str(_get("HUDONG_PUBLIC_URL", "") or "http://127.0.0.1:8000").rstrip("/")


def accepted_domains() -> frozenset[str]:
    """Recipient domains the SMTP receiver accepts; empty: every domain."""
    value = _get("HUDONG_EMAIL_DOMAINS", "")
    items = value.split(",") if isinstance(value, str) else list(value)  # type: ignore[call-overload]
    return frozenset(d.strip().lower() for d in items if d.strip())


def max_message_bytes() -> int:
    """The largest message the receiver and the poller take (SMTP SIZE limit)."""
    return int(_get("HUDONG_EMAIL_MAX_BYTES", 25 * 1024 * 1024))  # type: ignore[call-overload]


def max_attachment_bytes() -> int:
    """The largest attachment kept; bigger ones are listed on the interaction, not stored."""
    return int(_get("HUDONG_EMAIL_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))  # type: ignore[call-overload]


def keep_raw_days() -> int:
    """How long the raw copy of a recorded mail is kept (for processing it again)."""
    return int(_get("HUDONG_EMAIL_KEEP_RAW_DAYS", 30))  # type: ignore[call-overload]


@dataclass(frozen=True)
class Imap:
    host: str
    port: int
    user: str
    password: str
    folder: str
    ssl: bool
    ca_file: str = ""  # a private CA that signed the server's certificate ("" : the system's)

    @property
    def mailbox(self) -> str:
        """The key the UID cursor is kept under (one per account and folder)."""
        return f"{self.user}@{self.host}:{self.port}/{self.folder}"[:300]


def _flag(value: object) -> bool:
    """A yes/no setting, whether Python (True) or as an operator wrote it ("false", "0")."""
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


def imap() -> Imap | None:
    """The IMAP account to poll, or None when ``HUDONG_IMAP_HOST`` is not set."""
    host = str(_get("HUDONG_IMAP_HOST", "") or "")
    if not host:
        return None
    use_ssl = _flag(_get("HUDONG_IMAP_SSL", True))
    port = _get("HUDONG_IMAP_PORT", 0) or (993 if use_ssl else 143)
    return Imap(
        host=host,
        port=int(port),  # type: ignore[call-overload]
        user=str(_get("HUDONG_IMAP_USER", "")),
        password=str(_get("HUDONG_IMAP_PASSWORD", "")),
        folder=str(_get("HUDONG_IMAP_FOLDER", "") or "INBOX"),
        ssl=use_ssl,
        ca_file=str(_get("HUDONG_IMAP_CA_FILE", "") or ""),
    )
