"""Who is asking: under /api a personal access token in ``Authorization: Bearer …`` and
nothing else. The session cookie is never read there (so CSRF does not apply either)."""

from __future__ import annotations

import hashlib
from functools import wraps

from flask import g, request
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import AnonymousUserMixin
from werkzeug.exceptions import Forbidden, Unauthorized

from wijklab.api import services
from wijklab.api.models import PersonalAccessToken
from wijklab.api.v1.errors import error_response, is_api_path
from wijklab.extensions import db
from wijklab.inputs import REFUSED_TEXT, request_is_clean
from wijklab.security import log_security_event

UNKNOWN = _l("Dit token is onbekend of niet meer geldig. Maak een nieuw token op je instellingen.")
EXPIRED = _l("Dit token is verlopen. Maak een nieuw token op je instellingen.")
REVOKED = _l("Dit token is ingetrokken. Maak een nieuw token op je instellingen.")
MISSING = _l("Stuur een API-token mee: Authorization: Bearer <token>.")
READ_ONLY = _l("Dit token mag alleen lezen. Maak een token met lezen en schrijven.")


class TokenRefused(Unauthorized):
    """401 with the RFC 6750 challenge."""

    def __init__(self, message, error: str | None = "invalid_token") -> None:
        super().__init__()
        challenge = 'Bearer realm="wijklab"' + (f', error="{error}"' if error else "")
        self.data = {"message": message, "headers": {"WWW-Authenticate": challenge}}


def bearer_token() -> str | None:
    """The raw token from ``Authorization: Bearer …``, or None."""
    scheme, _, value = (request.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or None


def rate_limit_key() -> str:
    """Per token (its hash: the raw token is kept nowhere); per address without one."""
    raw = bearer_token()
    if raw:
        return "api-token:" + hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest()
    return "api-address:" + (get_remote_address() or "")


def ignore_session() -> object | None:
    """First of the app's before-request hooks: under /api nobody is signed in by cookie (the
    idle timeout, the locale and the security headers see an anonymous user until a token
    says who it is), and what does not reach a route here is answered in JSON."""
    if not is_api_path(request.path):
        return None
    g._login_user = AnonymousUserMixin()
    if not request_is_clean():
        if not request.path.startswith("/api/v1/"):
            return None  # the input check (wijklab/inputs.py) answers, before any routing error
        log_security_event("control_character_refused")
        return error_response(400, REFUSED_TEXT)
    routing = request.routing_exception
    if routing is not None and getattr(routing, "code", None) in (404, 405):
        headers = {}
        if routing.code == 405 and getattr(routing, "valid_methods", None):
            headers["Allow"] = ", ".join(routing.valid_methods)
        return error_response(routing.code, headers=headers)
    return None


def authenticate() -> None:
    """The API blueprint's before-request hook: a usable token of an active user, or 401."""
    raw = bearer_token()
    if raw is None:
        raise TokenRefused(MISSING, error=None)
    token = services.find_token(raw)
    if token is None or not token.user.is_active:
        log_security_event("api_token_refused", reason="unknown")
        raise TokenRefused(UNKNOWN)
    if token.is_revoked:
        log_security_event("api_token_refused", reason="revoked", token_id=token.id)
        raise TokenRefused(REVOKED)
    if token.is_expired:
        log_security_event("api_token_refused", reason="expired", token_id=token.id)
        raise TokenRefused(EXPIRED)
    if services.mark_used(token):
        db.session.commit()
    g.api_token = token
    # The token's user is the current user of this request (for the locale and the security
    # log); nothing is written to the session.
    g._login_user = token.user


def current_token() -> PersonalAccessToken:
    return g.api_token


def api_user():
    """The user the request's token belongs to."""
    return g.api_token.user


def writes(view):
    """A view that changes something: a ``read`` token gets 403."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_token().can_write:
            error = Forbidden()
            error.data = {
                "message": READ_ONLY,
                "headers": {
                    "WWW-Authenticate": 'Bearer realm="wijklab", error="insufficient_scope", '
                    'scope="read_write"'
                },
            }
            raise error
        return view(*args, **kwargs)

    return wrapper


def no_store(response):
    """API answers are per token and never cached."""
    response.headers["Cache-Control"] = "no-store"
    return response
