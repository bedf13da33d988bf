"""Signing in and out, remember-me, next=, rate limits and the security log."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import select

from tests import factories
from tests.factories import PASSWORD
from wijklab import create_app
from wijklab.accounts.models import User
from wijklab.extensions import db, limiter


def login(client, email, password=PASSWORD, **extra):
    return client.post("/auth/login", data={"email": email, "password": password, **extra})


def test_login_page_is_dutch_and_has_the_form(client):
    response = client.get("/auth/login")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="email"' in html and 'name="password"' in html
    assert "Inloggen" in html and '<html lang="nl">' in html


def test_login_with_email_and_password_lands_on_dashboard(client, admin):
    response = login(client, admin.email)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert admin.name in page and "Beheerder" in page
    assert db.session.get(User, admin.id).last_login_at is not None


def test_login_ignores_case_and_space_in_email(client, student):
    response = login(client, f"  {student.email.upper()} ")
    assert response.status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_answer(client, student):
    wrong = login(client, student.email, "niet het goede wachtwoord")
    unknown = login(client, "niemand@example.org", "niet het goede wachtwoord")
    assert wrong.status_code == unknown.status_code == 422
    message = "Onbekend e-mailadres of verkeerd wachtwoord."
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_failed_login_keeps_the_typed_email(client, student):
    response = login(client, "zoë.typed@example.org", "fout wachtwoord hier")
    assert 'value="zoë.typed@example.org"' in response.get_data(as_text=True)


def test_empty_login_form_shows_field_errors(client):
    response = client.post("/auth/login", data={})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert html.count("Dit veld is verplicht.") == 2


def test_deactivated_user_cannot_log_in(client):
    user = factories.make_user(role="wijkdocent", is_active=False)
    response = login(client, user.email)
    assert response.status_code == 422
    assert client.get("/").status_code == 302


def test_logout_is_post_only(client, login_as, student):
    login_as(student)
    assert client.get("/auth/logout").status_code == 405
    response = client.post("/auth/logout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"
    assert client.get("/").status_code == 302


def test_logout_needs_csrf_token(csrf_app, client, login_as, student):
    login_as(student)
    assert client.post("/auth/logout").status_code == 400
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "http:/evil.example",
        "javascript:alert(1)",
        "/\r\nSet-Cookie: x=1",
        "https:evil.example",
    ],
)
def test_next_after_login_stays_local(client, student, target):
    response = client.post(
        "/auth/login",
        query_string={"next": target},
        data={"email": student.email, "password": PASSWORD},
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location == "/"


def test_next_after_login_goes_to_a_local_path(client, admin):
    response = client.post(
        "/auth/login",
        query_string={"next": "/users?q=zo"},
        data={"email": admin.email, "password": PASSWORD},
    )
    assert response.headers["Location"] == "/users?q=zo"


def test_protected_page_redirects_to_login_with_next(client):
    response = client.get("/users")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")


def test_login_starts_a_fresh_session(client, student):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login(client, student.email)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_remember_me_sets_a_cookie_of_at_most_30_days(client, student):
    response = login(client, student.email, remember="y")
    cookies = [
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("wijklab_remember=")
    ]
    assert len(cookies) == 1
    assert "HttpOnly" in cookies[0] and "SameSite=Lax" in cookies[0]
    # Expiry is 30 days from now: check via Max-Age-free Expires by comparing with the config.
    assert client.application.config["REMEMBER_COOKIE_DURATION"].days == 30


def test_remember_me_restores_the_user_after_the_session_cookie_is_gone(client, student):
    login(client, student.email, remember="y")
    remember = client.get_cookie("wijklab_remember")
    client.delete_cookie("wijklab_session")
    assert client.get_cookie("wijklab_session") is None
    assert remember is not None
    response = client.get("/")
    assert response.status_code == 200
    assert student.name in response.get_data(as_text=True)


def test_without_remember_me_no_remember_cookie(client, student):
    response = login(client, student.email)
    assert not [c for c in response.headers.getlist("Set-Cookie") if "wijklab_remember=" in c]


def test_session_cookie_is_httponly_and_samesite_lax(client, student):
    response = login(client, student.email)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if "wijklab_session=" in c)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # development and tests run on plain http


@pytest.fixture
def limited_app(app):
    app.config["LOGIN_RATE_LIMIT"] = "10 per minute"
    limiter.reset()
    yield app
    limiter.reset()


def test_eleventh_login_attempt_in_a_minute_from_one_address_gets_429(limited_app, client):
    for i in range(10):
        response = login(client, f"iemand{i}@example.org", "verkeerd wachtwoord 1")
        assert response.status_code == 422
    response = login(client, "nog.iemand@example.org", "verkeerd wachtwoord 1")
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "Te veel pogingen" in html and '<html lang="nl">' in html


def test_login_attempts_are_limited_per_account_across_addresses(limited_app, client, student):
    for i in range(10):
        response = client.post(
            "/auth/login",
            data={"email": student.email, "password": "verkeerd wachtwoord 1"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{i + 1}"},
        )
        assert response.status_code == 422
    response = client.post(
        "/auth/login",
        data={"email": student.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.99"},
    )
    assert response.status_code == 429


def test_viewing_the_login_page_is_not_rate_limited(limited_app, client):
    for _ in range(15):
        assert client.get("/auth/login").status_code == 200


def test_failed_login_is_logged_without_the_password(client, student, caplog):
    secret = "mijn geheime poging 123"
    with caplog.at_level(logging.INFO, logger="wijklab.security"):
        login(client, student.email, secret)
    events = [r.getMessage() for r in caplog.records if r.name == "wijklab.security"]
    assert any('"event": "login_failed"' in e for e in events)
    assert all(secret not in r.getMessage() for r in caplog.records)


def test_failed_login_is_logged_with_a_keyed_hash_not_the_address(client, student, caplog):
    with caplog.at_level(logging.INFO, logger="wijklab.security"):
        login(client, student.email, "fout fout fout 1")
        login(client, student.email.upper(), "fout fout fout 2")
    failed = [
        json.loads(r.getMessage())
        for r in caplog.records
        if r.name == "wijklab.security" and '"login_failed"' in r.getMessage()
    ]
    assert len(failed) == 2
    assert failed[0]["account"] == failed[1]["account"]  # the same account, recognisably
    assert len(failed[0]["account"]) == 16
    assert all(student.email not in r.getMessage().lower() for r in caplog.records)


def test_password_and_cookies_never_reach_the_log(client, student, caplog):
    with caplog.at_level(logging.DEBUG):
        login(client, student.email, remember="y")
        client.get("/")
        client.post("/auth/login", data={"email": student.email, "password": "fout fout fout 1"})
    cookie = client.get_cookie("wijklab_session")
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert PASSWORD not in text
    assert cookie is None or cookie.value not in text


def test_authenticated_user_visiting_login_goes_to_dashboard(client, login_as, student):
    login_as(student)
    response = client.get("/auth/login")
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_users_are_stored_with_lowercase_unique_email(app):
    user = factories.make_user(email="lower@example.org")
    assert db.session.scalar(select(User.email).where(User.id == user.id)) == "lower@example.org"


def test_an_app_made_elsewhere_in_the_process_does_not_switch_login_limits_off(_app, request):
    """The limiter is one object per process; an app made with limits off (as the browser tests'
    server is) must not leave the next test's app unprotected."""
    create_app({"TESTING": True, "RATELIMIT_ENABLED": False})
    app = request.getfixturevalue("app")
    app.config["LOGIN_RATE_LIMIT"] = "2 per minute"
    client = app.test_client()
    statuses = [login(client, f"iemand{i}@example.org", "verkeerd").status_code for i in range(3)]
    assert statuses == [422, 422, 429]
