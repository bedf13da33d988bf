"""Every answer matches the schema the OpenAPI document gives for it (JSON Schema 2020-12, as
OpenAPI 3.1 uses): what the document promises is what a client gets."""

from __future__ import annotations

import json

import jsonschema_rs
import pytest

from tests import factories


def _schema_of(spec: dict, path: str, method: str, status: int) -> dict:
    responses = spec["paths"][path][method]["responses"]
    response = responses.get(str(status)) or responses["default"]
    if "$ref" in response:
        response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
    schema = response["content"]["application/json"]["schema"]
    return {**schema, "components": spec["components"]}


def _check(spec: dict, path: str, method: str, response) -> None:
    validator = jsonschema_rs.Draft202012Validator(
        _schema_of(spec, path, method, response.status_code)
    )
    body = response.get_json()
    errors = [str(e) for e in validator.iter_errors(body)]
    assert not errors, (path, response.status_code, errors, json.dumps(body)[:500])


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").get_json()


def test_read_answers_match_their_schemas(api, world, spec):
    task = factories.make_task(team=world.team, participants=[world.student, world.teammate])
    caller = api(world.supervisor)
    p, t = world.project.id, world.team.id
    for path, url in [
        ("/api/v1/me", "/api/v1/me"),
        ("/api/v1/projects", "/api/v1/projects"),
        ("/api/v1/projects/{project_id}", f"/api/v1/projects/{p}"),
        ("/api/v1/projects/{project_id}", f"/api/v1/projects/{world.other_project.id}"),
        ("/api/v1/teams/{team_id}", f"/api/v1/teams/{t}"),
        ("/api/v1/teams/{team_id}/tasks", f"/api/v1/teams/{t}/tasks"),
        ("/api/v1/projects", "/api/v1/projects?per_page=500"),
    ]:
        _check(spec, path, "get", caller.get(url))
    verified = caller.post(f"/api/v1/tasks/{task.id}/verify", json={"version": task.version})
    assert verified.status_code == 200
    _check(spec, "/api/v1/tasks/{task_id}/verify", "post", verified)
    # A verified task has its verifier and moment: the nullable fields filled in.
    _check(
        spec,
        "/api/v1/teams/{team_id}/tasks",
        "get",
        caller.get(f"/api/v1/teams/{t}/tasks"),
    )


def test_write_and_error_answers_match_their_schemas(api, world, spec):
    student = api(world.student)
    path = "/api/v1/teams/{team_id}/tasks"
    url = f"/api/v1/teams/{world.team.id}/tasks"
    body = {
        "date": "2026-11-09",
        "title": "Buurtsoep",
        "category": "network",
        "participants": [{"student_id": world.student.id, "minutes": 60}],
    }
    created = student.post(url, json=body)
    assert created.status_code == 201
    _check(spec, path, "post", created)
    for response in [
        student.post(url, json={}),
        student.post(url, json={**body, "date": "2030-01-01"}),
        api(world.supervisor).post(url, json=body),
        api(world.other_student).post(url, json=body),
        api(world.student, "read").post(url, json=body),
    ]:
        assert response.status_code in (403, 404, 422)
        _check(spec, path, "post", response)
