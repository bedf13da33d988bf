"""Sessions that really end: replayed cookies after logout, deactivation or a password change,
and the idle timeout."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests import factories
from tests.factories import PASSWORD
from wijklab.clock import utcnow
from wijklab.extensions import db

NEW_PASSWORD = "een heel ander wachtwoord 2026"


def login(client, user, remember=False):
    data = {"email": user.email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/auth/login", data=data)
    assert response.status_code == 302
    return response


def copy_cookies(client):
    return {
        name: client.get_cookie(name).value
        for name in ("wijklab_session", "wijklab_remember")
        if client.get_cookie(name) is not None
    }


def replay(app, cookies):
    """A second browser that presents copied cookies."""
    attacker = app.test_client()
    for name, value in cookies.items():
        attacker.set_cookie(name, value)
    return attacker.get("/")


def test_copied_session_cookie_works_before_logout(app, client, student):
    login(client, student)
    assert replay(app, copy_cookies(client)).status_code == 200


def test_session_cookie_copied_before_logout_is_refused_after(app, client, student):
    login(client, student)
    stolen = copy_cookies(client)
    client.post("/auth/logout")
    response = replay(app, stolen)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


def test_remember_cookie_copied_before_logout_is_refused_after(app, client, student):
    login(client, student, remember=True)
    stolen = {"wijklab_remember": copy_cookies(client)["wijklab_remember"]}
    assert replay(app, stolen).status_code == 200  # it works while the user is signed in
    client.post("/auth/logout")
    assert replay(app, stolen).status_code == 302


def test_cookies_copied_before_deactivation_are_refused_after(app, client, login_as, student):
    login(client, student, remember=True)
    stolen = copy_cookies(client)
    admin = factories.make_user(role="admin")
    admin_client = app.test_client()
    with admin_client.session_transaction() as session:
        session["_user_id"] = admin.get_id()
        session["last_seen"] = utcnow().timestamp()
    assert admin_client.post(f"/users/{student.id}/deactivate").status_code == 302
    assert replay(app, stolen).status_code == 302
    assert replay(app, {"wijklab_remember": stolen["wijklab_remember"]}).status_code == 302
    assert client.get("/").status_code == 302


def test_reactivated_user_does_not_get_old_sessions_back(app, client, student):
    login(client, student)
    stolen = copy_cookies(client)
    from wijklab.accounts import services

    admin = factories.make_user(role="admin")
    services.set_active(student, False, by=admin)
    services.set_active(student, True, by=admin)
    db.session.commit()
    assert replay(app, stolen).status_code == 302


def test_cookies_copied_before_a_password_change_are_refused_after(app, client, student):
    login(client, student, remember=True)
    stolen = copy_cookies(client)
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert replay(app, stolen).status_code == 302
    assert replay(app, {"wijklab_remember": stolen["wijklab_remember"]}).status_code == 302
    # the browser that changed the password stays signed in
    assert client.get("/").status_code == 200


def test_logout_ends_sessions_on_other_devices_too(app, client, student):
    login(client, student)
    phone = app.test_client()
    login(phone, student)
    client.post("/auth/logout")
    assert phone.get("/").status_code == 302


@pytest.fixture
def frozen_clock(clock):
    """The app's clock, moved forward by hand."""
    return clock.advance


def test_session_ends_after_eight_idle_hours(client, student, frozen_clock):
    login(client, student)
    frozen_clock(hours=7, minutes=59)
    assert client.get("/").status_code == 200
    frozen_clock(hours=8, minutes=1)
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")
    assert client.get("/").status_code == 302


def test_activity_keeps_the_session_alive(client, student, frozen_clock):
    login(client, student)
    for _ in range(4):
        frozen_clock(hours=7)
        assert client.get("/").status_code == 200


def test_idle_timeout_is_configurable(app, client, student, frozen_clock):
    app.config["IDLE_TIMEOUT"] = timedelta(minutes=30)
    login(client, student)
    frozen_clock(minutes=31)
    assert client.get("/").status_code == 302


def test_idle_timeout_message_is_shown_on_the_login_page(client, student, frozen_clock):
    login(client, student)
    frozen_clock(hours=9)
    response = client.get("/", follow_redirects=True)
    assert "te lang niet actief" in response.get_data(as_text=True)


def test_session_cookie_lifetime_follows_the_idle_timeout(app, client, student):
    response = login(client, student)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if "wijklab_session=" in c)
    assert "Expires=" in cookie
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(hours=8)


def test_a_static_file_never_sets_the_session_cookie(client, student):
    """A favicon fetched after signing out must not sign the browser in again."""
    login(client, student)
    page = client.get("/")
    assert page.status_code == 200
    assert "wijklab_session" in page.headers.get("Set-Cookie", "")
    static = client.get("/static/img/favicon.svg")
    static.close()  # the file response holds the file open until closed
    assert static.status_code == 200
    assert "Set-Cookie" not in static.headers
