"""Every account event lands in the audit trail: who, what, which account and why, and never
an e-mail address or a password."""

from __future__ import annotations

import pytest

from tests import factories
from tests.accounts.helpers import NEW_PASSWORD, details, events, link_path
from tests.factories import PASSWORD
from wijklab.extensions import db


def assert_no_personal_data(event, *values):
    raw = event.details or ""
    assert "@" not in raw
    for value in (PASSWORD, NEW_PASSWORD, *values):
        assert value.lower() not in raw.lower()


def login(client, email, password):
    return client.post("/auth/login", data={"email": email, "password": password})


@pytest.mark.parametrize(
    ("make", "typed", "reason"),
    [
        (lambda: factories.make_user(role="student"), "verkeerd wachtwoord 12", "wrong_password"),
        (lambda: factories.make_user(role="student", is_active=False), PASSWORD, "deactivated"),
        (lambda: None, PASSWORD, "unknown_account"),
    ],
)
def test_a_refused_login_is_recorded_with_its_reason(client, make, typed, reason):
    user = make()
    email = user.email if user else "onbekend@example.org"
    assert login(client, email, typed).status_code == 422
    [event] = events("login.refused")
    assert event.actor_id is None and details(event) == {"reason": reason}
    if user is None:
        assert (event.object_type, event.object_id) == ("Login", 0)
    else:
        assert (event.object_type, event.object_id) == ("User", user.id)
    assert_no_personal_data(event, typed, email)


def test_a_rate_limited_login_is_recorded(app, client, student):
    app.config["LOGIN_RATE_LIMIT"] = "1 per minute"
    assert login(client, student.email, "verkeerd wachtwoord 12").status_code == 422
    assert login(client, student.email, PASSWORD).status_code == 429
    reasons = [details(e)["reason"] for e in events("login.refused")]
    assert reasons[-1] == "rate_limited"
    assert events("login.refused")[-1].object_id == student.id


def test_a_successful_login_records_no_refusal(client, student):
    assert login(client, student.email, PASSWORD).status_code == 302
    assert events("login.refused") == []


def test_creating_and_inviting_a_user_is_recorded(client, login_as, admin, mailbox):
    login_as(admin)
    data = {"name": "Sem Visser", "email": "sem@example.org", "role": "wijkdocent"}
    assert client.post("/users/new", data=data).status_code == 302
    [created] = events("user.created")
    [invited] = events("user.invited")
    assert created.actor_id == invited.actor_id == admin.id
    assert created.object_type == "User" and details(created) == {"role": "wijkdocent"}
    assert invited.object_id == created.object_id
    assert_no_personal_data(created, "Sem Visser")
    assert_no_personal_data(invited, "Sem Visser")


def test_deactivate_and_reactivate_are_recorded(client, login_as, admin, student):
    login_as(admin)
    assert client.post(f"/users/{student.id}/deactivate").status_code == 302
    assert client.post(f"/users/{student.id}/reactivate").status_code == 302
    [off] = events("user.deactivated")
    [on] = events("user.reactivated")
    assert off.actor_id == on.actor_id == admin.id
    assert off.object_id == on.object_id == student.id


def test_a_role_change_is_recorded_with_old_and_new_role(client, login_as, admin, student):
    login_as(admin)
    data = {"name": student.name, "email": student.email, "role": "wijkdocent"}
    assert client.post(f"/users/{student.id}/edit", data=data).status_code == 302
    [event] = events("user.role_changed")
    assert event.actor_id == admin.id and event.object_id == student.id
    assert details(event) == {"old": "student", "new": "wijkdocent"}


def test_an_edit_without_role_change_records_no_role_change(client, login_as, admin, wijkdocent):
    login_as(admin)
    data = {"name": "Nieuwe Naam", "email": wijkdocent.email, "role": "wijkdocent"}
    assert client.post(f"/users/{wijkdocent.id}/edit", data=data).status_code == 302
    assert events("user.role_changed") == []


def test_changing_ones_own_password_is_recorded(client, login_as, student):
    login_as(student)
    data = {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert client.post("/account/password", data=data).status_code == 302
    [event] = events("password.changed")
    assert event.actor_id == student.id and details(event) == {"via": "self"}
    assert_no_personal_data(event)


def test_reset_request_and_reset_are_recorded(client, mailbox, student):
    assert client.post("/auth/forgot", data={"email": student.email}).status_code == 200
    [requested] = events("password.reset_requested")
    assert requested.actor_id is None and requested.object_id == student.id
    path = link_path(mailbox.to(student.email)[0], "/auth/reset/")
    data = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert client.post(path, data=data).status_code == 302
    [changed] = events("password.changed")
    assert changed.actor_id == student.id and details(changed) == {"via": "reset_link"}
    for event in (requested, changed):
        assert_no_personal_data(event, path.rsplit("/", 1)[1])


def test_no_reset_request_is_recorded_for_an_unknown_address(client, mailbox):
    assert client.post("/auth/forgot", data={"email": "x@example.org"}).status_code == 200
    assert events("password.reset_requested") == [] and mailbox.messages == []


def test_choosing_a_password_by_invitation_is_recorded(client, login_as, admin, mailbox):
    login_as(admin)
    data = {"name": "Lotte de Groot", "email": "lotte@example.org", "role": "wijkdocent"}
    client.post("/users/new", data=data)
    path = link_path(mailbox.to("lotte@example.org")[0], "/auth/welcome/")
    choice = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert client.post(path, data=choice).status_code == 302
    [event] = events("password.changed")
    assert details(event) == {"via": "invitation"}
    assert event.object_id == event.actor_id != admin.id


def test_the_audit_trail_shows_dutch_labels_for_account_events(client, login_as, admin, student):
    login(client, student.email, "verkeerd wachtwoord 12")
    db.session.commit()
    login_as(admin)
    html = client.get("/audit").get_data(as_text=True)
    assert "Inloggen geweigerd" in html and f"/users/{student.id}/edit" in html
