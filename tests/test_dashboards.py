"""What waits on each role, on their dashboard."""

from __future__ import annotations

from datetime import timedelta

from tests import factories
from wijklab.clock import utcnow
from wijklab.extensions import db
from wijklab.goals.models import Feedback


def test_supervisor_sees_goals_in_review_and_tasks_to_verify(client, login_as):
    team = factories.make_team(members=[factories.make_student(), factories.make_student()])
    other = factories.make_team(members=[factories.make_student()])
    for student in (m.student for m in team.memberships):
        factories.make_goal(team=team, student=student, status="review_requested")
    factories.make_goal(team=other, status="review_requested")
    for _ in range(3):
        factories.make_task(team=team)
    factories.make_task(team=team, status="verified")
    factories.make_task(team=other)
    login_as(team.supervisor)
    html = client.get("/").get_data(as_text=True)
    assert "2 leerdoelen ter beoordeling" in html
    assert "3 taken om te controleren" in html


def test_student_sees_own_goals_with_the_latest_feedback_of_others(client, login_as):
    student = factories.make_student()
    team = factories.make_team(members=[student])
    goal = factories.make_goal(team=team, student=student, title="Ik leid een overleg")
    factories.make_goal(title="Andermans doel")
    db.session.add_all(
        [
            Feedback(goal=goal, author=team.supervisor, author_role="supervisor", comment="Eerst"),
            Feedback(goal=goal, author=team.supervisor, author_role="supervisor", comment="Later"),
            Feedback(goal=goal, author=student, author_role="student", comment="Mijn reactie"),
        ]
    )
    db.session.commit()
    login_as(student)
    html = client.get("/").get_data(as_text=True)
    assert "Ik leid een overleg" in html and "Andermans doel" not in html
    assert "Laatste feedback: Later" in html


def test_wijkdocent_sees_goals_stuck_in_review_and_students_without_goals(
    client, login_as, wijkdocent
):
    project = factories.make_project(owner=wijkdocent)
    with_goal, without_a, without_b = (factories.make_student() for _ in range(3))
    team = factories.make_team(project=project, members=[with_goal, without_a, without_b])
    stuck = factories.make_goal(
        team=team, student=with_goal, status="review_requested", title="Vastgelopen doel"
    )
    stuck.updated_at = utcnow() - timedelta(days=8)
    db.session.commit()
    fresh_project = factories.make_project()  # another wijkdocent's: not counted
    factories.make_team(project=fresh_project, members=[factories.make_student()])
    login_as(wijkdocent)
    html = client.get("/").get_data(as_text=True)
    assert "2 studenten zonder leerdoel" in html
    assert "1 leerdoel langer dan zeven dagen ter beoordeling" in html
    assert "Vastgelopen doel" in html


def test_teams_called_alike_are_named_with_their_project_on_the_student_pages(client, login_as):
    """Many teams are called "Team 1": wherever a team stands alone, its project goes with it."""
    student = factories.make_student()
    table = factories.make_team(
        name="Team 1", project=factories.make_project(title="Samen aan tafel"), members=[student]
    )
    garden = factories.make_team(
        name="Team 1", project=factories.make_project(title="Buurtmoestuin"), members=[student]
    )
    factories.make_task(team=table, participants=[student], title="Soep koken")
    factories.make_task(team=garden, participants=[student], title="Bakken bouwen")
    factories.make_goal(team=garden, student=student, title="Ik plan een werkdag")
    db.session.commit()
    login_as(student)

    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Praktijkverklaring voor Team 1 · Samen aan tafel" in html
    assert "Praktijkverklaring voor Team 1 · Buurtmoestuin" in html
    assert "Team 1 · Samen aan tafel · " in html  # the task in the team's activity
    goals = client.get("/goals/").get_data(as_text=True)
    assert "Team 1 · Buurtmoestuin" in goals
    hours = client.get(f"/students/{student.id}/hours")
    assert hours.status_code == 200
    assert "Samen aan tafel" in hours.get_data(as_text=True)
