"""Security headers, per-request cache rules and structured security-event logging."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

from flask import Flask, current_app, has_request_context, request
from flask_login import current_user
from werkzeug.exceptions import SecurityError
from werkzeug.wrappers import Response
from werkzeug.wsgi import get_host

security_log = logging.getLogger("wijklab.security")

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def account_key(email: str) -> str:
    """A keyed hash of a typed e-mail address: the security log can tell that attempts aimed at
    the same account without keeping the address itself (personal data, and often a typo)."""
    normalised = (email or "").strip().lower()[:254].encode("utf-8", "replace")
    key = current_app.config["SECRET_KEY"].encode("utf-8")
    return hmac.new(key, normalised, hashlib.sha256).hexdigest()[:16]


def log_security_event(event: str, **details) -> None:
    """Write one security event as a JSON line; never pass passwords, tokens or cookie values."""
    record: dict = {"event": event}
    if has_request_context():
        record.update(
            ip=request.remote_addr,
            method=request.method,
            path=request.path,
            user_id=current_user.id if current_user and current_user.is_authenticated else None,
        )
    record.update(details)
    security_log.warning(json.dumps(record, default=str, ensure_ascii=False))


class _RateLimitStoreEvents(logging.Handler):
    """Flask-Limiter says when its shared store (Redis) stops answering, and it counts per process
    meanwhile, and when the store is back; its own logger has only a NullHandler, so those two
    lines go to the security log, where whoever runs the app looks."""

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "storage" in message.lower():
            log_security_event("ratelimit_storage", message=message)


def _log_rate_limit_store_events() -> None:
    logger = logging.getLogger("flask-limiter")
    if not any(isinstance(h, _RateLimitStoreEvents) for h in logger.handlers):
        logger.addHandler(_RateLimitStoreEvents(level=logging.INFO))
        logger.setLevel(logging.INFO)  # "storage recovered" is an INFO line


HOST_FREE_PATHS = frozenset({"/healthz"})


def refuse_untrusted_hosts(app: Flask) -> None:
    """A request whose Host is not in ALLOWED_HOSTS gets a bare 400 before the app sees it:
    no page, no link and no redirect is ever built on a host we do not own. (Flask checks the
    same list itself, but only after before-request hooks that may build a URL have run.)"""
    inner = app.wsgi_app

    def wsgi_app(environ, start_response):
        trusted = app.config.get("ALLOWED_HOSTS")
        # The health check builds no page and no link: monitoring and `curl 127.0.0.1:8000` on
        # the machine itself may ask it under any host name.
        if trusted and environ.get("PATH_INFO") not in HOST_FREE_PATHS:
            try:
                get_host(environ, trusted_hosts=trusted)
            except SecurityError:
                security_log.warning(
                    json.dumps(
                        {
                            "event": "untrusted_host",
                            "host": str(environ.get("HTTP_HOST", ""))[:100],
                            "ip": environ.get("REMOTE_ADDR"),
                        },
                        ensure_ascii=False,
                    )
                )
                response = Response("400 Bad Request: unknown host\n", 400, mimetype="text/plain")
                return response(environ, start_response)
        return inner(environ, start_response)

    app.wsgi_app = wsgi_app


def register_security(app: Flask) -> None:
    refuse_untrusted_hosts(app)
    _log_rate_limit_store_events()

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        headers["X-Frame-Options"] = "DENY"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        headers["Server"] = "wijklab"
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if current_user and current_user.is_authenticated and request.endpoint != "static":
            headers["Cache-Control"] = "no-store"
            headers["Pragma"] = "no-cache"
        return response
