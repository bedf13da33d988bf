"""Time the weekly digests at city scale: 1,000 supervisors, each with a team (in a running
project) whose tasks and goals wait for them, over the city data set (5,000 students,
250,000 participations).

The city's 500 teams are split in two: every team gets a twin (same project and members) that
takes over every other task and goal, and each of the 1,000 teams gets its own supervisor. The
weekly digests are then built (rendered and written to the outbox, not sent); the figures are the
total time, the time and the SQL queries per supervisor. It prints figures; it asserts no timing.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, update

from benchmarks.__main__ import count_queries
from benchmarks.city import DATABASE_URL_VARIABLE, FULL, LABEL_WIDTH, SMOKE, _insert, build
from wijklab import create_app
from wijklab.accounts.models import Role, User
from wijklab.activity.models import Delivery, OutboxMessage
from wijklab.activity.schedules import send_digests
from wijklab.clock import AMSTERDAM
from wijklab.clock import now as clock_now
from wijklab.extensions import db
from wijklab.goals.models import LearningGoal
from wijklab.projects.models import Project, ProjectStatus
from wijklab.tasks.models import Task, TaskStatus
from wijklab.teams.models import Team, TeamMembership


def _split_teams() -> int:
    """Give every team a twin with the same members, move every other task and goal to it, and
    give each team its own supervisor; returns the number of supervisors with a team."""
    teams = [dict(row) for row in db.session.execute(select(Team.__table__)).mappings()]
    supervisors = list(
        db.session.scalars(select(User.id).where(User.role == Role.SUPERVISOR).order_by(User.id))
    )
    offset = max(t["id"] for t in teams)
    twins = [
        {**t, "id": t["id"] + offset, "name": f"{t['name']} B", "supervisor_id": None}
        for t in teams
    ]
    everyone = teams + twins
    for index, team in enumerate(everyone):
        team["supervisor_id"] = supervisors[index % len(supervisors)]
    _insert(Team, twins)
    for team in teams:
        db.session.execute(
            update(Team).where(Team.id == team["id"]).values(supervisor_id=team["supervisor_id"])
        )
    memberships = list(db.session.execute(select(TeamMembership.__table__)).mappings())
    next_id = max(m["id"] for m in memberships)
    _insert(
        TeamMembership,
        (
            {**m, "id": next_id + i + 1, "team_id": m["team_id"] + offset}
            for i, m in enumerate(memberships)
        ),
    )
    for model in (Task, LearningGoal):
        db.session.execute(
            update(model)
            .where(model.id % 2 == 0)
            .values(team_id=model.team_id + offset)
            .execution_options(synchronize_session=False)
        )
    # Every project runs (the city data completes a tenth of them): all 1,000 teams count.
    db.session.execute(update(Project).values(status=ProjectStatus.ACTIVE))
    db.session.commit()
    return min(len(supervisors), len(everyone))


def run(smoke: bool) -> None:
    sizes = replace(SMOKE, supervisors=10) if smoke else replace(FULL, supervisors=1000)
    url = os.environ.get(DATABASE_URL_VARIABLE)
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "TESTING": True,
                "SQLALCHEMY_DATABASE_URI": url or f"sqlite:///{Path(folder) / 'digests.sqlite'}",
            }
        )
        with app.app_context():
            engine = db.engine
            db.create_all()
            try:
                _measure(engine, sizes)
            finally:
                db.session.remove()
                if url:
                    db.drop_all()
                engine.dispose()


def _measure(engine, sizes) -> None:
    start = time.perf_counter()
    _ids, counts = build(sizes)
    supervisors = _split_teams()
    built = time.perf_counter() - start
    waiting = db.session.scalar(
        select(func.count(Task.id)).where(Task.status == TaskStatus.PENDING)
    )
    # The coming Monday, 07:00 in Amsterdam: the weekly digest is due.
    today = clock_now().date()
    monday = today + timedelta(days=(7 - today.weekday()) % 7)
    moment = datetime.combine(monday, datetime.min.time(), tzinfo=AMSTERDAM).replace(hour=7)
    db.session.remove()

    with count_queries(engine) as counter:
        start = time.perf_counter()
        result = send_digests(moment, force=Delivery.WEEKLY)
        db.session.commit()
        elapsed = time.perf_counter() - start
    sent = result["weekly"]
    mails = db.session.scalar(select(func.count(OutboxMessage.id)))
    print(
        f"wijklab digest benchmark: {sizes.students} students, {counts['task_participation']} "
        f"participations, {supervisors} supervisors with a team, {waiting} pending tasks"
    )
    print(f"  {'build the data':<{LABEL_WIDTH}} {built:9.2f} s")
    label = f"weekly digests ({sent} mails, {mails} in the outbox)"
    print(f"  {label:<{LABEL_WIDTH}} {elapsed:9.2f} s")
    if sent:
        per = elapsed * 1000 / sent
        print(f"  {'per supervisor':<{LABEL_WIDTH}} {per:9.2f} ms")
        queries = counter["n"] / sent
        print(
            f"  {'SQL queries per supervisor':<{LABEL_WIDTH}} {queries:9.2f} "
            f"({counter['n']} in all)"
        )


if __name__ == "__main__":
    run(smoke=False)
