"""Learning goals per team and status, recomputed after every flush that adds, moves or
changes a goal; ``flask check-summaries`` compares the table with a full count."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wijklab.database import Summary, flushed, register_summary
from wijklab.goals.models import GoalSummary, LearningGoal


def touched_teams(session: Session) -> set[int]:
    teams: set[int] = set()
    for _goal, values in flushed(session, LearningGoal):
        teams |= values("team_id")
    return teams


def expected_goals(where=None):
    query = select(LearningGoal.team_id, LearningGoal.status, func.count()).group_by(
        LearningGoal.team_id, LearningGoal.status
    )
    return query if where is None else query.where(where)


GOALS = Summary(
    name="goal_summary",
    table=GoalSummary.__table__,
    columns=("team_id", "status", "goals"),
    expected=expected_goals,
    touched=touched_teams,
    scope=lambda teams: (
        GoalSummary.__table__.c.team_id.in_(teams),
        LearningGoal.team_id.in_(teams),
    ),
)
register_summary(GOALS)
