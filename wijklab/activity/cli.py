"""Commands that run the schedules by hand: ``send-digests``, ``send-reminders``, and
``send-mail`` (the outbox)."""

from __future__ import annotations

from flask import Flask


def register_activity_commands(app: Flask) -> None:
    """Add the activity commands to ``flask``."""
