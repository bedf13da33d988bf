"""Issue 13, the task log on a phone: a failed submit keeps everything typed; time as people say
it (one parser); the dashboard's one-tap "Taak loggen"; a returned task's reason on the dashboard
and the form; the personal-data warning for the one who checks the task."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.forms import form_state
from wijklab.errors import WijklabError
from wijklab.extensions import db
from wijklab.tasks import services
from wijklab.tasks.forms import parse_duration
from wijklab.tasks.models import SupervisionSession, Task, TaskParticipation, TaskStatus
from wijklab.templating import duration

TODAY = date(2026, 11, 28)
DAY = date(2026, 11, 2)


@pytest.fixture(autouse=True)
def fixed_today(clock):
    clock.set(TODAY)


def html(response) -> str:
    return response.get_data(as_text=True)


def count(model, *where) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(model.id)).where(*where))


@pytest.fixture
def team():
    members = [factories.make_student(name=n) for n in ("Anna Bakker", "Bram Jansen", "Cas Smit")]
    return factories.make_team(members=members)


def state_of(page) -> dict:
    """form_state, with the newline a browser drops after <textarea> dropped."""
    return {
        k: [v.removeprefix("\r\n").removeprefix("\n") for v in vs]
        for k, vs in form_state(page).items()
    }


def members(team):
    return [m.student for m in team.memberships]


def typed_form(team, **overrides) -> dict:
    anna, bram, cas = members(team)
    data = {
        "date": DAY.isoformat(),
        "title": "Buurtmaaltijd",
        "category": "residents_activity",
        "description": "Samen koken met buren.",
        "residents_reached": "25",
        "partners_involved": "Buurthuis",
        "place": "Mosplein",
        f"take_{anna.id}": "y",
        f"minutes_{anna.id}": "1,5",
        f"role_{anna.id}": "lead",
        f"take_{bram.id}": "y",
        f"minutes_{bram.id}": "1u30",
        f"role_{bram.id}": "co_organiser",
        # Cas is left unticked, with a time typed anyway.
        f"minutes_{cas.id}": "45",
        f"role_{cas.id}": "support",
    }
    data.update(overrides)
    return data


# --- the parser ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("90", 90),
        (" 90 ", 90),
        ("1,5", 90),
        ("1.5", 90),
        ("0,25", 15),
        ("1,25", 75),
        ("1:30", 90),
        ("1u30", 90),
        ("1 u 30", 90),
        ("1U30", 90),
        ("2u", 120),
        ("2 uur", 120),
        ("1:05", 65),
        ("1 u 30 min", 90),
        ("16:00", 960),
        ("0", 0),  # parsed; the bounds are the service's
    ],
)
def test_parse_duration_reads_time_as_people_say_it(text, minutes):
    assert parse_duration(text) == minutes


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "-30",
        "1,5,5",
        "1:60",
        "1:99",
        "abc",
        "90 minuten extra",
        "1e3",
        "²",
        "١٢",  # Arabic-Indic digits
        "9" * 5000,
        "1:30; DROP TABLE task",
        "<script>",
        "1,",
        ",5",
        "∞",
        "nan",
        "0x10",
    ],
)
def test_parse_duration_refuses_anything_else_with_a_dutch_message(text):
    with pytest.raises(WijklabError) as error:
        parse_duration(text)
    assert "minuten" in str(error.value.message) or "59" in str(error.value.message)


def test_duration_shows_hours_and_minutes(app):
    with app.test_request_context():
        assert duration(90) == "1 u 30 min"
        assert duration(45) == "45 min"
        assert duration(120) == "2 u"
        assert duration(None) == "0 min"


# --- keeping what was typed --------------------------------------------------------------------


@pytest.mark.parametrize(
    "broken",
    [
        {"title": ""},  # a form field fails
        {"minutes_{bram}": "anderhalf"},  # a participant's time fails (the lost-input bug)
        {"date": "2030-01-01"},  # the service refuses
    ],
)
def test_failed_new_task_keeps_every_tick_time_role_and_text(client, login_as, team, broken):
    anna, bram, cas = members(team)
    login_as(anna)
    overrides = {k.replace("{bram}", str(bram.id)): v for k, v in broken.items()}
    response = client.post(f"/teams/{team.id}/tasks/new", data=typed_form(team, **overrides))
    assert response.status_code == 422
    state = state_of(response)
    sent = typed_form(team, **overrides)
    for name in (
        "title",
        "description",
        "partners_involved",
        "place",
        f"minutes_{anna.id}",
        f"minutes_{bram.id}",
        f"minutes_{cas.id}",
    ):
        assert state[name] == [sent[name]], name
    assert state[f"take_{anna.id}"] == ["y"]
    assert state[f"take_{bram.id}"] == ["y"]
    assert f"take_{cas.id}" not in state
    assert state[f"role_{anna.id}"] == ["lead"]
    assert state[f"role_{bram.id}"] == ["co_organiser"]
    assert count(Task) == 0


def test_time_error_names_the_participant(client, login_as, team):
    anna, bram, _cas = members(team)
    login_as(anna)
    response = client.post(
        f"/teams/{team.id}/tasks/new", data=typed_form(team, **{f"minutes_{bram.id}": "1:75"})
    )
    assert response.status_code == 422
    assert "Tijd van Bram Jansen" in html(response)
    assert count(Task) == 0


def test_failed_submit_fixed_then_saved_in_minutes(client, login_as, team):
    anna, bram, _cas = members(team)
    login_as(anna)
    response = client.post(
        f"/teams/{team.id}/tasks/new", data=typed_form(team, **{f"minutes_{bram.id}": "x"})
    )
    state = state_of(response)
    state[f"minutes_{bram.id}"] = ["1 u 30"]
    response = client.post(f"/teams/{team.id}/tasks/new", data=state)
    assert response.status_code == 302
    db.session.rollback()
    task = db.session.scalar(select(Task))
    assert {p.student_id: p.minutes for p in task.participations} == {anna.id: 90, bram.id: 90}


def test_too_many_hours_is_refused_with_the_bounds(client, login_as, team):
    anna, bram, _cas = members(team)
    login_as(anna)
    response = client.post(
        f"/teams/{team.id}/tasks/new", data=typed_form(team, **{f"minutes_{anna.id}": "17:00"})
    )
    assert response.status_code == 422
    assert "16 uur" in html(response)
    assert count(Task) == 0


def test_failed_edit_keeps_every_tick_time_role_and_text(client, login_as, team):
    anna, bram, cas = members(team)
    task = factories.make_task(team=team, participants=[anna, bram], minutes=60)
    login_as(anna)
    page = client.get(f"/tasks/{task.id}/edit")
    state = state_of(page)
    assert state[f"minutes_{anna.id}"] == ["60"]
    state.update(
        {
            "title": [""],
            "description": ["Nieuwe tekst"],
            f"take_{cas.id}": ["y"],
            f"minutes_{cas.id}": ["0,75"],
            f"role_{cas.id}": ["lead"],
        }
    )
    response = client.post(f"/tasks/{task.id}/edit", data=state)
    assert response.status_code == 422
    again = state_of(response)
    assert again["description"] == ["Nieuwe tekst"]
    assert again[f"take_{cas.id}"] == ["y"]
    assert again[f"minutes_{cas.id}"] == ["0,75"]
    assert again[f"role_{cas.id}"] == ["lead"]
    db.session.rollback()
    assert count(TaskParticipation, TaskParticipation.task_id == task.id) == 2


def test_supervision_form_takes_hours_and_keeps_input_on_error(client, login_as, team):
    login_as(team.supervisor)
    response = client.post(
        f"/teams/{team.id}/supervision",
        data={"date": DAY.isoformat(), "minutes": "anderhalf", "note": "Intervisie"},
    )
    assert response.status_code == 422
    state = state_of(response)
    assert state["minutes"] == ["anderhalf"]
    assert state["note"] == ["Intervisie"]
    assert count(SupervisionSession) == 0
    response = client.post(
        f"/teams/{team.id}/supervision",
        data={"date": DAY.isoformat(), "minutes": "1,5", "note": "Intervisie"},
    )
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.scalar(select(SupervisionSession.minutes)) == 90


def test_supervision_bounds_stay(client, login_as, team):
    login_as(team.supervisor)
    response = client.post(
        f"/teams/{team.id}/supervision", data={"date": DAY.isoformat(), "minutes": "17u"}
    )
    assert response.status_code == 422
    assert count(SupervisionSession) == 0


# --- dashboard: one tap, returned tasks ----------------------------------------------------------


def test_dashboard_has_one_tap_task_logging_per_running_team(client, login_as, team):
    anna = members(team)[0]
    other = factories.make_team(members=[anna])
    login_as(anna)
    page = html(client.get("/"))
    assert f'href="/teams/{team.id}/tasks/new"' in page
    assert f'href="/teams/{other.id}/tasks/new"' in page


def test_dashboard_has_no_logging_button_for_a_team_left(client, login_as, team):
    anna = members(team)[0]
    team.memberships[0].left_on = DAY
    db.session.flush()
    login_as(anna)
    assert f"/teams/{team.id}/tasks/new" not in html(client.get("/"))


def test_returned_task_reason_on_dashboard_links_to_edit_form(client, login_as, team):
    anna, bram, _cas = members(team)
    task = factories.make_task(team=team, participants=[anna, bram])
    services.return_task(task, by=team.supervisor, reason="Minuten van Bram kloppen niet.")
    other = factories.make_task(team=team, participants=[bram])
    services.return_task(other, by=team.supervisor, reason="Alleen voor Bram.")
    db.session.flush()
    login_as(anna)
    page = html(client.get("/"))
    assert "Minuten van Bram kloppen niet." in page
    assert f'href="/tasks/{task.id}/edit"' in page
    assert "Alleen voor Bram." not in page
    form = html(client.get(f"/tasks/{task.id}/edit"))
    assert "Minuten van Bram kloppen niet." in form


def test_returned_task_notifies_participants(client, login_as, team):
    from wijklab.activity.models import Notification

    anna, bram, _cas = members(team)
    task = factories.make_task(team=team, participants=[anna, bram])
    services.return_task(task, by=team.supervisor, reason="Graag de plek invullen.")
    db.session.flush()
    kinds = db.session.scalars(
        select(Notification.user_id).where(Notification.kind == "task_returned")
    ).all()
    assert sorted(kinds) == sorted([anna.id, bram.id])
    assert task.status == TaskStatus.RETURNED


# --- display and the supervisor's warning -----------------------------------------------------


def test_task_page_and_waiting_list_show_hours_and_minutes(client, login_as, team):
    anna, bram, _cas = members(team)
    factories.make_task(team=team, participants=[anna, bram], minutes=90, title="Koffie")
    login_as(team.supervisor)
    page = html(client.get("/tasks/waiting"))
    assert "Anna Bakker 1 u 30 min" in page
    assert "samen 3 u" in page
    task_id = db.session.scalar(select(Task.id))
    assert "1 u 30 min" in html(client.get(f"/tasks/{task_id}"))


def test_supervisor_sees_personal_data_warning(client, login_as, team):
    anna = members(team)[0]
    task = factories.make_task(
        team=team, participants=[anna], description="Bel mevrouw op 06-12345678."
    )
    login_as(team.supervisor)
    assert "telefoonnummer" in html(client.get(f"/tasks/{task.id}"))
    assert "telefoonnummer" in html(client.get("/tasks/waiting"))


def test_no_warning_for_clean_description(client, login_as, team):
    anna = members(team)[0]
    task = factories.make_task(team=team, participants=[anna], description="Koffie geschonken.")
    login_as(team.supervisor)
    assert "telefoonnummer" not in html(client.get(f"/tasks/{task.id}"))


# --- Wacht op jou: tasks and goals in one list -------------------------------------------------


def test_waiting_list_holds_tasks_and_goals_oldest_first_with_count_in_menu(
    client, login_as, team, clock
):
    from wijklab.goals.models import LearningGoal

    anna, bram, _cas = members(team)
    factories.make_task(
        team=team, participants=[anna], title="Nieuwe taak", date=date(2026, 11, 20)
    )
    factories.make_task(team=team, participants=[bram], title="Oude taak", date=date(2026, 11, 3))
    goal = factories.make_goal(team=team, student=anna, status="review_requested", title="Gesprek")
    goal.updated_at = datetime(2026, 11, 10, 12, tzinfo=UTC)
    other_team = factories.make_team(members=[factories.make_student()])
    factories.make_goal(team=other_team, status="review_requested", title="Niet van jou")
    db.session.flush()
    login_as(team.supervisor)
    response = client.get("/tasks/waiting")
    assert response.status_code == 200
    page = html(response)
    assert page.index("Oude taak") < page.index("Gesprek") < page.index("Nieuwe taak")
    assert "Niet van jou" not in page
    assert f'href="/goals/{goal.id}"' in page
    assert '<span class="count-badge">3<' in page
    assert db.session.get(LearningGoal, goal.id).status.value == "review_requested"


def test_waiting_list_pages_merge_in_order(client, login_as, team, app):
    anna = members(team)[0]
    app.config["PER_PAGE"] = 2
    for day in (3, 5, 9):
        factories.make_task(
            team=team, participants=[anna], title=f"Taak dag {day}", date=date(2026, 11, day)
        )
    goal = factories.make_goal(team=team, student=anna, status="review_requested", title="Doel")
    goal.updated_at = datetime(2026, 11, 6, 12, tzinfo=UTC)
    db.session.flush()
    login_as(team.supervisor)
    first = html(client.get("/tasks/waiting"))
    second = html(client.get("/tasks/waiting?page=2"))
    assert "Taak dag 3" in first and "Taak dag 5" in first and "Doel" not in first
    assert "Doel" in second and "Taak dag 9" in second
    assert "Doel" in html(client.get("/tasks/waiting?page=999"))


def test_student_still_gets_403_for_waiting_list(client, login_as, team):
    login_as(members(team)[0])
    assert client.get("/tasks/waiting").status_code == 403


def test_bulk_verify_still_works_from_combined_list(client, login_as, team):
    anna = members(team)[0]
    task = factories.make_task(team=team, participants=[anna])
    factories.make_goal(team=team, student=anna, status="review_requested")
    login_as(team.supervisor)
    state = form_state(client.get("/tasks/waiting"))
    state["task_id"] = [str(task.id)]
    response = client.post("/tasks/verify", data=state)
    assert response.status_code == 302
    assert count(Task, Task.status == TaskStatus.VERIFIED) == 1
