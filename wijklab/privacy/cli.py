"""``flask retention [--dry-run]``."""

from __future__ import annotations

from flask import Flask


def register_privacy_commands(app: Flask) -> None:
    """Add the privacy commands to ``flask``."""
