from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from wijklab.accounts.models import Role
from wijklab.extensions import db
from wijklab.projects.models import Project, ProjectStatus
from wijklab.teams.models import Team, TeamMembership

bp = Blueprint("reports", __name__)

RUNNING = (ProjectStatus.DRAFT, ProjectStatus.ACTIVE)


@bp.route("/")
@login_required
def dashboard():
    """A welcome per role with the user's next steps, and their running teams or projects."""
    teams: list[Team] = []
    projects: list[Project] = []
    if current_user.role == Role.STUDENT:
        teams = _running_teams(
            Team.id.in_(
                select(TeamMembership.team_id).where(
                    TeamMembership.student_id == current_user.id, TeamMembership.left_on.is_(None)
                )
            )
        )
    elif current_user.role == Role.SUPERVISOR:
        teams = _running_teams(Team.supervisor_id == current_user.id)
    elif current_user.role == Role.WIJKDOCENT:
        projects = list(
            db.session.scalars(
                select(Project)
                .where(Project.owner_id == current_user.id, Project.status.in_(RUNNING))
                .options(joinedload(Project.neighbourhood))
                .order_by(Project.start_date)
            )
        )
    return render_template(
        f"reports/dashboard_{current_user.role.value}.html", teams=teams, projects=projects
    )


def _running_teams(condition) -> list[Team]:
    return list(
        db.session.scalars(
            select(Team)
            .join(Project, Project.id == Team.project_id)
            .where(condition, Project.status.in_(RUNNING))
            .options(joinedload(Team.project))
            .order_by(Team.start_date, Team.name)
        ).unique()
    )
