"""``flask backup PATH`` and ``flask restore PATH``."""

from __future__ import annotations

from flask import Flask


def register_backup_commands(app: Flask) -> None:
    """Add the backup commands to ``flask``."""
