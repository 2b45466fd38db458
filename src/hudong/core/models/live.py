"""Messages pushed live to a signed-in user's browser (a screen pop, a new chat line).

A row per message, read by the user's open event stream. A table rather than process memory
because the app runs as several server processes and a worker: whoever writes the row (a
telephony webhook in one process) need not be the process holding the agent's stream.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class LiveMessage(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="live_messages"
    )
    topic = models.CharField(max_length=50)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["user", "id"])]

    def __str__(self) -> str:
        return f"{self.topic} → {self.user_id}"
