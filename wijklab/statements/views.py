from __future__ import annotations

import re
import unicodedata

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
from sqlalchemy.orm import joinedload, lazyload, selectinload

from wijklab.accounts.models import Role, StudentProfile, User
from wijklab.activity.services import public_url, record
from wijklab.clock import today
from wijklab.database import paginate
from wijklab.errors import WijklabError
from wijklab.extensions import db, limiter
from wijklab.forms import ConfirmForm, choices, show_error
from wijklab.organisations.models import Organisation, OrganisationKind
from wijklab.projects.models import Project
from wijklab.statements import services
from wijklab.statements.bundle import exam_bundle
from wijklab.statements.forms import CommitteeExportForm, RequestForm, ReturnRequestForm
from wijklab.statements.models import RequestStatus, Statement, StatementRequest
from wijklab.statements.pdf import statement_pdf
from wijklab.statements.permissions import (
    can_confirm_statement,
    can_export_statements,
    can_issue_statement,
    can_read_statements,
    can_request_statement,
    can_return_request,
    statement_scope,
)
from wijklab.statements.signing import sign_pdf
from wijklab.teams.models import Team

bp = Blueprint("statements", __name__)
PER_PAGE = 25


def _verify_limit() -> str:
    return current_app.config["VERIFY_RATE_LIMIT"]


def _deny() -> None:
    """Students and supervisors get 404 for what they may not know exists; others 403."""
    abort(404 if current_user.role in (Role.STUDENT, Role.SUPERVISOR) else 403)


def _load(team_id: int, student_id: int) -> tuple[Team, User]:
    # The team with its project, neighbourhood and members in one query: a statement names all.
    team = db.session.scalar(
        select(Team)
        .where(Team.id == team_id)
        .options(
            joinedload(Team.project).joinedload(Project.neighbourhood),
            joinedload(Team.memberships),
        )
    )
    if team is None:
        abort(404)
    student = db.get_or_404(User, student_id)
    # Nobody, not even an admin, has a statement of a student who was never in the team.
    if team.membership_of(student) is None:
        abort(404)
    if not can_read_statements(current_user, team, student):
        _deny()
    return team, student


def _load_request(request_id: int) -> StatementRequest:
    statement_request = db.get_or_404(StatementRequest, request_id)
    _load(statement_request.team_id, statement_request.student_id)
    return statement_request


def _verify_url(code: str) -> str:
    """The address printed on a statement: on the configured public address, never on the
    request's Host header (which would let anyone print a genuine statement pointing elsewhere)."""
    return public_url(url_for("statements.verify", code=code))


@bp.after_request
def _verify_not_stored(response):
    """What a verification says can change (something counted is withdrawn): never cached."""
    if request.endpoint == "statements.verify":
        response.headers["Cache-Control"] = "no-store"
    return response


def _issued_for(team: Team, student: User) -> list[Statement]:
    return db.session.scalars(
        select(Statement)
        .where(Statement.team_id == team.id, Statement.student_id == student.id)
        .options(lazyload("*"))  # the list shows the statements' own dates only
        .order_by(Statement.issued_at.desc(), Statement.id.desc())
    ).all()


def _overview(team: Team, student: User, form: RequestForm, status: int = 200):
    """The student's statements in a team: the request form or the pending request, what a
    statement as of the chosen date would say, and the statements issued before."""
    pending = services.pending_request(team.id, student.id)
    cutoff = form.cutoff_date.data if form.cutoff_date.data and not form.errors else today()
    cutoff = max(min(cutoff, team.end_date, today()), team.start_date)
    content, _basis = services.statement_content(team, student, cutoff)
    issued = _issued_for(team, student)
    return render_template(
        "statements/preview.html",
        team=team,
        student=student,
        content=content,
        issued=issued,
        # Only the newest one's standing (a few queries each): an older one has been replaced,
        # and its own page says what of it still holds.
        standings={s.id: services.standing(s) for s in issued[:1]},
        pending=pending,
        form=form,
        may_request=can_request_statement(current_user, team, student) and pending is None,
    ), status


@bp.route("/statements/teams/<int:team_id>/students/<int:student_id>")
@login_required
def preview(team_id: int, student_id: int):
    team, student = _load(team_id, student_id)
    form = RequestForm(formdata=None, cutoff_date=today())
    return _overview(team, student, form)


@bp.route("/statements/teams/<int:team_id>/students/<int:student_id>/request", methods=["POST"])
@login_required
def request_statement(team_id: int, student_id: int):
    """The student asks for a statement as of a cut-off date."""
    team, student = _load(team_id, student_id)
    if current_user.id != student.id:
        abort(403)
    form = RequestForm()
    if form.validate_on_submit():
        try:
            created = services.request_statement(
                team, student, cutoff=form.cutoff_date.data, note=form.note.data or ""
            )
        except WijklabError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(
                _(
                    "Je aanvraag is verstuurd. De werkbegeleider bevestigt het praktijkdeel, "
                    "daarna geeft de wijkdocent de verklaring uit."
                ),
                "success",
            )
            return redirect(url_for("statements.request_detail", request_id=created.id))
    return _overview(team, student, form, 400)


@bp.route("/statements/requests/<int:request_id>")
@login_required
def request_detail(request_id: int):
    """One request: its state, what the statement would say as of its cut-off, and the next
    step for whoever is looking."""
    statement_request = _load_request(request_id)
    return _request_page(statement_request, ReturnRequestForm(formdata=None))


def _request_page(statement_request: StatementRequest, return_form, status: int = 200):
    team, student = statement_request.team, statement_request.student
    content, _basis = services.statement_content(team, student, statement_request.cutoff_date)
    issued = db.session.scalar(
        select(Statement).where(Statement.request_id == statement_request.id)
    )
    return render_template(
        "statements/request.html",
        req=statement_request,
        team=team,
        student=student,
        content=content,
        issued=issued,
        return_form=return_form,
        pending=statement_request.status == RequestStatus.PENDING,
        may_confirm=can_confirm_statement(current_user, team),
        may_issue=can_issue_statement(current_user, team),
        may_return=can_return_request(current_user, team),
        may_withdraw=current_user.id == student.id,
    ), status


def _decide(request_id: int, allowed, act, done: str):
    """Load, check, validate the CSRF token, act, commit, flash, redirect: for the buttons."""
    statement_request = _load_request(request_id)
    if not allowed(statement_request):
        abort(403)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        result = act(statement_request)
    except WijklabError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("statements.request_detail", request_id=request_id))
    db.session.commit()
    flash(done, "success")
    if isinstance(result, Statement):
        return redirect(url_for("statements.detail", statement_id=result.id))
    return redirect(url_for("statements.request_detail", request_id=request_id))


@bp.route("/statements/requests/<int:request_id>/confirm", methods=["POST"])
@login_required
def confirm(request_id: int):
    return _decide(
        request_id,
        lambda r: can_confirm_statement(current_user, r.team),
        lambda r: services.confirm_request(r, by=current_user),
        _("Je hebt het praktijkdeel bevestigd. De wijkdocent kan de verklaring nu uitgeven."),
    )


@bp.route("/statements/requests/<int:request_id>/issue", methods=["POST"])
@login_required
def issue(request_id: int):
    return _decide(
        request_id,
        lambda r: can_issue_statement(current_user, r.team),
        lambda r: services.issue_statement(r, by=current_user, verify_url=_verify_url),
        _("Praktijkverklaring uitgegeven."),
    )


@bp.route("/statements/requests/<int:request_id>/withdraw", methods=["POST"])
@login_required
def withdraw(request_id: int):
    return _decide(
        request_id,
        lambda r: current_user.id == r.student_id,
        lambda r: services.withdraw_request(r, by=current_user),
        _("Je aanvraag is ingetrokken."),
    )


@bp.route("/statements/requests/<int:request_id>/return", methods=["POST"])
@login_required
def return_request(request_id: int):
    statement_request = _load_request(request_id)
    if not can_return_request(current_user, statement_request.team):
        abort(403)
    form = ReturnRequestForm()
    if form.validate_on_submit():
        try:
            services.return_request(statement_request, by=current_user, reason=form.reason.data)
        except WijklabError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("De aanvraag is teruggegeven aan de student."), "success")
            return redirect(url_for("statements.request_detail", request_id=request_id))
    return _request_page(statement_request, form, 400)


@bp.route("/statements")
@login_required
def index():
    """Requests waiting for the viewer and issued statements the viewer may read, paginated."""
    waiting = db.session.scalars(
        select(StatementRequest)
        .where(
            StatementRequest.status == RequestStatus.PENDING,
            statement_scope(current_user, StatementRequest),
        )
        .options(selectinload(StatementRequest.team).selectinload(Team.project))
        .order_by(StatementRequest.requested_at)
        .limit(50)
    ).all()
    page = paginate(
        select(Statement)
        .where(statement_scope(current_user, Statement))
        .options(selectinload(Statement.team).selectinload(Team.project))
        .order_by(Statement.issued_at.desc()),
        PER_PAGE,
    )
    return render_template(
        "statements/index.html",
        waiting=waiting,
        page=page,
        may_export=can_export_statements(current_user),
    )


def _school_choices(form: CommitteeExportForm) -> None:
    schools = db.session.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.kind == OrganisationKind.SCHOOL)
        .order_by(Organisation.name)
    ).all()
    form.school.choices = choices((str(sid), name) for sid, name in schools)


def _safe(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-").lower() or "wijklab"


@bp.route("/statements/committee")
@login_required
def committee():
    """For the exam committee: every issued statement of a school with a cut-off in a period,
    as one zip of signed PDFs plus an xlsx summary."""
    if not can_export_statements(current_user):
        abort(403)
    asked = bool(request.args)
    form = CommitteeExportForm(formdata=request.args if asked else None)
    _school_choices(form)
    if not asked or not form.validate():
        return render_template("statements/committee.html", form=form), (400 if asked else 200)
    school_id = form.school.data
    statements = db.session.scalars(
        select(Statement)
        .join(StudentProfile, StudentProfile.user_id == Statement.student_id)
        .where(
            statement_scope(current_user, Statement),
            StudentProfile.school_id == school_id,
            Statement.cutoff_date >= form.start.data,
            Statement.cutoff_date <= form.end.data,
        )
        .order_by(Statement.cutoff_date, Statement.id)
    ).all()
    limit = current_app.config["COMMITTEE_EXPORT_MAX"]
    if len(statements) > limit:
        # Each signed PDF takes a fifth of a second or so: keep one download within a minute.
        form.form_errors.append(
            _(
                "Dit zijn %(count)s verklaringen; één download bevat er hoogstens %(max)s. Kies "
                "een kortere periode.",
                count=len(statements),
                max=limit,
            )
        )
        return render_template("statements/committee.html", form=form), 400
    if not statements:
        form.form_errors.append(
            _(
                "Er zijn geen uitgegeven verklaringen van deze school met een stand-per-datum "
                "in deze periode."
            )
        )
        return render_template("statements/committee.html", form=form), 404
    pdfs, rows = [], []
    for statement in statements:
        content = services.load_content(statement)
        hours = content["hours"]
        name = f"{content['student']['name']} {statement.cutoff_date} {statement.code}"
        pdfs.append((name, sign_pdf(statement_pdf(content, statement.fingerprint))))
        rows.append(
            {
                "student": content["student"]["name"],
                "student_number": content["student"].get("student_number", ""),
                "school": content["student"].get("school") or "",
                "team": content["team"]["name"],
                "project": content["team"]["project"],
                "period_start": services.as_date(content["period"]["start"]),
                "cutoff": statement.cutoff_date,
                "total_hours": hours["total_minutes"] / 60,
                "collective_hours": hours["collective_minutes"] / 60,
                "study_assignment_hours": hours.get("study_minutes", 0) / 60,
                "individual_hours": hours["individual_minutes"] / 60,
                "agreed_hours": hours.get("agreed_minutes", 0) / 60,
                "goals_signed_off": len(content["goals"]),
                "framework_codes": ", ".join(services.framework_codes(content)),
                "code": content["code"],
                "issued_at": statement.issued_at,
                "issued_by": content["issued_by"]["name"],
                "confirmed_by": (content.get("confirmed_by") or {}).get("name", ""),
            }
        )
    school = db.session.get(Organisation, school_id)
    record(
        current_user,
        "export.downloaded",
        object_type="Export",
        object_id=0,
        dataset="statements",
        format="zip",
        rows=len(rows),
        school_id=school_id,
        start=form.start.data,
        end=form.end.data,
    )
    db.session.commit()
    filename = f"praktijkverklaringen-{_safe(school.name)}-{form.start.data}-{form.end.data}.zip"
    return Response(
        exam_bundle(pdfs, rows),
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _issued(statement_id: int) -> Statement:
    statement = db.get_or_404(Statement, statement_id)
    _load(statement.team_id, statement.student_id)
    return statement


@bp.route("/statements/<int:statement_id>")
@login_required
def detail(statement_id: int):
    """An issued statement as it was issued, ready to print, with what still holds of it."""
    statement = _issued(statement_id)
    return render_template(
        "statements/detail.html",
        statement=statement,
        content=services.load_content(statement),
        standing=services.standing(statement),
    )


@bp.route("/statements/<int:statement_id>.pdf")
@login_required
def pdf(statement_id: int):
    """The statement as a PDF with the school's digital signature."""
    statement = _issued(statement_id)
    data = sign_pdf(statement_pdf(services.load_content(statement), statement.fingerprint))
    return Response(
        data,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="praktijkverklaring-{statement.code}.pdf"'
        },
    )


@bp.route("/verify", methods=["GET"])
@bp.route("/verify/<code>", methods=["GET"])
@limiter.limit(_verify_limit)
def verify(code: str | None = None):
    """Public: is a statement with this code genuine, what does it say in figures, and does
    everything it counted still hold?"""
    typed = code if code is not None else request.args.get("code")
    if typed is None:
        return render_template("statements/verify.html", typed="", statement=None)
    normalised = services.normalise_code(typed[:64])
    statement = None
    if normalised:
        statement = db.session.scalar(select(Statement).where(Statement.code == normalised))
    if statement is None:
        return render_template(
            "statements/verify.html", typed=typed[:64], statement=None, unknown=True
        ), 404
    content = services.load_content(statement)
    return render_template(
        "statements/verify.html",
        typed=services.display_code(statement.code),
        statement=statement,
        content=content,
        codes=services.framework_codes(content),
        standing=services.standing(statement),
    )
