"""Bulk sign-off from the waiting list, goals for a whole team, and the admin's audit trail."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests import factories
from wijklab.activity.models import AuditEvent
from wijklab.extensions import db
from wijklab.goals.models import GoalEvidence, GoalStatus, LearningGoal


def with_verified_evidence(goal):
    task = factories.make_task(team=goal.team, participants=[goal.student], status="verified")
    db.session.add(GoalEvidence(goal=goal, participation=task.participations[0]))
    db.session.commit()
    return goal


@pytest.fixture
def team():
    return factories.make_team(members=[factories.make_student(), factories.make_student()])


def goals_in_review(team):
    return [
        with_verified_evidence(
            factories.make_goal(team=team, student=m.student, status="review_requested")
        )
        for m in team.memberships
    ]


def ticked(goals) -> dict:
    """The review list's bulk form with ``goals`` ticked, each with the version it shows."""
    return {
        "goal_id": [str(g.id) for g in goals],
        **{f"version_{g.id}": str(g.version) for g in goals},
    }


def statuses(goals):
    db.session.rollback()
    return [db.session.get(LearningGoal, g.id).status for g in goals]


def test_supervisor_signs_off_a_selection_at_once(client, login_as, team):
    goals = goals_in_review(team)
    login_as(team.supervisor)
    page = client.get("/goals/?status=review_requested").get_data(as_text=True)
    assert page.count('name="goal_id"') == 2
    response = client.post(
        "/goals/sign-off",
        data={**ticked(goals), "statement": "Beiden zelfstandig zichtbaar"},
    )
    assert response.status_code == 302
    assert statuses(goals) == [GoalStatus.SIGNED_OFF, GoalStatus.SIGNED_OFF]


def test_bulk_sign_off_is_all_or_nothing(client, login_as, team):
    goals = goals_in_review(team)
    bare = factories.make_goal(
        team=team, student=team.memberships[0].student, status="review_requested"
    )  # no evidence: cannot be signed off
    login_as(team.supervisor)
    response = client.post(
        "/goals/sign-off",
        data={**ticked([*goals, bare]), "statement": "Goed"},
    )
    assert response.status_code == 303
    assert statuses([*goals, bare]) == [GoalStatus.REVIEW_REQUESTED] * 3


def test_bulk_sign_off_refuses_another_teams_goal(client, login_as, team):
    goals = goals_in_review(team)
    other = goals_in_review(factories.make_team(members=[factories.make_student()]))
    login_as(team.supervisor)
    response = client.post(
        "/goals/sign-off",
        data={**ticked([*goals, *other]), "statement": "Goed"},
    )
    assert response.status_code == 403
    assert statuses([*goals, *other]) == [GoalStatus.REVIEW_REQUESTED] * 3


def test_bulk_sign_off_without_selection_or_statement_changes_nothing(client, login_as, team):
    goals = goals_in_review(team)
    login_as(team.supervisor)
    assert client.post("/goals/sign-off", data={"statement": "x"}).status_code == 303
    no_statement = {**ticked(goals[:1]), "statement": ""}
    assert client.post("/goals/sign-off", data=no_statement).status_code == 303
    assert statuses(goals) == [GoalStatus.REVIEW_REQUESTED] * 2


def test_wijkdocent_gives_every_member_the_same_goal(client, login_as, team):
    login_as(team.project.owner)
    response = client.post(
        f"/teams/{team.id}/goals/for-everyone",
        data={"title": "Werknemersvaardigheden in de eerste weken", "success_criteria": "Op tijd"},
    )
    assert response.status_code == 302
    goals = db.session.scalars(select(LearningGoal)).all()
    assert {g.student_id for g in goals} == {m.student_id for m in team.memberships}
    assert {g.status for g in goals} == {GoalStatus.DRAFT}


def test_goal_for_everyone_needs_a_title_and_the_owner(client, login_as, team):
    login_as(team.project.owner)
    empty = client.post(f"/teams/{team.id}/goals/for-everyone", data={"title": ""})
    assert empty.status_code == 422
    login_as(factories.make_user(role="wijkdocent"))
    response = client.post(f"/teams/{team.id}/goals/for-everyone", data={"title": "Doel"})
    assert response.status_code == 403
    assert db.session.scalar(select(func.count(LearningGoal.id))) == 0


def test_admin_browses_and_filters_the_audit_trail(client, login_as, admin, team):
    goals_in_review(team)
    db.session.add_all(
        [
            AuditEvent(
                actor_id=team.supervisor.id,
                action="goal.sign_off",
                object_type="LearningGoal",
                object_id=1,
            ),
            AuditEvent(
                actor_id=admin.id, action="goal.created", object_type="LearningGoal", object_id=2
            ),
        ]
    )
    db.session.commit()
    login_as(admin)
    everything = client.get("/audit").get_data(as_text=True)
    assert "afgetekend" in everything and "aangemaakt" in everything
    signed = client.get("/audit?action=goal.sign_off").get_data(as_text=True)
    assert "afgetekend" in signed and "aangemaakt" not in signed.split("<tbody>")[1]
    by_name = client.get("/audit", query_string={"actor": admin.name}).get_data(as_text=True)
    assert admin.name in by_name.split("<tbody>")[1]
    assert team.supervisor.name not in by_name.split("<tbody>")[1]
