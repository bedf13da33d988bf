"""The collective task log: logging, refusals, personal-data warnings, verification (single and
bulk), edits after verification, the optimistic lock, reflections, team totals, supervision,
school visits and a student's hours. The permission matrix lives in tests/test_routes.py."""

from __future__ import annotations

import json
import re
from datetime import date, datetime

import pytest
from sqlalchemy import func, select, update

from tests import factories
from wijklab.clock import AMSTERDAM
from wijklab.errors import NotAllowed, WijklabError
from wijklab.extensions import db
from wijklab.projects.models import ProjectStatus
from wijklab.tasks import services
from wijklab.tasks.models import (
    Category,
    ParticipationRole,
    SchoolVisit,
    SupervisionSession,
    Task,
    TaskEvent,
    TaskParticipation,
    TaskStatus,
)
from wijklab.teams.models import TeamMembership

TODAY = date(2026, 11, 28)
DAY = date(2026, 11, 2)


@pytest.fixture(autouse=True)
def fixed_today(clock):
    """Pin the app's clock to TODAY so dates are the same on every run."""
    clock.set(TODAY)


# --- helpers ---------------------------------------------------------------------------------


def fresh() -> None:
    """Forget what the shared session holds (the tests and the requests share one), so the next
    read comes from the database: only what a request committed is there."""
    db.session.rollback()


def count(model, *where) -> int:
    fresh()
    return db.session.scalar(select(func.count(model.id)).where(*where))


def reload(task: Task) -> Task:
    fresh()
    return db.session.get(Task, task.id)


def events(task: Task) -> list[TaskEvent]:
    fresh()
    return list(
        db.session.scalars(
            select(TaskEvent).where(TaskEvent.task_id == task.id).order_by(TaskEvent.id)
        )
    )


def html(response) -> str:
    return response.get_data(as_text=True)


def flashed(client, response) -> str:
    """The page a redirect leads to, with the messages flashed on the way."""
    return html(client.get(response.headers["Location"]))


def task_form(participants: dict, roles: dict | None = None, **overrides) -> dict:
    """The task form as a browser sends it; ``participants`` maps a student to their minutes."""
    data = {
        "date": DAY.isoformat(),
        "title": "Buurtmaaltijd in De Mussen",
        "category": "residents_activity",
        "description": "Samen koken en eten met buurtbewoners.",
        "residents_reached": "25",
        "partners_involved": "Buurthuis De Mussen",
    }
    for student, minutes in participants.items():
        data[f"take_{student.id}"] = "y"
        data[f"minutes_{student.id}"] = str(minutes)
        data[f"role_{student.id}"] = (roles or {}).get(student, "support")
    data.update(overrides)
    return data


def edit_form(task: Task, version: str, **overrides) -> dict:
    """The edit form as it comes back unchanged, with ``overrides`` typed over it."""
    data = {
        "date": task.date.isoformat(),
        "title": task.title,
        "category": task.category.value,
        "description": task.description,
        "residents_reached": str(task.residents_reached),
        "partners_involved": task.partners_involved,
        "version": version,
    }
    for p in task.participations:
        data[f"take_{p.student_id}"] = "y"
        data[f"minutes_{p.student_id}"] = str(p.minutes)
        data[f"role_{p.student_id}"] = p.role.value
    data.update(overrides)
    return data


def form_version(client, task: Task) -> str:
    response = client.get(f"/tasks/{task.id}/edit")
    assert response.status_code == 200
    return re.search(r'name="version" type="hidden" value="(\d+)"', html(response)).group(1)


def seen(task: Task) -> dict:
    """The version the task page shows in its verify and return forms."""
    return {"version": str(task.version)}


def ticked(*tasks: Task) -> dict:
    """The waiting list's bulk form with ``tasks`` ticked, each with the version it shows."""
    return {
        "task_id": [str(t.id) for t in tasks],
        **{f"version_{t.id}": str(t.version) for t in tasks},
    }


def table_row(page: str, name: str, after: str = "") -> list[str]:
    """The cells of the table row that starts with ``name``, in the first table after ``after``."""
    table = re.search(r"<table.*?</table>", page[page.index(after) :], re.S).group(0)
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        if cells and cells[0] == name:
            return cells
    raise AssertionError(f"no row for {name}")


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture
def project(wijkdocent):
    return factories.make_project(owner=wijkdocent, status=ProjectStatus.ACTIVE)


@pytest.fixture
def team_supervisor(project):
    return factories.make_supervisor(organisation=project.partner, name="Henk Begeleider")


@pytest.fixture
def ana():
    return factories.make_student(name="Ana Jansen")


@pytest.fixture
def bram():
    return factories.make_student(level="hbo", name="Bram de Wit")


@pytest.fixture
def chris():
    return factories.make_student(name="Chris Bakker")


@pytest.fixture
def team(project, team_supervisor, ana, bram, chris):
    return factories.make_team(
        project=project, supervisor=team_supervisor, members=[ana, bram, chris], name="Team Noord"
    )


@pytest.fixture
def task(team, ana, bram):
    return factories.make_task(
        team=team, participants=[ana, bram], minutes=120, title="Wijkschouw", date=DAY
    )


# --- logging ---------------------------------------------------------------------------------


def test_member_logs_a_task_for_three_participants_with_their_own_minutes(
    client, login_as, team, ana, bram, chris
):
    login_as(ana)
    response = client.post(
        f"/teams/{team.id}/tasks/new",
        data=task_form({ana: 90, bram: 60, chris: 45}, roles={ana: "lead", bram: "co_organiser"}),
    )
    assert response.status_code == 302
    fresh()
    task = db.session.scalar(select(Task))
    assert response.headers["Location"] == f"/tasks/{task.id}"
    assert count(Task) == 1
    assert task.status == TaskStatus.PENDING
    assert task.author_id == ana.id
    assert task.title == "Buurtmaaltijd in De Mussen"
    assert task.category == Category.RESIDENTS_ACTIVITY
    assert task.date == DAY
    assert task.residents_reached == 25
    assert task.partners_involved == "Buurthuis De Mussen"
    assert {(p.student_id, p.minutes, p.role) for p in task.participations} == {
        (ana.id, 90, ParticipationRole.LEAD),
        (bram.id, 60, ParticipationRole.CO_ORGANISER),
        (chris.id, 45, ParticipationRole.SUPPORT),
    }
    assert count(TaskParticipation) == 3
    [event] = events(task)
    assert (event.action, event.actor_id, event.from_status, event.to_status) == (
        "created",
        ana.id,
        None,
        "pending",
    )


def test_project_wijkdocent_logs_a_task_for_the_team(client, login_as, wijkdocent, team, ana):
    login_as(wijkdocent)
    response = client.post(f"/teams/{team.id}/tasks/new", data=task_form({ana: 60}))
    assert response.status_code == 302
    fresh()
    task = db.session.scalar(select(Task))
    assert task.author_id == wijkdocent.id
    assert [(p.student_id, p.minutes) for p in task.participations] == [(ana.id, 60)]
    assert task.status == TaskStatus.PENDING


def test_task_form_starts_with_current_members_ticked_and_authors_last_minutes(
    client, login_as, team, ana, bram, chris
):
    leaver = factories.make_student(name="Dirk Vertrokken")
    db.session.add(
        TeamMembership(team=team, student=leaver, joined_on=team.start_date, left_on=DAY)
    )
    factories.make_task(team=team, participants=[ana], minutes=30, date=date(2026, 10, 5))
    factories.make_task(team=team, participants=[ana, bram], minutes=75, date=date(2026, 10, 20))
    login_as(ana)
    response = client.get(f"/teams/{team.id}/tasks/new")
    assert response.status_code == 200
    page = html(response)
    for member in (ana, bram, chris):
        assert f'name="take_{member.id}" value="y" checked' in page
    assert f"take_{leaver.id}" not in page
    assert f'name="minutes_{ana.id}" value="75"' in page
    assert f'name="minutes_{bram.id}" value=""' in page
    assert re.search(r'<input id="date" name="date"[^>]* value="2026-11-28"', page)
    assert count(Task) == 2


# --- logging refused -------------------------------------------------------------------------


def post_task(client, team, data):
    return client.post(f"/teams/{team.id}/tasks/new", data=data)


def test_participant_who_is_not_a_member_is_refused(client, login_as, team, ana):
    outsider = factories.make_student(name="Olga Buiten")
    factories.make_team(project=team.project, members=[outsider])
    login_as(ana)
    response = post_task(client, team, task_form({ana: 60, outsider: 60}))
    assert response.status_code == 422
    assert "Alleen huidige teamleden kunnen deelnemen." in html(response)
    assert count(Task) == 0
    assert count(TaskParticipation) == 0


def test_participant_who_left_the_team_is_refused(client, login_as, team, ana, bram):
    membership = next(m for m in team.memberships if m.student_id == bram.id)
    membership.left_on = date(2026, 10, 1)
    db.session.commit()
    login_as(ana)
    response = post_task(client, team, task_form({ana: 60, bram: 60}))
    assert response.status_code == 422
    assert "Alleen huidige teamleden kunnen deelnemen." in html(response)
    assert count(Task) == 0
    assert count(TaskParticipation) == 0


def test_participant_id_of_a_non_student_is_refused(client, login_as, team, ana, wijkdocent):
    login_as(ana)
    response = post_task(client, team, task_form({ana: 60, wijkdocent: 60}))
    assert response.status_code == 422
    assert "Alleen huidige teamleden kunnen deelnemen." in html(response)
    assert count(Task) == 0
    assert count(TaskParticipation) == 0


BAD_TIME = "Tijd van Ana Jansen: Schrijf de tijd als minuten (90) of uren (1,5 of 1:30)."


@pytest.mark.parametrize(
    ("minutes", "message"),
    [
        ("0", "Minuten van Ana Jansen: kies 1 tot en met 960 (16 uur)."),
        ("-5", BAD_TIME),
        ("abc", BAD_TIME),
        ("", "Vul bij Ana Jansen de tijd in."),
        ("961", "Minuten van Ana Jansen: kies 1 tot en met 960 (16 uur)."),
        ("²", BAD_TIME),
        ("9" * 5000, BAD_TIME),
    ],
    ids=["zero", "negative", "not-a-number", "empty", "961", "superscript-two", "5000-digits"],
)
def test_minutes_outside_1_to_960_are_refused(client, login_as, team, ana, minutes, message):
    login_as(ana)
    response = post_task(client, team, task_form({ana: minutes}))
    assert response.status_code == 422
    assert message in html(response)
    assert count(Task) == 0
    assert count(TaskParticipation) == 0


def test_960_minutes_is_accepted(client, login_as, team, ana):
    login_as(ana)
    response = post_task(client, team, task_form({ana: 960}))
    assert response.status_code == 302
    assert count(TaskParticipation, TaskParticipation.minutes == 960) == 1


def test_more_than_16_hours_for_one_person_on_one_day_is_refused(client, login_as, team, ana):
    factories.make_task(team=team, participants=[ana], minutes=600, date=DAY)
    login_as(ana)
    response = post_task(client, team, task_form({ana: 361}))
    assert response.status_code == 422
    assert "Ana Jansen komt op 02-11-2026 boven de 16 uur." in html(response)
    assert count(Task) == 1
    assert count(TaskParticipation) == 1


def test_exactly_16_hours_on_one_day_over_two_tasks_is_accepted(client, login_as, team, ana):
    factories.make_task(team=team, participants=[ana], minutes=600, date=DAY)
    login_as(ana)
    response = post_task(client, team, task_form({ana: 360}))
    assert response.status_code == 302
    assert count(Task) == 2


def test_date_in_the_future_is_refused(client, login_as, team, ana):
    login_as(ana)
    response = post_task(client, team, task_form({ana: 60}, date="2026-11-29"))
    assert response.status_code == 422
    assert "Een taak kan niet in de toekomst liggen." in html(response)
    assert count(Task) == 0


def test_task_of_today_is_accepted(client, login_as, team, ana):
    login_as(ana)
    response = post_task(client, team, task_form({ana: 60}, date=TODAY.isoformat()))
    assert response.status_code == 302
    assert count(Task, Task.date == TODAY) == 1


def test_just_after_midnight_in_amsterdam_a_task_of_the_new_day_is_accepted(
    client, login_as, clock, team, ana
):
    """At 00:15 in Amsterdam it is still the day before in UTC; today is the Dutch date."""
    clock.set(datetime(2026, 11, 28, 0, 15, tzinfo=AMSTERDAM))
    login_as(ana)
    response = post_task(client, team, task_form({ana: 60}, date="2026-11-28"))
    assert response.status_code == 302
    assert count(Task, Task.date == date(2026, 11, 28)) == 1


def test_just_before_midnight_in_amsterdam_tomorrow_is_still_the_future(
    client, login_as, clock, team, ana
):
    """At 23:45 in Amsterdam on 27 November it is already 22:45 UTC; 28 November is tomorrow."""
    clock.set(datetime(2026, 11, 27, 23, 45, tzinfo=AMSTERDAM))
    login_as(ana)
    response = post_task(client, team, task_form({ana: 60}, date="2026-11-28"))
    assert response.status_code == 422
    assert "Een taak kan niet in de toekomst liggen." in html(response)
    assert count(Task) == 0


def test_date_outside_the_teams_period_is_refused(client, login_as, project, ana):
    team = factories.make_team(
        project=project, members=[ana], start_date=date(2026, 10, 1), end_date=date(2027, 1, 31)
    )
    login_as(ana)
    response = post_task(client, team, task_form({ana: 60}, date="2026-09-30"))
    assert response.status_code == 422
    assert "De datum valt buiten de periode van het team (01-10-2026 tot en met 31-01-2027)." in (
        html(response)
    )
    assert count(Task) == 0


def test_task_without_participants_is_refused(client, login_as, team, ana):
    login_as(ana)
    response = post_task(client, team, task_form({}))
    assert response.status_code == 422
    assert "Kies minstens één deelnemer." in html(response)
    assert count(Task) == 0


def test_empty_title_is_refused(client, login_as, team, ana):
    login_as(ana)
    response = post_task(client, team, task_form({ana: 60}, title="   "))
    assert response.status_code == 422
    assert "Dit veld is verplicht." in html(response)
    assert count(Task) == 0


def test_title_over_160_characters_is_refused(client, login_as, team, ana):
    login_as(ana)
    response = post_task(client, team, task_form({ana: 60}, title="x" * 161))
    assert response.status_code == 422
    assert "Veld mag niet langer zijn dan 160 karakters." in html(response)
    assert count(Task) == 0


def test_title_of_160_characters_is_accepted(client, login_as, team, ana):
    login_as(ana)
    response = post_task(client, team, task_form({ana: 60}, title="x" * 160))
    assert response.status_code == 302
    assert count(Task, Task.title == "x" * 160) == 1


def test_description_over_4000_characters_is_refused(client, login_as, team, ana):
    login_as(ana)
    response = post_task(client, team, task_form({ana: 60}, description="x" * 4001))
    assert response.status_code == 422
    assert "Veld mag niet langer zijn dan 4000 karakters." in html(response)
    assert count(Task) == 0


def test_unknown_category_is_refused(client, login_as, team, ana):
    login_as(ana)
    response = post_task(client, team, task_form({ana: 60}, category="party"))
    assert response.status_code == 422
    assert "Ongeldige keuze." in html(response)
    assert count(Task) == 0


def test_student_of_another_team_gets_404_for_the_task_form(client, login_as, team):
    other = factories.make_student(name="Olga Buiten")
    factories.make_team(project=team.project, members=[other])
    login_as(other)
    assert client.get(f"/teams/{team.id}/tasks/new").status_code == 404
    response = post_task(client, team, task_form({other: 60}))
    assert response.status_code == 404
    assert count(Task) == 0


def test_team_supervisor_cannot_log_a_task(client, login_as, team, team_supervisor, ana):
    login_as(team_supervisor)
    assert client.get(f"/teams/{team.id}/tasks/new").status_code == 403
    assert post_task(client, team, task_form({ana: 60})).status_code == 403
    assert count(Task) == 0


def test_supervisor_of_another_team_gets_404_for_the_task_form(client, login_as, team, ana):
    login_as(factories.make_supervisor())
    assert client.get(f"/teams/{team.id}/tasks/new").status_code == 404
    assert post_task(client, team, task_form({ana: 60})).status_code == 404
    assert count(Task) == 0


def test_completed_project_takes_no_tasks(client, login_as, team, ana):
    team.project.status = ProjectStatus.COMPLETED
    db.session.commit()
    login_as(ana)
    assert client.get(f"/teams/{team.id}/tasks/new").status_code == 403
    response = post_task(client, team, task_form({ana: 60}))
    assert response.status_code == 403
    assert count(Task) == 0


# --- personal data in descriptions -----------------------------------------------------------


@pytest.mark.parametrize(
    ("description", "warning"),
    [
        ("Mevrouw wil teruggebeld worden op 06-12345678.", "telefoonnummer"),
        ("Vragen kunnen naar fatima.bewoner@example.org.", "e-mailadres"),
        ("Zijn BSN is 111222333, dat hebben we genoteerd.", "burgerservicenummer"),
    ],
    ids=["mobile", "email", "bsn"],
)
def test_description_with_personal_data_saves_the_task_with_a_warning(
    client, login_as, team, ana, description, warning
):
    login_as(ana)
    response = post_task(client, team, task_form({ana: 60}, description=description))
    assert response.status_code == 302
    assert count(Task, Task.description == description) == 1
    page = flashed(client, response)
    assert f"De beschrijving lijkt een {warning} te bevatten." in page
    assert "flash-warning" in page


def test_description_without_personal_data_shows_no_warning(client, login_as, team, ana):
    login_as(ana)
    response = post_task(client, team, task_form({ana: 60}))
    assert response.status_code == 302
    assert count(Task) == 1
    page = flashed(client, response)
    assert "Taak opgeslagen" in page
    assert "De beschrijving lijkt" not in page


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("Bel 06-12345678 na vijf uur", {"telefoonnummer"}),
        ("Bel 0612345678", {"telefoonnummer"}),
        ("Bel +31 612345678", {"telefoonnummer"}),
        ("Mail jan@example.org", {"e-mailadres"}),
        ("BSN 111222333", {"burgerservicenummer"}),
        ("BSN 1112.22.333", {"burgerservicenummer"}),
        ("Kenmerk 123456789", set()),
        ("Bel 06-12345678 of mail jan@example.org", {"telefoonnummer", "e-mailadres"}),
        ("Buurtmaaltijd met 25 bewoners in week 45", set()),
        ("", set()),
    ],
)
def test_personal_data_warnings(text, kinds):
    warnings = [str(w) for w in services.personal_data_warnings(text)]
    assert {
        kind
        for kind in ("telefoonnummer", "e-mailadres", "burgerservicenummer")
        if any(kind in w for w in warnings)
    } == kinds
    assert len(warnings) == len(kinds)


# --- verification ----------------------------------------------------------------------------


def test_team_supervisor_verifies_a_pending_task(client, login_as, task, team_supervisor):
    login_as(team_supervisor)
    response = client.post(f"/tasks/{task.id}/verify", data=seen(task))
    assert response.status_code == 302
    task = reload(task)
    assert task.status == TaskStatus.VERIFIED
    assert task.verified_by_id == team_supervisor.id
    assert task.verified_at is not None
    assert task.verified_on_behalf is False
    event = events(task)[-1]
    assert (event.action, event.actor_id, event.from_status, event.to_status) == (
        "verified",
        team_supervisor.id,
        "pending",
        "verified",
    )


def test_project_wijkdocent_verifies_on_behalf_of_the_supervisor(
    client, login_as, task, wijkdocent
):
    login_as(wijkdocent)
    response = client.post(f"/tasks/{task.id}/verify", data=seen(task))
    assert response.status_code == 302
    task = reload(task)
    assert task.status == TaskStatus.VERIFIED
    assert task.verified_by_id == wijkdocent.id
    assert task.verified_on_behalf is True
    event = events(task)[-1]
    assert event.action == "verified"
    assert json.loads(event.details) == {"on_behalf": True}


def test_supervisor_of_another_team_cannot_verify(client, login_as, task):
    login_as(factories.make_supervisor())
    response = client.post(f"/tasks/{task.id}/verify", data=seen(task))
    assert response.status_code == 404
    task = reload(task)
    assert task.status == TaskStatus.PENDING
    assert task.verified_by_id is None
    assert events(task) == []


def test_student_member_cannot_verify(client, login_as, task, chris):
    login_as(chris)
    response = client.post(f"/tasks/{task.id}/verify", data=seen(task))
    assert response.status_code == 403
    task = reload(task)
    assert task.status == TaskStatus.PENDING
    assert task.verified_by_id is None


@pytest.mark.parametrize("status", ["verified", "returned"])
def test_verifying_a_task_that_is_not_pending_is_refused(
    client, login_as, team, ana, team_supervisor, status
):
    task = factories.make_task(team=team, participants=[ana], status=status)
    login_as(team_supervisor)
    response = client.post(f"/tasks/{task.id}/verify", data=seen(task))
    assert response.status_code == 303
    assert "Alleen een taak die wacht op controle kan worden goedgekeurd." in flashed(
        client, response
    )
    task = reload(task)
    assert task.status == TaskStatus(status)
    assert task.verified_by_id is None
    assert events(task) == []


def test_nobody_verifies_a_task_they_took_part_in(app, task, ana):
    with pytest.raises(NotAllowed):
        services.verify_task(task, by=ana, on_behalf=True)
    task = reload(task)
    assert task.status == TaskStatus.PENDING
    assert task.verified_by_id is None
    assert events(task) == []


def test_supervisor_returns_a_task_with_a_reason(client, login_as, task, team_supervisor):
    login_as(team_supervisor)
    response = client.post(
        f"/tasks/{task.id}/return",
        data={"reason": "Splits dit in twee taken, graag.", **seen(task)},
    )
    assert response.status_code == 302
    task = reload(task)
    assert task.status == TaskStatus.RETURNED
    assert task.return_reason == "Splits dit in twee taken, graag."
    event = events(task)[-1]
    assert (event.action, event.from_status, event.to_status) == ("returned", "pending", "returned")
    assert json.loads(event.details) == {"reason": "Splits dit in twee taken, graag."}


def test_returning_without_a_reason_is_refused(client, login_as, task, team_supervisor):
    login_as(team_supervisor)
    response = client.post(f"/tasks/{task.id}/return", data={"reason": "   ", **seen(task)})
    assert response.status_code == 303
    assert "Schrijf waarom je de taak teruggeeft." in flashed(client, response)
    task = reload(task)
    assert task.status == TaskStatus.PENDING
    assert task.return_reason == ""
    assert events(task) == []


# --- verifying in bulk -----------------------------------------------------------------------


@pytest.fixture
def second_team(team_supervisor, wijkdocent):
    """Another team of the same supervisor, in another project."""
    project = factories.make_project(
        owner=wijkdocent, partner=team_supervisor.supervisor_profile.organisation
    )
    student = factories.make_student(name="Eva Zuid")
    return factories.make_team(
        project=project, supervisor=team_supervisor, members=[student], name="Team Zuid"
    )


@pytest.fixture
def other_team(project):
    return factories.make_team(
        project=project, members=[factories.make_student(name="Olga Buiten")], name="Team West"
    )


def test_waiting_list_shows_pending_tasks_of_all_the_supervisors_teams(
    client, login_as, team, second_team, other_team, team_supervisor, ana
):
    factories.make_task(team=team, participants=[ana], title="Koffieochtend")
    factories.make_task(team=second_team, title="Straatinterviews")
    factories.make_task(team=team, participants=[ana], title="Al goedgekeurd", status="verified")
    factories.make_task(team=other_team, title="Andermans taak")
    login_as(team_supervisor)
    response = client.get("/tasks/waiting")
    assert response.status_code == 200
    page = html(response)
    assert "Koffieochtend" in page
    assert "Straatinterviews" in page
    assert "Al goedgekeurd" not in page
    assert "Andermans taak" not in page
    assert count(Task, Task.status == TaskStatus.PENDING) == 3


def test_supervisor_verifies_several_tasks_at_once(
    client, login_as, team, second_team, team_supervisor, ana
):
    first = factories.make_task(team=team, participants=[ana])
    second = factories.make_task(team=second_team)
    untouched = factories.make_task(team=team, participants=[ana], date=date(2026, 11, 3))
    login_as(team_supervisor)
    response = client.post("/tasks/verify", data=ticked(first, second))
    assert response.status_code == 302
    assert "2 taken goedgekeurd." in flashed(client, response)
    for done in (first, second):
        done = reload(done)
        assert done.status == TaskStatus.VERIFIED
        assert done.verified_by_id == team_supervisor.id
        assert done.verified_on_behalf is False
    assert reload(untouched).status == TaskStatus.PENDING
    assert count(TaskEvent, TaskEvent.action == "verified") == 2


def test_bulk_verify_with_a_task_of_another_team_verifies_none(
    client, login_as, team, other_team, team_supervisor, ana
):
    own = factories.make_task(team=team, participants=[ana])
    foreign = factories.make_task(team=other_team)
    login_as(team_supervisor)
    response = client.post("/tasks/verify", data=ticked(own, foreign))
    assert response.status_code == 403
    assert reload(own).status == TaskStatus.PENDING
    assert reload(foreign).status == TaskStatus.PENDING
    assert count(TaskEvent) == 0


def test_bulk_verify_stops_at_a_task_that_is_no_longer_pending(
    client, login_as, team, team_supervisor, ana
):
    pending = factories.make_task(team=team, participants=[ana])
    returned = factories.make_task(team=team, participants=[ana], status="returned")
    login_as(team_supervisor)
    response = client.post("/tasks/verify", data=ticked(pending, returned))
    assert response.status_code == 303
    assert reload(pending).status == TaskStatus.PENDING
    assert reload(returned).status == TaskStatus.RETURNED
    assert count(TaskEvent) == 0


def test_bulk_verify_without_a_selection_changes_nothing(client, login_as, task, team_supervisor):
    login_as(team_supervisor)
    response = client.post("/tasks/verify", data={})
    assert response.status_code == 303
    assert "Kies minstens één taak om goed te keuren." in flashed(client, response)
    assert reload(task).status == TaskStatus.PENDING
    assert count(TaskEvent) == 0


def test_student_gets_403_for_the_waiting_list(client, login_as, task, ana):
    login_as(ana)
    response = client.get("/tasks/waiting")
    assert response.status_code == 403
    assert "Wijkschouw" not in html(response)


# --- editing ---------------------------------------------------------------------------------


def verified(task: Task, by) -> Task:
    services.verify_task(task, by=by, on_behalf=False)
    db.session.commit()
    return task


def test_editing_a_verified_task_sends_it_back_to_pending_with_the_changes(
    client, login_as, task, team_supervisor, ana, bram
):
    verified(task, team_supervisor)
    login_as(ana)
    version = form_version(client, task)
    data = edit_form(task, version, title="Wijkschouw Transvaal")
    data[f"minutes_{ana.id}"] = "90"
    response = client.post(f"/tasks/{task.id}/edit", data=data)
    assert response.status_code == 302
    task = reload(task)
    assert task.status == TaskStatus.PENDING
    assert task.verified_by_id is None
    assert task.verified_at is None
    assert task.title == "Wijkschouw Transvaal"
    assert {p.student_id: p.minutes for p in task.participations} == {ana.id: 90, bram.id: 120}
    event = events(task)[-1]
    assert (event.action, event.actor_id, event.from_status, event.to_status) == (
        "edited",
        ana.id,
        "verified",
        "pending",
    )
    details = json.loads(event.details)
    assert set(details) == {"title", "participants"}
    assert details["title"] == ["Wijkschouw", "Wijkschouw Transvaal"]
    before, after = details["participants"]
    assert (before[str(ana.id)][0], after[str(ana.id)][0]) == (120, 90)
    page = html(client.get(f"/tasks/{task.id}"))
    assert "titel: Wijkschouw → Wijkschouw Transvaal" in page
    assert "Ana Jansen 120 min, Bram de Wit 120 min → Ana Jansen 90 min, Bram de Wit 120 min" in (
        page
    )


def test_editing_a_returned_task_resubmits_it(client, login_as, task, team_supervisor, ana):
    services.return_task(task, by=team_supervisor, reason="Minuten kloppen niet.")
    db.session.commit()
    login_as(ana)
    version = form_version(client, task)
    data = edit_form(task, version)
    data[f"minutes_{ana.id}"] = "100"
    response = client.post(f"/tasks/{task.id}/edit", data=data)
    assert response.status_code == 302
    task = reload(task)
    assert task.status == TaskStatus.PENDING
    assert task.participations[0].minutes == 100
    event = events(task)[-1]
    assert (event.action, event.from_status, event.to_status) == (
        "resubmitted",
        "returned",
        "pending",
    )


def test_edit_that_changes_nothing_records_no_event(client, login_as, task, team_supervisor, ana):
    verified(task, team_supervisor)
    before = len(events(task))
    login_as(ana)
    version = form_version(client, task)
    response = client.post(f"/tasks/{task.id}/edit", data=edit_form(task, version))
    assert response.status_code == 302
    task = reload(task)
    assert len(events(task)) == before
    assert task.status == TaskStatus.VERIFIED
    assert task.verified_by_id == team_supervisor.id


def test_second_edit_based_on_the_same_version_gets_409(client, login_as, task, ana, bram):
    login_as(ana)
    version = form_version(client, task)
    first = client.post(f"/tasks/{task.id}/edit", data=edit_form(task, version, title="Eerst"))
    assert first.status_code == 302
    login_as(bram)
    second = client.post(f"/tasks/{task.id}/edit", data=edit_form(task, version, title="Later"))
    assert second.status_code == 409
    assert "Laad de pagina opnieuw." in html(second)
    assert reload(task).title == "Eerst"
    assert [e.action for e in events(task)] == ["edited"]


def test_second_edit_after_a_minutes_only_edit_gets_409(client, login_as, task, ana, bram):
    login_as(ana)
    version = form_version(client, task)
    data = edit_form(task, version)
    data[f"minutes_{ana.id}"] = "45"
    assert client.post(f"/tasks/{task.id}/edit", data=data).status_code == 302
    login_as(bram)
    second = client.post(f"/tasks/{task.id}/edit", data=edit_form(task, version, title="Later"))
    assert second.status_code == 409
    task = reload(task)
    assert task.title == "Wijkschouw"
    assert {p.student_id: p.minutes for p in task.participations}[ana.id] == 45


def test_second_edit_based_on_the_same_version_gets_409_in_english_too(
    client, login_as, task, ana, bram
):
    login_as(ana)
    version = form_version(client, task)
    first = client.post(f"/tasks/{task.id}/edit", data=edit_form(task, version, title="Eerst"))
    assert first.status_code == 302
    bram.locale = "en"
    db.session.commit()
    login_as(bram)
    second = client.post(f"/tasks/{task.id}/edit", data=edit_form(task, version, title="Later"))
    assert second.status_code == 409
    assert "Reload the page." in html(second)
    assert reload(task).title == "Eerst"


def test_edit_that_loses_the_race_to_a_concurrent_save_gets_409(
    client, login_as, monkeypatch, task, ana
):
    """Both saves passed the version check; the database's version guard refuses the second."""
    login_as(ana)
    version = form_version(client, task)
    check = services._check

    def concurrent_save_commits_first(*args, **kwargs):
        check(*args, **kwargs)
        db.session.execute(
            update(Task).where(Task.id == task.id).values(title="Gelijktijdig", version=2),
            execution_options={"synchronize_session": False},
        )

    monkeypatch.setattr(services, "_check", concurrent_save_commits_first)
    response = client.post(f"/tasks/{task.id}/edit", data=edit_form(task, version, title="Later"))
    assert response.status_code == 409
    assert "Laad de pagina opnieuw." in html(response)
    task = reload(task)
    assert task.title == "Wijkschouw"  # the simulated other save was rolled back with ours
    assert events(task) == []


def test_editing_in_personal_data_saves_the_task_with_a_warning(client, login_as, task, ana):
    login_as(ana)
    version = form_version(client, task)
    response = client.post(
        f"/tasks/{task.id}/edit",
        data=edit_form(task, version, description="Terugbellen op 06-12345678."),
    )
    assert response.status_code == 302
    assert reload(task).description == "Terugbellen op 06-12345678."
    assert "De beschrijving lijkt een telefoonnummer te bevatten." in flashed(client, response)


# --- reflections -----------------------------------------------------------------------------


def participation_of(task: Task, student) -> TaskParticipation:
    fresh()
    return db.session.scalar(
        select(TaskParticipation).where(
            TaskParticipation.task_id == task.id, TaskParticipation.student_id == student.id
        )
    )


def test_participant_saves_a_reflection_on_their_own_participation(client, login_as, task, ana):
    own = participation_of(task, ana)
    login_as(ana)
    response = client.post(
        f"/tasks/participations/{own.id}/reflection",
        data={"reflection": "  Ik leerde het gesprek te openen.  "},
    )
    assert response.status_code == 302
    assert participation_of(task, ana).reflection == "Ik leerde het gesprek te openen."


def test_participant_cannot_write_another_participants_reflection(
    client, login_as, task, ana, bram
):
    theirs = participation_of(task, bram)
    login_as(ana)
    response = client.post(
        f"/tasks/participations/{theirs.id}/reflection", data={"reflection": "Namens Bram"}
    )
    assert response.status_code == 403
    assert participation_of(task, bram).reflection == ""


def test_reflection_over_2000_characters_is_refused(client, login_as, task, ana):
    own = participation_of(task, ana)
    own.reflection = "Eerste versie."
    db.session.commit()
    login_as(ana)
    response = client.post(
        f"/tasks/participations/{own.id}/reflection", data={"reflection": "x" * 2001}
    )
    assert response.status_code == 303
    assert "Een reflectie mag hoogstens 2000 tekens hebben." in flashed(client, response)
    assert participation_of(task, ana).reflection == "Eerste versie."


def test_reflection_service_refuses_over_2000_characters(app, task, ana):
    own = participation_of(task, ana)
    with pytest.raises(WijklabError):
        services.set_reflection(own, "x" * 2001)
    assert participation_of(task, ana).reflection == ""


# --- team page -------------------------------------------------------------------------------


@pytest.fixture
def ana_with_tasks(team, other_team, ana, bram):
    """Ana: verified collective 120, pending individual 60, returned collective 30 (with Bram);
    and a task in another team that the totals of this team must ignore."""
    factories.make_task(team=team, participants=[ana], minutes=120, status="verified")
    factories.make_task(
        team=team,
        participants=[ana],
        minutes=60,
        category=Category.INDIVIDUAL_SUPPORT,
        date=date(2026, 11, 3),
    )
    factories.make_task(
        team=team, participants=[ana, bram], minutes=30, status="returned", date=date(2026, 11, 4)
    )
    membership = TeamMembership(team=other_team, student=ana, joined_on=other_team.start_date)
    db.session.add(membership)
    db.session.commit()
    factories.make_task(team=other_team, participants=[ana], minutes=200, status="verified")
    return ana


def test_member_totals_add_minutes_by_status_and_kind(app, team, ana_with_tasks, ana, bram, chris):
    totals = services.member_totals(team)
    assert totals == {
        ana.id: {
            "logged": 210,
            "verified": 120,
            "pending": 60,
            "returned": 30,
            "collective": 150,
            "individual": 60,
        },
        bram.id: {
            "logged": 30,
            "verified": 0,
            "pending": 0,
            "returned": 30,
            "collective": 30,
            "individual": 0,
        },
    }
    assert chris.id not in totals


def test_team_page_shows_hours_per_member(client, login_as, wijkdocent, team, ana_with_tasks):
    login_as(wijkdocent)
    response = client.get(f"/teams/{team.id}")
    assert response.status_code == 200
    page = html(response)
    assert "Uren per lid" in page
    assert table_row(page, "Ana Jansen", after="Uren per lid") == [
        "Ana Jansen",
        "3,5",
        "2,0",
        "1,0",
        "0,5",
        "2,5",
        "1,0",
    ]
    assert table_row(page, "Bram de Wit", after="Uren per lid") == [
        "Bram de Wit",
        "0,5",
        "0,0",
        "0,0",
        "0,5",
        "0,5",
        "0,0",
    ]
    assert table_row(page, "Chris Bakker", after="Uren per lid") == [
        "Chris Bakker",
        "0,0",
        "0,0",
        "0,0",
        "0,0",
        "0,0",
        "0,0",
    ]
    assert count(Task) == 4


def test_team_feed_lists_tasks_newest_first_ten_a_page(client, login_as, team, other_team, ana):
    for day in range(1, 13):
        factories.make_task(
            team=team, participants=[ana], title=f"Activiteit {day:02}", date=date(2026, 10, day)
        )
    factories.make_task(team=other_team, title="Andermans taak", date=date(2026, 10, 20))
    login_as(ana)
    first = client.get(f"/teams/{team.id}")
    second = client.get(f"/teams/{team.id}?page=2")
    assert first.status_code == second.status_code == 200
    first_titles = re.findall(r"Activiteit \d\d", html(first))
    second_titles = re.findall(r"Activiteit \d\d", html(second))
    assert first_titles == [f"Activiteit {day:02}" for day in range(12, 2, -1)]
    assert second_titles == ["Activiteit 02", "Activiteit 01"]
    assert "Andermans taak" not in html(first) + html(second)
    assert count(Task) == 13


# --- supervision sessions and school visits --------------------------------------------------


def supervision_form(**overrides) -> dict:
    data = {"date": "2026-11-05", "minutes": "90", "note": "Gesprek over de taakverdeling."}
    data.update(overrides)
    return data


def test_team_supervisor_logs_a_supervision_session(client, login_as, team, team_supervisor):
    login_as(team_supervisor)
    assert client.get(f"/teams/{team.id}/supervision").status_code == 200
    response = client.post(f"/teams/{team.id}/supervision", data=supervision_form())
    assert response.status_code == 302
    assert response.headers["Location"] == f"/teams/{team.id}"
    fresh()
    session = db.session.scalar(select(SupervisionSession))
    assert (session.team_id, session.supervisor_id, session.date, session.minutes) == (
        team.id,
        team_supervisor.id,
        date(2026, 11, 5),
        90,
    )
    assert session.note == "Gesprek over de taakverdeling."


@pytest.mark.parametrize(
    ("minutes", "message"),
    [
        ("0", "Kies 1 tot en met 960 minuten."),
        ("961", "Kies 1 tot en met 960 minuten."),
        ("", "Dit veld is verplicht."),
        ("veel", "Schrijf de tijd als minuten (90) of uren (1,5 of 1:30)."),
    ],
)
def test_supervision_minutes_outside_1_to_960_are_refused(
    client, login_as, team, team_supervisor, minutes, message
):
    login_as(team_supervisor)
    response = client.post(f"/teams/{team.id}/supervision", data=supervision_form(minutes=minutes))
    assert response.status_code == 422
    error = re.search(r'<p class="error" id="minutes-error">(.*?)</p>', html(response))
    assert error.group(1) == message
    assert count(SupervisionSession) == 0


def test_supervision_in_the_future_is_refused(client, login_as, team, team_supervisor):
    login_as(team_supervisor)
    response = client.post(
        f"/teams/{team.id}/supervision", data=supervision_form(date="2026-11-29")
    )
    assert response.status_code == 422
    assert "Kies een datum in de periode van het team, niet in de toekomst." in html(response)
    assert count(SupervisionSession) == 0


def test_project_page_shows_supervision_hours_and_students_per_supervisor(
    client, login_as, wijkdocent, project, team, other_team, team_supervisor
):
    login_as(team_supervisor)
    for minutes in ("90", "30"):
        response = client.post(
            f"/teams/{team.id}/supervision", data=supervision_form(minutes=minutes)
        )
        assert response.status_code == 302
    login_as(wijkdocent)
    response = client.get(f"/projects/{project.id}")
    assert response.status_code == 200
    page = html(response)
    row = table_row(page, "Henk Begeleider", after="<h2>Begeleiding</h2>")
    assert row[1] == "2,0"
    assert row[3] == "3"
    other = table_row(page, other_team.supervisor.name, after="<h2>Begeleiding</h2>")
    assert (other[1], other[3]) == ("0,0", "1")
    assert count(SupervisionSession) == 2


def test_project_wijkdocent_logs_a_school_visit_shown_on_the_team_page(
    client, login_as, wijkdocent, team
):
    login_as(wijkdocent)
    assert client.get(f"/teams/{team.id}/visits").status_code == 200
    response = client.post(
        f"/teams/{team.id}/visits",
        data={"date": "2026-11-10", "present": "Ana en Bram", "note": "Goede sfeer."},
    )
    assert response.status_code == 302
    fresh()
    visit = db.session.scalar(select(SchoolVisit))
    assert (visit.team_id, visit.visitor_id, visit.date) == (
        team.id,
        wijkdocent.id,
        date(2026, 11, 10),
    )
    assert (visit.present, visit.note) == ("Ana en Bram", "Goede sfeer.")
    page = html(client.get(f"/teams/{team.id}"))
    assert "schoolbezoek van Marloes Docent" in page
    assert "(Ana en Bram)" in page
    assert "Goede sfeer." in page


def test_school_visit_in_the_future_is_refused(client, login_as, wijkdocent, team):
    login_as(wijkdocent)
    response = client.post(f"/teams/{team.id}/visits", data={"date": "2026-12-01"})
    assert response.status_code == 422
    assert "Kies een datum in de periode van het team, niet in de toekomst." in html(response)
    assert count(SchoolVisit) == 0


# --- a student's hours -----------------------------------------------------------------------


@pytest.fixture
def eva(wijkdocent):
    """Eva in two teams: Noord (week 45: collective 120, individual 60) and Zuid (week 46:
    collective 90, and 45 pending); 10 agreed BPV hours."""
    eva = factories.make_student(name="Eva Dubbel", agreed_bpv_hours=10)
    other = factories.make_student()
    noord = factories.make_team(members=[eva, other], name="Noord")
    zuid = factories.make_team(members=[eva], name="Zuid")
    factories.make_task(team=noord, participants=[eva], minutes=120, status="verified", date=DAY)
    factories.make_task(
        team=noord,
        participants=[eva],
        minutes=60,
        status="verified",
        category=Category.INDIVIDUAL_SUPPORT,
        date=date(2026, 11, 4),
    )
    factories.make_task(
        team=zuid,
        participants=[eva],
        minutes=90,
        status="verified",
        category=Category.NETWORK,
        date=date(2026, 11, 10),
    )
    factories.make_task(team=zuid, participants=[eva], minutes=45, date=date(2026, 11, 11))
    factories.make_task(team=noord, participants=[other], minutes=300, status="verified")
    return eva


def test_student_hours_adds_verified_minutes_per_team_and_week(app, eva):
    hours = services.student_hours(eva)
    noord, zuid = hours["teams"]
    assert (noord["name"], noord["collective"], noord["individual"], noord["pending"]) == (
        "Noord",
        120,
        60,
        0,
    )
    assert (zuid["name"], zuid["collective"], zuid["individual"], zuid["pending"]) == (
        "Zuid",
        90,
        0,
        45,
    )
    assert hours["weeks"] == [
        {"year": 2026, "week": 45, "collective": 120, "individual": 60, "cumulative": 180},
        {"year": 2026, "week": 46, "collective": 90, "individual": 0, "cumulative": 270},
    ]
    assert (hours["total"], hours["collective"], hours["individual"], hours["pending"]) == (
        270,
        210,
        60,
        45,
    )
    assert (hours["agreed"], hours["percent"]) == (600, 45)


def test_student_sees_their_own_hours(client, login_as, eva):
    login_as(eva)
    response = client.get(f"/students/{eva.id}/hours")
    assert response.status_code == 200
    page = html(response)
    assert "4,5 uur" in page
    assert "10 uur (45%)" in page
    # The team with its project: many teams are called "Team 1".
    memberships = db.session.scalars(
        select(TeamMembership).where(TeamMembership.student_id == eva.id)
    )
    [team] = [m.team for m in memberships if m.team.name == "Noord"]
    noord = f"Noord · {team.project.title}"
    assert table_row(page, noord, after="Per team") == [noord, "2,0", "1,0", "0,0"]
    assert table_row(page, "week 46", after="Per week") == ["week 46", "1,5", "0,0", "4,5"]
    assert count(Task) == 5


def test_other_student_gets_404_for_a_students_hours(client, login_as, eva, ana):
    login_as(ana)
    response = client.get(f"/students/{eva.id}/hours")
    assert response.status_code == 404
    assert "Eva Dubbel" not in html(response)


def test_supervisor_of_one_of_the_students_teams_sees_their_hours(client, login_as, eva):
    fresh()
    zuid = db.session.scalar(
        select(TeamMembership)
        .where(TeamMembership.student_id == eva.id)
        .order_by(TeamMembership.id.desc())
    ).team
    login_as(zuid.supervisor)
    response = client.get(f"/students/{eva.id}/hours")
    assert response.status_code == 200
    assert "Uren van Eva Dubbel" in html(response)


def test_supervisor_who_does_not_supervise_the_student_gets_404(
    client, login_as, eva, team_supervisor
):
    login_as(team_supervisor)
    response = client.get(f"/students/{eva.id}/hours")
    assert response.status_code == 404
    assert "Eva Dubbel" not in html(response)


def test_editing_keeps_the_part_of_a_member_who_has_left(client, login_as, team, task, ana, bram):
    login_as(ana)
    version = form_version(client, task)
    membership = db.session.scalar(
        select(TeamMembership).where(TeamMembership.student_id == bram.id)
    )
    membership.left_on = DAY
    db.session.commit()
    # The form no longer shows Bram; Ana changes her own minutes.
    data = edit_form(task, version)
    data.pop(f"take_{bram.id}")
    data.pop(f"minutes_{bram.id}")
    data.pop(f"role_{bram.id}")
    data[f"minutes_{ana.id}"] = "90"
    response = client.post(f"/tasks/{task.id}/edit", data=data)
    assert response.status_code == 302
    minutes = dict(
        db.session.execute(
            select(TaskParticipation.student_id, TaskParticipation.minutes).where(
                TaskParticipation.task_id == task.id
            )
        ).all()
    )
    assert minutes == {ana.id: 90, bram.id: 120}


@pytest.mark.parametrize(
    "text", ["bel 06 12 34 56 78", "06-1234 5678", "+31 6 12345678", "tel. 010 123 45 67"]
)
def test_phone_numbers_with_spaces_are_noticed(text):
    assert services.personal_data_warnings(text)


@pytest.mark.parametrize("text", ["op 2026-11-24 om 19:00", "zaal 12, 35 bewoners", "06-1234"])
def test_dates_and_counts_are_not_taken_for_phone_numbers(text):
    assert services.personal_data_warnings(text) == []
