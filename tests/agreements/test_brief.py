"""Students read the brief of projects open to them before they are placed: active, not yet
ended, suitable for their level and year, open to their school; never the teams or members."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests import factories
from tests.test_query_counts import count_for
from wijklab.extensions import db
from wijklab.projects.models import Project, ProjectStatus

TODAY = date(2026, 10, 1)


@pytest.fixture
def world(app, clock, wijkdocent):
    clock.set(TODAY)
    school = factories.make_organisation("school", name="ROC Mondriaan")
    other_school = factories.make_organisation("school", name="Haagse Hogeschool")
    student = factories.make_student(
        name="Zoë van den Berg", level="mbo", study_year=2, school=school
    )

    def project(title, *, levels=("mbo", "hbo"), years=(1, 2, 3, 4), **values):
        values.setdefault("status", ProjectStatus.ACTIVE)
        partner = factories.make_organisation(
            "partner", suitable_levels=frozenset(levels), suitable_years=frozenset(years)
        )
        return factories.make_project(owner=wijkdocent, partner=partner, title=title, **values)

    open_to_all = project(
        "Buurtkamer Noord",
        summary="Een buurtkamer waar bewoners elkaar ontmoeten.",
        expectations="Je organiseert activiteiten met bewoners.",
    )
    factories.make_team(
        project=open_to_all,
        name="Team Geheim",
        members=[factories.make_student(name="Jesse de Groot")],
    )
    projects = {
        "open_to_all": open_to_all,
        "own_school": project("Taalcafé", school=school),
        "no_levels_set": project("Moestuin", levels=(), years=()),
        "other_school": project("Jongerenwerk", school=other_school),
        "hbo_only": project("Wijkonderzoek", levels=("hbo",)),
        "years_3_4": project("Mantelzorg", years=(3, 4)),
        "draft": project("Nog in concept", status=ProjectStatus.DRAFT),
        "ended": project("Zomerschool", start_date=date(2026, 6, 1), end_date=date(2026, 8, 31)),
    }
    return {"student": student, "school": school, "other_school": other_school, **projects}


OPEN = ["open_to_all", "own_school", "no_levels_set"]
CLOSED = ["other_school", "hbo_only", "years_3_4", "draft", "ended"]


def test_a_student_sees_the_projects_open_to_them(world, client, login_as):
    login_as(world["student"])
    html = client.get("/projects/open").get_data(as_text=True)
    for name in OPEN:
        assert world[name].title in html, name
    for name in CLOSED:
        assert world[name].title not in html, name
    assert "Een buurtkamer waar bewoners elkaar ontmoeten." in html


@pytest.mark.parametrize("name", OPEN)
def test_a_student_reads_the_brief_of_an_open_project(world, client, login_as, name):
    login_as(world["student"])
    response = client.get(f"/projects/{world[name].id}/brief")
    assert response.status_code == 200
    assert world[name].title in response.get_data(as_text=True)


@pytest.mark.parametrize("name", CLOSED)
def test_a_student_does_not_see_the_brief_of_a_project_not_open_to_them(
    world, client, login_as, name
):
    login_as(world["student"])
    assert client.get(f"/projects/{world[name].id}/brief").status_code == 404


def test_the_brief_shows_no_teams_or_members(world, client, login_as):
    login_as(world["student"])
    html = client.get(f"/projects/{world['open_to_all'].id}/brief").get_data(as_text=True)
    assert "Je organiseert activiteiten met bewoners." in html
    assert "Team Geheim" not in html and "Jesse de Groot" not in html
    # the project page itself, with its teams, stays closed to a student not placed in it
    assert client.get(f"/projects/{world['open_to_all'].id}").status_code == 404


def test_a_student_of_another_level_does_not_see_an_hbo_only_project(world, client, login_as):
    hbo = factories.make_student(level="hbo", study_year=3, school=world["school"])
    login_as(hbo)
    html = client.get("/projects/open").get_data(as_text=True)
    assert world["hbo_only"].title in html and world["years_3_4"].title in html
    assert world["other_school"].title not in html


def test_staff_read_every_brief(world, client, login_as, wijkdocent, admin):
    for user in (wijkdocent, admin):
        login_as(user)
        assert client.get(f"/projects/{world['other_school'].id}/brief").status_code == 200


def test_a_supervisor_reads_only_briefs_of_their_projects(world, client, login_as):
    supervisor = factories.make_supervisor()
    factories.make_team(project=world["own_school"], supervisor=supervisor)
    login_as(supervisor)
    assert client.get(f"/projects/{world['own_school'].id}/brief").status_code == 200
    assert client.get(f"/projects/{world['open_to_all'].id}/brief").status_code == 404


def test_the_open_pages_send_anonymous_users_to_login(world, client):
    for url in ("/projects/open", f"/projects/{world['open_to_all'].id}/brief"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/auth/login")


def test_the_brief_of_a_missing_project_is_not_found(world, client, login_as, admin):
    login_as(admin)
    assert client.get("/projects/999999/brief").status_code == 404


def test_the_student_pages_link_to_the_open_projects(world, client, login_as):
    login_as(world["student"])
    assert "/projects/open" in client.get("/").get_data(as_text=True)
    assert "/projects/open" in client.get("/projects/").get_data(as_text=True)


def test_the_open_list_runs_a_fixed_number_of_queries(world, client, login_as, wijkdocent):
    login_as(world["student"])
    small = count_for(client, "/projects/open")
    for _ in range(10):
        factories.make_project(owner=wijkdocent, status=ProjectStatus.ACTIVE)
    large = count_for(client, "/projects/open")
    assert small == large


# --- the school on the project form --------------------------------------------------------


def project_form(world, **changes) -> dict:
    data = {
        "title": "Buurtmoestuin",
        "neighbourhood_id": str(factories.make_neighbourhood().id),
        "partner_id": str(factories.make_organisation("partner").id),
        "school_id": str(world["school"].id),
        "start_date": "2026-09-01",
        "end_date": "2027-06-30",
        "weekdays": ["1", "2"],
        "hours_per_week": "8",
        "min_mbo": "1",
        "min_hbo": "1",
        "max_size": "8",
    }
    data.update(changes)
    return data


def test_a_wijkdocent_opens_a_project_to_one_school(world, client, login_as, wijkdocent):
    login_as(wijkdocent)
    response = client.post("/projects/new", data=project_form(world))
    assert response.status_code == 302
    project = db.session.scalar(select(Project).where(Project.title == "Buurtmoestuin"))
    assert project.school_id == world["school"].id


def test_an_empty_school_opens_a_project_to_every_school(world, client, login_as, wijkdocent):
    login_as(wijkdocent)
    response = client.post("/projects/new", data=project_form(world, school_id=""))
    assert response.status_code == 302
    project = db.session.scalar(select(Project).where(Project.title == "Buurtmoestuin"))
    assert project.school_id is None


def test_a_partner_is_refused_as_the_school(world, client, login_as, wijkdocent):
    login_as(wijkdocent)
    partner = factories.make_organisation("partner")
    response = client.post("/projects/new", data=project_form(world, school_id=str(partner.id)))
    assert response.status_code == 422
    assert "Kies een van de mogelijkheden uit de lijst." in response.get_data(as_text=True)
    assert db.session.scalar(select(Project).where(Project.title == "Buurtmoestuin")) is None
