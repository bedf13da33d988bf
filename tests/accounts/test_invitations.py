"""Invitations: an admin (or a wijkdocent, for students and werkbegeleiders) creates an account
without a password; its owner chooses one through the invitation link."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.accounts.helpers import NEW_PASSWORD, link_path, tokens
from wijklab.accounts.models import User
from wijklab.accounts.passwords import has_usable_password, verify_password
from wijklab.accounts.tokens import Purpose
from wijklab.extensions import db

EMAIL = "nieuw.lid@example.org"


def new_user_data(**overrides):
    data = {
        "name": "Noah Bakker",
        "email": EMAIL,
        "role": "student",
        "level": "hbo",
        "study_year": "3",
    }
    data.update(overrides)
    return data


def invited() -> User | None:
    return db.session.scalar(select(User).where(User.email == EMAIL))


def create(client, **overrides):
    return client.post("/users/new", data=new_user_data(**overrides))


def welcome_path(mailbox, email=EMAIL, index=-1) -> str:
    return link_path(mailbox.to(email)[index], "/auth/welcome/")


def choose(client, path, password=NEW_PASSWORD):
    return client.post(path, data={"password": password, "confirm": password})


def test_the_create_form_has_no_password_field(client, login_as, admin):
    login_as(admin)
    html = client.get("/users/new").get_data(as_text=True)
    assert 'type="password"' not in html and 'name="password"' not in html
    assert "uitnodiging" in html


def test_a_new_user_gets_an_invitation_and_no_usable_password(client, login_as, mailbox, admin):
    login_as(admin)
    response = create(client, password="een lange zin als wachtwoord")
    assert response.status_code == 302
    user = invited()
    assert not has_usable_password(user.password_hash)
    assert not verify_password(user.password_hash, "een lange zin als wachtwoord")
    [message] = mailbox.to(EMAIL)
    assert "Kies je wachtwoord" in message.subject
    assert admin.name in message.text and "14 dagen" in message.text
    assert message.links()[0].startswith("https://wijklab.example.org/auth/welcome/")
    [token] = tokens(user, Purpose.INVITATION)
    assert token.used_at is None


def test_an_invited_user_cannot_log_in_before_choosing_a_password(app, client, login_as, admin):
    login_as(admin)
    create(client)
    other = app.test_client()
    for password in ("", "!invited:", invited().password_hash, "een lange zin als wachtwoord"):
        response = other.post("/auth/login", data={"email": EMAIL, "password": password})
        assert response.status_code == 422


def test_the_invited_user_chooses_a_password_through_the_link(
    app, client, login_as, admin, mailbox
):
    login_as(admin)
    create(client)
    path = welcome_path(mailbox)
    visitor = app.test_client()
    page = visitor.get(path)
    assert page.status_code == 200 and "Welkom bij Wijklab, Noah Bakker" in page.get_data(True)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    response = choose(visitor, path)
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    db.session.expire_all()
    assert verify_password(invited().password_hash, NEW_PASSWORD)
    login = visitor.post("/auth/login", data={"email": EMAIL, "password": NEW_PASSWORD})
    assert login.status_code == 302
    assert visitor.get(path).status_code == 404  # the link worked once


def test_resend_retires_the_first_link(client, login_as, admin, mailbox):
    login_as(admin)
    create(client)
    first = welcome_path(mailbox)
    user = invited()
    response = client.post(f"/users/{user.id}/invite")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/users/{user.id}/edit"
    assert len(mailbox.to(EMAIL)) == 2
    second = welcome_path(mailbox)
    assert first != second
    assert client.get(first).status_code == 404
    assert choose(client, first).status_code == 404
    assert client.get(second).status_code == 200
    assert sum(t.used_at is None for t in tokens(user, Purpose.INVITATION)) == 1


def test_the_edit_page_shows_the_open_invitation_and_a_resend_button(
    app, client, login_as, admin, mailbox
):
    login_as(admin)
    create(client)
    user = invited()
    html = client.get(f"/users/{user.id}/edit").get_data(as_text=True)
    assert "De uitnodiging staat open tot" in html
    assert f'action="/users/{user.id}/invite"' in html and "Uitnodiging opnieuw sturen" in html
    assert choose(app.test_client(), welcome_path(mailbox)).status_code == 302
    html = client.get(f"/users/{user.id}/edit").get_data(as_text=True)
    assert "Uitnodiging opnieuw sturen" not in html


def test_an_expired_invitation_is_shown_and_its_link_refused(
    client, clock, login_as, admin, mailbox
):
    login_as(admin)
    create(client)
    path = welcome_path(mailbox)
    clock.advance(days=14, minutes=1)
    assert client.get(path).status_code == 404  # the idle session ends quietly, no redirect
    login_as(admin)
    html = client.get(f"/users/{invited().id}/edit").get_data(as_text=True)
    assert "verlopen" in html and "Uitnodiging opnieuw sturen" in html


def test_no_invitation_for_someone_with_their_own_password(client, login_as, admin, mailbox):
    student = factories.make_student()
    login_as(admin)
    response = client.post(f"/users/{student.id}/invite")
    assert response.status_code == 302
    assert "al een eigen wachtwoord" in client.get(response.headers["Location"]).get_data(True)
    assert mailbox.messages == [] and tokens(student, Purpose.INVITATION) == []


@pytest.mark.parametrize("role", ["student", "supervisor"])
def test_students_and_supervisors_cannot_invite_or_resend(
    client, login_as, users_by_role, mailbox, role
):
    target = factories.make_user(role="student", password_hash="!invited:x")
    login_as(users_by_role[role])
    assert client.get("/users/new").status_code == 403
    assert create(client).status_code == 403
    assert client.post(f"/users/{target.id}/invite").status_code == 403
    assert invited() is None
    assert mailbox.messages == [] and tokens(target, Purpose.INVITATION) == []


def test_a_wijkdocent_invites_a_student(client, login_as, wijkdocent, mailbox):
    login_as(wijkdocent)
    response = create(client)
    assert response.status_code == 302 and response.headers["Location"] == "/users/new"
    assert invited() is not None and len(mailbox.to(EMAIL)) == 1
    assert wijkdocent.name in mailbox.to(EMAIL)[0].text


@pytest.mark.parametrize("role", ["admin", "wijkdocent"])
def test_a_wijkdocent_cannot_invite_admins_or_wijkdocenten(
    client, login_as, wijkdocent, mailbox, role
):
    login_as(wijkdocent)
    html = client.get("/users/new").get_data(as_text=True)
    assert f'value="{role}"' not in html
    response = create(client, role=role)
    assert response.status_code == 422 and "ongeldige keuze" in response.get_data(True).lower()
    assert invited() is None and mailbox.messages == []


def test_a_wijkdocent_cannot_resend_a_wijkdocents_invitation(client, login_as, wijkdocent):
    target = factories.make_user(role="wijkdocent", password_hash="!invited:x")
    login_as(wijkdocent)
    assert client.post(f"/users/{target.id}/invite").status_code == 403
    assert tokens(target, Purpose.INVITATION) == []


def test_resend_without_csrf_token_is_refused(csrf_app, client, login_as, admin, mailbox):
    target = factories.make_user(role="student", password_hash="!invited:x")
    login_as(admin)
    assert client.post(f"/users/{target.id}/invite").status_code == 400
    assert tokens(target, Purpose.INVITATION) == [] and mailbox.messages == []


def test_resend_for_an_unknown_user_is_404(client, login_as, admin):
    login_as(admin)
    before = db.session.scalar(select(func.count(User.id)))
    assert client.post("/users/9999/invite").status_code == 404
    assert db.session.scalar(select(func.count(User.id))) == before
