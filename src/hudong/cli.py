"""The ``hudong`` command: every management command, plus ``serve`` for the ASGI server."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hudong.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["hudong", *sys.argv[1:]])


if __name__ == "__main__":
    main()
