"""Sessions that really end: the user loader checks the per-user session token, and a session
left idle longer than IDLE_TIMEOUT is closed."""

from __future__ import annotations

import hmac

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from wijklab import clock
from wijklab.accounts.models import User
from wijklab.extensions import db, login_manager
from wijklab.security import log_security_event


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The active user whose id and current session token match the cookie, else nobody."""
    user_id, _, token = (session_id or "").partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active:
        return None
    if not hmac.compare_digest(user.session_token.encode(), token.encode()):
        return None
    return user


# Pages whose URL holds a one-time secret (reset and invitation links).
SECRET_LINK_ENDPOINTS = frozenset(
    {"accounts.reset_password", "accounts.welcome", "accounts.login_link"}
)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, but a static file never sets the cookie: a stylesheet or
    favicon answered after someone signed out (the browser fetches them late) would otherwise
    sign them in again, and a response with Set-Cookie is not one a cache may share."""

    def should_set_cookie(self, app: Flask, session) -> bool:
        if request.endpoint in ("static", "agenda.feed.calendar"):
            return False
        if request.path.startswith("/api/"):
            return False  # the API authenticates by token only: no cookie to send back
        return super().should_set_cookie(app, session)


def start_session(remember: bool) -> None:
    """Called right after login_user(): mark the session's start for the idle timeout."""
    session.permanent = True
    session["last_seen"] = clock.utcnow().timestamp()
    session["remember"] = bool(remember)


def register_sessions(app: Flask) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Log in om deze pagina te zien.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.session_interface = SessionInterface()

    @app.before_request
    def enforce_idle_timeout():
        if request.endpoint == "static" or not current_user.is_authenticated:
            return None
        now = clock.utcnow().timestamp()
        last_seen = session.get("last_seen")
        idle = current_app.config["IDLE_TIMEOUT"].total_seconds()
        # A remember-me login carries its own 30-day limit; an ordinary session stops when idle.
        if last_seen is not None and now - last_seen > idle and not session.get("remember"):
            if request.endpoint in SECRET_LINK_ENDPOINTS:
                # Sign out quietly: the path holds a secret that belongs in no log or next=.
                session.clear()
                logout_user()
                return None
            log_security_event("session_idle_timeout")
            session.clear()
            logout_user()
            flash(_l("Je was te lang niet actief en bent uitgelogd. Log opnieuw in."), "info")
            return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
        session["last_seen"] = now
        return None


def _mark_remembered(sender, user=None, **extra) -> None:
    session["remember"] = True
    session["last_seen"] = clock.utcnow().timestamp()


def connect_signals(app: Flask) -> None:
    from flask_login import user_loaded_from_cookie

    user_loaded_from_cookie.connect(_mark_remembered, app)
