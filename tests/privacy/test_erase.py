"""Erasure by an admin: a confirmation page, then the person anonymised everywhere while the
hours and goals behind an issued statement keep their figures under the pseudonym."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from tests.privacy.conftest import (
    EVIDENCE_NOTE,
    GOAL_DESCRIPTION,
    REFLECTION,
    STUDENT_REPLY,
    SUPERVISION_NOTE,
    SUPERVISOR_FEEDBACK,
    TEAMMATE_REFLECTION,
)
from wijklab.accounts.models import User
from wijklab.accounts.tokens import OneTimeToken
from wijklab.activity.models import AuditEvent, Notification, NotificationPreference
from wijklab.extensions import db
from wijklab.goals.models import Feedback, GoalEvidence, LearningGoal
from wijklab.privacy import services
from wijklab.statements.models import Statement
from wijklab.statements.services import fingerprint, load_content, standing
from wijklab.tasks.models import SupervisionSession, TaskParticipation


def erase_url(user) -> str:
    return f"/privacy/users/{user.id}/erase"


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def erased_events() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.erased")))


def test_confirmation_page_names_what_happens(person, client, login_as):
    student = person["student"]
    login_as(person["admin"])
    response = client.get(erase_url(student))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"Verwijderde gebruiker {student.id}" in page
    assert "gedeactiveerd" in page and "praktijkverklaringen (1)" in page
    assert db.session.get(User, student.id).anonymised_at is None


def test_edit_user_page_has_the_erase_button(person, client, login_as):
    login_as(person["admin"])
    page = client.get(f"/users/{person['student'].id}/edit").get_data(as_text=True)
    assert erase_url(person["student"]) in page


def test_admin_erases_a_student(person, client, login_as):
    student, admin = person["student"], person["admin"]
    sid, old_email = student.id, student.email
    login_as(admin)
    response = client.post(erase_url(student))
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, sid)
    assert user.name == f"Verwijderde gebruiker {sid}"
    assert user.email == f"erased-{sid}@erased.invalid" and user.email != old_email
    assert not user.is_active and user.anonymised_at is not None
    assert user.password_hash.startswith("!")
    assert user.student_profile.available_weekdays == frozenset()
    # their texts and the feedback on their goals are gone; the teammate's reflection stays
    reflections = dict(
        db.session.execute(select(TaskParticipation.student_id, TaskParticipation.reflection)).all()
    )
    assert reflections[sid] == "" and reflections[person["teammate"].id] == TEAMMATE_REFLECTION
    goal = db.session.get(LearningGoal, person["goal"].id)
    assert goal.description == "" and goal.success_criteria == ""
    assert goal.status.value == "signed_off" and goal.title  # kept behind the statement
    assert db.session.scalar(select(GoalEvidence.note)) == ""
    comments = set(db.session.scalars(select(Feedback.comment)))
    assert STUDENT_REPLY not in comments and SUPERVISOR_FEEDBACK not in comments
    assert db.session.scalar(select(SupervisionSession.note)) == SUPERVISION_NOTE
    # the figures stay: minutes, the sign-off, the statement
    assert (
        db.session.scalar(
            select(TaskParticipation.minutes).where(TaskParticipation.student_id == sid)
        )
        == 90
    )
    assert count(Notification, Notification.user_id == sid) == 0
    assert count(NotificationPreference, NotificationPreference.user_id == sid) == 0
    assert count(OneTimeToken, OneTimeToken.user_id == sid) == 0
    [event] = erased_events()
    assert (event.actor_id, event.object_id) == (admin.id, sid)
    details = event.details
    for value in (old_email, "Zoë", REFLECTION, STUDENT_REPLY, GOAL_DESCRIPTION):
        assert value not in details


def test_the_statement_keeps_its_figures_under_the_pseudonym(person, client, login_as):
    statement, sid = person["statement"], person["student"].id
    before = load_content(statement)
    assert standing(statement).holds
    login_as(person["admin"])
    assert client.post(erase_url(person["student"])).status_code == 302
    db.session.expire_all()
    statement = db.session.get(Statement, statement.id)
    after = load_content(statement)
    assert after["student"]["name"] == f"Verwijderde gebruiker {sid}"
    assert after["hours"] == before["hours"] and after["goals"] == before["goals"]
    assert "Zoë van den Berg" not in statement.content
    assert standing(statement).holds
    assert statement.fingerprint == fingerprint(json.loads(statement.content))
    verify = client.get(f"/verify/{statement.code}").get_data(as_text=True)
    assert "Zoë van den Berg" not in verify


def test_the_export_after_erasure_holds_no_personal_values(person, client, login_as):
    sid = person["student"].id
    login_as(person["admin"])
    client.post(erase_url(person["student"]))
    response = client.get(f"/privacy/users/{sid}/export.json")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    for value in (
        "Zoë van den Berg",
        "user",
        REFLECTION,
        STUDENT_REPLY,
        GOAL_DESCRIPTION,
        EVIDENCE_NOTE,
    ):
        assert value not in text.replace('"user"', "").replace("user_id", "")
    data = json.loads(text)
    assert data["person"]["name"] == f"Verwijderde gebruiker {sid}"
    assert data["tables"]["task_participation"]["rows"][0]["minutes"] == 90


def test_erasing_a_supervisor_renames_them_in_the_statements_they_signed(person, client, login_as):
    supervisor = person["supervisor"]
    login_as(person["admin"])
    assert client.post(erase_url(supervisor)).status_code == 302
    db.session.expire_all()
    content = load_content(db.session.get(Statement, person["statement"].id))
    pseudonym = f"Verwijderde gebruiker {supervisor.id}"
    assert content["supervisor"]["name"] == pseudonym
    assert content["goals"][0]["signed_by"] == pseudonym
    assert content["confirmed_by"]["name"] == pseudonym
    assert db.session.scalar(select(SupervisionSession.note)) == ""
    comments = set(db.session.scalars(select(Feedback.comment)))
    assert SUPERVISOR_FEEDBACK not in comments and STUDENT_REPLY in comments
    assert standing(db.session.get(Statement, person["statement"].id)).holds


def test_the_erased_persons_sessions_end(person, app, login_as):
    student = person["student"]
    their_client = app.test_client()
    with their_client.session_transaction() as session:
        session["_user_id"] = student.get_id()
        session["_fresh"] = True
    assert their_client.get("/privacy/my-data").status_code == 200
    admin_client = app.test_client()
    with admin_client.session_transaction() as session:
        session["_user_id"] = person["admin"].get_id()
        session["_fresh"] = True
    assert admin_client.post(erase_url(student)).status_code == 302
    response = their_client.get("/privacy/my-data")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_erase_needs_csrf(person, csrf_app, client, login_as):
    login_as(person["admin"])
    response = client.post(erase_url(person["student"]))
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, person["student"].id).anonymised_at is None
    assert erased_events() == []


def test_erase_with_the_pages_csrf_token_works(person, csrf_app, client, login_as):
    login_as(person["admin"])
    page = client.get(erase_url(person["student"])).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post(erase_url(person["student"]), data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, person["student"].id).anonymised_at is not None


@pytest.mark.parametrize("who", ["wijkdocent", "supervisor", "teammate"])
def test_only_admins_erase(person, client, login_as, who):
    login_as(person[who])
    assert client.get(erase_url(person["student"])).status_code == 403
    assert client.post(erase_url(person["student"])).status_code == 403
    db.session.expire_all()
    assert db.session.get(User, person["student"].id).anonymised_at is None


def test_anonymous_cannot_erase(person, client):
    response = client.post(erase_url(person["student"]))
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert db.session.get(User, person["student"].id).anonymised_at is None


def test_an_admin_cannot_erase_themself(person, client, login_as):
    admin = login_as(person["admin"])
    assert client.post(erase_url(admin)).status_code == 403
    db.session.expire_all()
    assert db.session.get(User, admin.id).anonymised_at is None


def test_the_last_active_admin_is_never_erased(person):
    from wijklab.errors import NotAllowed

    with pytest.raises(NotAllowed):
        services.erase_person(person["admin"], by=None)
    assert db.session.get(User, person["admin"].id).anonymised_at is None


def test_another_admin_can_be_erased_while_one_remains(person, client, login_as):
    from tests import factories

    second = factories.make_user(role="admin", name="Tweede Beheerder")
    login_as(person["admin"])
    assert client.post(erase_url(second)).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, second.id).anonymised_at is not None


def test_unknown_user_is_404(person, client, login_as):
    login_as(person["admin"])
    assert client.post("/privacy/users/999999/erase").status_code == 404


def test_erasure_is_all_or_nothing(person, client, login_as, monkeypatch):
    """A failure halfway (here: writing the audit event) leaves every row as it was."""
    sid = person["student"].id

    def broken(*args, **kwargs):
        raise RuntimeError("audit trail down")

    monkeypatch.setattr(services, "record", broken)
    login_as(person["admin"])
    client.application.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.post(erase_url(person["student"]))
    assert response.status_code == 500
    db.session.expire_all()
    user = db.session.get(User, sid)
    assert user.name == "Zoë van den Berg" and user.is_active and user.anonymised_at is None
    assert (
        db.session.scalar(
            select(TaskParticipation.reflection).where(TaskParticipation.student_id == sid)
        )
        == REFLECTION
    )
    assert count(Notification, Notification.user_id == sid) > 0
    assert "Zoë van den Berg" in db.session.get(Statement, person["statement"].id).content


def test_erasing_twice_changes_nothing_more(person, client, login_as):
    login_as(person["admin"])
    client.post(erase_url(person["student"]))
    response = client.post(erase_url(person["student"]))
    assert response.status_code == 302
    assert len(erased_events()) == 1
