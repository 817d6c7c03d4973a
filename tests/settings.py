"""Settings for the test suite: kam's own, with a fast password hasher."""

from kam.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
