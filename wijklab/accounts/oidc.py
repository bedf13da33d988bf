"""Institution login with OpenID Connect (SURFconext and others)."""

from __future__ import annotations

from flask import Flask


def register_oidc(app: Flask) -> None:
    """Set up the configured OpenID Connect providers and their routes."""
