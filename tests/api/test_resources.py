"""The resources of /api/v1 with the pages' permission rules: each role sees and does what it
may on the pages, and another team's or project's objects are 404 or 403 as there."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests import factories
from tests.api.conftest import assert_error
from wijklab.extensions import db
from wijklab.tasks.models import Task, TaskStatus


def _ids(response) -> list[int]:
    return [item["id"] for item in response.get_json()["items"]]


# --- /me ----------------------------------------------------------------------------------------


def test_me_names_the_tokens_user(api, world):
    body = api(world.supervisor, "read").get("/api/v1/me").get_json()
    assert body["name"] == "Petra de Vries"
    assert body["role"] == "supervisor"
    assert body["email"] == world.supervisor.email


# --- projects -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("admin", {"project", "other_project"}),
        ("wijkdocent", {"project", "other_project"}),
        ("supervisor", {"project"}),
        ("student", {"project"}),
        ("other_student", {"other_project"}),
    ],
)
def test_the_project_list_is_the_pages_list(api, world, who, sees):
    response = api(getattr(world, who), "read").get("/api/v1/projects")
    assert response.status_code == 200
    assert set(_ids(response)) == {getattr(world, name).id for name in sees}
    assert response.get_json()["total"] == len(sees)


def test_a_project_list_item_has_codes_and_iso_dates(api, world):
    [item] = api(world.student, "read").get("/api/v1/projects").get_json()["items"]
    assert item["status"] == "active"
    assert item["start_date"] == "2026-09-01"
    assert item["owner"] == {"id": world.wijkdocent.id, "name": "Marloes Docent"}
    assert item["neighbourhood"]["id"] == world.project.neighbourhood_id


def test_the_project_list_is_paged_with_links_and_totals(api, world):
    caller = api(world.admin, "read")
    first = caller.get("/api/v1/projects?per_page=1")
    assert first.status_code == 200
    body = first.get_json()
    assert (body["page"], body["per_page"], body["total"], body["pages"]) == (
        1,
        1,
        2,
        2,
    )
    assert first.headers["X-Total-Count"] == "2"
    links = first.headers["Link"]
    assert 'rel="next"' in links and 'rel="last"' in links and 'rel="first"' in links
    assert 'rel="prev"' not in links
    assert "page=2" in links and "per_page=1" in links
    # Newest start first: the other project started a month later.
    assert _ids(first) == [world.other_project.id]
    second = caller.get("/api/v1/projects?per_page=1&page=2")
    assert _ids(second) == [world.project.id]
    assert 'rel="prev"' in second.headers["Link"] and 'rel="next"' not in second.headers["Link"]
    assert caller.get("/api/v1/projects?per_page=1&page=9").get_json()["items"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("per_page=101", "per_page"),
        ("per_page=0", "per_page"),
        ("page=abc", "page"),
        ("page=0", "page"),
    ],
)
def test_bad_paging_is_422_with_the_field(api, world, query, field):
    response = api(world.admin, "read").get(f"/api/v1/projects?{query}")
    error = assert_error(response, 422, "invalid")
    assert field in error["fields"]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("wijkdocent", 200),
        ("other_wijkdocent", 200),  # wijkdocenten see every project, as on the pages
        ("supervisor", 200),
        ("student", 200),
        ("other_supervisor", 404),
        ("other_student", 404),
    ],
)
def test_a_project_is_seen_by_whom_the_page_shows_it(api, world, who, status):
    response = api(getattr(world, who), "read").get(f"/api/v1/projects/{world.project.id}")
    assert response.status_code == status
    if status == 200:
        body = response.get_json()
        assert body["title"] == "Samen aan tafel"
        assert [t["id"] for t in body["teams"]] == [world.team.id]
        assert body["teams"][0]["member_count"] == 2
        assert body["teams"][0]["supervisor"]["name"] == "Petra de Vries"
    else:
        assert_error(response, 404, "not_found")


def test_a_project_shows_the_members_only_of_teams_one_may_see(api, world):
    second = factories.make_team(
        project=world.project, members=[factories.make_student()], name="Woensdagteam"
    )
    body = api(world.student, "read").get(f"/api/v1/projects/{world.project.id}").get_json()
    teams = {t["id"]: t for t in body["teams"]}
    assert teams[world.team.id]["can_view"] is True
    assert teams[world.team.id]["member_count"] == 2
    assert teams[second.id]["can_view"] is False
    assert teams[second.id]["member_count"] is None
    assert teams[second.id]["name"] == "Woensdagteam"


@pytest.mark.parametrize("path", ["/api/v1/projects/0", "/api/v1/projects/99999999999"])
def test_a_missing_or_impossible_project_id_is_404(api, world, path):
    assert_error(api(world.admin, "read").get(path), 404, "not_found")


# --- teams --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("wijkdocent", 200),
        ("other_wijkdocent", 200),
        ("supervisor", 200),
        ("student", 200),
        ("teammate", 200),
        ("other_supervisor", 404),
        ("other_student", 404),
    ],
)
def test_a_team_is_seen_by_whom_the_page_shows_it(api, world, who, status):
    response = api(getattr(world, who), "read").get(f"/api/v1/teams/{world.team.id}")
    assert response.status_code == status
    if status == 404:
        assert_error(response, 404, "not_found")


def test_a_team_lists_its_members_with_level_year_and_role(api, world):
    body = api(world.supervisor, "read").get(f"/api/v1/teams/{world.team.id}").get_json()
    assert body["project"] == {
        "id": world.project.id,
        "title": "Samen aan tafel",
        "status": "active",
    }
    members = {m["name"]: m for m in body["members"]}
    assert members["Zoë van den Berg"]["level"] == "hbo"
    assert members["Zoë van den Berg"]["study_year"] == 3
    assert members["Zoë van den Berg"]["role"] == "member"
    assert members["Sem Bakker"]["role"] == "peer_coach"
    assert members["Sem Bakker"]["left_on"] is None


# --- tasks: list --------------------------------------------------------------------------------


def test_the_team_tasks_come_newest_first(api, world):
    older = factories.make_task(
        team=world.team, participants=[world.student], date=date(2026, 10, 5)
    )
    newer = factories.make_task(
        team=world.team, participants=[world.student], date=date(2026, 11, 3)
    )
    response = api(world.teammate, "read").get(f"/api/v1/teams/{world.team.id}/tasks")
    assert response.status_code == 200
    assert _ids(response) == [newer.id, older.id]
    item = response.get_json()["items"][0]
    assert item["status"] == "pending"
    assert item["category"] == "residents_activity"
    assert item["date"] == "2026-11-03"
    assert item["version"] == newer.version
    assert item["participants"] == [
        {
            "student": {"id": world.student.id, "name": "Zoë van den Berg"},
            "minutes": 120,
            "role": "support",
        }
    ]


@pytest.mark.parametrize("who", ["other_supervisor", "other_student"])
def test_another_teams_tasks_are_404(api, world, who):
    response = api(getattr(world, who), "read").get(f"/api/v1/teams/{world.team.id}/tasks")
    assert_error(response, 404, "not_found")


# --- tasks: log ---------------------------------------------------------------------------------


def _new_task(world, **changes) -> dict:
    body = {
        "date": "2026-11-09",
        "title": "Buurtsoep op het plein",
        "category": "residents_activity",
        "residents_reached": 25,
        "participants": [
            {"student_id": world.student.id, "minutes": 120, "role": "lead"},
            {"student_id": world.teammate.id, "minutes": 90},
        ],
    }
    body.update(changes)
    return body


def test_a_member_logs_a_task_as_on_the_page(api, world):
    response = api(world.student).post(
        f"/api/v1/teams/{world.team.id}/tasks", json=_new_task(world)
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "pending"
    assert body["author"]["id"] == world.student.id
    task = db.session.get(Task, body["id"])
    assert task.team_id == world.team.id
    assert task.status == TaskStatus.PENDING
    assert {p.student_id: p.minutes for p in task.participations} == {
        world.student.id: 120,
        world.teammate.id: 90,
    }


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("supervisor", 403),  # sees the team, does not log its work
        ("other_wijkdocent", 403),  # sees every team, manages only their own project
        ("other_supervisor", 404),
        ("other_student", 404),
    ],
)
def test_who_may_not_log_on_the_page_may_not_here(api, world, who, status):
    response = api(getattr(world, who)).post(
        f"/api/v1/teams/{world.team.id}/tasks", json=_new_task(world)
    )
    assert response.status_code == status
    assert db.session.scalars(select(Task)).all() == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": None}, "title"),
        ({"category": "party"}, "category"),
        ({"date": "9 november"}, "date"),
        ({"date": "2026-11-11"}, "date"),  # tomorrow: the service's rule
        ({"residents_reached": -1}, "residents_reached"),
        ({"participants": []}, "participants"),
        (
            {"participants": [{"student_id": 0, "minutes": 60}]},
            "participants.0.student_id",
        ),
        (
            {"participants": [{"student_id": 1, "minutes": 961}]},
            "participants.0.minutes",
        ),
        ({"extra": 1}, "extra"),
    ],
)
def test_a_wrong_field_is_422_with_its_name(api, world, changes, field):
    response = api(world.student).post(
        f"/api/v1/teams/{world.team.id}/tasks", json=_new_task(world, **changes)
    )
    error = assert_error(response, 422, "invalid")
    assert field in error["fields"], error
    assert db.session.scalars(select(Task)).all() == []


def test_a_participant_from_outside_the_team_is_422(api, world):
    body = _new_task(world, participants=[{"student_id": world.other_student.id, "minutes": 60}])
    response = api(world.student).post(f"/api/v1/teams/{world.team.id}/tasks", json=body)
    error = assert_error(response, 422, "invalid")
    assert "participants" in error["fields"]


def test_a_missing_field_is_422(api, world):
    response = api(world.student).post(f"/api/v1/teams/{world.team.id}/tasks", json={})
    error = assert_error(response, 422, "invalid")
    assert {"date", "title", "category", "participants"} <= set(error["fields"])


def test_a_body_that_is_not_json_is_400(api, world, client):
    caller = api(world.student)
    response = client.post(
        f"/api/v1/teams/{world.team.id}/tasks",
        headers={**caller.headers, "Content-Type": "application/json"},
        data="{nee",
    )
    assert_error(response, 400, "bad_request")


# --- tasks: verify and return -------------------------------------------------------------------


@pytest.fixture
def task(world):
    return factories.make_task(team=world.team, participants=[world.student])


def test_the_supervisor_verifies_the_version_seen(api, world, task):
    response = api(world.supervisor).post(
        f"/api/v1/tasks/{task.id}/verify", json={"version": task.version}
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "verified"
    db.session.expire_all()
    assert task.status == TaskStatus.VERIFIED
    assert task.verified_by_id == world.supervisor.id
    assert task.verified_on_behalf is False


def test_a_stale_version_is_409_and_changes_nothing(api, world, task):
    response = api(world.supervisor).post(
        f"/api/v1/tasks/{task.id}/verify", json={"version": task.version + 1}
    )
    assert_error(response, 409, "conflict")
    db.session.expire_all()
    assert task.status == TaskStatus.PENDING


def test_verifying_twice_is_refused(api, world, task):
    caller = api(world.supervisor)
    caller.post(f"/api/v1/tasks/{task.id}/verify", json={"version": task.version})
    db.session.expire_all()
    response = caller.post(f"/api/v1/tasks/{task.id}/verify", json={"version": task.version})
    assert response.status_code == 422
    db.session.expire_all()
    assert task.status == TaskStatus.VERIFIED


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("student", 403),  # took part
        ("teammate", 403),  # a member, not the supervisor
        ("other_wijkdocent", 403),  # sees the task, does not manage the project
        ("other_supervisor", 404),
        ("other_student", 404),
    ],
)
def test_who_may_not_verify_on_the_page_may_not_here(api, world, task, who, status):
    response = api(getattr(world, who)).post(
        f"/api/v1/tasks/{task.id}/verify", json={"version": task.version}
    )
    assert response.status_code == status
    db.session.expire_all()
    assert task.status == TaskStatus.PENDING


def test_the_projects_wijkdocent_verifies_on_behalf(api, world, task):
    response = api(world.wijkdocent).post(
        f"/api/v1/tasks/{task.id}/verify", json={"version": task.version}
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert task.verified_on_behalf is True


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "version"), ({"version": "1"}, "version"), ({"version": 0}, "version")],
)
def test_verify_needs_the_version(api, world, task, body, field):
    response = api(world.supervisor).post(f"/api/v1/tasks/{task.id}/verify", json=body)
    assert field in assert_error(response, 422, "invalid")["fields"]


def test_the_supervisor_returns_a_task_with_a_reason(api, world, task):
    response = api(world.supervisor).post(
        f"/api/v1/tasks/{task.id}/return",
        json={
            "version": task.version,
            "reason": "Schrijf op hoeveel bewoners er waren.",
        },
    )
    assert response.status_code == 200
    assert response.get_json()["return_reason"] == "Schrijf op hoeveel bewoners er waren."
    db.session.expire_all()
    assert task.status == TaskStatus.RETURNED


@pytest.mark.parametrize("reason", [None, "", "x" * 1001])
def test_a_return_needs_a_reason(api, world, task, reason):
    body = {"version": task.version} | ({} if reason is None else {"reason": reason})
    response = api(world.supervisor).post(f"/api/v1/tasks/{task.id}/return", json=body)
    assert "reason" in assert_error(response, 422, "invalid")["fields"]
    db.session.expire_all()
    assert task.status == TaskStatus.PENDING


def test_a_return_on_a_stale_version_is_409(api, world, task):
    response = api(world.supervisor).post(
        f"/api/v1/tasks/{task.id}/return",
        json={"version": task.version + 3, "reason": "Nee"},
    )
    assert_error(response, 409, "conflict")


def test_another_supervisor_cannot_return(api, world, task):
    response = api(world.other_supervisor).post(
        f"/api/v1/tasks/{task.id}/return",
        json={"version": task.version, "reason": "Nee"},
    )
    assert_error(response, 404, "not_found")


# --- JSON everywhere under /api ----------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/nope", "/api", "/api/v1/teams/abc"])
def test_an_unknown_api_path_is_404_json(client, path):
    assert_error(client.get(path), 404, "not_found")


def test_an_unknown_api_path_is_404_json_also_for_a_post_with_csrf_on(csrf_app, client):
    assert_error(client.post("/api/v1/nope", json={}), 404, "not_found")


def test_a_wrong_method_is_405_json(client):
    response = client.post("/api/v1/me")
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_the_health_check_still_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"


def test_a_control_character_is_400_json(api, world):
    response = api(world.student).post(
        f"/api/v1/teams/{world.team.id}/tasks", json=_new_task(world, title="Soep\x00")
    )
    assert_error(response, 400, "bad_request")
