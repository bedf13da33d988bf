"""Issue 13: "Reageren" on one's own goal; evidence and criteria before the decision box; a
sign-off with pending evidence or a low latest rating needs a confirmation with a reason; the
bulk list shows rating and evidence and leaves such goals out."""

from __future__ import annotations

import json
from html import unescape

import pytest
from sqlalchemy import func, select

from tests import factories
from wijklab.activity.models import AuditEvent
from wijklab.extensions import db
from wijklab.goals.models import Feedback, GoalEvidence, GoalStatus, LearningGoal, SignOff
from wijklab.projects.models import ProjectStatus


@pytest.fixture
def world(app, wijkdocent, supervisor):
    project = factories.make_project(owner=wijkdocent, status=ProjectStatus.ACTIVE)
    student = factories.make_student()
    coach = factories.make_student()
    team = factories.make_team(
        project=project, supervisor=supervisor, members=[student, coach], coach=coach
    )
    return {"team": team, "student": student, "coach": coach, "supervisor": supervisor}


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def goal_in_review(world, *, pending=False, rating=None, title="Bijeenkomst leiden"):
    goal = factories.make_goal(
        team=world["team"],
        student=world["student"],
        status="review_requested",
        title=title,
        success_criteria="Twee bijeenkomsten geleid.",
    )
    ok = factories.make_task(team=world["team"], participants=[world["student"]], status="verified")
    goal.evidence.append(GoalEvidence(participation=ok.participations[0]))
    if pending:
        task = factories.make_task(team=world["team"], participants=[world["student"]])
        goal.evidence.append(GoalEvidence(participation=task.participations[0]))
    if rating is not None:
        goal.feedback.append(
            Feedback(
                author=world["supervisor"],
                author_role="supervisor",
                rating=rating,
                comment="Goed bezig.",
            )
        )
    db.session.flush()
    return goal


def sign_off(client, goal, **extra):
    db.session.expire_all()
    data = {
        "action": "sign_off",
        "version": str(db.session.get(LearningGoal, goal.id).version),
        "statement": "Laat dit zien in de wijk.",
    }
    data.update(extra)
    return client.post(f"/goals/{goal.id}/transition", data=data)


def status_of(goal) -> GoalStatus:
    db.session.expire_all()
    return db.session.get(LearningGoal, goal.id).status


def test_own_goal_button_says_reageren(client, login_as, world):
    goal = goal_in_review(world)
    db.session.commit()
    login_as(world["student"])
    html = text(client.get(f"/goals/{goal.id}"))
    assert ">Reageren</button>" in html and "Feedback geven" not in html
    login_as(world["coach"])
    html = text(client.get(f"/goals/{goal.id}"))
    assert "Feedback geven</button>" in html and ">Reageren<" not in html


def test_evidence_and_criteria_come_before_decision_box(client, login_as, world):
    goal = goal_in_review(world)
    db.session.commit()
    login_as(world["supervisor"])
    html = text(client.get(f"/goals/{goal.id}"))
    decision = html.index('class="card goal-actions"')
    assert html.index("Succescriteria") < decision
    assert html.index("<h2>Bewijs</h2>") < decision
    assert html.index(">Aftekenen</button>") > decision


def test_plain_sign_off_needs_no_confirmation(client, login_as, world):
    goal = goal_in_review(world, rating=4)
    db.session.commit()
    login_as(world["supervisor"])
    assert sign_off(client, goal).status_code == 302
    assert status_of(goal) == GoalStatus.SIGNED_OFF


@pytest.mark.parametrize("kind", ["pending", "low_rating"])
def test_sign_off_with_concern_is_refused_without_confirmation(client, login_as, world, kind):
    goal = goal_in_review(world, pending=kind == "pending", rating=2 if kind != "pending" else None)
    db.session.commit()
    login_as(world["supervisor"])
    page = text(client.get(f"/goals/{goal.id}"))
    assert 'name="confirm"' in page and 'name="confirm_reason"' in page
    # Neither without the box, nor with the box but no reason, nor a reason without the box.
    for extra in ({}, {"confirm": "y"}, {"confirm_reason": "Toch goed."}):
        response = sign_off(client, goal, **extra)
        assert response.status_code == 303
        assert status_of(goal) == GoalStatus.REVIEW_REQUESTED
        assert db.session.scalar(select(func.count()).select_from(SignOff)) == 0
    html = text(client.get(f"/goals/{goal.id}"))
    assert "Bevestig dat je toch aftekent" in html


def test_confirmed_sign_off_records_the_reason(client, login_as, world):
    goal = goal_in_review(world, pending=True, rating=1)
    db.session.commit()
    login_as(world["supervisor"])
    response = sign_off(client, goal, confirm="y", confirm_reason="Besproken in het gesprek.")
    assert response.status_code == 302
    assert status_of(goal) == GoalStatus.SIGNED_OFF
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "goal.sign_off"))
    details = json.loads(event.details)
    assert details["confirm_reason"] == "Besproken in het gesprek."
    assert details["confirmed_concerns"] == ["evidence_pending", "low_rating"]


def test_student_cannot_forge_a_confirmed_sign_off(client, login_as, world):
    goal = goal_in_review(world, pending=True)
    db.session.commit()
    login_as(world["student"])
    response = sign_off(client, goal, confirm="y", confirm_reason="Ik vind het goed.")
    assert response.status_code == 403
    assert status_of(goal) == GoalStatus.REVIEW_REQUESTED


def test_bulk_list_shows_rating_and_evidence(client, login_as, world):
    fine = goal_in_review(world, rating=4, title="Netwerk opbouwen")
    risky = goal_in_review(world, pending=True, rating=2, title="Gesprek voeren")
    db.session.commit()
    login_as(world["supervisor"])
    html = text(client.get("/goals/?status=review_requested"))
    assert "Laatste beoordeling: zelfstandig zichtbaar" in html
    assert "Laatste beoordeling: in ontwikkeling" in html
    assert "Bewijs: 1 van 2 goedgekeurd" in html and "Bewijs: 1 van 1 goedgekeurd" in html
    assert f'name="goal_id" value="{fine.id}"' in html
    assert f'name="goal_id" value="{risky.id}"' not in html
    assert "Teken dit leerdoel apart af" in html


def test_bulk_sign_off_refuses_goal_needing_confirmation(client, login_as, world):
    fine = goal_in_review(world, rating=4)
    risky = goal_in_review(world, pending=True)
    db.session.commit()
    login_as(world["supervisor"])
    response = client.post(
        "/goals/sign-off",
        data={
            "goal_id": [str(fine.id), str(risky.id)],
            f"version_{fine.id}": str(fine.version),
            f"version_{risky.id}": str(risky.version),
            "statement": "Goed.",
            "confirm": "y",
            "confirm_reason": "Vervalst",
        },
    )
    assert response.status_code == 303
    assert status_of(fine) == GoalStatus.REVIEW_REQUESTED
    assert status_of(risky) == GoalStatus.REVIEW_REQUESTED
    html = text(client.get("/goals/?status=review_requested"))
    assert "teken dit leerdoel apart af" in html
    response = client.post(
        "/goals/sign-off",
        data={
            "goal_id": [str(fine.id)],
            f"version_{fine.id}": str(fine.version),
            "statement": "Goed.",
        },
    )
    assert response.status_code == 302
    assert status_of(fine) == GoalStatus.SIGNED_OFF
