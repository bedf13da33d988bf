"""Who may see and issue practical-training statements. Each predicate states its rule."""

from __future__ import annotations

from wijklab.accounts.models import Role
from wijklab.projects.permissions import can_manage_project
from wijklab.teams.models import Team


def can_issue_statement(user, team: Team, student) -> bool:
    """The student themselves, the team's supervisor, and the project's wijkdocent (or an
    admin), for a student who is or was a member of the team."""
    if not user.is_authenticated:
        return False
    if not any(m.student_id == student.id for m in team.memberships):
        return False
    return (
        user.id == student.id
        or (user.role == Role.SUPERVISOR and team.supervisor_id == user.id)
        or can_manage_project(user, team.project)
    )
