"""Locale selection: Dutch by default, English by choice (remembered per user)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache

from babel import Locale
from babel.numbers import parse_pattern
from flask import Flask, current_app, g, has_request_context, session
from flask_babel import format_date, get_translations, to_user_timezone
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


# --- fast paths: a page shows hundreds of numbers and texts --------------------------------------
# Flask-Babel looks up the request's locale and translations anew for every number and every
# text (about 20 and 40 microseconds): the wijkdocent's dashboard spent 35 ms of its 75 on that.
# The locale and translations are kept once per request (again after force_locale, which sets
# a new locale), and a formatted number is remembered per locale and pattern.


def _babel_context():
    # Flask-Babel keeps a request's locale and translations on this namespace of ``g``.
    return g.get("_flask_babel") if g else None


def current_translations():
    """The current locale's translations, looked up once per request and locale."""
    context = _babel_context()
    if context is None:
        return get_translations()
    locale = getattr(context, "babel_locale", None)
    kept = getattr(context, "wijklab_translations", None)
    if locale is not None and kept is not None and kept[0] is locale:
        return kept[1]
    translations = get_translations()
    context.wijklab_translations = (context.babel_locale, translations)
    return translations


def current_locale() -> Locale:
    context = _babel_context()
    locale = getattr(context, "babel_locale", None) if context is not None else None
    return locale or babel_locale()


@lru_cache(maxsize=8192)
def _format_number(locale: Locale, pattern: str, value) -> str:
    return parse_pattern(pattern).apply(value, locale)


def format_number(value, pattern: str) -> str:
    """``value`` in the CLDR ``pattern`` for the current locale (Babel's format_decimal)."""
    return _format_number(current_locale(), pattern, value)


def gettext(string: str, **variables) -> str:
    """Flask-Babel's ``gettext`` through ``current_translations`` (a page's filters call it
    dozens of times)."""
    translated = current_translations().ugettext(string)
    return translated % variables if variables else translated


def install_fast_gettext(app: Flask) -> None:
    """Templates translate through ``current_translations`` (Jinja's newstyle gettext does the
    escaping and the %(name)s formatting itself)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: current_translations().ugettext(s),
        ngettext=lambda s, p, n: current_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: current_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: current_translations().unpgettext(c, s, p, n),
    )


def decimal(value, places: int = 1, *, fixed: bool = False) -> str:
    """A number with at most ``places`` decimals in the user's language (5,2; 1.234,5); with
    ``fixed`` always that many, as table columns show them (2,0)."""
    pattern = "#,##0" + ("." + ("0" if fixed else "#") * places if places else "")
    return format_number(value or 0, pattern)


def whole(value) -> str:
    """A whole number with the user's grouping (1.250)."""
    return format_number(value or 0, "#,##0")


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
