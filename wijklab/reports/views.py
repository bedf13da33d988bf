from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

bp = Blueprint("reports", __name__)


@bp.route("/")
@login_required
def dashboard():
    """A welcome per role with the user's next steps."""
    return render_template(f"reports/dashboard_{current_user.role.value}.html")
