"""Who may log, edit, verify and see tasks. Each predicate states its rule in one line."""

from __future__ import annotations

from sqlalchemy import select

from wijklab.accounts.models import Role
from wijklab.extensions import db
from wijklab.projects.models import ProjectStatus
from wijklab.projects.permissions import can_manage_project
from wijklab.tasks.models import Task, TaskParticipation
from wijklab.teams.models import Team, TeamMembership
from wijklab.teams.permissions import can_view_team


def is_current_member(user, team: Team) -> bool:
    return user.is_authenticated and any(
        m.student_id == user.id and m.left_on is None for m in team.memberships
    )


def can_log_task(user, team: Team) -> bool:
    """Current members of the team and its project's wijkdocent (or an admin) log its work,
    while the project runs (draft or active)."""
    if team.project.status not in (ProjectStatus.DRAFT, ProjectStatus.ACTIVE):
        return False
    return is_current_member(user, team) or can_manage_project(user, team.project)


def can_edit_task(user, task: Task) -> bool:
    """Whoever may log the team's work may correct it."""
    return can_log_task(user, task.team)


def can_view_task(user, task: Task) -> bool:
    """Whoever sees the team sees its tasks."""
    return can_view_team(user, task.team)


def can_verify_task(user, task: Task) -> bool:
    """The team's supervisor verifies; the project's wijkdocent (or an admin) may do so on the
    supervisor's behalf. Nobody verifies a task they took part in."""
    if not user.is_authenticated or any(p.student_id == user.id for p in task.participations):
        return False
    if user.role == Role.SUPERVISOR:
        return task.team.supervisor_id == user.id
    return can_manage_project(user, task.team.project)


def verifies_on_behalf(user, task: Task) -> bool:
    """True when someone other than the team's supervisor verifies."""
    return user.id != task.team.supervisor_id


def can_reflect(user, participation: TaskParticipation) -> bool:
    """Each participant writes their own reflection, and only their own."""
    return user.is_authenticated and participation.student_id == user.id


def can_log_supervision(user, team: Team) -> bool:
    """The team's supervisor logs the supervision they give."""
    return user.is_authenticated and user.role == Role.SUPERVISOR and team.supervisor_id == user.id


def can_log_visit(user, team: Team) -> bool:
    """The project's wijkdocent (or an admin) logs school visits."""
    return can_manage_project(user, team.project)


def can_view_student_hours(user, student) -> bool:
    """A student sees their own hours; admins and wijkdocenten anyone's; a supervisor those of
    the students in the teams they supervise."""
    if not user.is_authenticated:
        return False
    if user.id == student.id or user.role in (Role.ADMIN, Role.WIJKDOCENT):
        return True
    if user.role != Role.SUPERVISOR:
        return False
    supervised = db.session.scalar(
        select(TeamMembership.id)
        .join(Team, Team.id == TeamMembership.team_id)
        .where(TeamMembership.student_id == student.id, Team.supervisor_id == user.id)
        .limit(1)
    )
    return supervised is not None
