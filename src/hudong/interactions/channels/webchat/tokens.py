"""The visitor's proof that a chat is theirs: the session's random public id, signed.

The widget holds no login; whoever has the token may read and write that one chat, and no
other. The signature (Django's SECRET_KEY, a salt of its own, a timestamp) means a token
cannot be made for a guessed id, and it expires (``HUDONG_CHAT_TOKEN_HOURS``).
"""

from __future__ import annotations

from django.core import signing
from django.utils.translation import gettext_lazy as _

from hudong.core.errors import DomainError
from hudong.interactions.channels.webchat import conf

SALT = "hudong.webchat.session"


def issue(public_id: str) -> str:
    return signing.TimestampSigner(salt=SALT).sign(public_id)


def check(token: str, public_id: str) -> None:
    """Raise unless ``token`` was issued for the session ``public_id`` and is still valid."""
    if not token or len(token) > 200:
        raise DomainError(
            "webchat.token_missing", _("This chat needs its session token."), status=401
        )
    try:
        signed_for = signing.TimestampSigner(salt=SALT).unsign(token, max_age=conf.token_max_age())
    except signing.SignatureExpired as exc:
        raise DomainError(
            "webchat.token_expired", _("This chat has expired. Start a new one."), status=401
        ) from exc
    except signing.BadSignature as exc:
        raise DomainError(
            "webchat.token_invalid", _("This session token is not valid."), status=401
        ) from exc
    if signed_for != public_id:
        raise DomainError(
            "webchat.token_other_session",
            _("This session token belongs to another chat."),
            status=403,
        )
