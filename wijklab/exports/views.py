from __future__ import annotations

from dataclasses import dataclass

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    stream_with_context,
)
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from wijklab.accounts.models import StudentProfile, User
from wijklab.activity.services import record, register_actions
from wijklab.clock import today
from wijklab.exports.forms import ExportForm
from wijklab.exports.permissions import can_search_students, exportable_teams
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
# The xlsx writer streams at about 45,000 rows a CPU-second; beyond this Excel gets unwieldy, so
# larger exports go to CSV.
XLSX_MAX_ROWS = 250_000

register_actions({"export.downloaded": _l("Export gedownload")})


# A list of choices longer than this becomes a search field that fetches matches: a city has
# 5,000 students, and a select of all of them made the form 253 KB.
SELECT_MAX = 25
MATCHES_MAX = 20
QUERY_MAX = 100
KINDS = ("project", "team", "student")


@dataclass
class Picker:
    """How the form shows one of its project, team or student fields: ``select`` (a short list
    of every choice), ``search`` (a search field holding the chosen id and its label) or
    ``matches`` (what a search without JavaScript found, as a short select)."""

    mode: str
    label: str = ""
    more: bool = False


def _options(
    kind: str,
    user,
    *,
    text: str = "",
    chosen: int | None = None,
    limit: int,
    sort_in_sql: bool = True,
) -> list[tuple[int, str]]:
    """(id, label) of the projects, teams or students whose rows ``user`` may export, those
    matching ``text`` or the one with id ``chosen``, at most ``limit``, in alphabetical order.
    Without ``sort_in_sql`` the database picks any ``limit`` rows, which Python then sorts: to
    learn whether a list is short, sorting 5,000 names first would be wasted."""
    visible = exportable_teams(user)
    if kind == "project":
        stmt = (
            select(Project.id, Project.title)
            .where(
                Project.id.in_(
                    select(Team.project_id)
                    .join(Project, Project.id == Team.project_id)
                    .where(visible)
                )
            )
            .order_by(Project.title, Project.id)
        )
        if text:
            stmt = stmt.where(Project.title.icontains(text, autoescape=True))
        key = Project.id
    elif kind == "team":
        stmt = (
            select(Team.id, Team.name, Project.title)
            .join(Project, Project.id == Team.project_id)
            .where(visible)
            .order_by(Project.title, Team.name, Team.id)
        )
        if text:
            stmt = stmt.where(
                or_(
                    Team.name.icontains(text, autoescape=True),
                    Project.title.icontains(text, autoescape=True),
                )
            )
        key = Team.id
    else:
        stmt = select(User.id, User.name, StudentProfile.student_number).outerjoin(
            StudentProfile, StudentProfile.user_id == User.id
        )
        if can_search_students(user):
            stmt = stmt.where(
                User.id.in_(
                    select(TeamMembership.student_id)
                    .join(Team, Team.id == TeamMembership.team_id)
                    .join(Project, Project.id == Team.project_id)
                    .where(visible)
                )
            )
        else:
            stmt = stmt.where(User.id == user.id)
        if text:
            stmt = stmt.where(
                or_(
                    User.name.icontains(text, autoescape=True),
                    User.email.icontains(text, autoescape=True),
                    StudentProfile.student_number.icontains(text, autoescape=True),
                )
            )
        stmt = stmt.order_by(User.name, User.id)
        key = User.id
    if chosen is not None:
        stmt = stmt.where(key == chosen)
    if not sort_in_sql:
        stmt = stmt.order_by(None)
    rows = db.session.execute(stmt.limit(limit)).all()
    if not sort_in_sql:
        # The same order as the SQL's: projects by title, teams by project title and name.
        rows = sorted(rows, key=lambda row: (row[-1], row[1]) if kind == "team" else row[1:2])
    if kind == "project":
        return [(pid, title) for pid, title in rows]
    if kind == "team":
        return [(tid, f"{name} · {title}") for tid, name, title in rows]
    return [(uid, f"{name} · {number}" if number else name) for uid, name, number in rows]


def _set_choices(form: ExportForm, searching: str | None = None) -> dict[str, Picker]:
    """Only the projects, teams and students whose rows the user may export can be chosen; a
    long list becomes a search field, and ``searching`` names the field whose typed text is to
    be searched (the "Zoek" button of the form without JavaScript)."""
    pickers = {}
    longest = current_app.config.get("EXPORT_SELECT_MAX", SELECT_MAX)
    for kind in KINDS:
        field, typed = form[kind], (form[f"{kind}_q"].data or "")[:QUERY_MAX]
        everything = _options(kind, current_user, limit=longest + 1, sort_in_sql=False)
        if len(everything) <= longest:
            field.choices = [NO_CHOICE, *choices((str(i), label) for i, label in everything)]
            pickers[kind] = Picker("select")
            continue
        if searching == kind:
            field.data = None
        chosen = (
            _options(kind, current_user, chosen=field.data, limit=1)
            if field.data is not None
            else []
        )
        if chosen:
            pickers[kind] = Picker("search", label=chosen[0][1])
        elif typed and field.data is None and not field.process_errors:
            chosen = _options(kind, current_user, text=typed, limit=MATCHES_MAX + 1)
            more = len(chosen) > MATCHES_MAX
            chosen = chosen[:MATCHES_MAX]
            pickers[kind] = Picker("matches", more=more)
        else:
            pickers[kind] = Picker("search", label=typed)
        field.choices = [NO_CHOICE, *choices((str(i), label) for i, label in chosen)]
    return pickers


def _render(form: ExportForm, pickers: dict[str, Picker], status: int = 200):
    return render_template("exports/index.html", form=form, pickers=pickers), status


@bp.route("/")
@login_required
def index():
    """The export form; every role exports what its pages show."""
    form = ExportForm(formdata=request.args or None)
    searching = request.args.get("search")
    return _render(form, _set_choices(form, searching if searching in KINDS else None))


@bp.route("/search/projects", defaults={"kind": "project"})
@bp.route("/search/teams", defaults={"kind": "team"})
@bp.route("/search/students", defaults={"kind": "student"})
@login_required
def search(kind: str):
    """At most MATCHES_MAX projects, teams or students the user may export, matching ``q``
    (a name, title, e-mail address or student number), for the form's search fields."""
    if kind == "student" and not can_search_students(current_user):
        abort(403)
    text = request.args.get("q", "").strip()[:QUERY_MAX]
    found = _options(kind, current_user, text=text, limit=MATCHES_MAX + 1)
    response = jsonify(
        results=[{"id": i, "label": label} for i, label in found[:MATCHES_MAX]],
        more=len(found) > MATCHES_MAX,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/download")
@login_required
def download():
    """A CSV or xlsx file of participations or learning goals, streamed as it is read."""
    form = ExportForm(formdata=request.args)
    pickers = _set_choices(form)
    valid = form.validate()
    for kind, picker in pickers.items():
        if picker.mode == "matches":
            # Typed but not chosen: exporting everything would surprise; show what was found.
            form[kind].errors.append(
                _("Kies uit de gevonden namen hieronder, of maak het veld leeg.")
            )
            valid = False
    if not valid:
        return _render(form, pickers, 400)
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
        return _render(form, pickers, 400)
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
