"""Who may see and change teams. Each predicate states its rule in one line."""

from __future__ import annotations

from wijklab.accounts.models import Role
from wijklab.projects.permissions import can_manage_project
from wijklab.teams.models import Team


def can_manage_team(user, team: Team) -> bool:
    """Whoever manages the project (its wijkdocent, or an admin) manages its teams and members."""
    return can_manage_project(user, team.project)


def can_view_team(user, team: Team) -> bool:
    """Admins and wijkdocenten see every team; a supervisor the teams they supervise; a student
    the teams they are or were a member of."""
    if not user.is_authenticated:
        return False
    if user.role in (Role.ADMIN, Role.WIJKDOCENT):
        return True
    if user.role == Role.SUPERVISOR:
        return team.supervisor_id == user.id
    if user.role == Role.STUDENT:
        return any(m.student_id == user.id for m in team.memberships)
    return False


def can_write_handover(user, team: Team) -> bool:
    """The team's current members and whoever manages the team write the handover note."""
    if can_manage_team(user, team):
        return True
    return user.is_authenticated and any(
        m.student_id == user.id and m.left_on is None for m in team.memberships
    )
