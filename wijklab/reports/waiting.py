"""Goals waiting for review join *Wacht op jou* (tasks/waiting.py): reports sits above both goals
and tasks, so the combined list is put together here without tasks importing goals."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from wijklab.caching import register_area
from wijklab.clock import AMSTERDAM
from wijklab.extensions import db
from wijklab.goals.models import GoalStatus, GoalSummary, LearningGoal
from wijklab.projects.models import Project
from wijklab.tasks.waiting import (
    WaitingItem,
    WaitingSource,
    register_waiting_source,
    scope_to_user,
)
from wijklab.teams.models import Team


def _in_review(select_what, user):
    return scope_to_user(
        select(select_what)
        .select_from(LearningGoal)
        .join(Team, Team.id == LearningGoal.team_id)
        .join(Project, Project.id == Team.project_id)
        .where(LearningGoal.status == GoalStatus.REVIEW_REQUESTED),
        user,
    )


def _in_review_count(user):
    """How many goals in review wait on ``user``, from the goal summary (the menu's count)."""
    return scope_to_user(
        select(func.coalesce(func.sum(GoalSummary.goals), 0))
        .select_from(GoalSummary)
        .join(Team, Team.id == GoalSummary.team_id)
        .join(Project, Project.id == Team.project_id)
        .where(GoalSummary.status == GoalStatus.REVIEW_REQUESTED),
        user,
    )


def _goal_items(user, limit: int) -> list[WaitingItem]:
    goals = db.session.scalars(
        _in_review(LearningGoal, user)
        .options(joinedload(LearningGoal.team).joinedload(Team.project))
        .order_by(LearningGoal.updated_at, LearningGoal.id)
        .limit(limit)
    ).unique()
    return [
        WaitingItem("goal", goal.updated_at.astimezone(AMSTERDAM).date(), goal) for goal in goals
    ]


register_area("waiting", (LearningGoal,))

# The goals in review in the user's teams (a wijkdocent: projects), oldest first.
GOALS_TO_REVIEW = register_waiting_source(WaitingSource(_in_review_count, _goal_items))
