"""The register page, a person's own data page and downloads, the admin's erasure, and the
record of who opened a student's hours, goals or statements."""

from __future__ import annotations

import json
import logging

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from wijklab.accounts.models import User
from wijklab.activity.services import record
from wijklab.errors import WijklabError
from wijklab.extensions import db
from wijklab.forms import ConfirmForm, show_error
from wijklab.goals.models import LearningGoal
from wijklab.privacy import services
from wijklab.privacy.pdf import personal_data_pdf
from wijklab.privacy.permissions import can_download_data_of, can_erase, can_view_register
from wijklab.privacy.register import CATEGORY_LABELS, ENTRIES, ERASE_LABELS, EXPORT_LABELS
from wijklab.statements.models import Statement, StatementRequest

bp = Blueprint("privacy", __name__)
log = logging.getLogger(__name__)


@bp.route("/privacy/register")
@login_required
def register():
    if not can_view_register(current_user):
        abort(403)
    return render_template(
        "privacy/register.html",
        entries=ENTRIES,
        categories=CATEGORY_LABELS,
        exports=EXPORT_LABELS,
        erasures=ERASE_LABELS,
    )


@bp.route("/privacy/my-data")
@login_required
def my_data():
    return render_template("privacy/my_data.html")


def _download(person: User, kind: str) -> Response:
    if not can_download_data_of(current_user, person):
        abort(403)
    data = services.personal_data(person)
    record(current_user, "privacy.exported", object_type="User", object_id=person.id, format=kind)
    db.session.commit()
    stamp = data["generated_at"][:10]
    if kind == "json":
        body = json.dumps(data, ensure_ascii=False, indent=2)
        mimetype, filename = "application/json", f"wijklab-gegevens-{person.id}-{stamp}.json"
    else:
        body = personal_data_pdf(data)
        mimetype, filename = "application/pdf", f"wijklab-gegevens-{person.id}-{stamp}.pdf"
    return Response(
        body,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/privacy/my-data.json")
@login_required
def my_data_json():
    return _download(current_user, "json")


@bp.route("/privacy/my-data.pdf")
@login_required
def my_data_pdf():
    return _download(current_user, "pdf")


@bp.route("/privacy/users/<int:user_id>/export.json")
@login_required
def user_export_json(user_id: int):
    if not can_view_register(current_user):
        abort(403)
    return _download(db.get_or_404(User, user_id), "json")


@bp.route("/privacy/users/<int:user_id>/export.pdf")
@login_required
def user_export_pdf(user_id: int):
    if not can_view_register(current_user):
        abort(403)
    return _download(db.get_or_404(User, user_id), "pdf")


@bp.route("/privacy/users/<int:user_id>/erase", methods=["GET", "POST"])
@login_required
def erase(user_id: int):
    """A confirmation page naming what happens; the POST anonymises the person at once."""
    if not can_view_register(current_user):
        abort(403)
    person = db.get_or_404(User, user_id)
    if not can_erase(current_user, person):
        abort(403)
    form = ConfirmForm()
    status = 200
    if person.anonymised_at is not None:
        flash(_("De gegevens van deze persoon zijn al gewist."), "info")
        return redirect(url_for("accounts.edit_user", user_id=person.id))
    if form.validate_on_submit():
        try:
            services.erase_person(person, by=current_user)
        except WijklabError as error:
            db.session.rollback()
            show_error(form, error)
            status = error.status_code
        else:
            db.session.commit()
            flash(
                _(
                    "De gegevens zijn gewist. De persoon heet nu %(name)s.",
                    name=services.pseudonym(person.id),
                ),
                "success",
            )
            return redirect(url_for("accounts.edit_user", user_id=person.id))
    elif request.method == "POST":
        abort(400)
    return render_template(
        "privacy/erase.html",
        person=person,
        form=form,
        summary=services.erasure_summary(person),
        pseudonym=services.pseudonym(person.id),
    ), status


# --- who opened a student's data ------------------------------------------------------------


def _student_of_goal(args: dict) -> int | None:
    return db.session.scalar(
        select(LearningGoal.student_id).where(LearningGoal.id == args["goal_id"])
    )


def _student_of_statement(args: dict) -> int | None:
    return db.session.scalar(
        select(Statement.student_id).where(Statement.id == args["statement_id"])
    )


def _student_of_request(args: dict) -> int | None:
    return db.session.scalar(
        select(StatementRequest.student_id).where(StatementRequest.id == args["request_id"])
    )


# endpoint → how to find the student whose data the page shows, from its URL arguments
STUDENT_PAGES = {
    "tasks.student_hours": lambda args: args["user_id"],
    "goals.detail": _student_of_goal,
    "statements.preview": lambda args: args["student_id"],
    "statements.detail": _student_of_statement,
    "statements.pdf": _student_of_statement,
    "statements.request_detail": _student_of_request,
    "goals.student_coverage": lambda args: args["student_id"],
    "agreements.detail": lambda args: args["student_id"],
    "agreements.pdf": lambda args: args["student_id"],
}


@bp.after_app_request
def record_student_data_access(response: Response) -> Response:
    """A page with a student's data, shown (200) to someone other than the student, goes into
    the audit trail: who, whose, which page and when; never what it showed."""
    finder = STUDENT_PAGES.get(request.endpoint or "")
    if finder is None or response.status_code != 200 or request.method not in ("GET", "HEAD"):
        return response
    if not current_user.is_authenticated:
        return response
    try:
        student_id = finder(request.view_args or {})
        if student_id is not None and student_id != current_user.id:
            services.record_access(current_user, student_id, request.endpoint)
            db.session.commit()
    except Exception:  # the page was shown; a failed record must not turn it into an error
        db.session.rollback()
        log.exception("could not record access to a student's data")
    return response
