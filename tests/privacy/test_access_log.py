"""Opening a student's hours, goal or statement as someone else than the student goes into the
audit trail (who, whose, which page, when); the student's own views and refused ones do not."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from wijklab.activity.models import AuditEvent
from wijklab.extensions import db


def views() -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "privacy.viewed").order_by(AuditEvent.id)
        )
    )


PAGES = {
    "tasks.student_hours": lambda p: f"/students/{p['student'].id}/hours",
    "goals.detail": lambda p: f"/goals/{p['goal'].id}",
    "statements.preview": lambda p: f"/statements/teams/{p['team'].id}/students/{p['student'].id}",
    "statements.detail": lambda p: f"/statements/{p['statement'].id}",
    "statements.pdf": lambda p: f"/statements/{p['statement'].id}.pdf",
    "statements.request_detail": lambda p: f"/statements/requests/{p['statement'].request_id}",
    "goals.student_coverage": lambda p: f"/students/{p['student'].id}/coverage",
    "agreements.detail": lambda p: f"/teams/{p['team'].id}/students/{p['student'].id}/agreement",
    "agreements.pdf": lambda p: f"/teams/{p['team'].id}/students/{p['student'].id}/agreement.pdf",
}


@pytest.mark.parametrize("endpoint", PAGES)
def test_a_supervisor_viewing_a_students_page_is_recorded(person, client, login_as, endpoint):
    supervisor, student = person["supervisor"], person["student"]
    login_as(supervisor)
    response = client.get(PAGES[endpoint](person))
    assert response.status_code == 200
    [event] = views()
    assert (event.actor_id, event.object_type, event.object_id) == (
        supervisor.id,
        "User",
        student.id,
    )
    assert json.loads(event.details) == {"page": endpoint}
    assert event.at is not None


@pytest.mark.parametrize("endpoint", PAGES)
def test_the_wijkdocent_viewing_is_recorded_too(person, client, login_as, endpoint):
    login_as(person["wijkdocent"])
    assert client.get(PAGES[endpoint](person)).status_code == 200
    assert [(e.actor_id, e.object_id) for e in views()] == [
        (person["wijkdocent"].id, person["student"].id)
    ]


@pytest.mark.parametrize(
    "endpoint", ["tasks.student_hours", "goals.detail", "statements.detail", "statements.pdf"]
)
def test_the_student_viewing_their_own_page_is_not_recorded(person, client, login_as, endpoint):
    login_as(person["student"])
    assert client.get(PAGES[endpoint](person)).status_code == 200
    assert views() == []


@pytest.mark.parametrize("endpoint", PAGES)
def test_a_refused_view_is_not_recorded(person, client, login_as, endpoint):
    from tests import factories

    login_as(factories.make_supervisor(name="Henk Jansen"))
    assert client.get(PAGES[endpoint](person)).status_code in (403, 404)
    assert views() == []


def test_a_teammate_gets_no_hours_page_and_no_record(person, client, login_as):
    login_as(person["teammate"])
    assert client.get(PAGES["tasks.student_hours"](person)).status_code in (403, 404)
    assert views() == []


def test_other_pages_are_not_recorded(person, client, login_as):
    login_as(person["supervisor"])
    assert client.get(f"/teams/{person['team'].id}").status_code == 200
    assert views() == []
