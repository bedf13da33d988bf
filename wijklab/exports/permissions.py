"""Whose rows an export may hold: the same rules as the pages."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select, true

from wijklab.accounts.models import Role
from wijklab.projects.models import Project
from wijklab.teams.models import Team, TeamMembership


def export_scope(user, student_column) -> ColumnElement[bool]:
    """A student exports only their own rows; a supervisor the rows of their teams; a
    wijkdocent the rows of their projects; an admin everything. The query must join Team and
    Project."""
    if user.role == Role.ADMIN:
        return true()
    if user.role == Role.WIJKDOCENT:
        return Project.owner_id == user.id
    if user.role == Role.SUPERVISOR:
        return Team.supervisor_id == user.id
    if user.role == Role.STUDENT and student_column is not None:
        return student_column == user.id
    return Project.id.is_(None)


def exportable_teams(user) -> ColumnElement[bool]:
    """The teams a user may pick in the export form: a student their own teams, everyone else
    the teams of ``export_scope``. The query must join Team and Project."""
    if user.role == Role.STUDENT:
        return Team.id.in_(
            select(TeamMembership.team_id).where(TeamMembership.student_id == user.id)
        )
    return export_scope(user, None)


def can_search_students(user) -> bool:
    """Everyone but a student may search the students they may export: a student exports only
    their own rows, so there is no one else to find."""
    return user.role != Role.STUDENT
