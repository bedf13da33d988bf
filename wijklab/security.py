"""Security headers, per-request cache rules and structured security-event logging."""

from __future__ import annotations

import json
import logging

from flask import Flask, has_request_context, request
from flask_login import current_user

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


def register_security(app: Flask) -> None:
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
