"""Receivers for what lower features announce with signals (accounts cannot import activity):
they record it in the audit trail and queue the mail it needs."""

from __future__ import annotations

from flask import Flask


def connect_listeners(app: Flask) -> None:
    """Connect the receivers once per process."""
