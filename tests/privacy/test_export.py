"""A person downloads everything the app holds about them (JSON and PDF); an admin can do it
for anyone; nobody else; each download is in the audit trail."""

from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from tests import factories
from tests.privacy.conftest import (
    EVIDENCE_NOTE,
    GOAL_DESCRIPTION,
    REFLECTION,
    STUDENT_REPLY,
    SUPERVISOR_FEEDBACK,
    TEAMMATE_REFLECTION,
)
from wijklab.activity.models import AuditEvent
from wijklab.extensions import db


def exported_events() -> list[AuditEvent]:
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.exported"))
    )


def test_my_data_page_offers_both_downloads(person, client, login_as):
    login_as(person["student"])
    response = client.get("/privacy/my-data")
    assert response.status_code == 200
    assert b"/privacy/my-data.pdf" in response.data
    assert b"/privacy/my-data.json" in response.data


def test_header_links_to_my_data(person, client, login_as):
    login_as(person["supervisor"])
    assert b'href="/privacy/my-data"' in client.get("/").data


def test_own_json_holds_everything_about_the_person(person, client, login_as):
    student = person["student"]
    login_as(student)
    response = client.get("/privacy/my-data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.data)
    tables = data["tables"]
    assert data["person"] == {"id": student.id, "name": student.name, "email": student.email}
    assert tables["user"]["rows"][0]["email"] == student.email
    assert "password_hash" not in tables["user"]["rows"][0]
    assert "session_token" not in tables["user"]["rows"][0]
    assert tables["student_profile"]["rows"][0]["programme"] == "Sociaal werk"
    assert [m["team_id"] for m in tables["team_membership"]["rows"]] == [person["team"].id]
    assert [t["id"] for t in tables["task"]["rows"]] == [person["task"].id]
    reflections = [p["reflection"] for p in tables["task_participation"]["rows"]]
    assert reflections == [REFLECTION]  # not the teammate's
    assert TEAMMATE_REFLECTION not in response.get_data(as_text=True)
    goal = tables["learning_goal"]["rows"][0]
    assert goal["description"] == GOAL_DESCRIPTION and goal["status"] == "signed_off"
    assert tables["goal_evidence"]["rows"][0]["note"] == EVIDENCE_NOTE
    comments = {f["comment"] for f in tables["feedback"]["rows"]}
    assert comments == {SUPERVISOR_FEEDBACK, STUDENT_REPLY}
    assert len(tables["sign_off"]["rows"]) == 1
    assert tables["statement"]["rows"][0]["id"] == person["statement"].id
    kinds = {n["kind"] for n in tables["notification"]["rows"]}
    assert "goal_signed_off" in kinds and "statement_issued" in kinds
    assert tables["notification_preference"]["rows"][0]["delivery"] == "weekly"
    token = tables["one_time_token"]["rows"][0]
    assert token["purpose"] == "password_reset" and "token_hash" not in token
    assert "supervisor_profile" not in tables


def test_json_of_a_supervisor_holds_what_they_wrote(person, client, login_as):
    login_as(person["supervisor"])
    data = json.loads(client.get("/privacy/my-data.json").data)
    assert data["tables"]["supervisor_profile"]["rows"][0]["job_title"] == "Opbouwwerker"
    assert [f["comment"] for f in data["tables"]["feedback"]["rows"]] == [SUPERVISOR_FEEDBACK]
    assert data["tables"]["supervision_session"]["rows"][0]["minutes"] == 30
    assert data["tables"]["team"]["rows"][0]["id"] == person["team"].id


def test_own_pdf_is_readable(person, client, login_as):
    login_as(person["student"])
    response = client.get("/privacy/my-data.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Mijn gegevens" in text
    assert "Zoë van den Berg" in text
    assert "bewoners aan te spreken" in text
    assert "Leerdoelen" in text


@pytest.mark.parametrize("kind", ["json", "pdf"])
def test_download_is_recorded_without_values(person, client, login_as, kind):
    student = person["student"]
    login_as(student)
    assert client.get(f"/privacy/my-data.{kind}").status_code == 200
    [event] = exported_events()
    assert (event.actor_id, event.object_type, event.object_id) == (student.id, "User", student.id)
    assert json.loads(event.details) == {"format": kind}


@pytest.mark.parametrize("kind", ["json", "pdf"])
def test_admin_downloads_anyones_data(person, client, login_as, kind):
    student = person["student"]
    login_as(person["admin"])
    response = client.get(f"/privacy/users/{student.id}/export.{kind}")
    assert response.status_code == 200
    if kind == "json":
        assert json.loads(response.data)["person"]["id"] == student.id
    [event] = exported_events()
    assert (event.actor_id, event.object_id) == (person["admin"].id, student.id)


@pytest.mark.parametrize("who", ["wijkdocent", "supervisor", "teammate", "student"])
@pytest.mark.parametrize("kind", ["json", "pdf"])
def test_nobody_else_downloads_someones_data(person, client, login_as, who, kind):
    target = person["teammate"] if who == "student" else person["student"]
    login_as(person[who])
    assert client.get(f"/privacy/users/{target.id}/export.{kind}").status_code == 403
    assert exported_events() == []


def test_unknown_user_is_404_for_admin(person, client, login_as):
    login_as(person["admin"])
    assert client.get("/privacy/users/999999/export.json").status_code == 404
    assert exported_events() == []


@pytest.mark.parametrize(
    "url", ["/privacy/my-data", "/privacy/my-data.json", "/privacy/users/1/export.pdf"]
)
def test_anonymous_is_sent_to_login(app, client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
    assert exported_events() == []


def test_the_export_follows_the_register(person, monkeypatch):
    """What the register lets out is exported, with no code per table: a school visit appears
    for its visitor, and a column the register marks as not exported disappears."""
    from wijklab.privacy import register, services
    from wijklab.tasks.models import SchoolVisit

    visitor = factories.make_user(role="wijkdocent")
    db.session.add(
        SchoolVisit(
            team_id=person["team"].id,
            visitor_id=visitor.id,
            date=person["task"].date,
            note="Bezoek",
        )
    )
    db.session.flush()
    assert services.personal_data(visitor)["tables"]["school_visit"]["rows"][0]["note"] == "Bezoek"
    monkeypatch.setitem(
        register.REGISTER["school_visit"].columns,
        "note",
        register.Field(register.Category.FREE_TEXT, "test", export=register.Export.OMIT),
    )
    row = services.personal_data(visitor)["tables"]["school_visit"]["rows"][0]
    assert "note" not in row and row["visitor_id"] == visitor.id
