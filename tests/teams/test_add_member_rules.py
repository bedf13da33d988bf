"""Adding a member by hand: only students who fit are listed (everyone, with the reason, behind
a switch), and breaking a hard rule takes a confirm step that the audit trail remembers."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.test_query_counts import count_for
from wijklab.activity.models import AuditEvent
from wijklab.extensions import db
from wijklab.teams.models import TeamMembership


def memberships() -> int:
    return db.session.scalar(select(func.count(TeamMembership.id)))


def audits(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


@pytest.fixture
def partner():
    return factories.make_organisation(
        "partner", name="Buurtwerk Noord", suitable_years=frozenset({2, 3, 4})
    )


@pytest.fixture
def project(wijkdocent, partner):
    return factories.make_project(
        owner=wijkdocent, partner=partner, weekdays=frozenset({1}), max_size=3
    )


@pytest.fixture
def team(project):
    return factories.make_team(project=project, name="Dinsdagteam")


OPTION = r'<option[^>]*value="(\d+)"[^>]*>(.*?)</option>'
CONFIRM_FORM = r'<form method="post"[^>]*>(?:(?!</form>).)*name="confirm".*?</form>'


def options(html: str) -> dict[str, str]:
    select_html = re.search(r'<select[^>]*name="student_id".*?</select>', html, re.S).group(0)
    return {value: label.strip() for value, label in re.findall(OPTION, select_html)}


# --- the list --------------------------------------------------------------------------------


def test_only_students_who_fit_are_listed(client, login_as, wijkdocent, team):
    fits = factories.make_student(name="Anna Fit", study_year=2, available_weekdays={1, 2})
    first_year = factories.make_student(name="Bram Eerstejaars", study_year=1)
    no_tuesday = factories.make_student(name="Cor Geendinsdag", available_weekdays={0})
    login_as(wijkdocent)
    html = client.get(f"/teams/{team.id}").get_data(as_text=True)
    listed = options(html)
    assert str(fits.id) in listed
    assert str(first_year.id) not in listed and str(no_tuesday.id) not in listed
    assert "Toon iedereen, met de reden" in html


def test_show_all_lists_everyone_with_the_reason(client, login_as, wijkdocent, team):
    fits = factories.make_student(name="Anna Fit")
    first_year = factories.make_student(name="Bram Eerstejaars", study_year=1)
    no_tuesday = factories.make_student(name="Cor Geendinsdag", available_weekdays={0})
    login_as(wijkdocent)
    listed = options(client.get(f"/teams/{team.id}?all=1").get_data(as_text=True))
    assert "past niet" not in listed[str(fits.id)]
    assert "Buurtwerk Noord neemt alleen studiejaar 2–4" in listed[str(first_year.id)]
    assert "niet beschikbaar op de projectdagen" in listed[str(no_tuesday.id)]


def test_the_list_is_bounded_and_searchable(client, login_as, wijkdocent, team):
    school = factories.make_organisation("school")
    for number in range(55):
        factories.make_student(name=f"Student {number:02d}", school=school)
    wanted = factories.make_student(name="Zeynep Zoekbaar", school=school)
    login_as(wijkdocent)
    html = client.get(f"/teams/{team.id}").get_data(as_text=True)
    assert len(options(html)) == 50
    assert "Er zijn meer dan 50 studenten" in html
    found = options(client.get(f"/teams/{team.id}?q=zoekb").get_data(as_text=True))
    assert list(found) == [str(wanted.id)]


def test_the_form_page_runs_a_fixed_number_of_queries(client, login_as, wijkdocent, team):
    login_as(wijkdocent)
    school = factories.make_organisation("school")
    for year in (1, 2, 3):
        factories.make_student(study_year=year, school=school)
    small = count_for(client, f"/teams/{team.id}?all=1")
    for number in range(30):
        factories.make_student(study_year=1 + number % 4, school=factories.make_organisation())
    assert count_for(client, f"/teams/{team.id}?all=1") == small
    assert count_for(client, f"/teams/{team.id}") == count_for(client, f"/teams/{team.id}?q=a")


# --- the confirm step ------------------------------------------------------------------------


def test_a_student_who_fits_is_added_at_once(client, login_as, wijkdocent, team):
    student = factories.make_student()
    login_as(wijkdocent)
    response = client.post(f"/teams/{team.id}/members", data={"student_id": student.id})
    assert response.status_code == 302
    assert memberships() == 1
    assert audits("team.rules_overridden") == []


def test_breaking_a_rule_asks_first_and_writes_nothing(client, login_as, wijkdocent, team):
    student = factories.make_student(name="Bram Eerstejaars", study_year=1)
    login_as(wijkdocent)
    response = client.post(f"/teams/{team.id}/members", data={"student_id": student.id})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Toch toevoegen?" in html
    assert (
        "Bram Eerstejaars zit in studiejaar 1; Buurtwerk Noord neemt alleen studiejaar 2–4." in html
    )
    assert 'name="confirm" value="1"' in html
    assert memberships() == 0
    assert audits("team.rules_overridden") == []


def test_confirmed_add_writes_and_records_the_rules_overridden(client, login_as, wijkdocent, team):
    student = factories.make_student(study_year=1, available_weekdays={0})
    login_as(wijkdocent)
    response = client.post(
        f"/teams/{team.id}/members", data={"student_id": student.id, "confirm": "1"}
    )
    assert response.status_code == 302
    membership = db.session.scalar(select(TeamMembership))
    assert membership.student_id == student.id and membership.team_id == team.id
    (event,) = audits("team.rules_overridden")
    assert event.actor_id == wijkdocent.id and event.object_id == team.id
    details = json.loads(event.details)
    assert details == {"student_id": student.id, "rules": ["partner_year", "no_weekday_overlap"]}


def test_a_full_team_asks_first_then_takes_the_student(client, login_as, wijkdocent, project):
    members = [factories.make_student() for _ in range(3)]
    team = factories.make_team(project=project, members=members)
    newcomer = factories.make_student()
    login_as(wijkdocent)
    first = client.post(f"/teams/{team.id}/members", data={"student_id": newcomer.id})
    assert "Dit team is vol: het maximum is 3 leden." in first.get_data(as_text=True)
    assert memberships() == 3
    client.post(f"/teams/{team.id}/members", data={"student_id": newcomer.id, "confirm": "1"})
    assert memberships() == 4
    assert json.loads(audits("team.rules_overridden")[0].details)["rules"] == ["max_size"]


def test_a_supervisor_without_room_asks_first(client, login_as, wijkdocent, project):
    supervisor = factories.make_supervisor(organisation=project.partner)
    supervisor.supervisor_profile.supervision_hours_per_week = 1
    team = factories.make_team(
        project=project, supervisor=supervisor, members=[factories.make_student() for _ in range(2)]
    )
    newcomer = factories.make_student()
    login_as(wijkdocent)
    html = client.post(f"/teams/{team.id}/members", data={"student_id": newcomer.id}).get_data(
        as_text=True
    )
    assert "heeft geen ruimte meer" in html
    assert memberships() == 2


def test_the_confirm_step_works_with_csrf_protection(csrf_app, client, login_as, wijkdocent, team):
    student = factories.make_student(study_year=1)
    login_as(wijkdocent)
    html = client.get(f"/teams/{team.id}?all=1").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    html = client.post(
        f"/teams/{team.id}/members", data={"csrf_token": token, "student_id": student.id}
    ).get_data(as_text=True)
    form = re.search(CONFIRM_FORM, html, re.S)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(0)))
    assert fields["confirm"] == "1" and fields["student_id"] == str(student.id)
    assert client.post(f"/teams/{team.id}/members", data=fields).status_code == 302
    assert memberships() == 1


def test_missing_csrf_is_400_and_writes_nothing(csrf_app, client, login_as, wijkdocent, team):
    student = factories.make_student()
    login_as(wijkdocent)
    response = client.post(
        f"/teams/{team.id}/members", data={"student_id": student.id, "confirm": "1"}
    )
    assert response.status_code == 400
    assert memberships() == 0


# --- forged and foreign ids ------------------------------------------------------------------


def test_a_forged_confirm_for_a_student_of_another_school_is_refused(
    client, login_as, wijkdocent, partner
):
    school = factories.make_organisation("school")
    project = factories.make_project(owner=wijkdocent, partner=partner, school=school)
    team = factories.make_team(project=project)
    outsider = factories.make_student(name="Olaf Elders")
    login_as(wijkdocent)
    assert str(outsider.id) not in options(
        client.get(f"/teams/{team.id}?all=1").get_data(as_text=True)
    )
    response = client.post(
        f"/teams/{team.id}/members", data={"student_id": outsider.id, "confirm": "1"}
    )
    assert response.status_code == 422
    assert "andere school dan de school van dit project" in response.get_data(as_text=True)
    assert memberships() == 0


@pytest.mark.parametrize("forged", ["99999999", "abc", "-1", "1" * 40, ""])
def test_forged_student_ids_are_refused(client, login_as, wijkdocent, team, forged):
    login_as(wijkdocent)
    response = client.post(f"/teams/{team.id}/members", data={"student_id": forged, "confirm": "1"})
    assert response.status_code == 422
    if forged == "99999999":
        assert "Kies een van de mogelijkheden uit de lijst." in response.get_data(as_text=True)
    assert memberships() == 0


def test_a_confirmed_non_student_is_still_refused(client, login_as, wijkdocent, team):
    other = factories.make_user(role="supervisor")
    login_as(wijkdocent)
    response = client.post(
        f"/teams/{team.id}/members", data={"student_id": other.id, "confirm": "1"}
    )
    assert response.status_code == 422
    assert "Alleen studenten kunnen lid worden van een team." in response.get_data(as_text=True)
    assert memberships() == 0


# --- who may add -----------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, team):
    student = factories.make_student()
    response = client.post(f"/teams/{team.id}/members", data={"student_id": student.id})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert memberships() == 0


@pytest.mark.parametrize("role", ["student", "supervisor", "wijkdocent"])
def test_others_than_the_projects_wijkdocent_get_403(client, login_as, team, role):
    student = factories.make_student()
    login_as(factories.make_user(role=role))
    response = client.post(
        f"/teams/{team.id}/members", data={"student_id": student.id, "confirm": "1"}
    )
    assert response.status_code == 403
    assert memberships() == 0


def test_others_do_not_see_the_add_form(client, login_as, team):
    member = factories.make_student()
    factories.make_student(name="Niet Zichtbaar")
    db.session.add(TeamMembership(team=team, student=member, joined_on=team.start_date))
    db.session.flush()
    login_as(member)
    html = client.get(f"/teams/{team.id}?all=1").get_data(as_text=True)
    assert "Lid toevoegen" not in html and "Niet Zichtbaar" not in html
