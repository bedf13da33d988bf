"""Importing students from the school's list: upload, match the columns, check (the dry run),
confirm, and the printable list of invitation links. Admins and wijkdocenten only."""

from __future__ import annotations

from math import ceil

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField

from wijklab.accounts import importer
from wijklab.accounts.importer import (
    FIELD_LABELS,
    ImportFileError,
    ImportStore,
    can_import_students,
    mapping_problems,
)
from wijklab.accounts.permissions import requires
from wijklab.database import ListPage
from wijklab.errors import WijklabError
from wijklab.extensions import db
from wijklab.forms import NO_CHOICE, IdSelectField, choices, show_error
from wijklab.inputs import parse_page
from wijklab.organisations.models import Organisation, OrganisationKind

bp = Blueprint("student_import", __name__)
bp.add_app_template_global(can_import_students)

ROWS_PER_PAGE = 100
MISSING_SHOWN = 200
IGNORE = "ignore"


@bp.url_value_preprocessor
def _allow_larger_upload(endpoint, values) -> None:
    # Runs before the CSRF check reads the body: only the upload takes a file up to 5 MB.
    if endpoint == "student_import.upload":
        request.max_content_length = importer.MAX_FILE_BYTES + 64 * 1024


class UploadForm(FlaskForm):
    file = FileField(
        _l("Bestand (CSV of Excel .xlsx)"),
        validators=[FileRequired(_l("Kies een bestand."))],
        description=_l(
            "Een export uit het schoolsysteem, hoogstens 5 MB en 50.000 rijen. De eerste regel "
            "noemt de kolommen."
        ),
    )
    school_id = IdSelectField(
        _l("School"),
        description=_l("Voor rijen zonder kolom 'school'."),
    )


class ApplyForm(FlaskForm):
    token = HiddenField()


def _store() -> ImportStore:
    return ImportStore(
        current_app.config.get("IMPORT_DIR") or f"{current_app.instance_path}/imports"
    )


def _load_or_404(token: str) -> importer.StoredImport:
    stored = _store().load(token, current_user)
    if stored is None:
        abort(404)
    return stored


def _school(school_id: int | None) -> Organisation | None:
    school = db.session.get(Organisation, school_id) if school_id else None
    return school if school is not None and school.kind == OrganisationKind.SCHOOL else None


@bp.route("/users/import", methods=["GET", "POST"])
@requires(can_import_students)
def upload():
    form = UploadForm()
    form.school_id.choices = [NO_CHOICE] + choices(
        (o.id, o.name) for o in importer.school_choices()
    )
    if form.validate_on_submit():
        file = form.file.data
        raw = file.read(importer.MAX_FILE_BYTES + 1)
        try:
            parsed = importer.read_upload(raw, file.filename or "")
        except ImportFileError as error:
            show_error(form, error)
        else:
            stored = _store().create(current_user, parsed, form.school_id.data)
            if stored.mapping is None:
                return redirect(url_for("student_import.columns", token=stored.token))
            return redirect(url_for("student_import.preview", token=stored.token))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("accounts/import_upload.html", form=form), status


def _mapping_form(stored: importer.StoredImport):
    """One select per column of the file: which field it holds, or ignore it."""
    options = choices([(IGNORE, _("Niet importeren")), *FIELD_LABELS.items()])
    current = (
        stored.mapping
        if stored.mapping is not None
        else importer.match_headers(stored.upload.headers)
    )

    class MappingForm(FlaskForm):
        pass

    for index, header in enumerate(stored.upload.headers):
        setattr(
            MappingForm,
            f"column_{index}",
            SelectField(
                header or _("(kolom %(n)s zonder naam)", n=index + 1),
                choices=options,
                default=current.get(index, IGNORE),
            ),
        )
    return MappingForm()


@bp.route("/users/import/<token>/columns", methods=["GET", "POST"])
@requires(can_import_students)
def columns(token: str):
    stored = _load_or_404(token)
    if stored.result is not None:
        abort(404)
    form = _mapping_form(stored)
    fields = [form[f"column_{i}"] for i in range(len(stored.upload.headers))]
    if form.validate_on_submit():
        mapping = {i: f.data for i, f in enumerate(fields) if f.data != IGNORE}
        problems = mapping_problems(mapping)
        if problems:
            form.form_errors.extend(str(p) for p in problems)
        else:
            stored.mapping = mapping
            _store().save(stored)
            return redirect(url_for("student_import.preview", token=token))
    status = 422 if form.errors or form.form_errors else 200
    samples = stored.upload.rows[:3]
    return render_template(
        "accounts/import_columns.html", form=form, fields=fields, samples=samples, stored=stored
    ), status


@bp.route("/users/import/<token>")
@requires(can_import_students)
def preview(token: str):
    stored = _load_or_404(token)
    if stored.result is not None:
        return redirect(url_for("student_import.result", token=token))
    if stored.mapping is None:
        return redirect(url_for("student_import.columns", token=token))
    try:
        plan = importer.plan_import(stored.upload, stored.mapping, _school(stored.school_id))
    except WijklabError as error:
        flash(error.message, "error")
        return redirect(url_for("student_import.columns", token=token))
    only_errors = request.args.get("errors") == "1"
    rows = plan.error_rows if only_errors else plan.rows
    total = len(rows)
    page = min(parse_page(), max(1, ceil(total / ROWS_PER_PAGE)))
    start = (page - 1) * ROWS_PER_PAGE
    rows_page = ListPage(rows[start : start + ROWS_PER_PAGE], page, ROWS_PER_PAGE, total)
    return render_template(
        "accounts/import_preview.html",
        plan=plan,
        rows=rows_page,
        only_errors=only_errors,
        missing=plan.missing[:MISSING_SHOWN],
        stored=stored,
        form=ApplyForm(token=token),
    )


@bp.route("/users/import/apply", methods=["POST"])
@requires(can_import_students)
def apply():
    form = ApplyForm()
    if not form.validate_on_submit():
        abort(400)
    token = form.token.data or ""
    stored = _load_or_404(token)
    if stored.result is not None:
        return redirect(url_for("student_import.result", token=token))
    if stored.mapping is None:
        abort(404)
    try:
        result = importer.apply_import(
            stored.upload, stored.mapping, _school(stored.school_id), by=current_user
        )
    except WijklabError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("student_import.preview", token=token))
    db.session.commit()
    # The parsed file is gone; what stays (24 hours, for its owner) is the result and the links.
    stored.result = {
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "invitations": [list(item) for item in result.invitations],
    }
    _store().save(stored)
    flash(
        _(
            "Import klaar: %(created)s nieuw, %(updated)s bijgewerkt, %(unchanged)s ongewijzigd.",
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
        ),
        "success",
    )
    return redirect(url_for("student_import.result", token=token))


def _result_or_404(token: str) -> importer.StoredImport:
    stored = _load_or_404(token)
    if stored.result is None:
        abort(404)
    return stored


@bp.route("/users/import/<token>/result")
@requires(can_import_students)
def result(token: str):
    stored = _result_or_404(token)
    return render_template("accounts/import_result.html", stored=stored, result=stored.result)


@bp.route("/users/import/<token>/links")
@requires(can_import_students)
def links(token: str):
    stored = _result_or_404(token)
    invitations = [
        (name, email, url_for("accounts.welcome", token=raw, _external=True))
        for name, email, raw in stored.result["invitations"]
    ]
    response = current_app.make_response(
        render_template("accounts/import_links.html", invitations=invitations, stored=stored)
    )
    # The page holds one-time links: keep it out of caches and referrers.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
