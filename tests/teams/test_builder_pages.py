"""The builder's page: partner's years, the supervisor's room, wishes, reasons, names, marks."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.teams.test_teams import proposal_post_data
from wijklab.extensions import db
from wijklab.projects.models import ProjectWish
from wijklab.teams.models import MemberRole, Team, TeamMembership


@pytest.fixture
def project(wijkdocent):
    partner = factories.make_organisation("partner", suitable_years=frozenset({2, 3, 4}))
    neighbourhood = factories.make_neighbourhood(name="Schilderswijk")
    return factories.make_project(
        owner=wijkdocent,
        partner=partner,
        neighbourhood=neighbourhood,
        min_mbo=1,
        min_hbo=1,
        max_size=4,
        weekdays=frozenset({1, 3}),
    )


def pool():
    school = factories.make_organisation("school", name="ROC Mondriaan")
    return [
        factories.make_student(level=level, study_year=year, school=school, name=name)
        for level, year, name in [
            ("mbo", 2, "Mila"),
            ("mbo", 3, "Noah"),
            ("hbo", 2, "Sara"),
            ("hbo", 4, "Daan"),
            ("mbo", 1, "Eerstejaars Emma"),
        ]
    ]


def propose(client, project, **args):
    query = "&".join(f"{k}={v}" for k, v in {"propose": 1, "team_count": 1, **args}.items())
    return client.get(f"/projects/{project.id}/builder?{query}")


def test_first_years_stay_out_for_a_partner_of_years_2_to_4(client, login_as, wijkdocent, project):
    pool()
    login_as(wijkdocent)
    html = propose(client, project).get_data(as_text=True)
    unplaced = html[html.index("Niet geplaatst") :]
    assert "Eerstejaars Emma" in unplaced
    assert "de partner neemt dit studiejaar niet aan" in unplaced
    assert "door jou uit de teams gehaald" not in html
    assert "ROC Mondriaan" in html and "dinsdag" in html


def test_the_default_name_is_by_weekday_and_neighbourhood(client, login_as, wijkdocent, project):
    pool()
    login_as(wijkdocent)
    html = propose(client, project).get_data(as_text=True)
    assert 'value="Dinsdagteam Schilderswijk"' in html


def test_wish_counts_are_shown(client, login_as, wijkdocent, project):
    students = pool()
    db.session.add(ProjectWish(student_id=students[0].id, project_id=project.id, rank=1))
    db.session.add(ProjectWish(student_id=students[2].id, project_id=project.id, rank=2))
    db.session.flush()
    login_as(wijkdocent)
    html = propose(client, project).get_data(as_text=True)
    assert "1 kregen hun eerste wens, 1 hun tweede, 0 hun derde, 2 geen wens." in html
    assert "wens 1" in html


def test_accepting_keeps_the_chosen_name_and_peer_coach(client, login_as, wijkdocent, project):
    students = pool()
    supervisor = factories.make_supervisor(organisation=project.partner)
    login_as(wijkdocent)
    html = propose(client, project).get_data(as_text=True)
    sara = students[2]
    data = proposal_post_data(html) | {
        "name_1": "De Schilders",
        "coach_1": str(sara.id),
    }
    checked = client.post(f"/projects/{project.id}/builder", data=data | {"action": "check"})
    page = checked.get_data(as_text=True)
    assert checked.status_code == 200
    assert re.search(rf'name="coach_1" value="{sara.id}" checked', page)
    assert "door jou uit de teams gehaald" not in page  # Emma was never placed
    data |= {"action": "accept", "supervisor_id": str(supervisor.id)}
    response = client.post(f"/projects/{project.id}/builder", data=data)
    assert response.status_code == 302
    team = db.session.scalar(select(Team))
    assert team.name == "De Schilders"
    coach = [m.student_id for m in team.memberships if m.role == MemberRole.PEER_COACH]
    assert coach == [sara.id]


def test_a_student_taken_out_by_hand_says_so(client, login_as, wijkdocent, project):
    students = pool()
    login_as(wijkdocent)
    data = proposal_post_data(propose(client, project).get_data(as_text=True))
    data[f"team_{students[0].id}"] = "0"
    html = client.post(f"/projects/{project.id}/builder", data=data | {"action": "check"}).get_data(
        as_text=True
    )
    assert "door jou uit de teams gehaald" in html


def test_a_full_supervisor_blocks_accepting(client, login_as, wijkdocent, project):
    pool()
    supervisor = factories.make_supervisor(organisation=project.partner)
    supervisor.supervisor_profile.supervision_hours_per_week = 1  # room for two students
    db.session.flush()
    login_as(wijkdocent)
    data = proposal_post_data(propose(client, project).get_data(as_text=True))
    data |= {"action": "accept", "supervisor_id": str(supervisor.id)}
    response = client.post(f"/projects/{project.id}/builder", data=data)
    assert response.status_code == 422
    assert "de werkbegeleider heeft ruimte voor 2 studenten" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(TeamMembership.id))) == 0


def test_the_planner_gives_a_supervisor_no_more_than_their_room(
    client, login_as, wijkdocent, project
):
    pool()
    supervisor = factories.make_supervisor(organisation=project.partner)
    supervisor.supervisor_profile.supervision_hours_per_week = 1
    db.session.flush()
    login_as(wijkdocent)
    html = propose(client, project, supervisor_id=supervisor.id).get_data(as_text=True)
    assert html.count("de werkbegeleider heeft geen ruimte meer") == 2


def test_check_again_without_csrf_is_400(app, client, login_as, wijkdocent, project):
    login_as(wijkdocent)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(f"/projects/{project.id}/builder", data={"teams": "1"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
