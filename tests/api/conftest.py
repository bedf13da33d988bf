"""A small world for the API: two projects of two wijkdocenten, a team in each with its own
supervisor and students, and a way to make tokens and send them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from tests import factories
from wijklab.api import services
from wijklab.api.models import TokenScope
from wijklab.projects.models import ProjectStatus

TODAY = date(2026, 11, 10)


@dataclass
class World:
    admin: object
    wijkdocent: object
    other_wijkdocent: object
    supervisor: object
    other_supervisor: object
    student: object
    teammate: object
    other_student: object
    project: object
    other_project: object
    team: object
    other_team: object


@pytest.fixture
def world(clock) -> World:
    clock.set(TODAY)
    wijkdocent = factories.make_user(role="wijkdocent", name="Marloes Docent")
    other_wijkdocent = factories.make_user(role="wijkdocent", name="Karim Docent")
    project = factories.make_project(
        owner=wijkdocent, title="Samen aan tafel", status=ProjectStatus.ACTIVE
    )
    other_project = factories.make_project(
        owner=other_wijkdocent,
        title="Groen plein",
        status=ProjectStatus.ACTIVE,
        start_date=date(2026, 10, 1),
    )
    supervisor = factories.make_supervisor(organisation=project.partner, name="Petra de Vries")
    other_supervisor = factories.make_supervisor(
        organisation=other_project.partner, name="Henk Jansen"
    )
    student = factories.make_student(name="Zoë van den Berg", level="hbo", study_year=3)
    teammate = factories.make_student(name="Sem Bakker")
    other_student = factories.make_student(name="Noor El Amrani")
    team = factories.make_team(
        project=project,
        supervisor=supervisor,
        members=[student, teammate],
        coach=teammate,
        name="Dinsdagteam",
    )
    other_team = factories.make_team(
        project=other_project, supervisor=other_supervisor, members=[other_student]
    )
    return World(
        admin=factories.make_user(role="admin", name="Fatima Admin"),
        wijkdocent=wijkdocent,
        other_wijkdocent=other_wijkdocent,
        supervisor=supervisor,
        other_supervisor=other_supervisor,
        student=student,
        teammate=teammate,
        other_student=other_student,
        project=project,
        other_project=other_project,
        team=team,
        other_team=other_team,
    )


def make_token(user, scope: str = "read_write", days: int = 30) -> str:
    """A token for ``user``, made the way the settings page makes it; the raw token."""
    _, raw = services.create_token(user, name="Script", scope=TokenScope(scope), days=days)
    return raw


def bearer(raw: str) -> dict:
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def api(client):
    """``api(user, scope)`` → a function doing requests with a fresh token of ``user``."""

    class Caller:
        def __init__(self, user, scope: str = "read_write") -> None:
            self.headers = bearer(make_token(user, scope))

        def get(self, url: str, **kwargs):
            return client.get(url, headers=self.headers, **kwargs)

        def post(self, url: str, json=None, **kwargs):
            return client.post(url, headers=self.headers, json=json, **kwargs)

    return Caller


def assert_error(response, status: int, code: str) -> dict:
    """The response is the API's JSON error with this status and code; its error object."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["fields"], dict)
    return error
