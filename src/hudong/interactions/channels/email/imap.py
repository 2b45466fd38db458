"""IMAP polling: fetch new messages from a mailbox, store, record, then mark them seen.

New means above the last UID fetched from this mailbox (kept in :class:`ImapCursor`), as long
as the server's UIDVALIDITY is unchanged; when it changes the UIDs mean other messages, so
the mailbox is read again from the start and Message-IDs keep that from recording anything
twice. Messages are fetched with BODY.PEEK[] (fetching does not set \\Seen) and flagged
\\Seen only after they are stored: a crash in between fetches them again, never loses them.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import re
import ssl
from dataclasses import dataclass
from typing import Any

from hudong.interactions.channels.email import actions, conf
from hudong.interactions.channels.email.models import ImapCursor, InboundMail

log = logging.getLogger(__name__)
_UIDVALIDITY = re.compile(rb"UIDVALIDITY (\d+)", re.IGNORECASE)
BATCH = 200


@dataclass
class PollResult:
    fetched: int = 0
    recorded: int = 0
    duplicates: int = 0


def connect(account: conf.Imap) -> imaplib.IMAP4:
    """Log in; over TLS the server's certificate and host name are always verified."""
    client: imaplib.IMAP4
    if account.ssl:
        context = ssl.create_default_context(cafile=account.ca_file or None)
        client = imaplib.IMAP4_SSL(account.host, account.port, ssl_context=context, timeout=30)
    else:
        client = imaplib.IMAP4(account.host, account.port, timeout=30)
    client.login(account.user, account.password)
    return client


def uidvalidity(client: imaplib.IMAP4, select_data: list[Any]) -> int:
    """The mailbox's UIDVALIDITY from the SELECT answer (0 when a server leaves it out)."""
    _name, values = client.response("UIDVALIDITY")
    for value in values or []:
        if value is not None:
            return int(value)
    for item in select_data:
        found = _UIDVALIDITY.search(item if isinstance(item, bytes) else b"")
        if found:
            return int(found.group(1))
    return 0


def new_uids(search_data: list[Any], after: int) -> list[int]:
    """UIDs above ``after`` from a UID SEARCH answer ("n:*" always names the last message,
    even when it is older than n)."""
    words = b" ".join(d for d in search_data if isinstance(d, bytes)).split()
    return sorted(u for u in (int(w) for w in words if (w.isascii() and w.isdigit())) if u > after)


def message_bytes(fetch_data: list[Any]) -> bytes | None:
    """The literal of a UID FETCH answer: [(b'1 (UID 7 BODY[] {123}', b'raw...'), b')']."""
    for item in fetch_data:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    return None


def _cursor(account: conf.Imap, validity: int) -> ImapCursor:
    cursor, _created = ImapCursor.objects.get_or_create(mailbox=account.mailbox)
    if cursor.uidvalidity != validity:
        cursor.uidvalidity, cursor.last_uid = validity, 0
        cursor.save()
    return cursor


def poll(account: conf.Imap | None = None, *, client: imaplib.IMAP4 | None = None) -> PollResult:
    """One run over the mailbox. Raises on connection or login failure (the caller logs)."""
    account = account or conf.imap()
    if account is None:
        return PollResult()
    client = client or connect(account)
    result = PollResult()
    try:
        typ, data = client.select(account.folder)
        if typ != "OK":
            raise imaplib.IMAP4.error(f"cannot select {account.folder}")
        cursor = _cursor(account, uidvalidity(client, data))
        typ, data = client.uid("SEARCH", f"UID {cursor.last_uid + 1}:*")
        for uid in new_uids(data, cursor.last_uid)[:BATCH]:
            _fetch_one(client, uid, result)
            cursor.last_uid = uid
            cursor.save(update_fields=["last_uid", "updated_at"])
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            client.logout()
    return result


def _fetch_one(client: imaplib.IMAP4, uid: int, result: PollResult) -> None:
    typ, data = client.uid("FETCH", str(uid), "(BODY.PEEK[])")
    raw = message_bytes(data) if typ == "OK" else None
    if raw is None:
        log.warning("IMAP UID %s: no message body", uid)
        return
    result.fetched += 1
    message_id = actions.header_message_id(raw)
    if message_id and InboundMail.objects.filter(message_id=message_id).exists():
        result.duplicates += 1
    elif len(raw) <= conf.max_message_bytes():
        inbound = actions.store(raw, source="imap")
        if actions.process(inbound.pk).interaction_id:
            result.recorded += 1
    client.uid("STORE", str(uid), "+FLAGS", "(\\Seen)")
