"""Settings for the test suite: the real settings, in test mode, with a fast password hash."""

import atexit
import os
import tempfile
from pathlib import Path

os.environ.setdefault("HUDONG_ENV", "test")

from hudong.settings import *  # noqa: E402,F403
from hudong.settings import PASSWORD_HASHERS  # noqa: E402

# Argon2 is the production hash (and tests assert it); thousands of test users need speed.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]


def _test_database_file() -> str:
    """Where the SQLite test database lives: a file of its own per test process, on a memory
    file system where there is one.

    Not Django's in-memory default: the browser tests' live server answers each request in a
    thread of its own, and with an in-memory database Django hands every one of those threads
    the test's single connection. Two requests at once (a page while a live stream polls) then
    trip over each other's statements ("cannot commit transaction - SQL statements in
    progress"), which production, where every thread has its own connection to the file, never
    does. A file gives each thread its own connection, in WAL mode, as in production."""
    shm = Path("/dev/shm")
    folder = shm if shm.is_dir() and os.access(shm, os.W_OK) else Path(tempfile.gettempdir())
    name = folder / f"hudong-test-{os.getpid()}.sqlite3"
    atexit.register(_remove_leftovers, name)
    return str(name)


def _remove_leftovers(name: Path) -> None:
    """Django removes the database file; its WAL, shared-memory and priority-gate companions
    (under the name pytest-xdist may have suffixed) would stay on the memory file system."""
    for path in name.parent.glob(name.name + "*"):
        path.unlink(missing_ok=True)


if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": _test_database_file()}  # noqa: F405
