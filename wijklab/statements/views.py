from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from wijklab.accounts.models import User
from wijklab.activity.services import public_url
from wijklab.extensions import db, limiter
from wijklab.forms import ConfirmForm
from wijklab.statements.models import Statement
from wijklab.statements.pdf import statement_pdf
from wijklab.statements.permissions import can_issue_statement
from wijklab.statements.services import (
    display_code,
    fingerprint,
    is_current,
    issue_statement,
    load_content,
    normalise_code,
    statement_content,
)
from wijklab.teams.models import Team

bp = Blueprint("statements", __name__)


def _verify_limit() -> str:
    return current_app.config["VERIFY_RATE_LIMIT"]


def _load(team_id: int, student_id: int) -> tuple[Team, User]:
    team = db.get_or_404(Team, team_id)
    student = db.get_or_404(User, student_id)
    # Nobody, not even an admin, has a statement of a student who was never in the team.
    if not any(m.student_id == student.id for m in team.memberships):
        abort(404)
    if not can_issue_statement(current_user, team, student):
        abort(404 if current_user.role.value in ("student", "supervisor") else 403)
    return team, student


def _verify_url(code: str) -> str:
    """The address printed on a statement: on the configured public address, never on the
    request's Host header (which would let anyone print a genuine statement pointing elsewhere)."""
    return public_url(url_for("statements.verify", code=code))


@bp.after_request
def _verify_not_stored(response):
    """What a verification says can change (a statement goes out of date): never cached."""
    if request.endpoint == "statements.verify":
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/statements/teams/<int:team_id>/students/<int:student_id>", methods=["GET", "POST"])
@login_required
def preview(team_id: int, student_id: int):
    """What a statement would say now, the statements issued before and whether each is still
    current; POST issues a new one."""
    team, student = _load(team_id, student_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        statement = issue_statement(team, student, by=current_user, verify_url=_verify_url)
        db.session.commit()
        flash(
            _(
                "Praktijkverklaring uitgegeven met verificatiecode %(code)s.",
                code=display_code(statement.code),
            ),
            "success",
        )
        return redirect(url_for("statements.detail", statement_id=statement.id))
    content = statement_content(team, student)
    now = fingerprint(content)
    issued = db.session.scalars(
        select(Statement)
        .where(Statement.team_id == team.id, Statement.student_id == student.id)
        .order_by(Statement.issued_at.desc())
    ).all()
    return render_template(
        "statements/preview.html",
        team=team,
        student=student,
        content=content,
        issued=issued,
        current=now,
        form=form,
    )


def _issued(statement_id: int) -> Statement:
    statement = db.get_or_404(Statement, statement_id)
    _load(statement.team_id, statement.student_id)
    return statement


@bp.route("/statements/<int:statement_id>")
@login_required
def detail(statement_id: int):
    """An issued statement as it was issued, ready to print, with whether it is still current."""
    statement = _issued(statement_id)
    return render_template(
        "statements/detail.html",
        statement=statement,
        content=load_content(statement),
        current=is_current(statement),
    )


@bp.route("/statements/<int:statement_id>.pdf")
@login_required
def pdf(statement_id: int):
    statement = _issued(statement_id)
    return Response(
        statement_pdf(load_content(statement)),
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="praktijkverklaring-{statement.code}.pdf"'
        },
    )


@bp.route("/verify", methods=["GET"])
@bp.route("/verify/<code>", methods=["GET"])
@limiter.limit(_verify_limit)
def verify(code: str | None = None):
    """Public: is a statement with this code genuine and still current? Shows only the
    student's name, the project and team, the period and the validity."""
    typed = code if code is not None else request.args.get("code")
    if typed is None:
        return render_template("statements/verify.html", typed="", statement=None)
    normalised = normalise_code(typed[:64])
    statement = None
    if normalised:
        statement = db.session.scalar(select(Statement).where(Statement.code == normalised))
    if statement is None:
        return render_template(
            "statements/verify.html", typed=typed[:64], statement=None, unknown=True
        ), 404
    content = load_content(statement)
    return render_template(
        "statements/verify.html",
        typed=display_code(statement.code),
        statement=statement,
        student=content["student"]["name"],
        team=content["team"]["name"],
        project=content["team"].get("project"),
        period=content["period"],
        current=is_current(statement),
    )
