"""Who may see and act on learning goals. Each predicate states its rule in one line."""

from __future__ import annotations

from wijklab.accounts.models import Role
from wijklab.goals.models import LearningGoal
from wijklab.projects.permissions import can_manage_project
from wijklab.teams.models import MemberRole


def is_peer_coach(user, goal: LearningGoal) -> bool:
    """A current peer coach of the goal's team, other than the goal's owner."""
    return (
        user.is_authenticated
        and user.id != goal.student_id
        and any(
            m.student_id == user.id and m.left_on is None and m.role == MemberRole.PEER_COACH
            for m in goal.team.memberships
        )
    )


def is_team_supervisor(user, goal: LearningGoal) -> bool:
    return (
        user.is_authenticated
        and user.role == Role.SUPERVISOR
        and (goal.team.supervisor_id == user.id)
    )


def can_view_goal(user, goal: LearningGoal) -> bool:
    """The student, the team's peer coaches, the team's supervisor, and the project's wijkdocent
    (or an admin)."""
    if not user.is_authenticated:
        return False
    return (
        user.id == goal.student_id
        or is_peer_coach(user, goal)
        or is_team_supervisor(user, goal)
        or can_manage_project(user, goal.team.project)
    )


def can_edit_goal(user, goal: LearningGoal) -> bool:
    """Only the student edits their own goal."""
    return user.is_authenticated and user.id == goal.student_id


def can_rate(user, goal: LearningGoal) -> bool:
    """The team's supervisor and the project's wijkdocent give ratings; peer coaches comment."""
    return is_team_supervisor(user, goal) or can_manage_project(user, goal.team.project)


def can_comment(user, goal: LearningGoal) -> bool:
    """Everyone who sees the goal may comment (the student responds)."""
    return can_view_goal(user, goal)


def can_sign_off(user, goal: LearningGoal) -> bool:
    """Only the team's supervisor signs off, and never their own goal."""
    return is_team_supervisor(user, goal) and user.id != goal.student_id


def can_return_or_reopen(user, goal: LearningGoal) -> bool:
    """The team's supervisor or the project's wijkdocent returns a goal or reopens a sign-off."""
    return is_team_supervisor(user, goal) or can_manage_project(user, goal.team.project)
