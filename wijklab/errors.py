"""Domain errors raised by services, and the error pages (in the user's language)."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from wijklab.security import log_security_event


class WijklabError(Exception):
    """A broken domain rule; ``message`` is translatable and shown to the user, ``field`` names
    the form field it belongs to, when there is one."""

    status_code = 400

    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(WijklabError):
    status_code = 403


class NotFound(WijklabError):
    status_code = 404


class Conflict(WijklabError):
    """The rule is fine but the data is taken (a duplicate e-mail, a name in use)."""

    status_code = 409


ERROR_TITLES = {
    400: _l("Ongeldig verzoek"),
    403: _l("Geen toegang"),
    404: _l("Pagina niet gevonden"),
    405: _l("Methode niet toegestaan"),
    409: _l("Al opgeslagen"),
    413: _l("Verzoek te groot"),
    429: _l("Te veel pogingen"),
    500: _l("Er ging iets mis"),
}
ERROR_TEXTS = {
    400: _l("Het verzoek kon niet worden verwerkt. Ga terug en probeer het opnieuw."),
    403: _l("Je hebt geen toegang tot deze pagina of actie."),
    404: _l(
        "Deze pagina bestaat niet (meer). Controleer het adres of ga terug naar het overzicht."
    ),
    405: _l("Deze actie kan niet op deze manier worden uitgevoerd."),
    409: _l(
        "Dit bestaat al, of iemand anders sloeg het net tegelijk op. Laad de pagina opnieuw en "
        "controleer wat er nu staat."
    ),
    413: _l("Wat je verstuurde is te groot. Maak het kleiner en probeer het opnieuw."),
    429: _l("Je hebt het te vaak geprobeerd. Wacht een minuut en probeer het dan opnieuw."),
    500: _l("Er ging aan onze kant iets mis. Probeer het later opnieuw; er is niets opgeslagen."),
}


# Someone else saved the same row between this request's read and its write.
CHANGED_MEANWHILE = _l(
    "Iemand anders heeft dit intussen gewijzigd. Laad de pagina opnieuw en controleer wat er nu "
    "staat."
)


def render_error(code: int, text=None):
    if request.path.startswith("/api/") or request.path == "/healthz":
        return {"error": str(ERROR_TITLES.get(code, code))}, code
    return (
        render_template(
            "errors/error.html",
            code=code,
            title=ERROR_TITLES.get(code, ERROR_TITLES[500]),
            text=text or ERROR_TEXTS.get(code, ERROR_TEXTS[500]),
        ),
        code,
    )


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        log_security_event("csrf_refused", reason=error.description)
        return render_error(
            400,
            _l(
                "Het formulier is verlopen of niet geldig. Laad de pagina opnieuw en probeer het "
                "nog eens."
            ),
        )

    @app.errorhandler(WijklabError)
    def domain_error(error: WijklabError):
        # A refused action changes nothing: drop whatever the service had done before it refused.
        from wijklab.extensions import db

        db.session.rollback()
        return render_error(error.status_code, error.message)

    @app.errorhandler(IntegrityError)
    def integrity_error(error: IntegrityError):
        # Two people saved the same thing at once: the database's constraint caught it.
        from wijklab.extensions import db

        db.session.rollback()
        # Not the database's message: it can quote the values (an e-mail address).
        app.logger.info("Constraint refused a write on %s %s", request.method, request.path)
        return render_error(409)

    @app.errorhandler(StaleDataError)
    def stale_data_error(error: StaleDataError):
        # Two saves of one versioned row at once: the version guard let only the first through.
        from wijklab.extensions import db

        db.session.rollback()
        app.logger.info("Stale update on %s %s", request.method, request.path)
        return render_error(409, CHANGED_MEANWHILE)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        if code == 403:
            log_security_event("forbidden")
        if code not in ERROR_TITLES:
            return error
        return render_error(code)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        from wijklab.extensions import db

        db.session.rollback()
        return render_error(500)
