"""Reminders and escalations: tasks and goals that wait, students who logged nothing; each is
sent once per stage, and only to the people who are responsible now."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from tests import factories
from tests.test_cli import run
from wijklab.activity.models import Notification
from wijklab.activity.schedules import run_reminders
from wijklab.clock import AMSTERDAM
from wijklab.extensions import db
from wijklab.projects.models import ProjectStatus
from wijklab.tasks.models import TaskEvent

START = datetime(2026, 11, 2, 9, 0, tzinfo=AMSTERDAM)  # a Monday


def notifications(kind: str | None = None) -> list[Notification]:
    query = select(Notification).order_by(Notification.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query))


@pytest.fixture
def team(clock):
    clock.set(START)
    project = factories.make_project(status=ProjectStatus.ACTIVE, start_date=date(2026, 9, 1))
    members = [factories.make_student(), factories.make_student()]
    return factories.make_team(project=project, members=members)


@pytest.fixture
def task(team):
    students = [m.student for m in team.memberships]
    return factories.make_task(team=team, participants=students, date=date(2026, 11, 2))


def test_task_pending_six_days_reminds_nobody(app, clock, task):
    clock.set(START + timedelta(days=6, hours=23))
    assert run_reminders() == 0
    assert notifications("task_waiting") == []


def test_task_pending_seven_days_reminds_the_supervisor_once(app, clock, task, mailbox):
    clock.set(START + timedelta(days=7))
    made = run_reminders()
    assert made == 1
    sent = notifications("task_waiting")
    assert [n.user_id for n in sent] == [task.team.supervisor_id]
    assert sent[0].link == f"/tasks/{task.id}"
    assert run_reminders() == 0
    assert len(notifications("task_waiting")) == 1
    assert notifications("task_escalated") == []


def test_task_pending_fourteen_days_tells_the_wijkdocent(app, clock, task):
    clock.set(START + timedelta(days=7))
    run_reminders()
    clock.set(START + timedelta(days=14))
    run_reminders()
    escalated = notifications("task_escalated")
    assert [n.user_id for n in escalated] == [task.team.project.owner_id]
    assert escalated[0].link == f"/tasks/{task.id}"
    run_reminders()
    assert len(notifications("task_escalated")) == 1
    assert len(notifications("task_waiting")) == 1


def test_an_edited_task_starts_a_new_reminder_cycle(app, clock, task):
    clock.set(START + timedelta(days=7))
    run_reminders()
    # The task is changed on day 8: a new version, pending again from then.
    clock.set(START + timedelta(days=8))
    task.title = "Bewonersavond (aangevuld)"
    task.events.append(TaskEvent(action="edited", at=clock.moment, from_status="pending"))
    db.session.flush()
    assert task.version == 2
    clock.set(START + timedelta(days=14))
    run_reminders()
    assert len(notifications("task_waiting")) == 1  # six days since the change
    clock.set(START + timedelta(days=15))
    run_reminders()
    assert len(notifications("task_waiting")) == 2
    assert notifications("task_escalated") == []


def test_a_supervisor_moved_off_the_team_is_not_reminded(app, clock, task):
    old = task.team.supervisor
    new = factories.make_supervisor(organisation=task.team.project.partner)
    task.team.supervisor = new
    db.session.flush()
    clock.set(START + timedelta(days=7))
    run_reminders()
    assert [n.user_id for n in notifications("task_waiting")] == [new.id]
    assert old.id not in [n.user_id for n in notifications()]


def test_an_inactive_supervisor_is_not_reminded(app, clock, task):
    task.team.supervisor.is_active = False
    db.session.flush()
    clock.set(START + timedelta(days=7))
    run_reminders()
    assert notifications("task_waiting") == []


def test_tasks_of_a_completed_project_are_left_alone(app, clock, task):
    task.team.project.status = ProjectStatus.COMPLETED
    db.session.flush()
    clock.set(START + timedelta(days=20))
    run_reminders()
    assert notifications("task_waiting") == notifications("task_escalated") == []


def test_goal_in_review_reminds_supervisor_and_wijkdocent_then_escalates(app, clock, team):
    goal = factories.make_goal(team=team, status="review_requested")
    supervisor, owner = team.supervisor_id, team.project.owner_id
    clock.set(START + timedelta(days=6))
    run_reminders()
    assert notifications("goal_waiting") == notifications("goal_waiting_long") == []
    clock.set(START + timedelta(days=7))
    run_reminders()
    assert [n.user_id for n in notifications("goal_waiting")] == [supervisor]
    assert [n.user_id for n in notifications("goal_waiting_long")] == [owner]
    assert notifications("goal_escalated") == []
    clock.set(START + timedelta(days=14))
    run_reminders()
    run_reminders()
    assert [n.user_id for n in notifications("goal_escalated")] == [owner]
    assert len(notifications("goal_waiting")) == 1
    assert notifications("goal_waiting")[0].link == f"/goals/{goal.id}"


def test_quiet_student_is_reminded_once_per_quiet_period(app, clock, team):
    logging, quiet = (m.student for m in team.memberships)
    factories.make_task(team=team, participants=[logging], date=date(2026, 11, 2))
    # Both joined on 1 September; one took part in the task of 2 November.
    clock.set(START + timedelta(days=1))
    run_reminders()
    assert [n.user_id for n in notifications("quiet_student")] == [quiet.id]
    assert notifications("quiet_student")[0].link == f"/teams/{team.id}/tasks/new"
    run_reminders()
    assert len(notifications("quiet_student")) == 1
    # Fifteen days after her last task the other student is quiet too; the first is not told
    # again, since nothing changed.
    clock.set(datetime(2026, 11, 17, 9, tzinfo=AMSTERDAM))
    run_reminders()
    assert sorted(n.user_id for n in notifications("quiet_student")) == sorted(
        [quiet.id, logging.id]
    )


def test_a_student_who_left_or_joined_recently_is_not_reminded(app, clock, team):
    left, new = (m for m in team.memberships)
    left.left_on = date(2026, 10, 1)
    new.joined_on = date(2026, 10, 25)
    db.session.flush()
    clock.set(START)
    run_reminders()
    assert notifications("quiet_student") == []


def test_send_reminders_command_commits_and_mails(app, clock, task, mailbox):
    clock.set(START + timedelta(days=7))
    result = run(app, "send-reminders")
    assert result.exit_code == 0, result.output
    assert "Herinneringen: 1 verstuurd." in result.output
    # task_waiting goes out at once to the supervisor (the default for supervisors).
    assert len(mailbox.to(task.team.supervisor.email)) == 1
    again = run(app, "send-reminders")
    assert "Herinneringen: 0 verstuurd." in again.output
    assert len(notifications("task_waiting")) == 1


def test_send_reminders_refuses_a_bad_moment(app):
    result = run(app, "send-reminders", "--now", "maandag")
    assert result.exit_code == 2
    assert "geen geldige ISO-datum" in result.output
