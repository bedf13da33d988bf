"""Locale selection: Dutch by default, English by choice (remembered per user)."""

from __future__ import annotations

from flask import current_app, has_request_context, session
from flask_login import current_user


def get_locale() -> str:
    """The signed-in user's saved language, else the session's choice, else Dutch."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    user_locale = getattr(current_user, "locale", None) if current_user else None
    if user_locale in languages:
        return user_locale
    if session.get("locale") in languages:
        return session["locale"]
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def get_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]
