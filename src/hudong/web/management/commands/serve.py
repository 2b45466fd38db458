"""Serve Hudong over ASGI (uvicorn) on HOST:PORT from the settings."""

from __future__ import annotations

from typing import Any

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the ASGI web server."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=settings.HOST)
        parser.add_argument("--port", type=int, default=settings.PORT)
        parser.add_argument("--workers", type=int, default=1)

    def handle(self, *args: Any, host: str, port: int, workers: int, **options: Any) -> None:
        self.stdout.write(f"Hudong is serving at http://{host}:{port}/")
        uvicorn.run(
            "hudong.asgi:application",
            host=host,
            port=port,
            workers=workers,
            log_level="info",
            proxy_headers=False,
            lifespan="off",
        )
