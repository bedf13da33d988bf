from __future__ import annotations

from flask import Blueprint, Response, render_template, request, stream_with_context
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from wijklab.accounts.models import Role, User
from wijklab.activity.services import record, register_actions
from wijklab.clock import today
from wijklab.exports.forms import ExportForm
from wijklab.exports.permissions import export_scope
from wijklab.exports.services import (
    ExportFilter,
    count_rows,
    goal_columns,
    goal_query,
    goal_rows,
    participation_columns,
    participation_query,
    participation_rows,
)
from wijklab.exports.writers import Sheet, csv_chunks, xlsx_chunks
from wijklab.extensions import db
from wijklab.forms import NO_CHOICE, choices
from wijklab.projects.models import Project
from wijklab.teams.models import Team, TeamMembership

bp = Blueprint("exports", __name__, url_prefix="/exports")

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
STEMS = {"participations": "deelnames", "goals": "leerdoelen"}
# openpyxl writes about 2,500 rows a second and sends nothing before the whole file is written:
# beyond this a download would outlast a worker's timeout, so larger exports go to CSV.
XLSX_MAX_ROWS = 50_000

register_actions({"export.downloaded": _l("Export gedownload")})


def _set_choices(form: ExportForm) -> None:
    """Only the projects, teams and students whose rows the user may export can be chosen."""
    if current_user.role == Role.STUDENT:
        visible = Team.id.in_(
            select(TeamMembership.team_id).where(TeamMembership.student_id == current_user.id)
        )
    else:
        visible = export_scope(current_user, None)
    teams = db.session.execute(
        select(Team.id, Team.name, Project.id, Project.title)
        .join(Project, Project.id == Team.project_id)
        .where(visible)
        .order_by(Project.title, Team.name)
    ).all()
    projects = {pid: title for _tid, _name, pid, title in teams}
    form.project.choices = [NO_CHOICE, *choices((str(pid), t) for pid, t in projects.items())]
    form.team.choices = [
        NO_CHOICE,
        *choices((str(tid), f"{name} · {title}") for tid, name, _pid, title in teams),
    ]
    if current_user.role == Role.STUDENT:
        students = [(current_user.id, current_user.name)]
    else:
        students = db.session.execute(
            select(User.id, User.name)
            .where(
                User.id.in_(
                    select(TeamMembership.student_id)
                    .join(Team, Team.id == TeamMembership.team_id)
                    .join(Project, Project.id == Team.project_id)
                    .where(visible)
                )
            )
            .order_by(User.name)
        ).all()
    form.student.choices = [NO_CHOICE, *choices((str(uid), name) for uid, name in students)]


@bp.route("/")
@login_required
def index():
    """The export form; every role exports what its pages show."""
    form = ExportForm(formdata=None)
    _set_choices(form)
    return render_template("exports/index.html", form=form)


@bp.route("/download")
@login_required
def download():
    """A CSV or xlsx file of participations or learning goals, streamed as it is read."""
    form = ExportForm(formdata=request.args)
    _set_choices(form)
    if not form.validate():
        return render_template("exports/index.html", form=form), 400
    filters = ExportFilter(
        project_id=form.project.data,
        team_id=form.team.data,
        student_id=form.student.data,
        start=form.start.data,
        end=form.end.data,
    )
    if form.dataset.data == "goals":
        columns, query, read = goal_columns(), goal_query(current_user, filters), goal_rows
    else:
        columns = participation_columns()
        query, read = participation_query(current_user, filters), participation_rows
    fmt = form.fmt.data
    total = count_rows(query)
    if fmt == "xlsx" and total > XLSX_MAX_ROWS:
        form.fmt.errors.append(
            _(
                "Dit zijn meer dan %(max)s rijen: dat wordt te groot voor Excel. Kies CSV, of maak"
                " de selectie kleiner met een project, team of periode.",
                max=format_decimal(XLSX_MAX_ROWS, "#,##0"),
            )
        )
        return render_template("exports/index.html", form=form), 400
    # Who took which rows out of the app: the filters (ids and dates) and the number of rows.
    chosen = {
        "project_id": filters.project_id,
        "team_id": filters.team_id,
        "student_id": filters.student_id,
        "start": filters.start,
        "end": filters.end,
    }
    record(
        current_user,
        "export.downloaded",
        object_type="Export",
        object_id=0,
        dataset=form.dataset.data,
        format=fmt,
        rows=total,
        **{name: value for name, value in chosen.items() if value is not None},
    )
    db.session.commit()
    rows = read(query)
    if fmt == "csv":
        body = csv_chunks(columns, rows)
    else:
        body = xlsx_chunks([Sheet(STEMS[form.dataset.data], columns, rows)])
    filename = f"wijklab-{STEMS[form.dataset.data]}-{today().isoformat()}.{fmt}"
    return Response(
        stream_with_context(body),
        content_type=MIMETYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
