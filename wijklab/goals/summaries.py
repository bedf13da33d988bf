"""Learning goals per team and status, recomputed after every flush that adds, moves or
changes a goal; ``flask check-summaries`` compares the table with a full count."""

from __future__ import annotations

from itertools import chain

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from wijklab.database import Summary, register_summary
from wijklab.goals.models import GoalSummary, LearningGoal


def touched_teams(session: Session) -> set[int]:
    teams: set[int] = set()
    deleted = set(map(id, session.deleted))
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, LearningGoal):
            state = inspect(obj)
            now = state.dict.get("team_id") if id(obj) in deleted else obj.team_id
            teams |= {now, *state.attrs.team_id.history.deleted} - {None}
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
