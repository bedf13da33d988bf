"""The resources of the JSON API v1. Each view reads like a page's view: load, check with the
same permission predicate (and list with the same SQL scope) as the page, call the same
service, commit. A token acts as its user: it sees and does what its user may on the pages."""

from __future__ import annotations

from flask import current_app
from flask_smorest import Blueprint, abort
from sqlalchemy import select
from sqlalchemy.orm import joinedload, lazyload, selectinload

from wijklab.accounts.models import StudentProfile, User
from wijklab.api.v1 import auth
from wijklab.api.v1.errors import ErrorSchema, register_error_handlers
from wijklab.api.v1.pagination import LINK_HEADERS, PageArgsSchema, paginated
from wijklab.api.v1.schemas import (
    MeSchema,
    ProjectDetailSchema,
    ProjectPageSchema,
    ReturnInSchema,
    TaskInSchema,
    TaskPageSchema,
    TaskSchema,
    TeamSchema,
    VerifyInSchema,
)
from wijklab.clock import today
from wijklab.extensions import csrf, db, limiter
from wijklab.inputs import parse_id
from wijklab.projects.models import Project
from wijklab.projects.permissions import can_view_project, visible_projects
from wijklab.tasks import services as task_services
from wijklab.tasks.models import Task, TaskParticipation
from wijklab.tasks.permissions import (
    can_log_task,
    can_verify_task,
    can_view_task,
    verifies_on_behalf,
)
from wijklab.teams.models import Team, TeamMembership
from wijklab.teams.permissions import can_view_team

bp = Blueprint(
    "api_v1",
    __name__,
    url_prefix="/api/v1",
    description="Wijklab JSON API v1.",
)
# Bearer tokens only: no cookie is read, so a cross-site form cannot act for anyone.
csrf.exempt(bp)
limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=auth.rate_limit_key)(bp)
bp.before_request(auth.authenticate)
bp.after_request(auth.no_store)
register_error_handlers(bp)

NOT_FOUND = {"description": "Not found, or not yours to see.", "schema": ErrorSchema}
FORBIDDEN = {
    "description": "Your token or role may not do this.",
    "schema": ErrorSchema,
}
CONFLICT = {"description": "Changed since the version you sent.", "schema": ErrorSchema}
UNAUTHORIZED = {
    "description": "No token, or an unknown, expired or revoked one.",
    "schema": ErrorSchema,
}
RATE_LIMITED = {
    "description": "Too many requests with this token.",
    "schema": ErrorSchema,
}


def documented(view):
    """Every operation may answer 401 (token) and 429 (rate limit): say so in the document."""
    return bp.alt_response(401, **UNAUTHORIZED)(bp.alt_response(429, **RATE_LIMITED)(view))


def _or_404(found, may_see: bool = True):
    if found is None or not may_see:
        abort(404)
    return found


def _id(raw: int) -> int:
    """A path id PostgreSQL can hold, else 404."""
    return _or_404(parse_id(raw))


# --- me -----------------------------------------------------------------------------------------


@bp.route("/me", tags=["me"])
@documented
@bp.response(200, MeSchema)
def me():
    """The token's user

    Who the token acts for, and the token's own scope and expiry.
    """
    user = auth.api_user()
    token = auth.current_token()
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "role": user.role,
        "locale": user.locale,
        "token": token,
    }


# --- projects -----------------------------------------------------------------------------------


@bp.route("/projects", tags=["projects"])
@documented
@bp.arguments(PageArgsSchema, location="query")
@bp.response(200, ProjectPageSchema, headers=LINK_HEADERS)
def projects(args):
    """Projects you may see

    The same projects as the projects page, newest start first.
    """
    query = (
        select(Project)
        .where(visible_projects(auth.api_user()))
        .options(
            joinedload(Project.neighbourhood),
            joinedload(Project.partner),
            joinedload(Project.owner)
            .load_only(User.id, User.name)
            .options(lazyload(User.student_profile), lazyload(User.supervisor_profile)),
        )
        .order_by(Project.start_date.desc(), Project.id.desc())
    )
    body, headers = paginated(query, args)
    return body, headers


@bp.route("/projects/<int:project_id>", tags=["projects"])
@documented
@bp.response(200, ProjectDetailSchema)
@bp.alt_response(404, **NOT_FOUND)
def project(project_id: int):
    """One project with its teams"""
    project = db.session.scalar(
        select(Project)
        .where(Project.id == _id(project_id))
        .options(
            joinedload(Project.neighbourhood),
            joinedload(Project.partner),
            joinedload(Project.owner),
            selectinload(Project.teams),
        )
    )
    user = auth.api_user()
    _or_404(project, project is not None and can_view_project(user, project))
    # As on the project page: every team by name, supervisor and dates; its members only to
    # whoever may see the team.
    teams = []
    for team in project.teams:
        can_view = can_view_team(user, team)
        teams.append(
            {
                "id": team.id,
                "name": team.name,
                "start_date": team.start_date,
                "end_date": team.end_date,
                "supervisor": team.supervisor,
                "can_view": can_view,
                "member_count": len(team.current_memberships) if can_view else None,
            }
        )
    return _ProjectWithTeams(project, teams)


class _ProjectWithTeams:
    """A project as the API shows it: its own fields, and the teams as the viewer sees them."""

    def __init__(self, project: Project, teams: list[dict]) -> None:
        self._project = project
        self.teams = teams

    def __getattr__(self, name: str):
        return getattr(self._project, name)


# --- teams --------------------------------------------------------------------------------------


def _team(team_id: int) -> Team:
    """The team with its project and members, if the token's user may see it; else 404."""
    team = db.session.scalar(
        select(Team)
        .where(Team.id == _id(team_id))
        .options(
            joinedload(Team.project),
            joinedload(Team.supervisor)
            .load_only(User.id, User.name)
            .options(lazyload(User.student_profile), lazyload(User.supervisor_profile)),
            joinedload(Team.memberships)
            .joinedload(TeamMembership.student)
            .options(
                joinedload(User.student_profile).lazyload(StudentProfile.school),
                lazyload(User.supervisor_profile),
            ),
        )
    )
    return _or_404(team, team is not None and can_view_team(auth.api_user(), team))


@bp.route("/teams/<int:team_id>", tags=["teams"])
@documented
@bp.response(200, TeamSchema)
@bp.alt_response(404, **NOT_FOUND)
def team(team_id: int):
    """One team with its members

    Members current and former (``left_on`` set), with level, study year and role in the team.
    """
    return _team(team_id)


# --- tasks --------------------------------------------------------------------------------------


@bp.route("/teams/<int:team_id>/tasks", methods=["GET"], tags=["tasks"])
@documented
@bp.arguments(PageArgsSchema, location="query")
@bp.response(200, TaskPageSchema, headers=LINK_HEADERS)
@bp.alt_response(404, **NOT_FOUND)
def team_tasks(args, team_id: int):
    """The team's tasks, newest first"""
    team = _team(team_id)
    query = (
        select(Task)
        .where(Task.team_id == team.id)
        .options(
            selectinload(Task.participations).joinedload(TaskParticipation.student),
            lazyload(Task.events),
        )
        .order_by(Task.date.desc(), Task.id.desc())
    )
    body, headers = paginated(query, args)
    return body, headers


@bp.route("/teams/<int:team_id>/tasks", methods=["POST"], tags=["tasks"])
@documented
@auth.writes
@bp.arguments(TaskInSchema)
@bp.response(201, TaskSchema)
@bp.alt_response(403, **FORBIDDEN)
@bp.alt_response(404, **NOT_FOUND)
def log_task(data, team_id: int):
    """Log a task for the team

    Needs a read_write token. The same rules as the page: who may log the team's work (its
    current members, and the project's wijkdocent), participants are current members, minutes
    1 to 960 a person a day, a date in the team's period and not in the future.
    """
    user = auth.api_user()
    team = _team(team_id)
    if not can_log_task(user, team):
        abort(403)
    participants = [
        task_services.Participant(p["student_id"], p["minutes"], p["role"])
        for p in data.pop("participants")
    ]
    task = task_services.log_task(
        team,
        task_services.TaskData(participants=participants, **data),
        author=user,
        today=today(),
    )
    db.session.commit()
    return task


def _task(task_id: int) -> Task:
    task = db.session.scalar(
        select(Task)
        .where(Task.id == _id(task_id))
        .options(joinedload(Task.team), lazyload(Task.events))
    )
    return _or_404(task, task is not None and can_view_task(auth.api_user(), task))


@bp.route("/tasks/<int:task_id>/verify", methods=["POST"], tags=["tasks"])
@documented
@auth.writes
@bp.arguments(VerifyInSchema)
@bp.response(200, TaskSchema)
@bp.alt_response(403, **FORBIDDEN)
@bp.alt_response(404, **NOT_FOUND)
@bp.alt_response(409, **CONFLICT)
def task_verify(data, task_id: int):
    """Verify a pending task

    Needs a read_write token of the team's supervisor (or of the project's wijkdocent, on the
    supervisor's behalf), and the ``version`` of the task you saw: a task changed since gives
    409.
    """
    user = auth.api_user()
    task = _task(task_id)
    if not can_verify_task(user, task):
        abort(403)
    task_services.verify_task(
        task, by=user, on_behalf=verifies_on_behalf(user, task), version=data["version"]
    )
    db.session.commit()
    return task


@bp.route("/tasks/<int:task_id>/return", methods=["POST"], tags=["tasks"])
@documented
@auth.writes
@bp.arguments(ReturnInSchema)
@bp.response(200, TaskSchema)
@bp.alt_response(403, **FORBIDDEN)
@bp.alt_response(404, **NOT_FOUND)
@bp.alt_response(409, **CONFLICT)
def task_return(data, task_id: int):
    """Return a pending task to the team

    With a reason the team can act on; the same rules and ``version`` as verify.
    """
    user = auth.api_user()
    task = _task(task_id)
    if not can_verify_task(user, task):
        abort(403)
    task_services.return_task(task, by=user, reason=data["reason"], version=data["version"])
    db.session.commit()
    return task
