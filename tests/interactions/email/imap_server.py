"""A small IMAP4rev1 server for the tests, on loopback.

No IMAP server (dovecot, cyrus) is installed where the tests run, so this one speaks the part
of RFC 3501 that a mailbox poller uses, over a real TCP socket, to Python's real ``imaplib``:
CAPABILITY, LOGIN, SELECT (with EXISTS and UIDVALIDITY), UID SEARCH, UID FETCH with
BODY.PEEK[] literals, UID STORE of flags, LOGOUT. Flags and UIDs behave as RFC 3501 says
(``n:*`` always includes the highest UID; PEEK does not set \\Seen).
"""

from __future__ import annotations

import re
import socketserver
import ssl
import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Stored:
    uid: int
    raw: bytes
    flags: set[str] = field(default_factory=set)


@dataclass
class Mailbox:
    user: str = "crm"
    password: str = "s3cret pass"
    uidvalidity: int = 42
    messages: list[Stored] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)

    def add(self, raw: bytes) -> int:
        uid = (self.messages[-1].uid if self.messages else 0) + 1
        self.messages.append(Stored(uid, raw))
        return uid

    def uids(self, spec: str) -> list[int]:
        """Resolve a UID set such as ``3``, ``3:*`` or ``1,4:5`` (RFC 3501 6.4.8)."""
        top = self.messages[-1].uid if self.messages else 0
        wanted: set[int] = set()
        for part in spec.split(","):
            low, _, high = part.partition(":")
            lo = top if low == "*" else int(low)
            hi = lo if not high else (top if high == "*" else int(high))
            lo, hi = min(lo, hi), max(lo, hi)
            wanted |= {m.uid for m in self.messages if lo <= m.uid <= hi}
        return sorted(wanted)


def _unquote(word: str) -> str:
    if word.startswith('"') and word.endswith('"'):
        return re.sub(r"\\(.)", r"\1", word[1:-1])
    return word


class _Session(socketserver.StreamRequestHandler):
    box: Mailbox

    def send(self, line: str | bytes) -> None:
        self.wfile.write(line if isinstance(line, bytes) else line.encode() + b"\r\n")

    def handle(self) -> None:
        self.send("* OK [CAPABILITY IMAP4rev1] test server ready")
        authed = False
        while True:
            line = self.rfile.readline()
            if not line:
                return
            text = line.decode().rstrip("\r\n")
            self.box.commands.append(text)
            tag, _, rest = text.partition(" ")
            verb, _, args = rest.partition(" ")
            verb = verb.upper()
            if verb == "CAPABILITY":
                self.send("* CAPABILITY IMAP4rev1")
                self.send(f"{tag} OK CAPABILITY completed")
            elif verb == "LOGIN":
                user, password = (_unquote(w) for w in re.findall(r'"(?:\\.|[^"])*"|\S+', args))
                authed = (user, password) == (self.box.user, self.box.password)
                self.send(f"{tag} OK LOGIN completed" if authed else f"{tag} NO bad credentials")
            elif verb == "LOGOUT":
                self.send("* BYE logging out")
                self.send(f"{tag} OK LOGOUT completed")
                return
            elif not authed:
                self.send(f"{tag} BAD log in first")
            elif verb == "SELECT":
                self.send(f"* {len(self.box.messages)} EXISTS")
                self.send("* 0 RECENT")
                self.send(f"* OK [UIDVALIDITY {self.box.uidvalidity}] UIDs valid")
                self.send(f"{tag} OK [READ-WRITE] SELECT completed")
            elif verb == "UID":
                self._uid(tag, args)
            else:
                self.send(f"{tag} BAD unknown command")

    def _uid(self, tag: str, args: str) -> None:
        command, _, rest = args.partition(" ")
        command = command.upper()
        if command == "SEARCH":
            spec = rest.split()[-1]
            self.send("* SEARCH " + " ".join(str(u) for u in self.box.uids(spec)))
        elif command == "FETCH":
            spec, _, items = rest.partition(" ")
            for uid in self.box.uids(spec):
                seq, message = self._find(uid)
                if "BODY.PEEK[]" not in items.upper():
                    message.flags.add("\\Seen")
                head = f"* {seq} FETCH (UID {uid} BODY[] {{{len(message.raw)}}}\r\n"
                self.send(head.encode() + message.raw + b")\r\n")
        elif command == "STORE":
            spec, _, change = rest.partition(" ")
            mode, _, flags = change.partition(" ")
            for uid in self.box.uids(spec):
                seq, message = self._find(uid)
                names = set(flags.strip("()").split())
                if mode.upper().startswith("+"):
                    message.flags |= names
                else:
                    message.flags -= names
                self.send(f"* {seq} FETCH (UID {uid} FLAGS ({' '.join(sorted(message.flags))}))")
        else:
            self.send(f"{tag} BAD unknown UID command")
            return
        self.send(f"{tag} OK UID {command} completed")

    def _find(self, uid: int) -> tuple[int, Stored]:
        for seq, message in enumerate(self.box.messages, start=1):
            if message.uid == uid:
                return seq, message
        raise KeyError(uid)


class ImapServer:
    """Serve one :class:`Mailbox` on 127.0.0.1 (a free port) until ``stop()``, in plain text
    or, given a server TLS context, over TLS."""

    def __init__(self, box: Mailbox, tls: ssl.SSLContext | None = None) -> None:
        handler: Any = type("Session", (_Session,), {"box": box})
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
        if tls is not None:  # IMAP over TLS from the first byte (port 993 style)
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> ImapServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
