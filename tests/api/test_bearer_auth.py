"""Under /api/v1 only a bearer token counts: none, unknown, expired, revoked or an inactive
user's is 401 in JSON; a read token cannot write; each token has its own rate limit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.api.conftest import assert_error, bearer, make_token
from wijklab.api.models import PersonalAccessToken
from wijklab.clock import utcnow
from wijklab.extensions import db
from wijklab.tasks.models import Task

ME = "/api/v1/me"


def test_without_a_token_it_is_401_json_with_a_bearer_challenge(client):
    response = client.get(ME)
    assert_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    [
        "Bearer wl_nietbestaand",
        "Bearer " + "wl_" + "x" * 200,
        "Bearer zonder-voorvoegsel",
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "bearer  ",
    ],
)
def test_an_unknown_or_malformed_token_is_401(client, student, header):
    make_token(student)
    response = client.get(ME, headers={"Authorization": header})
    assert_error(response, 401, "unauthorized")
    assert "Bearer" in response.headers["WWW-Authenticate"]


def test_an_expired_token_is_401(client, student, clock):
    raw = make_token(student, days=30)
    assert client.get(ME, headers=bearer(raw)).status_code == 200
    clock.advance(days=30, seconds=1)
    response = client.get(ME, headers=bearer(raw))
    error = assert_error(response, 401, "unauthorized")
    assert "verlopen" in error["message"]
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_a_revoked_token_is_401(client, student):
    raw = make_token(student)
    token = db.session.scalar(select(PersonalAccessToken))
    token.revoked_at = utcnow()
    db.session.flush()
    error = assert_error(client.get(ME, headers=bearer(raw)), 401, "unauthorized")
    assert "ingetrokken" in error["message"]


def test_an_inactive_users_token_is_401(client, student):
    raw = make_token(student)
    student.is_active = False
    db.session.flush()
    assert_error(client.get(ME, headers=bearer(raw)), 401, "unauthorized")


def test_the_session_cookie_counts_for_nothing(client, login_as, student):
    login_as(student)
    response = client.get(ME)
    assert_error(response, 401, "unauthorized")
    assert "Set-Cookie" not in response.headers


def test_a_valid_token_acts_as_its_user_and_notes_its_use(client, student, clock):
    raw = make_token(student, scope="read")
    response = client.get(ME, headers=bearer(raw))
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == student.id
    assert body["role"] == "student"
    assert body["token"]["scope"] == "read"
    assert body["token"]["expires_at"].endswith("+00:00")
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    db.session.expire_all()
    token = db.session.scalar(select(PersonalAccessToken))
    assert token.last_used_at == clock.moment


def test_a_read_token_is_403_on_a_write_and_writes_nothing(client, world):
    raw = make_token(world.student, scope="read")
    response = client.post(
        f"/api/v1/teams/{world.team.id}/tasks",
        headers=bearer(raw),
        json={
            "date": "2026-11-09",
            "title": "Buurtsoep",
            "category": "residents_activity",
            "participants": [{"student_id": world.student.id, "minutes": 90}],
        },
    )
    assert_error(response, 403, "forbidden")
    assert "insufficient_scope" in response.headers["WWW-Authenticate"]
    assert db.session.scalars(select(Task)).all() == []


def test_a_read_token_is_403_even_with_a_broken_body(client, world):
    raw = make_token(world.supervisor, scope="read")
    task = _task(world)
    response = client.post(f"/api/v1/tasks/{task.id}/verify", headers=bearer(raw), json={})
    assert_error(response, 403, "forbidden")


def _task(world):
    from tests import factories

    return factories.make_task(team=world.team, participants=[world.student])


def test_writes_need_no_csrf_token(csrf_app, client, world):
    raw = make_token(world.supervisor)
    task = _task(world)
    response = client.post(
        f"/api/v1/tasks/{task.id}/verify",
        headers=bearer(raw),
        json={"version": task.version},
    )
    assert response.status_code == 200, response.get_json()


def test_each_token_has_its_own_rate_limit(app, client, student, supervisor):
    app.config["API_RATE_LIMIT"] = "2 per minute"
    raw = make_token(student)
    assert client.get(ME, headers=bearer(raw)).status_code == 200
    assert client.get(ME, headers=bearer(raw)).status_code == 200
    limited = client.get(ME, headers=bearer(raw))
    assert_error(limited, 429, "rate_limited")
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert client.get(ME, headers=bearer(make_token(supervisor))).status_code == 200
