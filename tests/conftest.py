"""Shared fixtures: an app with a fresh database per test, a client, and one user per role.

SQLite in memory by default; set WIJKLAB_TEST_DATABASE_URL to run the same suite on PostgreSQL.
"""

from __future__ import annotations

import os

import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import text

from tests import factories
from wijklab import create_app
from wijklab.database import utcnow
from wijklab.extensions import db

TEST_DATABASE_URL = os.environ.get("WIJKLAB_TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def skip_or_fail(reason: str) -> None:
    """Skip with a clear reason on a developer's machine; in CI a skip is a failure."""
    if IN_CI:
        pytest.fail(f"{reason} (CI must run this test)")
    pytest.skip(reason)


def pytest_report_header(config):
    where = "PostgreSQL" if ON_POSTGRES else "SQLite (in memory)"
    return f"wijklab test database: {where}"


@pytest.fixture(scope="session")
def _schema():
    """On PostgreSQL: create the tables once for the session (each test empties them after)."""
    if not ON_POSTGRES:
        yield
        return
    app = create_app({"TESTING": True})
    with app.app_context():
        try:
            db.drop_all()
            db.create_all()
        except Exception as exc:  # noqa: BLE001
            pytest.fail(f"WIJKLAB_TEST_DATABASE_URL is set but PostgreSQL is unusable: {exc}")
        yield
        db.drop_all()
        db.engine.dispose()


def _empty_tables() -> None:
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    db.session.commit()


class Client(FlaskClient):
    """A test client whose every request starts with an empty ``g``.

    The tests hold an app context open (for the database), and Flask reuses it for each request,
    so ``g`` (Flask-Login's current user, the CSRF token) would otherwise leak between requests
    and between clients.
    """

    def open(self, *args, **kwargs):
        for name in list(g):
            g.pop(name)
        return super().open(*args, **kwargs)


@pytest.fixture
def app(_schema):
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False})
    app.test_client_class = Client
    with app.app_context():
        if not ON_POSTGRES:
            db.create_all()
        yield app
        db.session.rollback()
        db.session.remove()
        if ON_POSTGRES:
            _empty_tables()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login_as(client):
    """Sign a user in on the test client without the cost of a password hash check."""

    def login(user):
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
            session["last_seen"] = utcnow().timestamp()
            session["remember"] = False
        return user

    return login


@pytest.fixture
def admin():
    return factories.make_user(role="admin", name="Fatima Admin")


@pytest.fixture
def wijkdocent():
    return factories.make_user(role="wijkdocent", name="Marloes Docent")


@pytest.fixture
def student():
    return factories.make_student(name="Zoë van den Berg")


@pytest.fixture
def supervisor():
    return factories.make_supervisor(name="Petra de Vries")


@pytest.fixture
def users_by_role(admin, wijkdocent, student, supervisor):
    return {"admin": admin, "wijkdocent": wijkdocent, "student": student, "supervisor": supervisor}


@pytest.fixture
def csrf_app(app):
    """The same app with CSRF protection switched on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app
