"""Signed off means closed: a rating that arrives while the goal is being signed off is refused
when the sign-off committed first, even though the request read the goal before that. The check
is made on the goal's row as it is when the feedback is written (a row lock on PostgreSQL, the
serialised write on SQLite); the real race runs in tests/integrity/test_races.py."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, update

from tests import factories
from wijklab.errors import WijklabError
from wijklab.extensions import db
from wijklab.goals import services as goal_services
from wijklab.goals import views as goal_views
from wijklab.goals.models import Feedback, GoalStatus, LearningGoal
from wijklab.projects.models import ProjectStatus


@pytest.fixture(autouse=True)
def fixed_today(clock):
    clock.set(date(2026, 11, 28))


@pytest.fixture
def goal(wijkdocent):
    project = factories.make_project(owner=wijkdocent, status=ProjectStatus.ACTIVE)
    team = factories.make_team(project=project, members=[factories.make_student()])
    goal = factories.make_goal(team=team, status="review_requested")
    db.session.commit()
    return goal


def sign_off_commits_behind_our_back(goal: LearningGoal) -> None:
    db.session.execute(
        update(LearningGoal)
        .where(LearningGoal.id == goal.id)
        .values(status=GoalStatus.SIGNED_OFF, version=LearningGoal.version + 1),
        execution_options={"synchronize_session": False},
    )


def ratings() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(Feedback.id)).where(Feedback.rating.is_not(None)))


def comments() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(Feedback.id)))


def test_service_refuses_a_rating_when_the_goal_was_signed_off_meanwhile(app, goal):
    supervisor = goal.team.supervisor
    assert goal.status == GoalStatus.REVIEW_REQUESTED  # what this request read
    sign_off_commits_behind_our_back(goal)
    with pytest.raises(WijklabError):
        goal_services.add_feedback(
            goal, by=supervisor, comment="Mooi gedaan.", rating=4, may_rate=True
        )
    assert ratings() == 0


def test_service_still_takes_a_comment_when_the_goal_was_signed_off_meanwhile(app, goal):
    supervisor = goal.team.supervisor
    sign_off_commits_behind_our_back(goal)
    goal_services.add_feedback(
        goal, by=supervisor, comment="Nog een opmerking.", rating=None, may_rate=True
    )
    db.session.commit()
    assert comments() == 1
    assert ratings() == 0


def test_rated_feedback_posted_while_the_goal_is_signed_off_stores_no_rating(
    client, login_as, goal, monkeypatch
):
    can_rate = goal_views.can_rate

    def sign_off_lands_first(user, goal_):
        sign_off_commits_behind_our_back(goal_)
        return can_rate(user, goal_)

    monkeypatch.setattr(goal_views, "can_rate", sign_off_lands_first)
    login_as(goal.team.supervisor)
    response = client.post(
        f"/goals/{goal.id}/feedback", data={"comment": "Zelfstandig.", "rating": "4"}
    )
    assert response.status_code == 303
    assert "alleen nog een opmerking" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert ratings() == 0
    assert comments() == 0
