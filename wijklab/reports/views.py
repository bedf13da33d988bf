from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, lazyload

from wijklab.accounts.models import Role
from wijklab.caching import cached
from wijklab.clock import today, utcnow
from wijklab.database import ListPage, paginate
from wijklab.exports.writers import Column, Sheet, xlsx_chunks
from wijklab.extensions import db
from wijklab.goals.forms import STATUS_LABELS as GOAL_STATUS_LABELS
from wijklab.goals.models import Feedback, GoalStatus, LearningGoal
from wijklab.goals.services import coaching_overview
from wijklab.i18n import table_date, whole
from wijklab.i18n import week as week_label
from wijklab.inputs import parse_id, parse_page
from wijklab.neighbourhoods.models import Neighbourhood
from wijklab.projects.models import Project, ProjectStatus
from wijklab.reports import waiting as _waiting_goals  # noqa: F401 (registers goals)
from wijklab.reports.charts import (
    Unit,
    bar_chart,
    cumulative_chart,
    hours_progress_chart,
    stacked_bar_chart,
)
from wijklab.reports.forms import PeriodForm, WeeksForm, school_year_start
from wijklab.reports.permissions import (
    can_view_neighbourhood_report,
    can_view_placements,
)
from wijklab.reports.services import (
    neighbourhood_figures,
    placement_schools,
    placements,
    running_activities,
    student_progress,
    student_team_activity,
    supervision_this_month,
    wijkdocent_agreements,
    wijkdocent_overview,
)
from wijklab.statements.pdf import neighbourhood_report_pdf
from wijklab.tasks.forms import CATEGORY_LABELS
from wijklab.tasks.models import Category, Task, TaskParticipation, TaskStatus
from wijklab.tasks.services import student_schedule
from wijklab.teams.models import Team, TeamMembership

bp = Blueprint("reports", __name__)

RUNNING = (ProjectStatus.DRAFT, ProjectStatus.ACTIVE)


@bp.route("/")
@login_required
def dashboard():
    """A welcome per role with the user's next steps, their figures and what waits on them."""
    teams: list[Team] = []
    projects: list[Project] = []
    extra: dict = {}
    if current_user.role == Role.STUDENT:
        teams = _running_teams(
            Team.id.in_(
                select(TeamMembership.team_id).where(
                    TeamMembership.student_id == current_user.id, TeamMembership.left_on.is_(None)
                )
            )
        )
        progress = student_progress(current_user)
        extra = {
            "returned_tasks": _returned_tasks(),
            "progress": progress,
            "activity": student_team_activity(current_user),
            "coaching": coaching_overview(current_user),
            "charts": {
                "hours": hours_progress_chart(
                    student_schedule(
                        current_user,
                        verified=progress["verified"],
                        pending=progress["pending"],
                        today=today(),
                    )
                ),
                "progress": _progress_chart(progress),
            },
        }
    elif current_user.role == Role.SUPERVISOR:
        teams = _running_teams(Team.supervisor_id == current_user.id)
        extra = {"month": supervision_this_month(current_user, today=today())}
    elif current_user.role == Role.WIJKDOCENT:
        overview = wijkdocent_overview(current_user, today=today(), page=parse_page())
        supervisors = overview["signals"]["supervisors"]
        extra = {
            "overview": overview,
            # The supervisors a page at a time (a city's wijkdocent works with a hundred).
            "supervisor_page": ListPage.of(
                supervisors,
                parse_page(request.args.get("begeleiding", "")),
                SUPERVISORS_PER_PAGE,
            ),
            "charts": _team_charts(overview["rows"]),
            "agreements": wijkdocent_agreements(current_user, today=today()),
        }
    if current_user.role == Role.WIJKDOCENT:
        # Counted per team with the overview's figures: no query of its own.
        waiting = {"students_without_goals": extra["overview"]["students_without_goals"]}
    else:
        waiting = _waiting()
    return render_template(
        f"reports/dashboard_{current_user.role.value}.html",
        teams=teams,
        projects=projects,
        waiting=waiting,
        **extra,
    )


SUPERVISORS_PER_PAGE = 20


def _progress_chart(progress: dict):
    # No target line: the hours chart above it holds the agreed hours, and 400 on this scale
    # would flatten the weekly columns to slivers.
    return cumulative_chart(
        _("Je uren per week, opgeteld"),
        [(week_label(w["week"]), w["verified"] / 60, w["pending"] / 60) for w in progress["weeks"]],
        target=None,
        series=(_("goedgekeurd"), _("wacht op controle")),
        unit=_("uur"),
        chart_id="chart-progress",
    )


def _team_charts(rows: list[dict]) -> dict:
    return {
        "hours": stacked_bar_chart(
            _("Uren per team"),
            [
                (r["team"].name, [r["hours"]["verified"] / 60, r["hours"]["pending"] / 60])
                for r in rows
            ],
            series=[_("goedgekeurd"), _("wacht op controle")],
            unit=_("uur"),
            chart_id="chart-team-hours",
        ),
        "goals": stacked_bar_chart(
            _("Leerdoelen per team"),
            [(r["team"].name, [r["goals"].get(s.value, 0) for s in GoalStatus]) for r in rows],
            series=[str(GOAL_STATUS_LABELS[s]) for s in GoalStatus],
            unit="",
            chart_id="chart-team-goals",
        ),
    }


def _neighbourhood_charts(figures: dict | None) -> dict:
    if figures is None:
        return {}
    hours = figures["hours"]
    return {
        "activities": bar_chart(
            _("Activiteiten per soort werk"),
            [
                (str(CATEGORY_LABELS[Category(a["category"])]), a["tasks"])
                for a in figures["activities"]
            ],
            unit="",
            chart_id="chart-activities",
        ),
        "hours": stacked_bar_chart(
            _("Goedgekeurde uren per niveau"),
            [
                (level, [hours[level]["collective"] / 60, hours[level]["individual"] / 60])
                for level in ("mbo", "hbo")
            ],
            series=[_("collectief"), _("individueel")],
            unit=_("uur"),
            chart_id="chart-level-hours",
        ),
    }


def _waiting() -> dict:
    """What waits on this user, counted in SQL: a supervisor's goals in review and tasks to
    verify; a student's goals by status with the latest feedback. (A wijkdocent's students
    without goals come with the overview's team figures.)"""
    if current_user.role == Role.SUPERVISOR:
        return {
            "goals_in_review": db.session.scalar(
                select(func.count(LearningGoal.id))
                .join(Team, Team.id == LearningGoal.team_id)
                .where(
                    Team.supervisor_id == current_user.id,
                    LearningGoal.status == GoalStatus.REVIEW_REQUESTED,
                )
            ),
            "tasks_to_verify": db.session.scalar(
                select(func.count(Task.id))
                .join(Team, Team.id == Task.team_id)
                .where(Team.supervisor_id == current_user.id, Task.status == TaskStatus.PENDING)
            ),
        }
    if current_user.role == Role.STUDENT:
        goals = db.session.scalars(
            select(LearningGoal)
            .where(LearningGoal.student_id == current_user.id)
            # Title and status only: not the student (the current user) or the framework items.
            .options(lazyload(LearningGoal.student), lazyload(LearningGoal.framework_items))
            .order_by(LearningGoal.updated_at.desc())
            .limit(10)
        ).all()
        latest = {}
        if goals:
            rows = db.session.execute(
                select(Feedback.goal_id, Feedback.comment, Feedback.id)
                .where(
                    Feedback.goal_id.in_([g.id for g in goals]),
                    Feedback.author_id != current_user.id,
                )
                .order_by(Feedback.id)
            ).all()
            latest = {goal_id: comment for goal_id, comment, _id in rows}
        by_status = dict(
            db.session.execute(
                select(LearningGoal.status, func.count(LearningGoal.id))
                .where(LearningGoal.student_id == current_user.id)
                .group_by(LearningGoal.status)
            ).all()
        )
        return {"goals": goals, "latest_feedback": latest, "by_status": by_status}
    return {}


def _returned_tasks() -> list[Task]:
    """The student's tasks the supervisor gave back, newest first: the reason stands at the top
    of their dashboard with a link straight to the form."""
    return list(
        db.session.scalars(
            select(Task)
            .where(
                # The student's own tasks first (a hundred or so), then the returned ones among
                # them: SQLite would otherwise walk every returned task of the city.
                Task.id.in_(
                    select(TaskParticipation.task_id).where(
                        TaskParticipation.student_id == current_user.id
                    )
                ),
                Task.status == TaskStatus.RETURNED,
            )
            # The card shows the title, team, project and reason: no participants, no members,
            # no people (their profiles would join a chain of tables PostgreSQL plans slowly).
            .options(
                joinedload(Task.team).joinedload(Team.project),
                joinedload(Task.team).lazyload(Team.supervisor),
                joinedload(Task.team).lazyload(Team.memberships),
                lazyload(Task.participations),
                lazyload(Task.author),
                lazyload(Task.verified_by),
            )
            .order_by(Task.updated_at.desc(), Task.id.desc())
            .limit(10)
        ).unique()
    )


def _running_teams(condition) -> list[Team]:
    return list(
        db.session.scalars(
            select(Team)
            .join(Project, Project.id == Team.project_id)
            .where(condition, Project.status.in_(RUNNING))
            # The cards show the team and its project, never the members or the supervisor.
            .options(
                joinedload(Team.project), lazyload(Team.supervisor), lazyload(Team.memberships)
            )
            .order_by(Team.start_date, Team.name)
        ).unique()
    )


# --- neighbourhoods -----------------------------------------------------------------------------


def _report_access() -> None:
    if not can_view_neighbourhood_report(current_user):
        abort(403)


def _period_form() -> PeriodForm:
    """The period from the query string, or the running school year up to today."""
    given = "start" in request.args or "end" in request.args
    form = PeriodForm(
        formdata=request.args if given else None,
        data={"start": school_year_start(today()), "end": today()},
    )
    form.is_valid = form.validate() if given else True
    return form


def _figures(hood: Neighbourhood, start, end) -> dict:
    """The neighbourhood's figures for the period, at most a minute old (wijklab/caching.py)."""
    return cached(
        "neighbourhood",
        f"{hood.id}:{start.isoformat()}:{end.isoformat()}",
        lambda: neighbourhood_figures(hood, start=start, end=end),
    )


@bp.route("/reports/neighbourhoods")
@login_required
def neighbourhoods():
    """The neighbourhoods to choose a report from."""
    _report_access()
    page = paginate(select(Neighbourhood).order_by(Neighbourhood.name), 25)
    return render_template("reports/neighbourhoods.html", page=page)


@bp.route("/reports/neighbourhoods/<int:neighbourhood_id>")
@login_required
def neighbourhood(neighbourhood_id: int):
    """Counts for one neighbourhood and period, without names."""
    _report_access()
    hood = db.get_or_404(Neighbourhood, neighbourhood_id)
    form = _period_form()
    figures = None
    if form.is_valid:
        figures = _figures(hood, form.start.data, form.end.data)
    return render_template(
        "reports/neighbourhood.html",
        hood=hood,
        form=form,
        figures=figures,
        charts=_neighbourhood_charts(figures),
        category_labels=CATEGORY_LABELS,
    ), (200 if form.is_valid else 400)


@bp.route("/reports/neighbourhoods/<int:neighbourhood_id>/report.pdf", defaults={"fmt": "pdf"})
@bp.route("/reports/neighbourhoods/<int:neighbourhood_id>/report.xlsx", defaults={"fmt": "xlsx"})
@login_required
def neighbourhood_report(neighbourhood_id: int, fmt: str):
    """The neighbourhood figures as a PDF or a workbook for partners and the municipality."""
    _report_access()
    hood = db.get_or_404(Neighbourhood, neighbourhood_id)
    form = _period_form()
    if not form.is_valid:
        return render_template(
            "reports/neighbourhood.html",
            hood=hood,
            form=form,
            figures=None,
            category_labels=CATEGORY_LABELS,
        ), 400
    figures = _figures(hood, form.start.data, form.end.data)
    stem = f"wijkrapport-{hood.id}-{form.start.data.isoformat()}-{form.end.data.isoformat()}"
    if fmt == "pdf":
        return Response(
            neighbourhood_report_pdf(figures),
            mimetype="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{stem}.pdf"'},
        )
    return Response(
        xlsx_chunks(_report_sheets(figures)),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{stem}.xlsx"'},
    )


def _report_sheets(figures: dict) -> list[Sheet]:
    period = figures["period"]
    summary = [
        (_("Wijk"), figures["neighbourhood"]["name"]),
        (_("Van"), table_date(period["start"])),
        (_("Tot en met"), table_date(period["end"])),
        (_("Projecten"), figures["projects"]),
        (_("Teams"), figures["teams"]),
        (_("Goedgekeurde activiteiten"), figures["tasks"]),
        (_("Bewoners bereikt"), figures["residents_reached"]),
        (_("Studenten mbo"), figures["students"]["mbo"]),
        (_("Studenten hbo"), figures["students"]["hbo"]),
    ]
    hours = figures["hours"]
    return [
        # A sheet to read rather than to calculate with: every value as Dutch text.
        Sheet(
            _("Samenvatting"),
            [Column("what", _("Onderdeel"), width=30), Column("value", _("Waarde"), width=30)],
            [
                (label, whole(value) if isinstance(value, int) else value)
                for label, value in summary
            ],
        ),
        Sheet(
            _("Activiteiten"),
            [
                Column("category", _("Soort werk"), width=45),
                Column("tasks", _("Activiteiten"), "int"),
                Column("residents", _("Bewoners bereikt"), "int"),
            ],
            [
                (str(CATEGORY_LABELS[Category(a["category"])]), a["tasks"], a["residents"])
                for a in figures["activities"]
            ],
        ),
        Sheet(
            _("Uren"),
            [
                Column("level", _("Niveau"), width=12),
                Column("collective", _("Collectief (uur)"), "decimal"),
                Column("individual", _("Individueel (uur)"), "decimal"),
                Column("total", _("Totaal (uur)"), "decimal"),
                Column("students", _("Studenten"), "int"),
            ],
            [
                (
                    level,
                    hours[level]["collective"] / 60,
                    hours[level]["individual"] / 60,
                    (hours[level]["collective"] + hours[level]["individual"]) / 60,
                    figures["students"][level],
                )
                for level in ("mbo", "hbo")
            ],
        ),
        Sheet(
            _("Partners"),
            [
                Column("name", _("Partnerorganisatie"), width=40),
                Column("projects", _("Projecten"), "int"),
            ],
            [(p["name"], p["projects"]) for p in figures["partners"]],
        ),
    ]


@bp.route("/reports/neighbourhoods/<int:neighbourhood_id>/activities")
@login_required
def activities(neighbourhood_id: int):
    """Every running activity in the neighbourhood in the last weeks, by street, place or
    group, with the places that several teams approached."""
    _report_access()
    hood = db.get_or_404(Neighbourhood, neighbourhood_id)
    given = "weeks" in request.args
    form = WeeksForm(formdata=request.args if given else None)
    valid = form.validate() if given else True
    weeks = form.weeks.data if valid and form.weeks.data else 6
    end = today()
    start = end - timedelta(weeks=weeks)
    result = running_activities(hood, start=start, end=end, page=parse_page())
    return render_template(
        "reports/activities.html",
        hood=hood,
        form=form,
        start=start,
        end=end,
        weeks=weeks,
        **result,
    ), (200 if valid else 400)


# --- placements ---------------------------------------------------------------------------------


@bp.route("/reports/placements")
@login_required
def placements_page():
    """Where the internship places are: per partner organisation, and the students of the
    wijkdocent's schools who are in no running team."""
    if not can_view_placements(current_user):
        abort(403)
    schools = placement_schools(current_user)
    known = {s.id for s in schools}
    raw = request.args.get("school", "")
    chosen = parse_id(raw)
    status = 200
    if raw and chosen not in known:
        status, chosen = 400, None
    school_ids = [chosen] if chosen else sorted(known)
    result = placements(school_ids=school_ids, page=parse_page())
    unplaced_chart = stacked_bar_chart(
        _("Studenten zonder lopend team"),
        [(level, [result["unplaced"][level][y] for y in (1, 2, 3, 4)]) for level in ("mbo", "hbo")],
        series=[_("jaar %(year)s", year=y) for y in (1, 2, 3, 4)],
        unit=Unit(ngettext("student", "studenten", 1), ngettext("student", "studenten", 2)),
        chart_id="chart-unplaced",
    )
    return render_template(
        "reports/placements.html",
        schools=schools,
        chosen=chosen,
        bad_school=status == 400,
        unplaced_chart=unplaced_chart,
        generated_at=utcnow(),
        **result,
    ), status
