"""What the app does when a part it depends on is down (the database): a clear 503, and it
recovers by itself when the part is back."""

from __future__ import annotations

from flask import Flask


def register_availability(app: Flask) -> None:
    """Register the handlers (filled in by the deployment work)."""
