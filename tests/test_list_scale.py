"""List pages do not grow with the data: the same number of SQL queries (at most 12) with ten
times the data, and a page under 100 KB (issue 16)."""

from __future__ import annotations

import pytest

from tests import factories
from tests.test_query_counts import queries
from wijklab.extensions import db
from wijklab.projects.models import ProjectStatus

MAX_QUERIES = 12
MAX_BYTES = 100_000


@pytest.fixture
def city(app, admin, wijkdocent, student):
    """A city that grows by ``grow()`` units: each one a neighbourhood, a partner with a
    supervisor, a school, an active project of ``wijkdocent`` open to ``student``, two teams of
    three students with a task each and an accepted start agreement; the first project gains a
    team per unit as well."""
    school = student.student_profile.school
    state: dict = {"first": None}

    def grow(units: int) -> None:
        for _ in range(units):
            neighbourhood = factories.make_neighbourhood()
            partner = factories.make_organisation(neighbourhood=neighbourhood)
            supervisor = factories.make_supervisor(organisation=partner)
            factories.make_organisation("school")
            project = factories.make_project(
                owner=wijkdocent,
                partner=partner,
                neighbourhood=neighbourhood,
                status=ProjectStatus.ACTIVE,
            )
            state["first"] = state["first"] or project
            for target in (project, project, state["first"]):
                members = [factories.make_student(school=school) for _ in range(3)]
                team = factories.make_team(project=target, supervisor=supervisor, members=members)
                factories.make_task(team=team, participants=members)
                factories.make_agreement(team, members[0])
        db.session.flush()

    grow(1)
    state["grow"] = grow
    return state


def measure(client, url: str) -> tuple[int, int]:
    # The mail the new start agreements queued goes out after the first request: not the page's.
    client.get(url)
    db.session.expire_all()
    with queries() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements), len(response.get_data())


PAGES = [
    ("admin", "/users"),
    ("admin", "/organisations/"),
    ("admin", "/neighbourhoods/"),
    ("admin", "/projects/"),
    ("admin", "/agreements"),
    ("admin", "/statements"),
    ("admin", "/exports/"),
    ("wijkdocent", "/projects/"),
    ("wijkdocent", "/projects/{first}"),
    ("wijkdocent", "/projects/{first}/wishes"),
    ("wijkdocent", "/tasks/waiting"),
    ("wijkdocent", "/agreements"),
    ("wijkdocent", "/exports/"),
    ("student", "/projects/open"),
    ("student", "/me/availability"),
]


@pytest.mark.parametrize(("who", "url"), PAGES)
def test_a_list_page_runs_the_same_queries_with_ten_times_the_data(
    city, client, login_as, users_by_role, who, url
):
    login_as(users_by_role[who])
    url = url.format(first=city["first"].id)
    small, _ = measure(client, url)
    city["grow"](9)
    large, size = measure(client, url)
    assert (small, large) == (small, small), f"{url}: {small} queries at 1x, {large} at 10x"
    assert large <= MAX_QUERIES, f"{url}: {large} queries"
    assert size < MAX_BYTES, f"{url}: {size} bytes"


def test_a_project_with_many_teams_shows_them_a_page_at_a_time(client, login_as, wijkdocent):
    project = factories.make_project(owner=wijkdocent, title="Grote wijk")
    supervisor = factories.make_supervisor(organisation=project.partner)
    for n in range(30):
        factories.make_team(project=project, supervisor=supervisor, name=f"Ploeg {n:02d}")
    login_as(wijkdocent)
    first = client.get(f"/projects/{project.id}").get_data(as_text=True)
    second = client.get(f"/projects/{project.id}?page=2").get_data(as_text=True)
    assert first.count('class="card team-card"') == 25
    assert second.count('class="card team-card"') == 5
    assert "Ploeg 29" not in first and "Ploeg 29" in second
    assert "Pagina 2 van 2" in second
