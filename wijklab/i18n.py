"""Locale selection: Dutch by default, English by choice (remembered per user)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import current_app, has_request_context, session
from flask_babel import format_date, format_decimal, gettext, to_user_timezone
from flask_babel import get_locale as babel_locale
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


# --- one set of formats for pages, PDFs and charts (docs/glossary.md, "Writing rules") ------
# Each runs inside an app context and follows the current locale (nl: decimal comma).


def decimal(value, places: int = 1, *, fixed: bool = False) -> str:
    """A number with at most ``places`` decimals in the user's language (5,2; 1.234,5); with
    ``fixed`` always that many, as table columns show them (2,0)."""
    pattern = "#,##0" + ("." + ("0" if fixed else "#") * places if places else "")
    return format_decimal(value or 0, pattern)


def whole(value) -> str:
    """A whole number with the user's grouping (1.250)."""
    return format_decimal(value or 0, "#,##0")


def _as_date(value):
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    return value


def text_date(value) -> str:
    """A date in running text: "24 nov. 2026" (en: "Nov 24, 2026"); empty for none."""
    if value is None or value == "":
        return ""
    value = _as_date(value)
    if not str(babel_locale()).startswith("nl"):
        return format_date(value, "medium")
    if isinstance(value, datetime):
        value = to_user_timezone(value if value.tzinfo else value.replace(tzinfo=UTC)).date()
    # Dutch writes the short month with a full stop, except "mei" (CLDR leaves the stop out).
    month = format_date(value, "MMM").rstrip(".")
    return f"{value.day} {month}{'' if value.month == 5 else '.'} {value.year}"


def table_date(value) -> str:
    """A date in a table column: "24-11-2026" (en: "24/11/2026"); empty for none."""
    if value is None or value == "":
        return ""
    pattern = "dd-MM-yyyy" if str(babel_locale()).startswith("nl") else "dd/MM/yyyy"
    return format_date(_as_date(value), pattern)


def week(value) -> str:
    """An ISO week as "week 41": from a date, or from a week number."""
    if value is None or value == "":
        return ""
    number = _as_date(value).isocalendar()[1] if not isinstance(value, int) else value
    return gettext("week %(n)s", n=number)
