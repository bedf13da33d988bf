"""The summary tables stay equal to the full sums after any mix of changes, in the same
transaction; ``flask check-summaries`` finds and repairs a difference."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, func, select, update

from tests import factories
from wijklab.cli import check_summaries_command
from wijklab.database import SUMMARIES
from wijklab.extensions import db
from wijklab.goals.models import GoalStatus, GoalSummary, LearningGoal
from wijklab.tasks import services
from wijklab.tasks.models import (
    Category,
    HoursSummary,
    Task,
    TaskParticipation,
    TaskStatus,
    TaskSummary,
)
from wijklab.tasks.summaries import monday

START = date(2026, 9, 1)


def differences() -> dict[str, tuple[int, int]]:
    connection = db.session.connection()
    return {s.name: s.differences(connection) for s in SUMMARIES}


def assert_in_step() -> None:
    db.session.flush()
    assert differences() == {s.name: (0, 0) for s in SUMMARIES}


def world(rng: random.Random):
    project = factories.make_project(start_date=START, end_date=START + timedelta(weeks=30))
    teams = []
    for _ in range(3):
        members = [factories.make_student(level=rng.choice(["mbo", "hbo"])) for _ in range(4)]
        teams.append(factories.make_team(project=project, members=members))
    return teams


def random_change(rng: random.Random, teams, supervisor) -> str:
    tasks = list(db.session.scalars(select(Task).order_by(Task.id)))
    goals = list(db.session.scalars(select(LearningGoal).order_by(LearningGoal.id)))
    action = rng.choice(
        [
            "log",
            "log",
            "verify",
            "return",
            "move",
            "minutes",
            "drop",
            "delete",
            "goal",
            "goal",
        ]
    )
    if action == "log" or not tasks:
        team = rng.choice(teams)
        students = [m.student for m in team.memberships]
        factories.make_task(
            team=team,
            participants=rng.sample(students, rng.randint(1, len(students))),
            minutes=rng.randint(1, 300),
            status=rng.choice(list(TaskStatus)).value,
            date=START + timedelta(days=rng.randint(0, 200)),
            category=rng.choice(list(Category)),
            residents_reached=rng.randint(0, 40),
        )
        return "log"
    task = rng.choice(tasks)
    if action == "verify" and task.status == TaskStatus.PENDING:
        services.verify_task(task, by=supervisor, on_behalf=False)
    elif action == "return" and task.status == TaskStatus.PENDING:
        services.return_task(task, by=supervisor, reason="Graag de minuten nakijken.")
    elif action == "move":
        task.date = task.date + timedelta(days=rng.choice([-8, -1, 1, 3, 7, 15]))
        task.category = rng.choice(list(Category))
    elif action == "minutes":
        rng.choice(task.participations).minutes = rng.randint(1, 600)
    elif action == "drop" and len(task.participations) > 1:
        task.participations.remove(rng.choice(task.participations))
    elif action == "delete":
        db.session.delete(task)
    elif action == "goal" or goals:
        team = rng.choice(teams)
        if goals and rng.random() < 0.6:
            goal = rng.choice(goals)
            goal.status = rng.choice(list(GoalStatus))
            if rng.random() < 0.3:
                goal.team = team
        else:
            factories.make_goal(team=team, status=rng.choice(list(GoalStatus)).value)
    return action


@pytest.mark.parametrize("seed", range(6))
def test_summaries_equal_the_full_sums_after_random_changes(app, seed):
    rng = random.Random(seed)  # noqa: S311  (test data)
    teams = world(rng)
    supervisor = teams[0].supervisor
    done = []
    for step in range(60):
        done.append(random_change(rng, teams, supervisor))
        if step % 3 == 0:
            assert_in_step()
    db.session.commit()
    assert_in_step()
    assert {"log", "move"} <= set(done)
    # Not empty by accident: the tables hold the rows the changes made.
    assert db.session.scalar(select(func.count()).select_from(HoursSummary)) > 0
    assert db.session.scalar(select(func.count()).select_from(TaskSummary)) > 0


def test_a_task_moved_to_another_week_leaves_its_old_week(app):
    team = factories.make_team(members=[factories.make_student()])
    task = factories.make_task(team=team, minutes=90, date=date(2026, 11, 4))
    old, new = monday(date(2026, 11, 4)), monday(date(2026, 11, 12))
    weeks = lambda: dict(  # noqa: E731
        db.session.execute(
            select(HoursSummary.week, HoursSummary.minutes).where(HoursSummary.team_id == team.id)
        ).all()
    )
    assert weeks() == {old: 90}
    task.date = date(2026, 11, 12)
    task.participations[0].minutes = 45
    db.session.flush()
    assert weeks() == {new: 45}
    assert_in_step()


def test_the_summary_is_part_of_the_transaction(app):
    team = factories.make_team(members=[factories.make_student()])
    db.session.commit()
    nested = db.session.begin_nested()
    factories.make_task(team=team, minutes=60)
    assert db.session.scalar(select(func.sum(TaskSummary.minutes))) == 60
    nested.rollback()
    assert db.session.scalar(select(func.count()).select_from(TaskSummary)) == 0
    assert_in_step()


def test_goal_summary_counts_goals_per_team_and_status(app):
    team = factories.make_team(members=[factories.make_student()])
    other = factories.make_team(members=[factories.make_student()])
    factories.make_goal(team=team, status="active")
    factories.make_goal(team=team, status="active")
    moved = factories.make_goal(team=team, status="draft")
    moved.team = other
    moved.status = GoalStatus.REVIEW_REQUESTED
    db.session.flush()
    rows = set(
        db.session.execute(select(GoalSummary.team_id, GoalSummary.status, GoalSummary.goals))
    )
    assert rows == {
        (team.id, GoalStatus.ACTIVE, 2),
        (other.id, GoalStatus.REVIEW_REQUESTED, 1),
    }


def test_check_summaries_reports_and_repairs_a_difference(app):
    team = factories.make_team(members=[factories.make_student(), factories.make_student()])
    factories.make_task(team=team, participants=[m.student for m in team.memberships])
    factories.make_goal(team=team)
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(check_summaries_command)
    assert result.exit_code == 0, result.output
    assert "hours_summary: klopt" in result.output

    # Someone changed the base table behind the application's back.
    db.session.execute(update(TaskParticipation).values(minutes=TaskParticipation.minutes + 5))
    db.session.execute(delete(GoalSummary))
    db.session.commit()
    result = runner.invoke(check_summaries_command)
    assert result.exit_code == 1
    assert "hours_summary: 2 rijen ontbreken of wijken af, 2 rijen te veel" in result.output
    assert "goal_summary: 1 rijen ontbreken of wijken af, 0 rijen te veel" in result.output

    result = runner.invoke(check_summaries_command, ["--fix"])
    assert result.exit_code == 0, result.output
    assert "opnieuw opgebouwd" in result.output
    assert runner.invoke(check_summaries_command).exit_code == 0
    assert_in_step()
