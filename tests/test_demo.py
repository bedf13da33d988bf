"""The demo data shows every page alive: eight weeks of tasks in every state, signed-off goals with
rated feedback, peer-coach comments and responses, supervision and visits, unread notifications
for the demo logins, and dashboards with something on them; its dates follow the app's clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from flask import g
from sqlalchemy import delete, func, select

from tests.test_cli import run
from wijklab import clock as app_clock
from wijklab import create_app
from wijklab import demo as demo_data
from wijklab.accounts import passwords
from wijklab.accounts.models import User
from wijklab.activity.models import AuditEvent, Notification
from wijklab.clock import AMSTERDAM
from wijklab.extensions import db
from wijklab.goals.models import Feedback, GoalStatus, LearningGoal
from wijklab.projects.models import Project, ProjectStatus
from wijklab.tasks.models import (
    Category,
    SchoolVisit,
    SupervisionSession,
    Task,
    TaskEvent,
    TaskStatus,
)
from wijklab.teams.models import Team

# A Thursday far from the real date: every demo date must follow the app's clock.
TODAY = datetime(2027, 3, 18, 12, tzinfo=AMSTERDAM)
LOGINS = {
    "admin": "admin@wijklab.example.org",
    "wijkdocent": "m.dijkstra@mondriaan.example.org",
    "supervisor": "p.devries@demussen.example.org",
    "student": "zoe.vandenberg@student.example.org",
}


def _dashboard(app, user: User) -> str:
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session["last_seen"] = app_clock.utcnow().timestamp()
    for name in list(g):  # the app context is shared: Flask-Login's user would stay in g
        g.pop(name)
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.fixture(scope="module")
def demo(_app) -> SimpleNamespace:
    """`seed-demo` once on an empty database with the clock pinned to TODAY (and without scrypt:
    this module is about the rows, tests/test_cli.py about the passwords); what the tests look
    at is gathered here and the rows are removed before the tests run."""
    app = create_app({"TESTING": True})
    app_clock.set_source(lambda: TODAY)
    with pytest.MonkeyPatch.context() as patch, app.app_context():
        patch.setattr(passwords, "hash_password", lambda password: "not-a-real-hash")
        db.create_all()
        try:
            result = run(app, "seed-demo")
            assert result.exit_code == 0, result.output
            active = db.session.scalars(
                select(Team).join(Project).where(Project.status == ProjectStatus.ACTIVE)
            ).all()
            active_ids = [t.id for t in active]
            tasks = db.session.scalars(select(Task).where(Task.team_id.in_(active_ids))).all()
            users = {u.email: u for u in db.session.scalars(select(User))}
            feedback = db.session.scalars(select(Feedback)).all()
            scenario = SimpleNamespace(
                today=TODAY.date(),
                active_teams=len(active),
                task_dates=[t.date for t in tasks],
                statuses={t.status for t in tasks},
                on_behalf=sum(t.verified_on_behalf for t in tasks),
                categories={t.category for t in tasks},
                places={t.place for t in tasks if t.place},
                actions=set(db.session.scalars(select(AuditEvent.action))),
                task_event_actions=set(db.session.scalars(select(TaskEvent.action))),
                goal_statuses=list(db.session.scalars(select(LearningGoal.status))),
                rated=sum(f.rating is not None for f in feedback),
                feedback_roles=[f.author_role for f in feedback],
                responses=sum(f.author_id == f.goal.student_id for f in feedback),
                supervision={
                    team_id: db.session.scalar(
                        select(func.count(SupervisionSession.id)).where(
                            SupervisionSession.team_id == team_id
                        )
                    )
                    for team_id in active_ids
                },
                visits={
                    team_id: db.session.scalar(
                        select(func.count(SchoolVisit.id)).where(SchoolVisit.team_id == team_id)
                    )
                    for team_id in active_ids
                },
                unread={
                    role: db.session.scalar(
                        select(func.count(Notification.id)).where(
                            Notification.user_id == users[email].id,
                            Notification.read_at.is_(None),
                        )
                    )
                    for role, email in LOGINS.items()
                },
                dashboards={role: _dashboard(app, users[email]) for role, email in LOGINS.items()},
                admin_links=list(
                    db.session.scalars(
                        select(Notification.link).where(
                            Notification.user_id == users[LOGINS["admin"]].id,
                            Notification.kind == "mail_failed",
                        )
                    )
                ),
                user_ids={u.id for u in users.values()},
            )
            again = demo_data.SeedResult()
            demo_data._seed_admin_notifications(again)
            scenario.admin_again = again.created
        finally:
            app_clock.set_source(None)
            db.session.rollback()
            for table in reversed(db.metadata.sorted_tables):
                db.session.execute(delete(table))
            db.session.commit()
            db.session.remove()
            db.engine.dispose()
    return scenario


def test_demo_logs_at_least_60_tasks_over_the_eight_weeks_before_today(demo):
    assert len(demo.task_dates) >= 60
    assert demo.active_teams == 2
    first = demo.today - timedelta(weeks=8)
    assert all(first <= on <= demo.today for on in demo.task_dates)
    weeks = {on.isocalendar().week for on in demo.task_dates}
    assert len(weeks) >= 8


def test_demo_tasks_are_in_every_state(demo):
    assert demo.statuses == {TaskStatus.PENDING, TaskStatus.VERIFIED, TaskStatus.RETURNED}
    assert demo.on_behalf >= 2
    assert {"task.verified", "task.verified_on_behalf", "task.returned"} <= demo.actions
    assert "task.edited_after_verification" in demo.actions
    assert {"created", "verified", "returned", "edited", "resubmitted"} <= demo.task_event_actions


def test_demo_tasks_have_several_kinds_of_work_and_places(demo):
    assert len(demo.categories) >= 5
    assert len(demo.places) >= 5


def test_demo_peer_coaches_log_their_coaching_as_its_own_kind_of_work(demo):
    assert Category.PEER_COACHING in demo.categories


def test_demo_has_three_signed_off_goals_and_goals_in_every_state(demo):
    assert demo.goal_statuses.count(GoalStatus.SIGNED_OFF) >= 3
    assert set(demo.goal_statuses) == set(GoalStatus)


def test_demo_feedback_has_ratings_peer_coach_comments_and_student_responses(demo):
    assert len(demo.feedback_roles) >= 8
    assert demo.rated >= 8
    assert demo.feedback_roles.count("peer_coach") >= 3
    assert demo.responses >= 3


def test_demo_teams_have_supervision_and_school_visits(demo):
    assert all(count >= 4 for count in demo.supervision.values())
    assert all(count >= 2 for count in demo.visits.values())


@pytest.mark.parametrize("role", ["admin", "wijkdocent", "supervisor", "student"])
def test_demo_logins_have_unread_notifications(demo, role):
    assert demo.unread[role] >= 1


@pytest.mark.parametrize("role", list(LOGINS))
def test_demo_dashboards_show_something_at_first_login(demo, role):
    assert 'class="empty-state"' not in demo.dashboards[role]


@pytest.mark.parametrize("role", ["wijkdocent", "student"])
def test_demo_dashboard_charts_are_drawn(demo, role):
    assert "<svg" in demo.dashboards[role]


def test_demo_admin_is_told_of_two_undelivered_mails_once_with_links_to_the_accounts(demo):
    assert len(demo.admin_links) == 2
    for link in demo.admin_links:
        assert link.startswith("/users/") and link.endswith("/edit")
        assert int(link.split("/")[2]) in demo.user_ids
    assert demo.admin_again == 0
