"""Every answer of the API is JSON, errors too: ``{"error": {"code", "message", "fields"}}``.

``code`` is a stable word a program can test on; ``message`` is for a person (in the token
user's language); ``fields`` names, per field of the request, what is wrong with it."""

from __future__ import annotations

import time
from collections.abc import Mapping

import marshmallow as ma
from flask import current_app, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from wijklab.errors import (
    CHANGED_MEANWHILE,
    Conflict,
    NotAllowed,
    NotFound,
    WijklabError,
)
from wijklab.extensions import db

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
    500: "server_error",
    503: "unavailable",
}
MESSAGES = {
    400: _l("Het verzoek kon niet worden verwerkt."),
    401: _l("Stuur een geldig API-token mee: Authorization: Bearer <token>."),
    403: _l("Dit token mag dit niet."),
    404: _l("Niet gevonden."),
    405: _l("Deze methode kan hier niet."),
    409: _l("Dit is intussen gewijzigd. Haal het opnieuw op en probeer het nog eens."),
    413: _l("Het verzoek is te groot."),
    415: _l("Stuur de gegevens als JSON."),
    422: _l("Controleer de velden."),
    429: _l("Te veel verzoeken met dit token. Wacht even en probeer het opnieuw."),
    500: _l("Er ging aan onze kant iets mis; er is niets opgeslagen."),
    503: _l("De database is even niet bereikbaar. Probeer het zo opnieuw."),
}


class ErrorDetailSchema(ma.Schema):
    code = ma.fields.String(
        required=True,
        metadata={"description": "Stable code: " + ", ".join(CODES.values())},
    )
    message = ma.fields.String(required=True, metadata={"description": "For a person to read."})
    # "fields" is a Schema attribute of its own: the property is named through data_key.
    fields_ = ma.fields.Dict(
        data_key="fields",
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        metadata={"description": "Per field of the request: what is wrong with it."},
    )


class ErrorSchema(ma.Schema):
    """The body of every error answer."""

    error = ma.fields.Nested(ErrorDetailSchema, required=True)


def is_api_path(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def error_response(code: int, message=None, fields: Mapping | None = None, headers=None):
    body = {
        "error": {
            "code": CODES.get(code, "error"),
            "message": str(message or MESSAGES.get(code, MESSAGES[500])),
            "fields": {name: [str(m) for m in texts] for name, texts in (fields or {}).items()},
        }
    }
    return body, code, {"Cache-Control": "no-store", **(headers or {})}


def flatten_messages(messages, prefix: str = "") -> dict[str, list[str]]:
    """Marshmallow's nested messages as one level: ``{"participants.0.minutes": [...]}``."""
    found: dict[str, list[str]] = {}
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for field, problems in flatten_messages(value, name).items():
                found.setdefault(field, []).extend(problems)
    elif isinstance(messages, list | tuple) and all(isinstance(m, str) for m in messages):
        found[prefix or "_body"] = [str(m) for m in messages]
    elif isinstance(messages, list | tuple):
        for index, value in enumerate(messages):
            found.update(flatten_messages(value, f"{prefix}.{index}" if prefix else str(index)))
    else:
        found[prefix or "_body"] = [str(messages)]
    return found


def _webargs_fields(data) -> dict[str, list[str]]:
    """webargs keeps messages per location ({"json": {...}, "query": {...}}): merged."""
    fields: dict[str, list[str]] = {}
    for problems in (data.get("messages") or {}).values():
        for name, texts in flatten_messages(problems).items():
            fields.setdefault(name, []).extend(texts)
    return fields


def _seconds_to_reset() -> int:
    """When the breached limit's window ends, in whole seconds (at least one)."""
    from wijklab.extensions import limiter

    current = limiter.current_limit
    if current is None:
        return 60
    return max(1, int(current.reset_at - time.time()))


def http_error(error: HTTPException):
    code = error.code or 500
    if code == 403:
        from wijklab.security import log_security_event

        log_security_event("forbidden")
    data = getattr(error, "data", None)
    if not isinstance(data, Mapping):
        data = {}
    headers = dict(data.get("headers") or {})
    fields = _webargs_fields(data)
    if code == 400 and fields:
        # webargs says 400 for a body that is not JSON at all.
        fields = {"_body": [str(_l("Dit is geen geldige JSON."))]}
    if code == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    if code == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="wijklab"')
    if code == 429:
        headers.setdefault("Retry-After", str(_seconds_to_reset()))
    message = data.get("message")
    if code not in CODES:
        code = 500 if code >= 500 else 400
    return error_response(code, message, fields, headers)


def domain_error(error: WijklabError):
    """A broken domain rule from a service: nothing it did is kept."""
    db.session.rollback()
    if isinstance(error, Conflict):
        code = 409
    elif isinstance(error, NotAllowed):
        code = 403
    elif isinstance(error, NotFound):
        code = 404
    else:
        code = 422
    fields = {error.field: [error.message]} if error.field else {}
    return error_response(code, error.message, fields)


def integrity_error(error: IntegrityError):
    db.session.rollback()
    current_app.logger.info("Constraint refused a write on %s %s", request.method, request.path)
    return error_response(409)


def stale_data_error(error: StaleDataError):
    db.session.rollback()
    current_app.logger.info("Stale update on %s %s", request.method, request.path)
    return error_response(409, CHANGED_MEANWHILE)


def database_error(error: DBAPIError):
    from wijklab.availability import is_connection_error

    try:
        db.session.rollback()
    except DBAPIError:
        db.session.close()
    if is_connection_error(error):
        return error_response(503, headers={"Retry-After": "30"})
    current_app.logger.exception("Database error on %s %s", request.method, request.path)
    return error_response(500)


def unexpected_error(error: Exception):
    current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
    db.session.rollback()
    return error_response(500)


def register_error_handlers(blueprint) -> None:
    """On the API's blueprint: they come before the app's HTML error pages for every request
    that reached one of its routes (routing errors under /api are answered in auth.py)."""
    blueprint.register_error_handler(HTTPException, http_error)
    blueprint.register_error_handler(WijklabError, domain_error)
    blueprint.register_error_handler(IntegrityError, integrity_error)
    blueprint.register_error_handler(StaleDataError, stale_data_error)
    blueprint.register_error_handler(DBAPIError, database_error)
    blueprint.register_error_handler(Exception, unexpected_error)
