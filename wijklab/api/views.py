from __future__ import annotations

from flask import Blueprint
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from wijklab.extensions import db

bp = Blueprint("api", __name__)


@bp.route("/healthz")
def healthz():
    """200 when the app and its database answer, 503 when the database does not."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return {"status": "error", "database": "error"}, 503
    return {"status": "ok", "database": "ok"}, 200
