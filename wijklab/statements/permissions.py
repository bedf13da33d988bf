"""Who may read, request, confirm and issue practical-training statements. Each predicate
states its rule."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select, true

from wijklab.accounts.models import Role
from wijklab.clock import today
from wijklab.projects.models import Project
from wijklab.projects.permissions import can_manage_project
from wijklab.teams.models import Team


def can_read_statements(user, team: Team, student) -> bool:
    """The student themselves, the team's supervisor, and the project's wijkdocent (or an
    admin), for a student who is or was a member of the team."""
    if not user.is_authenticated or team.membership_of(student) is None:
        return False
    return (
        user.id == student.id
        or (user.role == Role.SUPERVISOR and team.supervisor_id == user.id)
        or can_manage_project(user, team.project)
    )


def can_request_statement(user, team: Team, student) -> bool:
    """Only the student themselves, while a member of the team."""
    membership = team.membership_of(student) if user.is_authenticated else None
    return (
        membership is not None
        and user.id == student.id
        and (membership.left_on is None or membership.left_on > today())
    )


def can_confirm_statement(user, team: Team) -> bool:
    """The team's supervisor confirms the practical part."""
    return user.is_authenticated and user.role == Role.SUPERVISOR and team.supervisor_id == user.id


def can_issue_statement(user, team: Team) -> bool:
    """The project's wijkdocent issues on behalf of the school, or an admin."""
    return can_manage_project(user, team.project)


def can_return_request(user, team: Team) -> bool:
    """Whoever issues or confirms may return a request, with a reason."""
    return can_issue_statement(user, team) or can_confirm_statement(user, team)


def can_export_statements(user) -> bool:
    """Wijkdocenten (their projects) and admins (all) download statements for the committee."""
    return user.is_authenticated and user.role in (Role.WIJKDOCENT, Role.ADMIN)


def statement_scope(user, model) -> ColumnElement[bool]:
    """Rows of ``model`` (Statement or StatementRequest) the user may read, in SQL."""
    if user.role == Role.ADMIN:
        return true()
    if user.role == Role.WIJKDOCENT:
        return model.team_id.in_(
            select(Team.id)
            .join(Project, Project.id == Team.project_id)
            .where(Project.owner_id == user.id)
        )
    if user.role == Role.SUPERVISOR:
        return model.team_id.in_(select(Team.id).where(Team.supervisor_id == user.id))
    if user.role == Role.STUDENT:
        return model.student_id == user.id
    return model.id.is_(None)
