"""Where missing and unaccepted start agreements show: the team page (per member, flagged
after two weeks), the wijkdocent's dashboard (after two weeks) and the list of open agreements;
each runs a fixed number of queries."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests import factories
from tests.agreements.conftest import EARLY, LATE, agreement_url, form_data
from tests.test_query_counts import count_for
from wijklab.agreements.models import StartAgreement
from wijklab.extensions import db
from wijklab.projects.models import ProjectStatus

FLAG = "langer dan twee weken"


def flat(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def draw(client, login_as, lab, student="zoe"):
    login_as(lab["supervisor"])
    assert client.post(agreement_url(lab, student), data=form_data()).status_code == 302


def accept_by_all(client, login_as, lab, student="zoe"):
    who = {"zoe": "zoe", "ayse": "ayse"}[student]
    for party in (who, "supervisor", "wijkdocent"):
        login_as(lab[party])
        response = client.post(agreement_url(lab, student, "/accept"), data={"version": "1"})
        assert response.status_code == 302


def member_row(html: str, name: str) -> str:
    row = next(r for r in re.findall(r"<tr>.*?</tr>", html, re.S) if name in r)
    return flat(row)


# --- the team page -------------------------------------------------------------------------


def test_the_team_page_shows_each_members_agreement(lab, client, login_as, clock):
    draw(client, login_as, lab)
    login_as(lab["supervisor"])
    client.post(agreement_url(lab, suffix="/accept"), data={"version": "1"})
    login_as(lab["wijkdocent"])
    html = client.get(f"/teams/{lab['team'].id}").get_data(as_text=True)
    assert "wacht op akkoord van student, wijkdocent" in member_row(html, "Zoë van den Berg")
    assert "nog geen startafspraak" in member_row(html, "Ayşe Yılmaz")
    assert FLAG not in html  # nine days after joining
    assert agreement_url(lab) in html and agreement_url(lab, "ayse") in html


def test_the_team_page_flags_agreements_not_accepted_after_two_weeks(lab, client, login_as, clock):
    draw(client, login_as, lab)
    accept_by_all(client, login_as, lab)
    clock.set(LATE)
    login_as(lab["supervisor"])
    html = client.get(f"/teams/{lab['team'].id}").get_data(as_text=True)
    zoe, ayse = member_row(html, "Zoë van den Berg"), member_row(html, "Ayşe Yılmaz")
    assert "geaccepteerd op 10 sep. 2026" in zoe and FLAG not in zoe
    assert "nog geen startafspraak" in ayse and FLAG in ayse


def test_a_student_sees_only_their_own_agreement_on_the_team_page(lab, client, login_as):
    draw(client, login_as, lab)
    login_as(lab["ayse"])
    html = client.get(f"/teams/{lab['team'].id}").get_data(as_text=True)
    assert agreement_url(lab, "ayse") in html
    assert agreement_url(lab) not in html
    assert "wacht op akkoord" not in html


def test_the_team_page_runs_a_fixed_number_of_queries_with_agreements(lab, client, login_as, clock):
    login_as(lab["wijkdocent"])
    small = count_for(client, f"/teams/{lab['team'].id}")
    for _ in range(4):
        student = factories.make_student()
        lab["team"].memberships.append(
            type(lab["team"].memberships[0])(student=student, joined_on=EARLY)
        )
    db.session.commit()
    for membership in lab["team"].memberships:
        login_as(lab["supervisor"])
        client.post(
            f"/teams/{lab['team'].id}/students/{membership.student_id}/agreement",
            data=form_data(),
        )
    assert len(db.session.scalars(select(StartAgreement)).all()) == 6
    login_as(lab["wijkdocent"])
    large = count_for(client, f"/teams/{lab['team'].id}")
    assert small == large, f"{small} queries for 2 members, {large} for 6 with agreements"


# --- the wijkdocent's dashboard ------------------------------------------------------------


def test_the_dashboard_counts_agreements_still_open_after_two_weeks(lab, client, login_as, clock):
    draw(client, login_as, lab)
    login_as(lab["wijkdocent"])
    assert "na twee weken" not in client.get("/").get_data(as_text=True)
    clock.set(LATE)
    login_as(lab["wijkdocent"])
    text = flat(client.get("/").get_data(as_text=True))
    assert "2 startafspraken ontbreken of zijn niet rond na twee weken" in text
    assert "Zoë van den Berg" in text and "Ayşe Yılmaz" in text
    assert "Alle open startafspraken" in text
    accept_by_all(client, login_as, lab)
    login_as(lab["wijkdocent"])
    text = flat(client.get("/").get_data(as_text=True))
    assert "1 startafspraak ontbreekt of is niet rond na twee weken" in text
    # another wijkdocent's dashboard does not list them
    login_as(lab["other_docent"])
    assert "Ayşe Yılmaz" not in client.get("/").get_data(as_text=True)


def grow_members(lab, n: int) -> None:
    project = factories.make_project(owner=lab["wijkdocent"], status=ProjectStatus.ACTIVE)
    factories.make_team(
        project=project,
        supervisor=lab["supervisor"],
        members=[factories.make_student() for _ in range(n)],
    )


def test_the_dashboard_runs_a_fixed_number_of_queries(lab, client, login_as, clock):
    clock.set(LATE)
    login_as(lab["wijkdocent"])
    small = count_for(client, "/")
    grow_members(lab, 8)
    large = count_for(client, "/")
    assert small == large, f"{small} queries with 2 open agreements, {large} with 10"


# --- the list of open agreements -----------------------------------------------------------


def test_the_list_shows_missing_and_unaccepted_agreements_oldest_first(
    lab, client, login_as, clock
):
    draw(client, login_as, lab)
    late_joiner = factories.make_student(name="Bram Later")
    from wijklab.teams.models import TeamMembership

    db.session.add(TeamMembership(team=lab["team"], student=late_joiner, joined_on=LATE))
    db.session.commit()
    clock.set(LATE)
    login_as(lab["wijkdocent"])
    html = client.get("/agreements").get_data(as_text=True)
    rows = [flat(r) for r in re.findall(r"<tr>.*?</tr>", html, re.S)[1:]]
    assert [r.split(" ")[0] for r in rows] == ["Zoë", "Ayşe", "Bram"]
    assert "wacht op akkoord van student, werkbegeleider, wijkdocent" in rows[0]
    assert FLAG in rows[0] and FLAG in rows[1] and FLAG not in rows[2]
    assert "nog geen startafspraak" in rows[1]


def test_fully_accepted_agreements_leave_the_list(lab, client, login_as):
    draw(client, login_as, lab)
    accept_by_all(client, login_as, lab)
    login_as(lab["wijkdocent"])
    text = flat(client.get("/agreements").get_data(as_text=True))
    assert "Ayşe Yılmaz" in text and "Zoë van den Berg" not in text


def test_the_list_is_scoped_to_the_users_projects_and_teams(lab, client, login_as):
    login_as(lab["other_docent"])
    text = flat(client.get("/agreements").get_data(as_text=True))
    assert "Jesse de Groot" in text and "Zoë van den Berg" not in text
    login_as(lab["supervisor"])
    text = flat(client.get("/agreements").get_data(as_text=True))
    assert "Zoë van den Berg" in text and "Jesse de Groot" not in text
    login_as(lab["admin"])
    text = flat(client.get("/agreements").get_data(as_text=True))
    assert "Zoë van den Berg" in text and "Jesse de Groot" in text


def test_the_list_leaves_out_members_who_left_and_completed_projects(lab, client, login_as):
    zoe = next(m for m in lab["team"].memberships if m.student_id == lab["zoe"].id)
    zoe.left_on = EARLY
    lab["other_team"].project.status = ProjectStatus.COMPLETED
    db.session.commit()
    login_as(lab["admin"])
    text = flat(client.get("/agreements").get_data(as_text=True))
    assert "Ayşe Yılmaz" in text
    assert "Zoë van den Berg" not in text and "Jesse de Groot" not in text


def test_the_list_runs_a_fixed_number_of_queries(lab, client, login_as, clock):
    draw(client, login_as, lab)
    login_as(lab["wijkdocent"])
    small = count_for(client, "/agreements")
    grow_members(lab, 8)
    large = count_for(client, "/agreements")
    assert small == large, f"{small} queries for 2 rows, {large} for 10"
