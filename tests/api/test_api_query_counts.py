"""API lists run the same number of SQL queries for 1 object as for 10."""

from __future__ import annotations

from tests import factories
from tests.api.conftest import bearer, make_token
from tests.test_query_counts import queries
from wijklab.extensions import db


def _count(client, url: str, headers: dict) -> int:
    db.session.commit()
    db.session.expire_all()
    with queries() as statements:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, response.get_json()
    return len(statements)


def _warm(client, headers: dict) -> None:
    """The first use of a token notes it (one write); the counts are about the lists."""
    assert client.get("/api/v1/me", headers=headers).status_code == 200


def test_the_project_list_runs_a_fixed_number_of_queries(client, world):
    # The supervisor's list is scoped in SQL to the projects of their teams: one, then ten.
    headers = bearer(make_token(world.supervisor, "read"))
    _warm(client, headers)
    url = "/api/v1/projects?per_page=100"
    small = _count(client, url, headers)
    assert client.get(url, headers=headers).get_json()["total"] == 1
    for _ in range(9):
        project = factories.make_project(partner=world.project.partner)
        factories.make_team(
            project=project,
            supervisor=world.supervisor,
            members=[factories.make_student()],
        )
    large = _count(client, url, headers)
    assert client.get(url, headers=headers).get_json()["total"] == 10
    assert small == large, f"{small} queries with 1 project, {large} with 10"


def test_the_team_task_list_runs_a_fixed_number_of_queries(client, world):
    headers = bearer(make_token(world.supervisor, "read"))
    _warm(client, headers)
    url = f"/api/v1/teams/{world.team.id}/tasks?per_page=100"
    factories.make_task(team=world.team, participants=[world.student])
    small = _count(client, url, headers)
    for _ in range(9):
        factories.make_task(
            team=world.team, participants=[world.student, world.teammate], minutes=30
        )
    large = _count(client, url, headers)
    assert small == large, f"{small} queries with 1 task, {large} with 10"


def test_a_project_and_a_team_run_a_fixed_number_of_queries(client, world):
    headers = bearer(make_token(world.wijkdocent, "read"))
    _warm(client, headers)
    project_url = f"/api/v1/projects/{world.project.id}"
    team_url = f"/api/v1/teams/{world.team.id}"
    small = (_count(client, project_url, headers), _count(client, team_url, headers))
    for _ in range(9):
        factories.make_team(project=world.project, members=[factories.make_student()])
    for _ in range(9):
        student = factories.make_student()
        from wijklab.teams.models import TeamMembership

        db.session.add(
            TeamMembership(team=world.team, student=student, joined_on=world.project.start_date)
        )
    db.session.flush()
    large = (_count(client, project_url, headers), _count(client, team_url, headers))
    assert small == large
