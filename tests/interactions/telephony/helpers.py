"""What a switch does: build a call event, sign its body, post it."""

from __future__ import annotations

import itertools
import json
from typing import Any

from django.utils import timezone

from hudong.interactions.channels.telephony.signing import HEADER, sign

SECRET = "switch-shared-secret"
URL = "/api/v1/cti/events"
_ids = itertools.count(1)


def event(kind: str, call_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "event_id": f"evt-{next(_ids)}",
        "call_id": call_id,
        "type": kind,
        "timestamp": timezone.now().isoformat(),
        **fields,
    }


def post(client: Any, payload: dict[str, Any] | bytes, *, secret: str = SECRET) -> Any:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return client.post(
        URL,
        data=body,
        content_type="application/json",
        headers={HEADER: sign(body, secret)},
    )
