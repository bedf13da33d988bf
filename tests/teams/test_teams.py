"""Teams: composition, members, peer coach, handover, activation and the builder's pages."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from tests import factories
from wijklab.extensions import db
from wijklab.projects.models import Project, ProjectStatus
from wijklab.teams.models import MemberRole, Team, TeamMembership


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


@pytest.fixture
def project(wijkdocent):
    return factories.make_project(owner=wijkdocent, min_mbo=1, min_hbo=1, max_size=4)


@pytest.fixture
def team(project):
    return factories.make_team(project=project, name="Dinsdagteam")


def team_form(team_supervisor, **overrides):
    data = {
        "name": "Donderdagteam",
        "supervisor_id": str(team_supervisor.id),
        "start_date": "2026-09-01",
        "end_date": "2027-01-31",
    }
    data.update(overrides)
    return data


# --- creating teams --------------------------------------------------------------------------


def test_wijkdocent_creates_a_team_with_a_partner_supervisor(client, login_as, wijkdocent, project):
    supervisor = factories.make_supervisor(organisation=project.partner, name="Petra de Vries")
    login_as(wijkdocent)
    form = client.get(f"/projects/{project.id}/teams/new").get_data(as_text=True)
    assert "Petra de Vries" in form
    response = client.post(f"/projects/{project.id}/teams/new", data=team_form(supervisor))
    assert response.status_code == 302
    team = db.session.scalar(select(Team))
    assert team.name == "Donderdagteam" and team.supervisor_id == supervisor.id


def test_supervisor_of_another_organisation_is_refused(client, login_as, wijkdocent, project):
    outsider = factories.make_supervisor()  # works at another partner
    login_as(wijkdocent)
    response = client.post(f"/projects/{project.id}/teams/new", data=team_form(outsider))
    assert response.status_code == 422
    assert count(Team) == 0


def test_a_student_cannot_be_the_supervisor(client, login_as, wijkdocent, project, student):
    login_as(wijkdocent)
    response = client.post(f"/projects/{project.id}/teams/new", data=team_form(student))
    assert response.status_code == 422
    assert count(Team) == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"start_date": "2026-08-01"}, "binnen de projectperiode"),
        ({"end_date": "2027-07-01"}, "binnen de projectperiode"),
        ({"end_date": "2026-08-31"}, "De einddatum moet op of na de startdatum liggen."),
        ({"name": ""}, "Dit veld is verplicht."),
        ({"name": "x" * 81}, "80"),
        ({"start_date": "31-02-2027"}, "Ongeldige datum"),
    ],
)
def test_bad_team_input_is_refused(client, login_as, wijkdocent, project, overrides, message):
    supervisor = factories.make_supervisor(organisation=project.partner)
    login_as(wijkdocent)
    response = client.post(
        f"/projects/{project.id}/teams/new", data=team_form(supervisor, **overrides)
    )
    assert response.status_code == 422
    assert message.lower() in response.get_data(as_text=True).lower()
    assert count(Team) == 0


def test_team_names_are_unique_within_a_project(client, login_as, wijkdocent, project, team):
    login_as(wijkdocent)
    response = client.post(
        f"/projects/{project.id}/teams/new",
        data=team_form(team.supervisor, name="dinsdagteam"),
    )
    assert response.status_code == 422
    assert count(Team) == 1


def test_completed_project_takes_no_new_team(client, login_as, wijkdocent):
    project = factories.make_project(owner=wijkdocent, status=ProjectStatus.COMPLETED)
    supervisor = factories.make_supervisor(organisation=project.partner)
    login_as(wijkdocent)
    response = client.post(f"/projects/{project.id}/teams/new", data=team_form(supervisor))
    assert response.status_code == 422
    assert count(Team) == 0


# --- members ---------------------------------------------------------------------------------


def test_wijkdocent_adds_a_member(client, login_as, wijkdocent, team):
    student = factories.make_student(name="Ayşe Demir")
    login_as(wijkdocent)
    response = client.post(f"/teams/{team.id}/members", data={"student_id": student.id})
    assert response.status_code == 302
    membership = db.session.scalar(select(TeamMembership))
    assert membership.student_id == student.id and membership.role == MemberRole.MEMBER
    assert membership.left_on is None


def test_a_non_student_cannot_be_a_member(client, login_as, wijkdocent, team):
    other = factories.make_user(role="wijkdocent")
    login_as(wijkdocent)
    response = client.post(f"/teams/{team.id}/members", data={"student_id": other.id})
    assert response.status_code == 422
    assert count(TeamMembership) == 0


def test_the_same_student_twice_is_refused(client, login_as, wijkdocent, project):
    student = factories.make_student()
    team = factories.make_team(project=project, members=[student])
    login_as(wijkdocent)
    response = client.post(f"/teams/{team.id}/members", data={"student_id": student.id})
    assert response.status_code == 422
    assert count(TeamMembership) == 1


def test_a_full_team_takes_nobody_more(client, login_as, wijkdocent, project):
    team = factories.make_team(
        project=project, members=[factories.make_student() for _ in range(4)]
    )
    newcomer = factories.make_student()
    login_as(wijkdocent)
    response = client.post(f"/teams/{team.id}/members", data={"student_id": newcomer.id})
    assert response.status_code == 422
    assert "Dit team is vol" in response.get_data(as_text=True)
    assert count(TeamMembership) == 4


def test_completed_project_takes_no_new_members(client, login_as, wijkdocent):
    project = factories.make_project(owner=wijkdocent, status=ProjectStatus.COMPLETED)
    team = factories.make_team(project=project)
    login_as(wijkdocent)
    response = client.post(
        f"/teams/{team.id}/members", data={"student_id": factories.make_student().id}
    )
    assert response.status_code == 422
    assert count(TeamMembership) == 0


def test_unknown_student_id_is_refused(client, login_as, wijkdocent, team):
    login_as(wijkdocent)
    for bad in ("99999", "abc", ""):
        response = client.post(f"/teams/{team.id}/members", data={"student_id": bad})
        assert response.status_code == 422
    assert count(TeamMembership) == 0


def test_removing_a_member_keeps_the_membership_with_a_left_date(
    client, login_as, wijkdocent, project
):
    student = factories.make_student()
    team = factories.make_team(project=project, members=[student], coach=student)
    membership = team.memberships[0]
    login_as(wijkdocent)
    response = client.post(f"/teams/{team.id}/members/{membership.id}/remove")
    assert response.status_code == 302
    db.session.expire_all()
    membership = db.session.get(TeamMembership, membership.id)
    assert membership.left_on is not None and membership.role == MemberRole.MEMBER
    html = client.get(f"/teams/{team.id}").get_data(as_text=True)
    assert "Oud-leden (1)" in html


def test_a_removed_member_can_rejoin(client, login_as, wijkdocent, project):
    student = factories.make_student()
    team = factories.make_team(project=project, members=[student])
    membership = team.memberships[0]
    login_as(wijkdocent)
    client.post(f"/teams/{team.id}/members/{membership.id}/remove")
    response = client.post(f"/teams/{team.id}/members", data={"student_id": student.id})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(TeamMembership, membership.id).left_on is None
    assert count(TeamMembership) == 1


def test_membership_of_another_team_is_404(client, login_as, wijkdocent, project):
    team = factories.make_team(project=project)
    other = factories.make_team(project=project, members=[factories.make_student()])
    login_as(wijkdocent)
    response = client.post(f"/teams/{team.id}/members/{other.memberships[0].id}/remove")
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(TeamMembership, other.memberships[0].id).left_on is None


def test_wijkdocent_sets_the_peer_coach(client, login_as, wijkdocent, project):
    student = factories.make_student(level="hbo", study_year=3)
    team = factories.make_team(project=project, members=[student])
    login_as(wijkdocent)
    membership = team.memberships[0]
    response = client.post(
        f"/teams/{team.id}/members/{membership.id}/role", data={"role": "peer_coach"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(TeamMembership, membership.id).role == MemberRole.PEER_COACH
    bad = client.post(f"/teams/{team.id}/members/{membership.id}/role", data={"role": "baas"})
    assert bad.status_code == 400


# --- the team page ---------------------------------------------------------------------------


def test_team_page_shows_why_rules_are_not_met(client, login_as, wijkdocent, project):
    team = factories.make_team(
        project=project, members=[factories.make_student(level="mbo", study_year=1)]
    )
    login_as(wijkdocent)
    html = client.get(f"/teams/{team.id}").get_data(as_text=True)
    assert "minder dan 1 hbo-student(en): nu 0" in html
    assert "geen peercoach" in html


def test_team_page_says_when_rules_are_met(client, login_as, wijkdocent, project):
    coach = factories.make_student(level="hbo", study_year=3)
    team = factories.make_team(
        project=project, members=[coach, factories.make_student()], coach=coach
    )
    login_as(wijkdocent)
    assert "Dit team voldoet aan de regels." in client.get(f"/teams/{team.id}").get_data(
        as_text=True
    )


def test_team_page_warns_about_weekdays_and_hours(client, login_as, wijkdocent):
    project = factories.make_project(owner=wijkdocent, weekdays=frozenset({1}), hours_per_week=8)
    weekend = factories.make_student(name="Noor Weekend", available_weekdays=frozenset({5}))
    busy = factories.make_student(name="Sem Druk", hours_per_week=12)
    other_project = factories.make_project(hours_per_week=8, status=ProjectStatus.ACTIVE)
    factories.make_team(project=other_project, members=[busy])
    team = factories.make_team(project=project, members=[weekend, busy])
    login_as(wijkdocent)
    html = client.get(f"/teams/{team.id}").get_data(as_text=True)
    assert "Noor Weekend is niet beschikbaar op de dagen van dit project." in html
    assert "Sem Druk heeft 12 uur per week, maar de teams vragen samen 16 uur." in html


def test_student_sees_own_team_but_not_another(client, login_as, student, project):
    mine = factories.make_team(project=project, members=[student])
    other = factories.make_team(project=project)
    login_as(student)
    assert client.get(f"/teams/{mine.id}").status_code == 200
    assert client.get(f"/teams/{other.id}").status_code == 404


def test_supervisor_sees_only_their_teams(client, login_as, project):
    mine = factories.make_team(project=project)
    other = factories.make_team(project=project)
    login_as(mine.supervisor)
    assert client.get(f"/teams/{mine.id}").status_code == 200
    assert client.get(f"/teams/{other.id}").status_code == 404


# --- handover --------------------------------------------------------------------------------


def test_member_writes_the_handover_shown_on_the_project_page(client, login_as, project, student):
    team = factories.make_team(project=project, members=[student])
    login_as(student)
    response = client.post(
        f"/teams/{team.id}/handover",
        data={"note": "Contact met de moskee loopt via Ahmed; de buurtapp werkt goed."},
    )
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Team, team.id)
    assert saved.handover_by_id == student.id and saved.handover_at is not None
    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "Contact met de moskee loopt via Ahmed" in html


def test_empty_or_too_long_handover_is_refused(client, login_as, project, student):
    team = factories.make_team(project=project, members=[student])
    login_as(student)
    assert client.post(f"/teams/{team.id}/handover", data={"note": "  "}).status_code == 422
    assert client.post(f"/teams/{team.id}/handover", data={"note": "x" * 8001}).status_code == 422
    db.session.expire_all()
    assert db.session.get(Team, team.id).handover_note == ""


def test_supervisor_cannot_write_the_handover(client, login_as, team):
    login_as(team.supervisor)
    assert client.post(f"/teams/{team.id}/handover", data={"note": "Mag niet"}).status_code == 403


# --- activating the project ------------------------------------------------------------------


def test_activation_is_blocked_naming_team_and_rule(client, login_as, wijkdocent, project):
    factories.make_team(
        project=project, name="Dinsdagteam", members=[factories.make_student(level="mbo")]
    )
    login_as(wijkdocent)
    response = client.post(f"/projects/{project.id}/activate", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Dinsdagteam: minder dan 1 hbo-student(en): nu 0" in html
    db.session.expire_all()
    assert db.session.get(Project, project.id).status == ProjectStatus.DRAFT


def test_activation_needs_a_team(client, login_as, wijkdocent, project):
    login_as(wijkdocent)
    html = client.post(f"/projects/{project.id}/activate", follow_redirects=True).get_data(
        as_text=True
    )
    assert "minstens één team" in html
    db.session.expire_all()
    assert db.session.get(Project, project.id).status == ProjectStatus.DRAFT


def test_project_with_valid_teams_is_activated(client, login_as, wijkdocent, project):
    members = [factories.make_student(level="mbo"), factories.make_student(level="hbo")]
    factories.make_team(project=project, members=members)
    login_as(wijkdocent)
    assert client.post(f"/projects/{project.id}/activate").status_code == 302
    db.session.expire_all()
    assert db.session.get(Project, project.id).status == ProjectStatus.ACTIVE


def test_other_wijkdocent_cannot_activate(client, login_as, project):
    login_as(factories.make_user(role="wijkdocent"))
    assert client.post(f"/projects/{project.id}/activate").status_code == 403


# --- the builder -----------------------------------------------------------------------------


def make_pool():
    school = factories.make_organisation("school")
    return [
        factories.make_student(level=level, study_year=year, school=school)
        for level, year in [
            ("mbo", 1),
            ("mbo", 2),
            ("mbo", 3),
            ("mbo", 1),
            ("hbo", 1),
            ("hbo", 2),
            ("hbo", 4),
            ("hbo", 3),
        ]
    ]


def proposal_post_data(html: str) -> dict:
    students = re.search(r'name="students" value="([^"]*)"', html).group(1)
    data = {"teams": re.search(r'name="teams" value="(\d+)"', html).group(1), "students": students}
    for student_id in filter(None, students.split(",")):
        select_html = re.search(
            rf'name="team_{student_id}" class="move">(.*?)</select>', html, re.S
        ).group(1)
        data[f"team_{student_id}"] = re.search(r'value="(\d+)" selected', select_html).group(1)
    return data


def test_builder_proposes_without_saving(client, login_as, wijkdocent, project):
    make_pool()
    login_as(wijkdocent)
    response = client.get(f"/projects/{project.id}/builder?propose=1&team_count=2&seed=1")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Voorstel: 2 teams" in html and "Alle teams voldoen aan de regels." in html
    assert count(Team) == 0 and count(TeamMembership) == 0


def test_builder_pool_leaves_out_placed_students(client, login_as, wijkdocent, project):
    pool = make_pool()
    placed = factories.make_student(name="Al Geplaatst")
    factories.make_team(project=factories.make_project(), members=[placed])
    login_as(wijkdocent)
    html = client.get(f"/projects/{project.id}/builder?level=").get_data(as_text=True)
    assert "Al Geplaatst" not in html and pool[0].name in html


def test_builder_filters_by_level(client, login_as, wijkdocent, project):
    pool = make_pool()
    login_as(wijkdocent)
    html = client.get(f"/projects/{project.id}/builder?level=hbo").get_data(as_text=True)
    assert "4 studenten zonder team" in html
    assert all(s.name in html for s in pool[4:]) and all(s.name not in html for s in pool[:4])


def test_accepting_a_proposal_saves_teams_with_peer_coaches(client, login_as, wijkdocent, project):
    make_pool()
    supervisor = factories.make_supervisor(organisation=project.partner)
    login_as(wijkdocent)
    html = client.get(f"/projects/{project.id}/builder?propose=1&team_count=2&seed=1").get_data(
        as_text=True
    )
    data = proposal_post_data(html) | {"action": "accept", "supervisor_id": str(supervisor.id)}
    response = client.post(f"/projects/{project.id}/builder", data=data)
    assert response.status_code == 302
    teams = db.session.scalars(select(Team).order_by(Team.name)).all()
    assert [t.name for t in teams] == ["Team 1", "Team 2"]
    for team in teams:
        assert len(team.memberships) == 4
        assert sum(m.role == MemberRole.PEER_COACH for m in team.memberships) == 1
        assert team.supervisor_id == supervisor.id


def test_moving_a_student_then_checking_shows_the_new_problems(
    client, login_as, wijkdocent, project
):
    make_pool()
    login_as(wijkdocent)
    html = client.get(f"/projects/{project.id}/builder?propose=1&team_count=2&seed=1").get_data(
        as_text=True
    )
    data = proposal_post_data(html)
    first_team = [k for k, v in data.items() if k.startswith("team_") and v == "1"]
    for key in first_team:
        data[key] = "2"  # everyone into team 2: it is now over the maximum of 4
    response = client.post(f"/projects/{project.id}/builder", data=data | {"action": "check"})
    assert response.status_code == 200
    assert "meer dan 4 leden: nu 8" in response.get_data(as_text=True)
    assert count(Team) == 0


def test_accept_refuses_an_overfull_team(client, login_as, wijkdocent, project):
    pool = make_pool()
    supervisor = factories.make_supervisor(organisation=project.partner)
    login_as(wijkdocent)
    data = {
        "teams": "1",
        "students": ",".join(str(s.id) for s in pool),
        "action": "accept",
        "supervisor_id": str(supervisor.id),
    }
    data |= {f"team_{s.id}": "1" for s in pool}
    response = client.post(f"/projects/{project.id}/builder", data=data)
    assert response.status_code == 422
    assert count(Team) == 0


def test_accept_refuses_non_students_and_placed_students(client, login_as, wijkdocent, project):
    supervisor = factories.make_supervisor(organisation=project.partner)
    placed = factories.make_student()
    factories.make_team(project=factories.make_project(), members=[placed])
    intruder = factories.make_user(role="wijkdocent")
    login_as(wijkdocent)
    for ids in ([intruder.id], [placed.id]):
        data = {
            "teams": "1",
            "students": ",".join(map(str, ids)),
            "action": "accept",
            "supervisor_id": str(supervisor.id),
        } | {f"team_{i}": "1" for i in ids}
        assert client.post(f"/projects/{project.id}/builder", data=data).status_code == 422
    assert db.session.scalar(select(func.count(Team.id)).where(Team.project_id == project.id)) == 0


def test_accept_needs_a_supervisor_of_the_partner(client, login_as, wijkdocent, project):
    pool = make_pool()[:2]
    login_as(wijkdocent)
    data = {"teams": "1", "students": ",".join(str(s.id) for s in pool), "action": "accept"}
    data |= {f"team_{s.id}": "1" for s in pool}
    assert client.post(f"/projects/{project.id}/builder", data=data).status_code == 422
    assert count(Team) == 0


@pytest.mark.parametrize(
    "data",
    [
        {"teams": "abc", "students": ""},
        {"teams": "0", "students": ""},
        {"teams": "2", "students": "1,x"},
        {"teams": "2", "students": "1", "team_1": "7"},
    ],
)
def test_forged_builder_posts_get_400(client, login_as, wijkdocent, project, data):
    login_as(wijkdocent)
    assert client.post(f"/projects/{project.id}/builder", data=data).status_code == 400


def test_builder_with_bad_numbers_shows_errors(client, login_as, wijkdocent, project):
    login_as(wijkdocent)
    response = client.get(f"/projects/{project.id}/builder?propose=1&team_count=0&seed=-1")
    assert response.status_code == 422
    assert "Kies 1 tot en met 100 teams." in response.get_data(as_text=True)


def test_builder_dates_use_the_project_period(client, login_as, wijkdocent, project):
    make_pool()
    supervisor = factories.make_supervisor(organisation=project.partner)
    login_as(wijkdocent)
    html = client.get(f"/projects/{project.id}/builder?propose=1&team_count=1&seed=3").get_data(
        as_text=True
    )
    data = proposal_post_data(html) | {"action": "accept", "supervisor_id": str(supervisor.id)}
    client.post(f"/projects/{project.id}/builder", data=data)
    team = db.session.scalar(select(Team))
    assert (team.start_date, team.end_date) == (date(2026, 9, 1), date(2027, 6, 30))
