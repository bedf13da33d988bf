from __future__ import annotations

from flask import Blueprint
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from wijklab.extensions import db

bp = Blueprint("api", __name__)

NO_STORE = {"Cache-Control": "no-store"}


@bp.route("/healthz")
def healthz():
    """200 when the app and its database answer (one cheap ``SELECT 1``), 503 when the database
    does not; for the proxy's and the monitoring's checks. It reads no session and no user."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        try:
            db.session.rollback()
        except SQLAlchemyError:
            db.session.close()
        return {"status": "error", "database": "error"}, 503, {**NO_STORE, "Retry-After": "30"}
    return {"status": "ok", "database": "ok"}, 200, NO_STORE
