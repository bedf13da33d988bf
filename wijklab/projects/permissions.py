"""Who may see and change projects. Each predicate states its rule in one line."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select, true

from wijklab.extensions import db
from wijklab.projects.models import Project

# Roles are compared by value: accounts sits to the right of this package in the import order.
ADMIN, WIJKDOCENT, STUDENT, SUPERVISOR = "admin", "wijkdocent", "student", "supervisor"


def can_create_project(user) -> bool:
    """Wijkdocenten and admins start projects."""
    return user.is_authenticated and user.role in (ADMIN, WIJKDOCENT)


def can_manage_project(user, project: Project) -> bool:
    """Only the owning wijkdocent, or an admin, changes a project, its teams and members."""
    if not user.is_authenticated:
        return False
    return user.role == ADMIN or (user.role == WIJKDOCENT and project.owner_id == user.id)


def can_view_project(user, project: Project) -> bool:
    """Admins and wijkdocenten see every project; students the projects of their teams;
    supervisors the projects where they supervise a team."""
    if not user.is_authenticated:
        return False
    if user.role in (ADMIN, WIJKDOCENT):
        return True
    if user.role == SUPERVISOR:
        return any(team.supervisor_id == user.id for team in project.teams)
    if user.role == STUDENT:
        return any(m.student_id == user.id for team in project.teams for m in team.memberships)
    return False


def visible_projects(user) -> ColumnElement[bool]:
    """The SQL form of can_view_project, for list queries."""
    if user.role in (ADMIN, WIJKDOCENT):
        return true()
    # Teams are named by table, not imported: teams sits to the right of projects.
    team = db.metadata.tables["team"]
    if user.role == SUPERVISOR:
        return Project.id.in_(select(team.c.project_id).where(team.c.supervisor_id == user.id))
    if user.role == STUDENT:
        membership = db.metadata.tables["team_membership"]
        return Project.id.in_(
            select(team.c.project_id)
            .join(membership, membership.c.team_id == team.c.id)
            .where(membership.c.student_id == user.id)
        )
    return Project.id.is_(None)
