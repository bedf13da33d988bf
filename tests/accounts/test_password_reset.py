"""Forgotten password: one mail with a link that works once, for two hours, and the same answer
for every address."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests import factories
from tests.accounts.helpers import NEW_PASSWORD, link_path, tokens
from tests.factories import PASSWORD
from wijklab.accounts.models import User
from wijklab.accounts.passwords import verify_password
from wijklab.accounts.tokens import Purpose
from wijklab.clock import AMSTERDAM
from wijklab.extensions import db

SAME_ANSWER = "Als dit adres bij een account hoort, krijg je binnen enkele minuten een e-mail"


def forgot(client, email):
    return client.post("/auth/forgot", data={"email": email})


def reset_link(client, mailbox, user) -> str:
    assert forgot(client, user.email).status_code == 200
    [message] = mailbox.to(user.email)
    return link_path(message, "/auth/reset/")


def choose(client, path, password=NEW_PASSWORD, confirm=None):
    return client.post(path, data={"password": password, "confirm": confirm or password})


def login(client, email, password):
    return client.post("/auth/login", data={"email": email, "password": password})


def test_login_page_links_to_forgot_password(client):
    html = client.get("/auth/login").get_data(as_text=True)
    assert 'href="/auth/forgot"' in html and "Wachtwoord vergeten?" in html
    assert client.get("/auth/forgot").status_code == 200


def test_forgot_mails_a_link_that_sets_a_new_password(client, mailbox, student):
    response = forgot(client, f"  {student.email.upper()} ")
    assert response.status_code == 200 and SAME_ANSWER in response.get_data(as_text=True)
    [message] = mailbox.to(student.email)
    assert "Nieuw wachtwoord" in message.subject
    assert "2 uur" in message.text and "negeren" in message.text
    path = link_path(message, "/auth/reset/")
    assert message.links()[0].startswith("https://wijklab.example.org/auth/reset/")

    page = client.get(path)
    assert page.status_code == 200 and 'name="confirm"' in page.get_data(as_text=True)
    response = choose(client, path)
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    assert "Je nieuwe wachtwoord is ingesteld" in client.get("/auth/login").get_data(as_text=True)

    db.session.expire_all()
    assert verify_password(db.session.get(User, student.id).password_hash, NEW_PASSWORD)
    assert login(client, student.email, PASSWORD).status_code == 422
    assert login(client, student.email, NEW_PASSWORD).status_code == 302


def test_reset_ends_every_other_session(app, client, login_as, mailbox, student):
    login_as(student)
    assert client.get("/account/password").status_code == 200
    other = app.test_client()
    path = reset_link(other, mailbox, student)
    assert choose(other, path).status_code == 302
    response = client.get("/account/password")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_unknown_address_gets_the_same_answer_and_no_mail(client, mailbox, student):
    known = forgot(client, student.email)
    unknown = forgot(client, "niemand@example.org")
    assert known.status_code == unknown.status_code == 200
    assert known.get_data(as_text=True) == unknown.get_data(as_text=True)
    assert [m.recipients for m in mailbox.messages] == [[student.email]]


def test_deactivated_account_gets_the_same_answer_and_no_mail(client, mailbox):
    user = factories.make_user(role="student", is_active=False)
    response = forgot(client, user.email)
    assert response.status_code == 200 and SAME_ANSWER in response.get_data(as_text=True)
    assert mailbox.messages == [] and tokens(user, Purpose.PASSWORD_RESET) == []


def test_an_expired_link_shows_a_clear_page_and_changes_nothing(client, clock, mailbox, student):
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=AMSTERDAM))
    path = reset_link(client, mailbox, student)
    clock.advance(hours=1, minutes=59)
    assert client.get(path).status_code == 200
    clock.advance(minutes=2)
    page = client.get(path)
    html = page.get_data(as_text=True)
    assert page.status_code == 404
    assert "Deze link werkt niet (meer)" in html and 'href="/auth/forgot"' in html
    assert choose(client, path).status_code == 404
    db.session.expire_all()
    assert verify_password(db.session.get(User, student.id).password_hash, PASSWORD)


def test_a_used_link_does_not_work_twice(client, mailbox, student):
    path = reset_link(client, mailbox, student)
    assert choose(client, path).status_code == 302
    assert client.get(path).status_code == 404
    assert choose(client, path, password="een ander lang wachtwoord").status_code == 404
    db.session.expire_all()
    assert verify_password(db.session.get(User, student.id).password_hash, NEW_PASSWORD)


def test_a_tampered_or_foreign_link_is_refused(client, mailbox, student):
    path = reset_link(client, mailbox, student)
    tampered = path[:-1] + ("A" if path[-1] != "A" else "B")
    for bad in (tampered, "/auth/reset/x", "/auth/reset/" + "a" * 300):
        assert client.get(bad).status_code == 404
        assert choose(client, bad).status_code == 404
    # a reset token is no invitation
    assert client.get(path.replace("/auth/reset/", "/auth/welcome/")).status_code == 404
    db.session.expire_all()
    assert verify_password(db.session.get(User, student.id).password_hash, PASSWORD)


def test_a_new_request_retires_the_older_link(client, mailbox, student):
    first = reset_link(client, mailbox, student)
    mailbox.clear()
    second = reset_link(client, mailbox, student)
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    assert sum(t.used_at is None for t in tokens(student, Purpose.PASSWORD_RESET)) == 1


def test_password_policy_errors_are_shown_next_to_the_field(client, mailbox, student):
    path = reset_link(client, mailbox, student)
    for password, confirm, field, message in [
        ("kort", "kort", "password", "minstens 12 tekens"),
        ("welkom123456", "welkom123456", "password", "te bekend"),
        (NEW_PASSWORD, NEW_PASSWORD + "x", "confirm", "niet gelijk"),
    ]:
        response = choose(client, path, password, confirm)
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        error = html.split(f'id="{field}-error"')[1].split("</p>")[0]
        assert message in error
    [token] = tokens(student, Purpose.PASSWORD_RESET)
    assert token.used_at is None
    assert verify_password(db.session.get(User, student.id).password_hash, PASSWORD)


def test_forgot_is_rate_limited_per_address(app, client, mailbox, student, wijkdocent):
    app.config["FORGOT_PASSWORD_RATE_LIMIT"] = "2 per minute"
    assert forgot(client, student.email).status_code == 200
    assert forgot(client, student.email.upper()).status_code == 200
    assert forgot(client, student.email).status_code == 429
    assert forgot(client, wijkdocent.email).status_code == 200
    assert len(mailbox.to(student.email)) == 2 and len(mailbox.to(wijkdocent.email)) == 1


def test_reset_pages_send_no_referrer_and_are_not_cached(client, mailbox, student):
    path = reset_link(client, mailbox, student)
    for response in (client.get(path), client.get("/auth/reset/onbekend")):
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cache-Control"] == "no-store"
    assert client.get("/auth/login").headers["Referrer-Policy"] == "same-origin"


def test_a_signed_in_user_can_use_a_reset_link(client, login_as, mailbox, admin, student):
    login_as(admin)
    path = reset_link(client, mailbox, student)
    assert client.get(path).status_code == 200
    response = choose(client, path)
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    db.session.expire_all()
    assert verify_password(db.session.get(User, student.id).password_hash, NEW_PASSWORD)
    # the browser is signed out: the link's owner signs in next
    assert client.get("/account/password").status_code == 302


def test_the_link_expires_two_hours_after_the_request(client, clock, mailbox, student):
    moment = clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=AMSTERDAM))
    reset_link(client, mailbox, student)
    [token] = tokens(student, Purpose.PASSWORD_RESET)
    assert token.expires_at == moment + timedelta(hours=2)
