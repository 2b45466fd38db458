"""Settings for the test suite: the real settings, in test mode, with a fast password hash."""

import os

os.environ.setdefault("HUDONG_ENV", "test")

from hudong.settings import *  # noqa: E402,F403
from hudong.settings import PASSWORD_HASHERS  # noqa: E402

# Argon2 is the production hash (and tests assert it); thousands of test users need speed.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
