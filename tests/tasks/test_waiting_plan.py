"""The waiting list reads the pending tasks of the supervisor's teams team by team, from the
index on (team_id, status, date), not from the status index (every pending task in the country),
on SQLite without statistics too."""

from __future__ import annotations

from sqlalchemy import text

from tests import factories
from tests.test_indexes import plan, tasks_in_many_teams
from wijklab.extensions import db
from wijklab.tasks import waiting


def test_the_pending_tasks_of_a_supervisor_are_read_team_by_team(app, supervisor):
    team = factories.make_team(supervisor=supervisor, members=[factories.make_student()])
    for _ in range(3):
        factories.make_task(team=team)
    # The rest of the country: many teams, each with a few pending tasks.
    tasks_in_many_teams()
    db.session.flush()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE task"))  # statistics as at scale
    else:
        db.session.execute(text("DROP TABLE IF EXISTS sqlite_stat1"))  # none, as after a restore
    found = plan(waiting.pending_tasks_query(supervisor).limit(25))
    assert "ix_task_status" not in found, found  # never every pending task in the country
    if db.engine.dialect.name == "sqlite":
        assert "ix_task_team_status_date" in found, found
    else:
        # PostgreSQL, knowing a team has few tasks, may take either of the team's indexes.
        assert "ix_task_team_" in found, found
