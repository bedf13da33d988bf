"""Sessions and limits: logout removes the remember-me cookie, rate limits on a shared Redis that
fall back to per-process counts while it is down, an account that a stranger keeps at its login
limit still lets its owner in (password plus a one-time link by e-mail), and the new-user form
starts without a role."""

from __future__ import annotations

import logging
import re
import time
import uuid

import pytest
from sqlalchemy import func, select

from tests.accounts.helpers import events, link_path, tokens
from tests.conftest import skip_or_fail
from tests.factories import PASSWORD
from wijklab import create_app
from wijklab.accounts.models import User
from wijklab.accounts.tokens import Purpose
from wijklab.extensions import db, limiter

REDIS_URL = "redis://127.0.0.1:6379/0"
CLOSED_PORT_URL = "redis://127.0.0.1:1/0"  # nothing listens there: a stopped Redis
WRONG = "verkeerd wachtwoord 1"
LIMITED_TEXT = "Te veel inlogpogingen"


def login(client, email, password=PASSWORD, ip="10.1.0.1", **extra):
    return client.post(
        "/auth/login",
        data={"email": email, "password": password, **extra},
        environ_base={"REMOTE_ADDR": ip},
    )


# --- logout --------------------------------------------------------------------------------


def test_logout_deletes_the_remember_me_cookie(client, student):
    assert login(client, student.email, remember="y").status_code == 302
    assert client.get_cookie("wijklab_remember") is not None
    response = client.post("/auth/logout")
    assert response.status_code == 302
    [cookie] = [
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("wijklab_remember=")
    ]
    assert "Max-Age=0" in cookie or "Expires=Thu, 01 Jan 1970" in cookie
    assert client.get_cookie("wijklab_remember") is None
    assert client.get("/").status_code == 302


def test_logout_without_remember_me_sets_no_remember_cookie(client, student):
    login(client, student.email)
    response = client.post("/auth/logout")
    assert response.status_code == 302
    assert not [c for c in response.headers.getlist("Set-Cookie") if "wijklab_remember=" in c]


def test_choosing_a_new_password_deletes_the_remember_me_cookie_of_this_browser(
    client, mailbox, student
):
    login(client, student.email, remember="y")
    assert client.post("/auth/forgot", data={"email": student.email}).status_code == 200
    path = link_path(mailbox.to(student.email)[-1], "/auth/reset/")
    new = "fietsen langs de maas in mei"
    response = client.post(path, data={"password": new, "confirm": new})
    assert response.status_code == 302
    assert client.get_cookie("wijklab_remember") is None


# --- the per-account limit: a stranger cannot keep the owner out -----------------------------


@pytest.fixture
def limited(app):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    limiter.reset()
    yield app
    limiter.reset()


def _exhaust(client, email):
    """A stranger on three addresses uses up the account's limit with wrong passwords."""
    for i in range(3):
        assert login(client, email, WRONG, ip=f"10.9.0.{i + 1}").status_code == 422


def test_after_the_limit_the_owner_gets_in_with_password_and_mailed_link(
    limited, client, mailbox, student
):
    _exhaust(client, student.email)
    response = login(client, student.email, PASSWORD, ip="10.2.0.1")
    assert response.status_code == 429
    assert LIMITED_TEXT in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # the password alone did not sign in

    [message] = mailbox.to(student.email)
    assert "15 minuten" in message.text and "één keer" in message.text
    assert message.links()[0].startswith("https://wijklab.example.org/auth/login/link/")
    path = link_path(message, "/auth/login/link/")

    page = client.get(path)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert client.get("/").status_code == 302  # opening the link (a mail scanner) is not login
    response = client.post(path, environ_base={"REMOTE_ADDR": "10.2.0.1"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    db.session.expire_all()
    assert db.session.get(User, student.id).last_login_at is not None
    [token] = tokens(student, Purpose.LOGIN_LINK)
    assert token.used_at is not None
    assert [e.object_id for e in events("login.via_link")] == [student.id]


def test_the_stranger_gets_the_same_page_and_no_mail(limited, client, mailbox, student):
    _exhaust(client, student.email)
    stranger = login(client, student.email, WRONG, ip="10.9.0.9")
    owner = login(client, student.email, PASSWORD, ip="10.2.0.1")
    assert stranger.status_code == owner.status_code == 429

    def text(response):
        return re.sub(r'name="csrf_token"[^>]*', "", response.get_data(as_text=True))

    assert text(stranger) == text(owner)
    assert len(mailbox.to(student.email)) == 1  # the owner's only
    assert len(tokens(student, Purpose.LOGIN_LINK)) == 1


def test_a_stranger_alone_never_gets_a_link_mailed(limited, client, mailbox, student):
    _exhaust(client, student.email)
    for i in range(3):
        assert login(client, student.email, WRONG, ip=f"10.8.0.{i}").status_code == 429
    assert mailbox.to(student.email) == []
    assert tokens(student, Purpose.LOGIN_LINK) == []
    reasons = [e.details for e in events("login.refused")]
    assert len(reasons) == 6


def test_a_wrong_link_is_refused(limited, client, mailbox, student):
    _exhaust(client, student.email)
    login(client, student.email, PASSWORD, ip="10.2.0.1")
    path = link_path(mailbox.to(student.email)[0], "/auth/login/link/")
    wrong = path[:-4] + ("AAAA" if not path.endswith("AAAA") else "BBBB")
    assert client.get(wrong).status_code == 404
    assert client.post(wrong).status_code == 404
    assert client.post("/auth/login/link/" + "x" * 500).status_code == 404
    assert client.get("/").status_code == 302
    [token] = tokens(student, Purpose.LOGIN_LINK)
    assert token.used_at is None


def test_a_link_works_once(limited, client, mailbox, student):
    _exhaust(client, student.email)
    login(client, student.email, PASSWORD, ip="10.2.0.1")
    path = link_path(mailbox.to(student.email)[0], "/auth/login/link/")
    assert client.post(path).status_code == 302
    client.post("/auth/logout")
    again = client.post(path)
    assert again.status_code == 404
    assert "Deze link werkt niet (meer)" in again.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_a_link_expires_after_fifteen_minutes(limited, client, mailbox, student, clock):
    from datetime import UTC, datetime

    clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    _exhaust(client, student.email)
    login(client, student.email, PASSWORD, ip="10.2.0.1")
    path = link_path(mailbox.to(student.email)[0], "/auth/login/link/")
    clock.advance(minutes=16)
    assert client.get(path).status_code == 404
    assert client.post(path).status_code == 404
    assert client.get("/").status_code == 302


def test_a_newer_link_replaces_the_older_one(limited, client, mailbox, student):
    _exhaust(client, student.email)
    login(client, student.email, PASSWORD, ip="10.2.0.1")
    login(client, student.email, PASSWORD, ip="10.2.0.2")
    first, second = (link_path(m, "/auth/login/link/") for m in mailbox.to(student.email))
    assert client.post(first).status_code == 404
    assert client.post(second).status_code == 302


def test_a_deactivated_owner_gets_no_link(limited, client, mailbox, student):
    _exhaust(client, student.email)
    student.is_active = False
    db.session.commit()
    assert login(client, student.email, PASSWORD, ip="10.2.0.1").status_code == 429
    assert mailbox.to(student.email) == []


def test_below_the_limit_the_password_alone_still_signs_in(limited, client, mailbox, student):
    assert login(client, student.email, WRONG).status_code == 422
    assert login(client, student.email, PASSWORD).status_code == 302
    assert mailbox.to(student.email) == []


# --- rate limits on Redis, and without it ---------------------------------------------------


def _redis_or_skip():
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except RedisError as error:
        skip_or_fail(f"Redis is not reachable on 127.0.0.1:6379 ({error})")


@pytest.fixture
def limiter_on(app):
    """Point the process's limiter at another store for one test; the next test's app fixture
    points it back (and the storage's health flag is restored here)."""

    def use(uri: str):
        _store_is_healthy()
        app.config["RATELIMIT_STORAGE_URI"] = uri
        app.config["LOGIN_RATE_LIMIT"] = "2 per minute"
        app.config["VERIFY_RATE_LIMIT"] = "2 per minute"
        limiter.init_app(app)
        return app

    yield use
    _store_is_healthy()


def _store_is_healthy() -> None:
    """Forget what the process-wide limiter learnt about a dead store in an earlier test."""
    limiter._storage_dead = False
    limiter._Limiter__check_backend_count = 0
    limiter._Limiter__last_check_backend = 0.0


def test_an_app_with_a_redis_store_boots(monkeypatch):
    monkeypatch.setenv("WIJKLAB_SECRET_KEY", "k" * 40)
    monkeypatch.setenv("WIJKLAB_RATELIMIT_STORAGE_URI", REDIS_URL)
    monkeypatch.delenv("WIJKLAB_ENV", raising=False)
    app = create_app()
    assert app.config["RATELIMIT_STORAGE_URI"] == REDIS_URL
    assert app.config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] is True
    # Whatever store comes last, the next test's app fixture points the limiter back to memory.
    assert type(limiter.storage).__name__ == "RedisStorage"


def test_limits_on_redis_are_shared_between_processes(limiter_on, client):
    _redis_or_skip()
    limiter_on(REDIS_URL)
    email = f"gedeeld-{uuid.uuid4().hex}@example.org"
    ip = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7"
    assert login(client, email, WRONG, ip=ip).status_code == 422
    limiter_on(REDIS_URL)  # a fresh limiter, as in another worker: its own memory is empty
    assert login(client, email, WRONG, ip=ip).status_code == 422
    limiter_on(REDIS_URL)
    assert login(client, email, WRONG, ip=ip).status_code == 429
    assert limiter._storage_dead is False


def test_redis_down_login_and_verify_fall_back_to_per_process_limits(
    limiter_on, client, student, caplog
):
    limiter_on(CLOSED_PORT_URL)
    started = time.monotonic()
    with caplog.at_level(logging.INFO):
        first = login(client, student.email, WRONG, ip="10.3.0.1")
        verify = client.get("/verify")
    assert first.status_code == 422  # not 500: signing in still works
    assert verify.status_code == 200
    assert time.monotonic() - started < 5
    messages = [r.getMessage() for r in caplog.records]
    assert any("falling back to in-memory storage" in m for m in messages)
    assert any('"event": "ratelimit_storage"' in m for m in messages)  # in the security log
    # The limits still hold, counted in this process.
    assert login(client, student.email, WRONG, ip="10.3.0.1").status_code == 422
    assert login(client, student.email, WRONG, ip="10.3.0.1").status_code == 429
    assert client.get("/verify").status_code == 200
    assert client.get("/verify").status_code == 429


def test_the_limiter_goes_back_to_redis_when_it_answers_again(limiter_on, client, caplog):
    _redis_or_skip()
    from limits.storage import storage_from_string

    limiter_on(CLOSED_PORT_URL)
    assert client.get("/verify").status_code == 200
    assert limiter._storage_dead is True
    # Redis is back (here: the limiter's store now points at the running one).
    limiter._storage = storage_from_string(REDIS_URL, socket_connect_timeout=0.5)
    limiter._limiter = type(limiter._limiter)(limiter._storage)
    time.sleep(2.1)  # Flask-Limiter looks at a dead store again after 1, 2, 4 ... seconds
    with caplog.at_level(logging.INFO):
        assert client.get("/verify").status_code == 200
    assert limiter._storage_dead is False
    assert any("storage recovered" in r.getMessage() for r in caplog.records)


def test_redis_down_the_owner_still_signs_in(limiter_on, client, student):
    limiter_on(CLOSED_PORT_URL)
    response = login(client, student.email, PASSWORD, ip="10.4.0.1")
    assert response.status_code == 302
    assert client.get("/").status_code == 200


# --- the new-user form ------------------------------------------------------------------------


def _role_options(html: str) -> list[str]:
    select_html = re.search(r'<select[^>]*name="role".*?</select>', html, re.DOTALL).group(0)
    return re.findall(r"<option[^>]*>", select_html)


@pytest.mark.parametrize("who", ["admin", "wijkdocent"])
def test_the_new_user_form_starts_without_a_role(client, login_as, request, who):
    login_as(request.getfixturevalue(who))
    response = client.get("/users/new")
    assert response.status_code == 200
    options = _role_options(response.get_data(as_text=True))
    assert 'value=""' in options[0]
    assert not any("selected" in o for o in options[1:])
    assert not any('value="admin"' in o and "selected" in o for o in options)


def test_a_new_user_saved_without_a_role_is_refused(client, login_as, admin):
    login_as(admin)
    before = db.session.scalar(select(func.count(User.id)))
    response = client.post(
        "/users/new", data={"name": "Nieuwe Persoon", "email": "nieuw@example.org", "role": ""}
    )
    assert response.status_code == 422
    assert "Kies een rol." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id))) == before
    assert db.session.scalar(select(User).where(User.email == "nieuw@example.org")) is None
