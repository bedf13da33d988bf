"""The JSON API, version 1: personal access tokens, resources, OpenAPI.

flask-smorest validates each request with a marshmallow schema and writes the OpenAPI 3.1
document from the same schemas, so what the API accepts and what it documents cannot drift.
"""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from wijklab.api.v1.errors import ErrorSchema


class WijklabApi(Api):
    """flask-smorest's Api with our error body in the document, and no app-wide error handler
    of its own: the API blueprint answers its errors itself, and the pages keep theirs."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        pass


def register_api(app: Flask) -> None:
    """Set up /api/v1, its OpenAPI document and reference, and the token settings page."""
    from wijklab.api.token_views import bp as tokens_bp
    from wijklab.api.v1.auth import ignore_session
    from wijklab.api.v1.reference import bp as reference_bp
    from wijklab.api.v1.resources import bp as resources_bp

    app.config.setdefault("API_TITLE", "Wijklab API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_RATE_LIMIT", "300 per minute")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {
                "description": (
                    "Wijklab's JSON API. Authenticate with a personal access token "
                    "(Authorization: Bearer wl_...); a token sees and does what its user may "
                    'on the pages. Errors: {"error": {"code", "message", "fields"}}.'
                )
            },
            "security": [{"bearerAuth": []}],
        },
    )
    api = WijklabApi(app)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "wl_ token"}
    )
    api.register_blueprint(resources_bp)
    app.extensions["wijklab_api"] = api
    app.register_blueprint(tokens_bp)
    app.register_blueprint(reference_bp)
    # Before every other hook (the idle timeout reads the session cookie): under /api the
    # cookie is ignored, and routing errors are answered in JSON.
    app.before_request_funcs.setdefault(None, []).insert(0, ignore_session)
