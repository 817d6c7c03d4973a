"""The base of kam's data commands (``kam import``, ``kam score``, ``kam report``, ...).

Django runs its system checks before every management command, which loads every URL
configuration and with it every view, API and analysis module kam has (openpyxl, rustworkx,
the API schemas): over a second before a two-row import reads its first row. kam's data
commands skip them; ``kam check``, ``kam migrate`` and ``kam runserver`` still run them, so a
misconfigured installation is still caught where it is set up and served.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand


class DataCommand(BaseCommand):
    """A command that reads or writes kam's data: no system checks before it runs."""

    requires_system_checks: list[str] = []
