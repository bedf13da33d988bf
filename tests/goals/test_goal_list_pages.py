"""The goals list a page at a time: newest first (ties by the newest goal), the total counted
with the page, a page past the end shows the last one, and each row's latest rating and
evidence counted in SQL as the goal page counts them."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from tests import factories
from wijklab.extensions import db
from wijklab.goals import services
from wijklab.goals.models import Feedback, GoalEvidence, LearningGoal


def _ids(response) -> list[int]:
    assert response.status_code == 200
    return [int(i) for i in re.findall(r'<h2><a href="/goals/(\d+)">', response.text)]


def test_goals_list_pages_newest_first_with_the_total(client, login_as, app, supervisor):
    student = factories.make_student()
    team = factories.make_team(supervisor=supervisor, members=[student])
    goals = [factories.make_goal(team=team, student=student) for _ in range(5)]
    same = datetime(2026, 11, 2, 12, tzinfo=UTC)
    for day, goal in zip((3, 9, 5), goals[:3], strict=True):
        goal.updated_at = datetime(2026, 11, day, 12, tzinfo=UTC)
    for goal in goals[3:]:
        goal.updated_at = same
    db.session.commit()
    app.config["PER_PAGE"] = 2
    login_as(supervisor)
    order = [goals[1].id, goals[2].id, goals[0].id, goals[4].id, goals[3].id]
    first = client.get("/goals/")
    assert _ids(first) == order[:2]
    assert "5 resultaten" in first.text
    assert _ids(client.get("/goals/?page=2")) == order[2:4]
    assert _ids(client.get("/goals/?page=3")) == order[4:]
    past = client.get("/goals/?page=99")
    assert _ids(past) == order[4:]
    assert "5 resultaten" in past.text


def test_goals_list_without_goals(client, login_as, supervisor):
    login_as(supervisor)
    response = client.get("/goals/?page=3")
    assert _ids(response) == []
    assert "Geen leerdoelen gevonden." in response.text


def test_review_summaries_count_as_the_goal_page_does(app, supervisor):
    student = factories.make_student()
    team = factories.make_team(supervisor=supervisor, members=[student])
    rated, plain = (factories.make_goal(team=team, student=student) for _ in range(2))
    verified = factories.make_task(team=team, participants=[student], status="verified")
    pending = factories.make_task(team=team, participants=[student])
    for task in (verified, pending):
        db.session.add(GoalEvidence(goal=rated, participation=task.participations[0]))
    for rating in (2, 4, None):
        db.session.add(
            Feedback(
                goal=rated,
                author=supervisor,
                author_role="supervisor",
                rating=rating,
                comment="Goed",
            )
        )
    db.session.commit()
    summaries = services.review_summaries([rated.id, plain.id])
    for goal_id in (rated.id, plain.id):
        assert summaries[goal_id] == services.review_summary(db.session.get(LearningGoal, goal_id))
    assert summaries[rated.id].latest_rating == 4
    assert (summaries[rated.id].evidence_total, summaries[rated.id].evidence_pending) == (2, 1)
    assert summaries[plain.id].latest_rating is None
    assert services.review_summaries([]) == {}
