"""What goes into a user's calendar feed: the pages' own rules (``visible_projects``,
``can_view_team``, ``can_view_goal``), narrowed to current work. Each scope states its rule."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, select

from wijklab.accounts.models import Role
from wijklab.goals.models import GoalStatus, LearningGoal
from wijklab.projects.models import Project, ProjectStatus
from wijklab.projects.permissions import visible_projects
from wijklab.tasks.models import SupervisionSession
from wijklab.teams.models import Team, TeamMembership

# The calendar shows projects that still run: draft (being planned) and active ones.
RUNNING = (ProjectStatus.DRAFT, ProjectStatus.ACTIVE)
# Goals still to reach: a student sees their own unfinished ones, a supervisor those they act on.
STUDENT_GOALS = (GoalStatus.DRAFT, GoalStatus.ACTIVE, GoalStatus.REVIEW_REQUESTED)
SUPERVISOR_GOALS = (GoalStatus.ACTIVE, GoalStatus.REVIEW_REQUESTED)


def can_have_feed(user) -> bool:
    """Every signed-in user may make their own calendar link (an admin's is empty)."""
    return user.is_authenticated


def calendar_teams(user) -> ColumnElement[bool]:
    """The teams whose lab days and visits are in a user's calendar: a student's current teams,
    the teams a supervisor supervises, the teams of a wijkdocent's own projects; only in running
    projects the user may see; an admin none. The query must join Team and Project."""
    if user.role == Role.STUDENT:
        rule = Team.id.in_(
            select(TeamMembership.team_id).where(
                TeamMembership.student_id == user.id, TeamMembership.left_on.is_(None)
            )
        )
    elif user.role == Role.SUPERVISOR:
        rule = Team.supervisor_id == user.id
    elif user.role == Role.WIJKDOCENT:
        rule = Project.owner_id == user.id
    else:
        return false()
    return and_(rule, Project.status.in_(RUNNING), visible_projects(user))


def calendar_supervision(user) -> ColumnElement[bool]:
    """The supervision sessions in a user's calendar: a student's of their current teams, a
    supervisor's own in the teams they supervise; others none. The query must join Team and
    Project."""
    if user.role == Role.STUDENT:
        return calendar_teams(user)
    if user.role == Role.SUPERVISOR:
        return and_(calendar_teams(user), SupervisionSession.supervisor_id == user.id)
    return false()


def calendar_goals(user) -> ColumnElement[bool]:
    """The goals whose target date is in a user's calendar (all of them ``can_view_goal``): a
    student's own unfinished goals, and the active or in-review goals of the students in the
    teams a supervisor supervises; only in running projects. The query must join Team and
    Project."""
    if user.role == Role.STUDENT:
        rule = and_(LearningGoal.student_id == user.id, LearningGoal.status.in_(STUDENT_GOALS))
    elif user.role == Role.SUPERVISOR:
        rule = and_(Team.supervisor_id == user.id, LearningGoal.status.in_(SUPERVISOR_GOALS))
    else:
        return false()
    return and_(rule, Project.status.in_(RUNNING), visible_projects(user))
