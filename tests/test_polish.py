"""Smaller things met on the walk of issue 13: the builder with nobody to place, the code field
on /verify, one welcome after login, a phone-sized project filter and header, and a team shown
with its project."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import func, select

from tests import factories
from wijklab.extensions import db
from wijklab.teams.models import Team

CSS = Path(__file__).parents[1] / "static" / "css" / "app.css"


def test_builder_with_every_student_placed_shows_its_empty_state(client, login_as, wijkdocent):
    project = factories.make_project(owner=wijkdocent)
    factories.make_team(project=project, members=[factories.make_student()])
    teams_before = db.session.scalar(select(func.count(Team.id)))
    login_as(wijkdocent)
    response = client.get(f"/projects/{project.id}/builder?propose=1&team_count=1&seed=1")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Geen studenten om in teams te zetten." in html
    assert "Voorstel: 0 teams" not in html
    assert "Alle teams voldoen aan de regels." not in html
    assert 'value="accept"' not in html
    assert db.session.scalar(select(func.count(Team.id))) == teams_before


def test_verify_code_field_is_a_text_field_without_autocorrection(client):
    response = client.get("/verify")
    assert response.status_code == 200
    field = re.search(r'<input[^>]*id="code"[^>]*>', response.get_data(as_text=True)).group(0)
    for attribute in ('type="text"', 'autocomplete="off"', 'autocapitalize="off"'):
        assert attribute in field
    assert "inputmode=" in field


def test_login_says_welcome_once(client, app):
    user = factories.make_user(role="wijkdocent", name="Sem Visser")
    db.session.commit()
    response = client.post(
        "/auth/login",
        data={"email": user.email, "password": factories.PASSWORD},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.count("Welkom, Sem Visser") + html.count("Hallo, Sem Visser") == 1
    assert "Je bent ingelogd." in html


def test_selects_never_grow_wider_than_the_screen():
    css = CSS.read_text()
    assert re.search(r"\bselect \{[^}]*max-width: 100%", css)


def test_project_filter_keeps_a_long_partner_name(client, login_as, wijkdocent):
    partner = factories.make_organisation(
        name="Stichting Buurtwerk en Welzijn voor Jong en Oud in Groot-Noord en Omstreken"
    )
    factories.make_project(owner=wijkdocent, partner=partner)
    login_as(wijkdocent)
    response = client.get("/projects/")
    assert response.status_code == 200
    assert partner.name in response.get_data(as_text=True)


def test_the_phone_header_scrolls_its_menu_instead_of_wrapping():
    css = CSS.read_text()
    phone = css[css.rindex("@media (max-width: 40rem)") :]
    assert "overflow-x: auto" in phone and "flex-wrap: nowrap" in phone


def test_a_goal_move_says_what_happened(client, login_as):
    from wijklab.goals.models import GoalStatus, LearningGoal

    student = factories.make_student()
    team = factories.make_team(members=[student])
    goal = factories.make_goal(team=team, student=student, status=GoalStatus.DRAFT)
    db.session.commit()
    login_as(student)
    response = client.post(
        f"/goals/{goal.id}/transition",
        data={"action": "activate", "version": goal.version},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Leerdoel gestart." in response.get_data(as_text=True)
    assert "Leerdoel bijgewerkt." not in response.get_data(as_text=True)
    assert db.session.get(LearningGoal, goal.id).status == GoalStatus.ACTIVE
