"""Goals waiting for review join *Wacht op jou* (tasks/waiting.py): reports sits above both goals
and tasks, so the combined list is put together here without tasks importing goals."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, lazyload

from wijklab.caching import register_area
from wijklab.clock import AMSTERDAM
from wijklab.extensions import db
from wijklab.goals.models import GoalStatus, GoalSummary, LearningGoal
from wijklab.tasks.services import by_name
from wijklab.tasks.waiting import (
    WaitingItem,
    WaitingSource,
    register_waiting_source,
    scope_to_user,
    team_and_project,
)


def _in_review(select_what, user):
    return scope_to_user(
        select(select_what)
        .select_from(LearningGoal)
        .where(LearningGoal.status == GoalStatus.REVIEW_REQUESTED),
        user,
        LearningGoal.team_id,
    )


def _in_review_count(user):
    """How many goals in review wait on ``user``, from the goal summary (the menu's count)."""
    return scope_to_user(
        select(func.coalesce(func.sum(GoalSummary.goals), 0))
        .select_from(GoalSummary)
        .where(GoalSummary.status == GoalStatus.REVIEW_REQUESTED),
        user,
        GoalSummary.team_id,
    )


def _goal_items(user, limit: int) -> list[WaitingItem]:
    goals = db.session.scalars(
        _in_review(LearningGoal, user)
        .options(
            team_and_project(joinedload(LearningGoal.team)),
            by_name(joinedload(LearningGoal.student)),
            lazyload(LearningGoal.framework_items),
        )
        .order_by(LearningGoal.updated_at, LearningGoal.id)
        .limit(limit)
    ).unique()
    return [
        WaitingItem("goal", goal.updated_at.astimezone(AMSTERDAM).date(), goal) for goal in goals
    ]


register_area("waiting", (LearningGoal,))

# The goals in review in the user's teams (a wijkdocent: projects), oldest first.
GOALS_TO_REVIEW = register_waiting_source(WaitingSource(_in_review_count, _goal_items))
