"""Settings for the test suite: kam's own, with a fast password hasher."""

import os
import tempfile
from pathlib import Path

from kam.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # On disk, not Django's default shared in-memory database: there a background job's
    # thread meets "table is locked" at once instead of waiting its turn, as it does on a
    # real (file) database, and the background-job tests failed now and then.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"kam-test-{os.getpid()}.sqlite3")
    }

# Uploaded files (plan attachments, the demo's proposal) go to a scratch folder, never the
# developer's data directory.
MEDIA_ROOT = Path(tempfile.gettempdir()) / f"kam-test-files-{os.getpid()}"
