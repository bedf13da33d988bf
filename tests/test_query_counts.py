"""List pages run a fixed number of SQL queries, whatever the amount of data."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from tests import factories
from wijklab.extensions import cache, db

# The test's own transaction control (conftest's outer transaction and savepoints), not the
# page's queries.
TRANSACTION_CONTROL = ("BEGIN", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


@contextmanager
def queries():
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def count_for(client, url: str, *, cold: bool = True) -> int:
    """The queries a GET of ``url`` runs; ``cold``: with the figures cache emptied first, so the
    count is the page's worst case, not what an earlier request left in the cache."""
    if cold:
        cache.clear()
    db.session.expire_all()
    with queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


def grow(n: int) -> None:
    neighbourhoods = [factories.make_neighbourhood() for _ in range(max(1, n // 5))]
    school = factories.make_organisation("school")
    for i in range(n):
        factories.make_organisation(neighbourhood=neighbourhoods[i % len(neighbourhoods)])
        factories.make_student(school=school)
        factories.make_supervisor()


@pytest.mark.parametrize("url", ["/users", "/organisations/", "/neighbourhoods/", "/"])
def test_list_pages_run_a_fixed_number_of_queries(client, login_as, admin, url):
    login_as(admin)
    grow(2)
    small = count_for(client, url)
    grow(20)
    large = count_for(client, url)
    assert small == large, f"{url}: {small} queries with little data, {large} with more"
    assert large <= 5  # 4, and 1 for the "Wacht op jou" count in the menu (issue 13)


def grow_projects(owner, n_projects: int, teams_per_project: int, members_per_team: int) -> int:
    partner = factories.make_organisation()
    neighbourhood = factories.make_neighbourhood()
    supervisor = factories.make_supervisor(organisation=partner)
    school = factories.make_organisation("school")
    last = None
    for _ in range(n_projects):
        last = factories.make_project(owner=owner, partner=partner, neighbourhood=neighbourhood)
        for _ in range(teams_per_project):
            members = [factories.make_student(school=school) for _ in range(members_per_team)]
            factories.make_team(project=last, supervisor=supervisor, members=members)
    return last.id


def test_project_list_runs_a_fixed_number_of_queries(client, login_as, wijkdocent):
    login_as(wijkdocent)
    grow_projects(wijkdocent, 2, 1, 1)
    small = count_for(client, "/projects/")
    grow_projects(wijkdocent, 12, 3, 3)
    large = count_for(client, "/projects/")
    assert small == large
    assert large <= 7  # 6, and 1 for the "Wacht op jou" count in the menu (issue 13)


def test_project_page_runs_a_fixed_number_of_queries(client, login_as, wijkdocent):
    login_as(wijkdocent)
    small_id = grow_projects(wijkdocent, 1, 1, 1)
    small = count_for(client, f"/projects/{small_id}")
    large_id = grow_projects(wijkdocent, 1, 6, 5)
    large = count_for(client, f"/projects/{large_id}")
    assert small == large, f"{small} queries for 1 team of 1, {large} for 6 teams of 5"


def test_team_page_runs_a_fixed_number_of_queries(client, login_as, wijkdocent):
    from sqlalchemy import select

    from wijklab.teams.models import Team

    login_as(wijkdocent)
    grow_projects(wijkdocent, 1, 1, 1)
    first = db.session.scalar(select(Team.id).order_by(Team.id))
    small = count_for(client, f"/teams/{first}")
    grow_projects(wijkdocent, 1, 1, 4)
    last = db.session.scalar(select(Team.id).order_by(Team.id.desc()))
    large = count_for(client, f"/teams/{last}")
    assert small == large


def grow_tasks(team, n: int) -> None:
    members = [m.student for m in team.memberships]
    for _ in range(n):
        factories.make_task(team=team, participants=members)


def test_team_activity_feed_runs_a_fixed_number_of_queries(client, login_as, wijkdocent):
    project = factories.make_project(owner=wijkdocent)
    team = factories.make_team(
        project=project, members=[factories.make_student() for _ in range(3)]
    )
    login_as(wijkdocent)
    grow_tasks(team, 1)
    small = count_for(client, f"/teams/{team.id}")
    grow_tasks(team, 15)
    large = count_for(client, f"/teams/{team.id}")
    assert small == large, f"{small} queries with 1 task, {large} with 16"


def test_waiting_list_runs_a_fixed_number_of_queries(client, login_as):
    supervisor = factories.make_supervisor()
    project = factories.make_project(partner=supervisor.supervisor_profile.organisation)
    teams = [
        factories.make_team(
            project=project, supervisor=supervisor, members=[factories.make_student()]
        )
        for _ in range(3)
    ]
    login_as(supervisor)
    grow_tasks(teams[0], 1)
    small = count_for(client, "/tasks/waiting")
    for team in teams:
        grow_tasks(team, 6)
    large = count_for(client, "/tasks/waiting")
    assert small == large, f"{small} queries with 1 task, {large} with 19"


def grow_goal(goal, n: int) -> None:
    from wijklab.goals.models import Feedback, GoalEvidence

    for _ in range(n):
        task = factories.make_task(team=goal.team, participants=[goal.student], status="verified")
        db.session.add(GoalEvidence(goal=goal, participation=task.participations[0]))
        db.session.add(
            Feedback(goal=goal, author=goal.team.supervisor, author_role="supervisor", comment="ok")
        )
    db.session.commit()


def test_goal_page_runs_a_fixed_number_of_queries(client, login_as):
    goal = factories.make_goal(status="review_requested")
    login_as(goal.team.supervisor)
    grow_goal(goal, 1)
    small = count_for(client, f"/goals/{goal.id}")
    grow_goal(goal, 8)
    large = count_for(client, f"/goals/{goal.id}")
    assert small == large, f"{small} queries with 1 piece of evidence, {large} with 9"


def test_goals_waiting_list_runs_a_fixed_number_of_queries(client, login_as):
    supervisor = factories.make_supervisor()
    project = factories.make_project(partner=supervisor.supervisor_profile.organisation)
    team = factories.make_team(
        project=project, supervisor=supervisor, members=[factories.make_student()]
    )
    login_as(supervisor)
    factories.make_goal(team=team, status="review_requested")
    small = count_for(client, "/goals/?status=review_requested")
    for _ in range(12):
        student = factories.make_student()
        extra = factories.make_team(project=project, supervisor=supervisor, members=[student])
        factories.make_goal(team=extra, student=student, status="review_requested")
    large = count_for(client, "/goals/?status=review_requested")
    assert small == large
