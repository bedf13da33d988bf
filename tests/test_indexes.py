"""The filters the pages use at scale are served by an index, checked in the database's own
plan (EXPLAIN on PostgreSQL with sequential scans discouraged, so a missing index shows as a
scan; EXPLAIN QUERY PLAN on SQLite)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text

from tests import factories
from wijklab.accounts.models import Role, User
from wijklab.activity.models import AuditEvent, Notification
from wijklab.clock import utcnow
from wijklab.extensions import db
from wijklab.goals.models import GoalStatus, LearningGoal
from wijklab.tasks.models import HoursSummary, SupervisionSession, Task, TaskSummary

MONDAY = date(2026, 11, 2)

# What a page asks, and the index that must answer it.
PLANS = {
    "team feed: a team's tasks by date": (
        lambda: (
            select(Task.id)
            .where(Task.team_id == 7)
            .order_by(Task.date.desc(), Task.id.desc())
            .limit(20)
        ),
        "ix_task_team_date",
    ),
    "summary recount: a team's tasks in one week": (
        lambda: select(Task.id).where(Task.team_id == 7, Task.date.between(MONDAY, MONDAY)),
        "ix_task_team_date",
    ),
    "hours page, student dashboard: a student's weeks": (
        lambda: (
            select(HoursSummary.week, func.sum(HoursSummary.minutes))
            .where(HoursSummary.student_id == 7)
            .group_by(HoursSummary.week)
        ),
        "ix_hours_summary_student_week",
    ),
    "team page: the members' hours": (
        lambda: (
            select(HoursSummary.student_id, func.sum(HoursSummary.minutes))
            .where(HoursSummary.team_id == 7)
            .group_by(HoursSummary.student_id)
        ),
        "pk_hours_summary",
    ),
    "dashboard: a team's tasks and hours": (
        lambda: select(func.sum(TaskSummary.minutes)).where(TaskSummary.team_id.in_([7, 8])),
        "pk_task_summary",
    ),
    "review list: a team's goals in review": (
        lambda: select(LearningGoal.id).where(
            LearningGoal.team_id == 7, LearningGoal.status == GoalStatus.REVIEW_REQUESTED
        ),
        "ix_learning_goal_team_status",
    ),
    "supervisor dashboard: this month's sessions": (
        lambda: select(func.sum(SupervisionSession.minutes)).where(
            SupervisionSession.supervisor_id == 7, SupervisionSession.date >= MONDAY
        ),
        "ix_supervision_session_supervisor_date",
    ),
    "notifications feed: a user's newest first": (
        lambda: (
            select(Notification.id)
            .where(Notification.user_id == 7)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(20)
        ),
        "ix_notification_user_feed",
    ),
    "goal page, audit trail: one object's history": (
        lambda: (
            select(AuditEvent.id)
            .where(AuditEvent.object_type == "goal", AuditEvent.object_id == 7)
            .order_by(AuditEvent.at)
        ),
        "ix_audit_event_object",
    ),
    "users page: everyone by name, a page at a time": (
        lambda: select(User.id).order_by(User.name, User.id).limit(20),
        "ix_user_name",
    ),
    "users page, member search: one role by name": (
        lambda: (
            select(User.id).where(User.role == Role.STUDENT).order_by(User.name, User.id).limit(20)
        ),
        "ix_user_role_name",
    ),
    "every page: the unread notifications": (
        lambda: select(func.count(Notification.id)).where(
            Notification.user_id == BUSY_USER, Notification.read_at.is_(None)
        ),
        "ix_notification_user_unread",
    ),
}


def goals_in_many_teams() -> None:
    """Statistics that tell the planner a team has few goals and a status many, as at scale
    (on empty tables every index costs the same, and PostgreSQL may pick either)."""
    team = None
    for i in range(60):
        if i % 3 == 0:
            team = factories.make_team(members=[factories.make_student()])
        factories.make_goal(team=team, status="review_requested" if i % 2 else "active")
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE learning_goal"))


def tasks_in_many_teams() -> None:
    """A team has few tasks, a day many teams' tasks: as at scale."""
    teams = [factories.make_team(members=[factories.make_student()]) for _ in range(15)]
    for n in range(150):
        factories.make_task(team=teams[n % 15], date=MONDAY - timedelta(days=n // 15))
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE task"))


BUSY_USER = 999_999


def notifications_of_a_busy_user() -> None:
    """As for goals: a user with hundreds of notifications, nearly all of them read."""
    user = factories.make_user(id=BUSY_USER)
    for j in range(400):
        read = None if j % 100 == 0 else utcnow()
        db.session.add(Notification(user_id=user.id, kind="task_returned", read_at=read))
    db.session.flush()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE notification"))


def plan(statement) -> str:
    sql = str(statement.compile(db.engine, compile_kwargs={"literal_binds": True}))
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        return "\n".join(row[0] for row in db.session.execute(text(f"EXPLAIN {sql}")))
    return "\n".join(str(row[-1]) for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {sql}")))


@pytest.mark.parametrize("page", list(PLANS))
def test_the_filter_is_served_by_its_index(app, page):
    build, index = PLANS[page]
    if index == "ix_learning_goal_team_status":
        goals_in_many_teams()
    if index == "ix_task_team_date":
        tasks_in_many_teams()
    if index.startswith("ix_notification"):
        notifications_of_a_busy_user()
    found = plan(build())
    if db.engine.dialect.name == "sqlite" and index.startswith("pk_"):
        # SQLite names a composite primary key's index after the table.
        index = f"sqlite_autoindex_{index.removeprefix('pk_')}_1"
    # A team's tasks: either index that starts with the team serves it (with ten tasks a team,
    # the planner picks one by the statistics of the moment; neither is a scan of the table or
    # of the status index).
    also = ALSO_SERVED_BY.get(page, ())
    assert index in found or any(other in found for other in also), found


ALSO_SERVED_BY = {
    "team feed: a team's tasks by date": ("ix_task_team_status_date",),
    "summary recount: a team's tasks in one week": ("ix_task_team_status_date",),
}
