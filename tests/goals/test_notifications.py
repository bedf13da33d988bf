"""In-app notifications: who is told about which move, the unread count, marking read."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import factories
from wijklab.activity import services as activity_services
from wijklab.activity.models import Notification
from wijklab.extensions import db
from wijklab.goals import services
from wijklab.goals.models import GoalStatus


@pytest.fixture
def goal(app):
    student = factories.make_student(name="Ayşe Demir")
    team = factories.make_team(members=[student])
    return factories.make_goal(team=team, student=student, title="Buurtoverleg leiden")


def inbox(user) -> list[Notification]:
    db.session.rollback()
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)))


def test_the_supervisor_hears_about_a_review_request(goal):
    goal.status = GoalStatus.ACTIVE
    services.transition(goal, "request_review", by=goal.student)
    db.session.commit()
    [notification] = inbox(goal.team.supervisor)
    assert notification.link == f"/goals/{goal.id}"
    assert activity_services.describe(notification) == (
        "Ayşe Demir vraagt je het leerdoel ‘Buurtoverleg leiden’ te beoordelen."
    )
    assert inbox(goal.student) == []


def test_the_student_hears_about_feedback_but_not_about_their_own(goal):
    supervisor = goal.team.supervisor
    services.add_feedback(goal, by=supervisor, comment="Goed", rating=3, may_rate=True)
    services.add_feedback(goal, by=goal.student, comment="Dank je", rating=None, may_rate=False)
    db.session.commit()
    assert [n.kind for n in inbox(goal.student)] == ["feedback"]
    assert [n.kind for n in inbox(supervisor)] == ["feedback"]


def test_unread_count_in_the_header_and_marking_read(client, login_as, goal):
    supervisor = goal.team.supervisor
    services.add_feedback(goal, by=supervisor, comment="Eerste", rating=None, may_rate=True)
    services.add_feedback(goal, by=supervisor, comment="Tweede", rating=None, may_rate=True)
    db.session.commit()
    login_as(goal.student)
    html = client.get("/").get_data(as_text=True)
    assert 'class="count-badge">2<' in html
    first = inbox(goal.student)[0]
    response = client.post(f"/notifications/{first.id}/read")
    assert response.status_code == 302 and response.headers["Location"] == f"/goals/{goal.id}"
    assert 'class="count-badge">1<' in client.get("/").get_data(as_text=True)
    assert client.post("/notifications/read-all").status_code == 302
    assert all(n.read_at is not None for n in inbox(goal.student))
    assert "count-badge" not in client.get("/").get_data(as_text=True)


def test_someone_elses_notification_cannot_be_read(client, login_as, goal):
    services.add_feedback(goal, by=goal.team.supervisor, comment="x", rating=None, may_rate=True)
    db.session.commit()
    notification = inbox(goal.student)[0]
    login_as(factories.make_student())
    assert client.post(f"/notifications/{notification.id}/read").status_code == 404
    assert inbox(goal.student)[0].read_at is None


def test_the_notifications_page_lists_newest_first(client, login_as, goal):
    supervisor = goal.team.supervisor
    services.add_feedback(goal, by=supervisor, comment="a", rating=None, may_rate=True)
    goal.status = GoalStatus.REVIEW_REQUESTED
    services.transition(goal, "return", by=supervisor, reason="Meetbaarder graag")
    db.session.commit()
    login_as(goal.student)
    html = client.get("/notifications").get_data(as_text=True)
    assert html.index("zette je leerdoel") < html.index("gaf feedback")
