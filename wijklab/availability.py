"""What the app does when a part it depends on is down (the database): a clear 503, and it
recovers by itself when the part is back.

The engine checks every pooled connection before use (``pool_pre_ping``), and SQLAlchemy
invalidates the pool when it sees a disconnect, so no dead connection is handed out again; a
connection that could not be made is never pooled. The handler below only answers: it rolls
the session back (so the next request starts clean) and shows a Dutch 503 page.
"""

from __future__ import annotations

import logging

from flask import Flask, g, render_template, request
from sqlalchemy.exc import DBAPIError

log = logging.getLogger("wijklab.availability")

# SQLSTATE values that mean "the database is not there" (class 08: connection exceptions;
# 57P01-57P03: shutting down or starting up; 53300: too many connections).
UNAVAILABLE_SQLSTATES = {"57P01", "57P02", "57P03", "53300"}
# SQLite has no SQLSTATE: these messages mean the file cannot be reached at all.
SQLITE_UNAVAILABLE = ("unable to open database file", "disk i/o error")


def is_connection_error(error: BaseException) -> bool:
    """True when ``error`` says the database cannot be reached (not a fault in a query)."""
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    original = error.orig
    sqlstate = getattr(original, "sqlstate", None)
    if sqlstate:
        return sqlstate.startswith("08") or sqlstate in UNAVAILABLE_SQLSTATES
    module = type(original).__module__ or ""
    if module.startswith("psycopg"):
        # psycopg reports a failed connect (refused, reset, timed out) without a SQLSTATE.
        import psycopg

        return isinstance(original, psycopg.OperationalError)
    if module.startswith("sqlite3"):
        return any(text in str(original).lower() for text in SQLITE_UNAVAILABLE)
    return False


def render_unavailable():
    """The 503 page (JSON on the API): it touches no database, not even for the user."""
    if request.path.startswith("/api/") or request.path == "/healthz":
        response = {"status": "error", "database": "error"}, 503
    else:
        response = render_template("errors/unavailable.html"), 503
    return response


def register_availability(app: Flask) -> None:
    """Answer 503 with a Dutch page while the database cannot be reached."""

    @app.errorhandler(DBAPIError)
    def database_error(error: DBAPIError):
        from flask_login import AnonymousUserMixin

        from wijklab.errors import render_error
        from wijklab.extensions import db

        try:
            db.session.rollback()
        except DBAPIError:  # the rollback needs the connection that just failed
            db.session.close()
        # Whoever is signed in cannot be loaded now: later template and header code must not try.
        g._login_user = AnonymousUserMixin()
        if not is_connection_error(error):
            app.logger.exception("Database error on %s %s", request.method, request.path)
            return render_error(500)
        log.warning(
            "database unreachable on %s %s: %s",
            request.method,
            request.path,
            str(error.orig).splitlines()[0] if error.orig else error,
        )
        body, status = render_unavailable()
        headers = {"Retry-After": "30", "Cache-Control": "no-store"}
        return body, status, headers
