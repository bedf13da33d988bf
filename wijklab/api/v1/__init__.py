"""The JSON API, version 1: personal access tokens, resources, OpenAPI."""

from __future__ import annotations

from flask import Flask


def register_api(app: Flask) -> None:
    """Set up /api/v1 (filled in by the API feature)."""
