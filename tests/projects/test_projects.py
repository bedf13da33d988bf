"""Projects: create, edit, status, list and page, for each role."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from tests import factories
from wijklab.extensions import db
from wijklab.projects.models import Project, ProjectStatus


def project_count() -> int:
    return db.session.scalar(select(func.count(Project.id)))


@pytest.fixture
def places():
    return {
        "neighbourhood": factories.make_neighbourhood(name="Schilderswijk"),
        "partner": factories.make_organisation("partner", name="Buurtcentrum De Mussen"),
        "school": factories.make_organisation("school", name="ROC Mondriaan"),
    }


def form_data(places, **overrides):
    data = {
        "title": "Samen eten in de Schilderswijk",
        "neighbourhood_id": str(places["neighbourhood"].id),
        "partner_id": str(places["partner"].id),
        "summary": "Wekelijkse buurtmaaltijd met bewoners.",
        "aims": "Minder eenzaamheid onder ouderen.",
        "expectations": "Dinsdag en donderdag, acht uur per week.",
        "supervision": "Petra begeleidt elke dinsdag.",
        "hours_per_week": "8",
        "start_date": "2026-09-01",
        "end_date": "2027-01-31",
        "weekdays": ["1", "3"],
        "min_mbo": "1",
        "min_hbo": "1",
        "max_size": "6",
    }
    data.update(overrides)
    return data


def test_wijkdocent_creates_a_draft_project(client, login_as, wijkdocent, places):
    login_as(wijkdocent)
    response = client.post("/projects/new", data=form_data(places))
    assert response.status_code == 302
    project = db.session.scalar(select(Project))
    assert response.headers["Location"] == f"/projects/{project.id}"
    assert project.owner_id == wijkdocent.id and project.status == ProjectStatus.DRAFT
    assert project.weekdays == frozenset({1, 3}) and project.max_size == 6
    assert project.start_date == date(2026, 9, 1)


def test_new_project_form_has_the_defaults(client, login_as, wijkdocent, places):
    login_as(wijkdocent)
    html = client.get("/projects/new").get_data(as_text=True)
    assert re.search(r'<input[^>]*name="min_mbo"[^>]*value="1"', html)
    assert re.search(r'<input[^>]*name="max_size"[^>]*value="8"', html)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "Dit veld is verplicht."),
        ({"title": "x" * 161}, "160"),
        ({"end_date": "2026-08-01"}, "De einddatum moet op of na de startdatum liggen."),
        ({"start_date": "morgen"}, "Ongeldige datum"),
        ({"start_date": "1900-01-01"}, "tussen 2000 en 2100"),
        ({"weekdays": []}, "Kies minstens één dag."),
        ({"weekdays": ["8"]}, "ongeldige keuze"),
        ({"max_size": "2", "min_mbo": "2", "min_hbo": "1"}, "passen niet"),
        ({"max_size": "0"}, "Kies 1 tot en met 30."),
        ({"hours_per_week": "41"}, "Kies 0 tot en met 40 uur."),
        ({"neighbourhood_id": "9999"}, "Kies een van de mogelijkheden"),
        ({"partner_id": ""}, "Dit veld is verplicht."),
        ({"summary": "x" * 8001}, "8000"),
    ],
)
def test_bad_project_input_is_refused(client, login_as, wijkdocent, places, overrides, message):
    login_as(wijkdocent)
    response = client.post("/projects/new", data=form_data(places, **overrides))
    assert response.status_code == 422
    assert message.lower() in response.get_data(as_text=True).lower()
    assert project_count() == 0


def test_a_school_cannot_be_the_partner(client, login_as, wijkdocent, places):
    login_as(wijkdocent)
    response = client.post(
        "/projects/new", data=form_data(places, partner_id=str(places["school"].id))
    )
    assert response.status_code == 422
    assert project_count() == 0


def test_failed_submit_keeps_the_typed_text(client, login_as, wijkdocent, places):
    login_as(wijkdocent)
    html = client.post(
        "/projects/new", data=form_data(places, end_date="2020-01-01", title="Zoë's buurtfeest")
    ).get_data(as_text=True)
    assert "Zoë&#39;s buurtfeest" in html and "Wekelijkse buurtmaaltijd met bewoners." in html


def test_owner_edits_the_project(client, login_as, wijkdocent, places):
    project = factories.make_project(owner=wijkdocent, **places_for(places))
    login_as(wijkdocent)
    response = client.post(
        f"/projects/{project.id}/edit", data=form_data(places, title="Nieuwe titel")
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Project, project.id).title == "Nieuwe titel"


def places_for(places):
    return {"partner": places["partner"], "neighbourhood": places["neighbourhood"]}


def test_edit_cannot_shrink_the_period_below_a_team(client, login_as, wijkdocent, places):
    project = factories.make_project(owner=wijkdocent, **places_for(places))
    factories.make_team(project=project, name="Dinsdagteam")
    login_as(wijkdocent)
    response = client.post(
        f"/projects/{project.id}/edit", data=form_data(places, end_date="2026-12-31")
    )
    assert response.status_code == 422
    assert "Dinsdagteam" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Project, project.id).end_date == date(2027, 6, 30)


def test_other_wijkdocent_can_view_but_not_edit(client, login_as, places):
    project = factories.make_project(**places_for(places))
    other = factories.make_user(role="wijkdocent")
    login_as(other)
    assert client.get(f"/projects/{project.id}").status_code == 200
    assert client.get(f"/projects/{project.id}/edit").status_code == 403
    response = client.post(f"/projects/{project.id}/edit", data=form_data(places, title="Gekaapt"))
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Project, project.id).title != "Gekaapt"
    assert client.post(f"/projects/{project.id}/complete").status_code == 403


def test_admin_may_edit_any_project(client, login_as, admin, places):
    project = factories.make_project(**places_for(places))
    login_as(admin)
    assert client.post(f"/projects/{project.id}/edit", data=form_data(places)).status_code == 302


def test_status_moves_forward_only(client, login_as, wijkdocent, places):
    project = factories.make_project(owner=wijkdocent, status=ProjectStatus.ACTIVE)
    login_as(wijkdocent)
    assert client.post(f"/projects/{project.id}/archive").status_code == 303
    db.session.expire_all()
    assert db.session.get(Project, project.id).status == ProjectStatus.ACTIVE
    assert client.post(f"/projects/{project.id}/complete").status_code == 302
    assert client.post(f"/projects/{project.id}/complete").status_code == 303
    assert client.post(f"/projects/{project.id}/archive").status_code == 302
    db.session.expire_all()
    assert db.session.get(Project, project.id).status == ProjectStatus.ARCHIVED


def test_archived_project_cannot_be_edited(client, login_as, wijkdocent, places):
    project = factories.make_project(
        owner=wijkdocent, status=ProjectStatus.ARCHIVED, **places_for(places)
    )
    login_as(wijkdocent)
    response = client.post(f"/projects/{project.id}/edit", data=form_data(places, title="Nee"))
    assert response.status_code == 422
    assert "gearchiveerd project kan niet meer" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Project, project.id).title != "Nee"


def test_unknown_project_is_404(client, login_as, wijkdocent):
    login_as(wijkdocent)
    assert client.get("/projects/999").status_code == 404
    assert client.get("/projects/999/edit").status_code == 404


# --- the list --------------------------------------------------------------------------------


def test_list_filters_and_search(client, login_as, wijkdocent):
    mine = factories.make_project(owner=wijkdocent, title="Buurtmaaltijd Schilderswijk")
    other = factories.make_project(title="Taalcafé Feijenoord", status=ProjectStatus.ACTIVE)
    login_as(wijkdocent)

    def titles(**args):
        html = client.get("/projects/", query_string=args).get_data(as_text=True)
        return {t for t in (mine.title, other.title) if t in html}

    assert titles() == {mine.title, other.title}
    assert titles(q="taalcafé") == {other.title}
    assert titles(mine="1") == {mine.title}
    assert titles(status="active") == {other.title}
    assert titles(neighbourhood=mine.neighbourhood_id) == {mine.title}
    assert titles(partner=other.partner_id) == {other.title}
    assert titles(status="onzin", neighbourhood="abc") == {mine.title, other.title}


def test_list_is_paginated(client, login_as, wijkdocent):
    partner = factories.make_organisation()
    neighbourhood = factories.make_neighbourhood()
    for i in range(30):
        factories.make_project(
            owner=wijkdocent, partner=partner, neighbourhood=neighbourhood, title=f"P{i:02d}"
        )
    login_as(wijkdocent)
    html = client.get("/projects/?page=2").get_data(as_text=True)
    assert "Pagina 2 van 2" in html and html.count('class="card"') == 5


def test_student_sees_only_the_projects_of_their_teams(client, login_as, student):
    theirs = factories.make_project(title="Hun project")
    factories.make_team(project=theirs, members=[student])
    hidden = factories.make_project(title="Ander project")
    login_as(student)
    html = client.get("/projects/").get_data(as_text=True)
    assert "Hun project" in html and "Ander project" not in html
    assert client.get(f"/projects/{theirs.id}").status_code == 200
    assert client.get(f"/projects/{hidden.id}").status_code == 404
    assert client.get("/projects/new").status_code == 403


def test_supervisor_sees_only_projects_where_they_supervise(client, login_as):
    theirs = factories.make_project(title="Begeleid project")
    team = factories.make_team(project=theirs)
    hidden = factories.make_project(title="Niet begeleid")
    login_as(team.supervisor)
    html = client.get("/projects/").get_data(as_text=True)
    assert "Begeleid project" in html and "Niet begeleid" not in html
    assert client.get(f"/projects/{hidden.id}").status_code == 404


def test_project_page_shows_brief_teams_members_and_supervisor(client, login_as, wijkdocent):
    project = factories.make_project(
        owner=wijkdocent, summary="Wekelijkse buurtmaaltijd", expectations="Op dinsdag koken"
    )
    coach = factories.make_student(name="Yassine El Idrissi", level="hbo", study_year=3)
    junior = factories.make_student(name="Zoë Bakker", level="mbo", study_year=1)
    team = factories.make_team(project=project, members=[coach, junior], coach=coach)
    login_as(wijkdocent)
    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    for text in (
        "Wekelijkse buurtmaaltijd",
        "Op dinsdag koken",
        team.name,
        team.supervisor.name,
        "Yassine El Idrissi",
        "Zoë Bakker",
        "peercoach",
    ):
        assert text in html


def test_supervisor_does_not_see_members_of_teams_they_do_not_supervise(client, login_as):
    project = factories.make_project()
    mine = factories.make_team(
        project=project, members=[factories.make_student(name="Mijn Student")]
    )
    factories.make_team(project=project, members=[factories.make_student(name="Andere Student")])
    login_as(mine.supervisor)
    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "Mijn Student" in html and "Andere Student" not in html
