"""Issue 13: a supervision session records which students took part, so supervision per student
shows on their hours page (and in their own overview, "Mijn uren")."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.forms import form_state
from tests.test_query_counts import count_for
from wijklab.errors import WijklabError
from wijklab.extensions import db
from wijklab.tasks import services
from wijklab.tasks.models import SupervisionSession, supervision_session_student
from wijklab.teams.models import TeamMembership

TODAY = date(2026, 11, 28)
DAY = date(2026, 11, 2)


@pytest.fixture(autouse=True)
def fixed_today(clock):
    clock.set(TODAY)


def html(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def team():
    members = [factories.make_student(name=n) for n in ("Anna Bakker", "Bram Jansen", "Cas Smit")]
    return factories.make_team(members=members)


def students_of_sessions() -> list[tuple[int, int]]:
    db.session.rollback()
    return sorted(db.session.execute(select(supervision_session_student)).all())


def test_form_lists_current_members_all_ticked(client, login_as, team):
    login_as(team.supervisor)
    response = client.get(f"/teams/{team.id}/supervision")
    assert response.status_code == 200
    state = form_state(html(response))
    assert sorted(state["students"]) == sorted(str(m.student_id) for m in team.memberships)
    assert "Cas Smit" in html(response)


def test_supervisor_records_who_took_part(client, login_as, team):
    anna, bram, _cas = (m.student for m in team.memberships)
    login_as(team.supervisor)
    response = client.post(
        f"/teams/{team.id}/supervision",
        data={
            "date": DAY.isoformat(),
            "minutes": "1,5",
            "note": "Intervisie",
            "students": [str(anna.id), str(bram.id)],
        },
    )
    assert response.status_code == 302
    session_id = db.session.scalar(select(SupervisionSession.id))
    assert students_of_sessions() == sorted([(session_id, anna.id), (session_id, bram.id)])


def test_ticks_are_kept_on_a_failed_submit(client, login_as, team):
    anna = team.memberships[0].student
    login_as(team.supervisor)
    response = client.post(
        f"/teams/{team.id}/supervision",
        data={"date": DAY.isoformat(), "minutes": "veel", "students": [str(anna.id)]},
    )
    assert response.status_code == 422
    assert form_state(html(response))["students"] == [str(anna.id)]
    response = client.post(
        f"/teams/{team.id}/supervision",
        data={"date": DAY.isoformat(), "minutes": "veel"},
    )
    assert "students" not in form_state(html(response))
    db.session.rollback()
    assert db.session.scalar(select(func.count(SupervisionSession.id))) == 0


@pytest.mark.parametrize("who", ["outsider", "former", "nonexistent", "garbage"])
def test_only_current_members_can_be_recorded(client, login_as, team, who):
    if who == "outsider":
        value = str(factories.make_student().id)
    elif who == "former":
        membership = team.memberships[2]
        membership.left_on = date(2026, 10, 1)
        db.session.flush()
        value = str(membership.student_id)
    elif who == "nonexistent":
        value = "999999"
    else:
        value = "²"
    login_as(team.supervisor)
    response = client.post(
        f"/teams/{team.id}/supervision",
        data={"date": DAY.isoformat(), "minutes": "60", "students": [value]},
    )
    assert response.status_code == 422
    if who != "garbage":
        assert "Alleen huidige teamleden kunnen bij de begeleiding staan." in html(response)
    db.session.rollback()
    assert db.session.scalar(select(func.count(SupervisionSession.id))) == 0


def test_service_refuses_a_non_member(app, team):
    with pytest.raises(WijklabError) as caught:
        services.log_supervision(
            team,
            supervisor=team.supervisor,
            on=DAY,
            minutes=60,
            note="",
            today=TODAY,
            students=[factories.make_student()],
        )
    assert caught.value.field == "students"


def test_sessions_without_students_stay_valid(client, login_as, team):
    services.log_supervision(
        team, supervisor=team.supervisor, on=DAY, minutes=60, note="", today=TODAY
    )
    anna = team.memberships[0].student
    login_as(team.supervisor)
    response = client.get(f"/students/{anna.id}/hours")
    assert response.status_code == 200
    assert "Nog geen begeleiding vastgelegd waarbij deze student was." in html(response)


def test_hours_page_shows_the_students_supervision(client, login_as, team):
    anna, bram, _cas = (m.student for m in team.memberships)
    services.log_supervision(
        team,
        supervisor=team.supervisor,
        on=DAY,
        minutes=90,
        note="",
        today=TODAY,
        students=[anna, bram],
    )
    services.log_supervision(
        team,
        supervisor=team.supervisor,
        on=date(2026, 11, 9),
        minutes=30,
        note="",
        today=TODAY,
        students=[bram],
    )
    login_as(team.supervisor)
    page = html(client.get(f"/students/{anna.id}/hours"))
    assert "Begeleiding gekregen</dt><dd>1 u 30 min</dd>" in page
    assert "02-11-2026" in page and "09-11-2026" not in page
    login_as(bram)  # the student's own overview ("Mijn uren")
    page = html(client.get(f"/students/{bram.id}/hours"))
    assert "Begeleiding gekregen</dt><dd>2 u</dd>" in page
    assert "09-11-2026" in page and team.supervisor.name in page


def test_hours_page_query_count_does_not_grow_with_sessions(client, login_as, team):
    anna = team.memberships[0].student

    def sessions(n):
        for _ in range(n):
            services.log_supervision(
                team,
                supervisor=team.supervisor,
                on=DAY,
                minutes=30,
                note="",
                today=TODAY,
                students=[anna],
            )

    login_as(anna)
    sessions(1)
    small = count_for(client, f"/students/{anna.id}/hours")
    sessions(10)
    large = count_for(client, f"/students/{anna.id}/hours")
    assert small == large


def test_demo_supervision_passes_the_current_members(app, team):
    from wijklab.demo import _supervision

    members = [m.student for m in team.memberships]
    left = db.session.scalar(select(TeamMembership).where(TeamMembership.team_id == team.id))
    left.left_on = date(2026, 10, 1)
    db.session.flush()
    _supervision(team, DAY, 45, "Weekoverleg", members)
    rows = db.session.execute(select(supervision_session_student)).all()
    assert {student for _, student in rows} == {m.id for m in members[1:]}
