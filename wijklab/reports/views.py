from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from wijklab.accounts.models import Role
from wijklab.database import utcnow
from wijklab.extensions import db
from wijklab.goals.models import Feedback, GoalStatus, LearningGoal
from wijklab.projects.models import Project, ProjectStatus
from wijklab.tasks.models import Task, TaskStatus
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
        f"reports/dashboard_{current_user.role.value}.html",
        teams=teams,
        projects=projects,
        waiting=_waiting(),
    )


def _waiting() -> dict:
    """What waits on this user, counted in SQL: a supervisor's goals in review and tasks to
    verify; a student's goals by status with the latest feedback; a wijkdocent's goals stuck in
    review for more than seven days and students without goals."""
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
        return {"goals": goals, "latest_feedback": latest}
    if current_user.role == Role.WIJKDOCENT:
        week_ago = utcnow() - timedelta(days=7)
        mine = Project.owner_id == current_user.id
        stuck = db.session.scalars(
            select(LearningGoal)
            .join(Team, Team.id == LearningGoal.team_id)
            .join(Project, Project.id == Team.project_id)
            .where(
                mine,
                LearningGoal.status == GoalStatus.REVIEW_REQUESTED,
                LearningGoal.updated_at < week_ago,
            )
            .order_by(LearningGoal.updated_at)
        ).all()
        without = db.session.execute(
            select(TeamMembership.student_id, Team.id, Team.name)
            .join(Team, Team.id == TeamMembership.team_id)
            .join(Project, Project.id == Team.project_id)
            .where(
                mine,
                Project.status.in_(RUNNING),
                TeamMembership.left_on.is_(None),
                ~select(LearningGoal.id)
                .where(
                    LearningGoal.student_id == TeamMembership.student_id,
                    LearningGoal.team_id == Team.id,
                )
                .exists(),
            )
        ).all()
        return {"stuck_goals": stuck, "students_without_goals": len(without)}
    return {}


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
