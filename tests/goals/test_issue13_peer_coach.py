"""Issue 13: the peer coach step. A student asks the team's peer coach for feedback on a goal;
a project can require that before a review; the peer coach's dashboard lists coachees and the
goals waiting for them."""

from __future__ import annotations

from html import unescape

import pytest
from sqlalchemy import select

from tests import factories
from wijklab.activity.models import Notification
from wijklab.extensions import db
from wijklab.goals.models import Feedback, GoalStatus, LearningGoal
from wijklab.projects.models import Project, ProjectStatus


@pytest.fixture
def world(app, wijkdocent, supervisor):
    project = factories.make_project(owner=wijkdocent, status=ProjectStatus.ACTIVE)
    student = factories.make_student(name="Ayşe Demir")
    teammate = factories.make_student(name="Jesse de Groot")
    coach = factories.make_student(name="Noor Bakker")
    team = factories.make_team(
        project=project, supervisor=supervisor, members=[student, teammate, coach], coach=coach
    )
    goal = factories.make_goal(team=team, student=student, status="active", title="Gesprek voeren")
    return {
        "project": project,
        "team": team,
        "student": student,
        "teammate": teammate,
        "coach": coach,
        "supervisor": supervisor,
        "goal": goal,
    }


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def fresh(goal_id: int) -> LearningGoal:
    db.session.expire_all()
    return db.session.get(LearningGoal, goal_id)


def ask(client, goal):
    return client.post(f"/goals/{goal.id}/ask-peer-coach")


def test_student_asks_peer_coach_and_coach_is_notified(client, login_as, world):
    goal = world["goal"]
    login_as(world["student"])
    assert "Peercoach om feedback vragen" in text(client.get(f"/goals/{goal.id}"))
    assert ask(client, goal).status_code == 302
    assert fresh(goal.id).peer_feedback_requested_at is not None
    notes = db.session.scalars(
        select(Notification).where(Notification.kind == "peer_feedback_requested")
    ).all()
    assert [n.user_id for n in notes] == [world["coach"].id]
    # Asking again while waiting is refused, with a message.
    assert ask(client, goal).status_code == 303
    assert "al om feedback gevraagd" in text(client.get(f"/goals/{goal.id}"))


def test_student_cannot_ask_for_someone_elses_goal(client, login_as, world):
    other = factories.make_goal(team=world["team"], student=world["teammate"], status="active")
    db.session.commit()
    login_as(world["student"])
    assert ask(client, other).status_code in (403, 404)
    assert fresh(other.id).peer_feedback_requested_at is None
    # The peer coach sees the goal but cannot ask on the student's behalf.
    login_as(world["coach"])
    assert ask(client, world["goal"]).status_code == 403
    assert fresh(world["goal"].id).peer_feedback_requested_at is None


def test_no_peer_coach_means_no_request(client, login_as, app, wijkdocent, supervisor):
    project = factories.make_project(owner=wijkdocent, status=ProjectStatus.ACTIVE)
    student = factories.make_student()
    team = factories.make_team(project=project, supervisor=supervisor, members=[student])
    goal = factories.make_goal(team=team, student=student, status="active")
    db.session.commit()
    login_as(student)
    assert "Peercoach om feedback vragen" not in text(client.get(f"/goals/{goal.id}"))
    assert ask(client, goal).status_code == 303
    assert fresh(goal.id).peer_feedback_requested_at is None


def test_coach_dashboard_lists_coachees_and_waiting_goals(client, login_as, world):
    goal = world["goal"]
    login_as(world["student"])
    ask(client, goal)
    login_as(world["coach"])
    html = text(client.get("/"))
    assert "Jij bent peercoach" in html
    assert "Ayşe Demir" in html and "Jesse de Groot" in html
    assert "1 leerdoel wacht op je feedback" in html and "Gesprek voeren" in html
    # The coach comments: the goal no longer waits, and the comment counts as peer feedback.
    response = client.post(f"/goals/{goal.id}/feedback", data={"comment": "Mooi plan."})
    assert response.status_code == 302
    entry = db.session.scalar(select(Feedback).where(Feedback.goal_id == goal.id))
    assert entry.author_role == "peer_coach"
    html = text(client.get("/"))
    assert "Er wacht nu geen leerdoel op je feedback" in html
    # A plain member has no coach block.
    login_as(world["teammate"])
    assert "Jij bent peercoach" not in text(client.get("/"))


def test_non_coach_cannot_give_peer_feedback(client, login_as, world):
    goal = world["goal"]
    # A teammate who is not peer coach does not see the goal, so cannot comment at all.
    login_as(world["teammate"])
    response = client.post(f"/goals/{goal.id}/feedback", data={"comment": "Ik ben coach"})
    assert response.status_code == 404
    # The student's own response is never recorded as peer feedback, whatever is posted.
    login_as(world["student"])
    client.post(
        f"/goals/{goal.id}/feedback", data={"comment": "Reactie", "author_role": "peer_coach"}
    )
    roles = db.session.scalars(select(Feedback.author_role)).all()
    assert roles == ["student"]


def test_project_requiring_peer_feedback_first_blocks_review(client, login_as, world):
    world["project"].peer_feedback_first = True
    db.session.commit()
    goal = world["goal"]
    login_as(world["student"])
    html = text(client.get(f"/goals/{goal.id}"))
    assert "Beoordeling aanvragen" not in html
    assert "eerst je peercoach om feedback" in html
    # A forged request is refused and changes nothing.
    response = client.post(
        f"/goals/{goal.id}/transition",
        data={"action": "request_review", "version": str(fresh(goal.id).version)},
    )
    assert response.status_code == 403
    assert fresh(goal.id).status == GoalStatus.ACTIVE
    # After the peer coach's comment the review can be asked.
    ask(client, goal)
    login_as(world["coach"])
    client.post(f"/goals/{goal.id}/feedback", data={"comment": "Goed voorbereid."})
    login_as(world["student"])
    assert "Beoordeling aanvragen" in text(client.get(f"/goals/{goal.id}"))
    response = client.post(
        f"/goals/{goal.id}/transition",
        data={"action": "request_review", "version": str(fresh(goal.id).version)},
    )
    assert response.status_code == 302
    assert fresh(goal.id).status == GoalStatus.REVIEW_REQUESTED


def test_review_without_peer_step_when_project_does_not_require_it(client, login_as, world):
    goal = world["goal"]
    login_as(world["student"])
    response = client.post(
        f"/goals/{goal.id}/transition",
        data={"action": "request_review", "version": str(fresh(goal.id).version)},
    )
    assert response.status_code == 302
    assert fresh(goal.id).status == GoalStatus.REVIEW_REQUESTED


def test_project_form_sets_peer_feedback_first(client, login_as, world):
    project = world["project"]
    login_as(project.owner)
    page = text(client.get(f"/projects/{project.id}/edit"))
    assert 'name="peer_feedback_first"' in page
    from tests.forms import form_state

    data = form_state(page)
    data["peer_feedback_first"] = ["y"]
    response = client.post(f"/projects/{project.id}/edit", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Project, project.id).peer_feedback_first is True
