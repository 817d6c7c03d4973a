"""The ``kam`` command: Django's manage.py, plus kam's own commands (``kam demo``, ...)."""

from __future__ import annotations

import os
import sys


def _apply_data_dir_option(argv: list[str]) -> None:
    # --data-dir must reach the settings before Django reads them, so it is taken here.
    for index, arg in enumerate(argv):
        if arg == "--data-dir" and index + 1 < len(argv):
            os.environ["KAM_DATA_DIR"] = argv[index + 1]
        elif arg.startswith("--data-dir="):
            os.environ["KAM_DATA_DIR"] = arg.split("=", 1)[1]


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings")
    _apply_data_dir_option(argv)

    from kam.config import ConfigError

    try:
        from django.conf import settings

        settings.INSTALLED_APPS  # noqa: B018 - forces the settings (and KAM_* parsing) to load
    except ConfigError as error:
        sys.stderr.write(f"kam: configuration error: {error}\n")
        raise SystemExit(2) from error

    from django.core.management import execute_from_command_line

    argv[0] = "kam"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
