"""Shared fixtures: one app and one schema per test process, each test in a transaction that is
rolled back, a client, one user per role, and the app's clock.

SQLite in memory by default; set WIJKLAB_TEST_DATABASE_URL to run the same suite on PostgreSQL.
Under pytest-xdist (``-n auto``) every worker has its own database: its own in-memory SQLite, or
its own scratch PostgreSQL database named after the one given (``<name>_gw0``, ``<name>_gw1``),
created when the worker starts and dropped when it ends.

Each test runs inside one outer transaction on one connection; the session joins it with a
SAVEPOINT, so a ``commit()`` in a view or a factory ends that savepoint (the code under test
sees its own commits, and a ``rollback()`` goes back to the last commit) and the outer rollback
after the test leaves the database empty for the next one.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import scoped_session, sessionmaker

from tests import factories
from tests.mail import start_smtp_server
from wijklab import clock as app_clock
from wijklab import create_app
from wijklab.clock import AMSTERDAM, utcnow
from wijklab.extensions import cache, db, limiter

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
GIVEN_DATABASE_URL = os.environ.get("WIJKLAB_TEST_DATABASE_URL", "")
ON_POSTGRES = GIVEN_DATABASE_URL.startswith("postgresql")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _worker_database_url(url: str) -> str:
    """The database this process uses: the one given, or a per-worker one under xdist."""
    if not (url.startswith("postgresql") and WORKER):
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{WORKER}").render_as_string(hide_password=False)


TEST_DATABASE_URL = _worker_database_url(GIVEN_DATABASE_URL)
if TEST_DATABASE_URL:
    # Every create_app({"TESTING": True}) of this process (CLI and migration tests too) uses it.
    os.environ["WIJKLAB_TEST_DATABASE_URL"] = TEST_DATABASE_URL


def skip_or_fail(reason: str) -> None:
    """Skip with a clear reason on a developer's machine; in CI a skip is a failure."""
    if IN_CI:
        pytest.fail(f"{reason} (CI must run this test)")
    pytest.skip(reason)


def pytest_report_header(config):
    where = "PostgreSQL" if ON_POSTGRES else "SQLite (in memory)"
    return f"wijklab test database: {where}"


def _admin_engine():
    return create_engine(
        make_url(GIVEN_DATABASE_URL).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )


@pytest.fixture(scope="session")
def _worker_database():
    """Under xdist on PostgreSQL: this worker's own scratch database, dropped at the end."""
    if not (ON_POSTGRES and TEST_DATABASE_URL != GIVEN_DATABASE_URL):
        yield
        return
    name = make_url(TEST_DATABASE_URL).database
    admin = _admin_engine()
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"WIJKLAB_TEST_DATABASE_URL is set but PostgreSQL is unusable: {exc}")
    yield
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _sqlite_savepoints(engine) -> None:
    """pysqlite starts transactions late and its own way, which breaks SAVEPOINT; let SQLAlchemy
    emit BEGIN itself (SQLAlchemy's documented recipe), so the per-test transaction works."""

    @event.listens_for(engine, "connect")
    def _no_implicit_transactions(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN")


@pytest.fixture(scope="session")
def _smtp():
    """A real SMTP server for this test process."""
    controller, mailbox = start_smtp_server()
    yield controller, mailbox
    controller.stop()


@pytest.fixture
def mailbox(_smtp, app):
    """What the app mailed during this test, received over SMTP."""
    _smtp[1].clear()
    yield _smtp[1]
    _smtp[1].clear()


@pytest.fixture(scope="session")
def _app(_worker_database, _smtp):
    """The app and its schema, made once per test process."""
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "MAIL_PORT": _smtp[0].port})
    app.test_client_class = Client
    with app.app_context():
        if not ON_POSTGRES:
            _sqlite_savepoints(db.engine)
        try:
            db.drop_all()
            db.create_all()
        except Exception as exc:  # noqa: BLE001
            pytest.fail(f"the test database is unusable: {exc}")
    yield app
    with app.app_context():
        if ON_POSTGRES:
            db.drop_all()
        db.engine.dispose()


def pytest_runtest_call(item):
    """What the fixtures made (factories only flush) is committed when the test itself starts:
    a test that rolls back sees its setup kept, as before; one commit instead of one per row."""
    if "app" in getattr(item, "fixturenames", ()):
        db.session.commit()


@contextmanager
def as_its_own_unit_of_work():
    """Run a request or a command as it runs outside the tests: what the test made (factories
    only flush) is committed before it starts, and what it left uncommitted is gone after it."""
    db.session.commit()
    try:
        yield
    finally:
        db.session.rollback()


class Client(FlaskClient):
    """A test client that commits the test's own work before each request, rolls back what the
    request left uncommitted after it, and starts every request with an empty ``g``.

    The tests hold an app context open (for the database), and Flask reuses it for each request,
    so ``g`` (Flask-Login's current user, the CSRF token) would otherwise leak between requests
    and between clients.
    """

    def open(self, *args, **kwargs):
        with as_its_own_unit_of_work():
            for name in list(g):
                g.pop(name)
            return super().open(*args, **kwargs)


@pytest.fixture
def app(_app):
    """The shared app, inside an app context, with this test's work in a transaction that is
    rolled back afterwards; configuration changes and rate-limit counts end with the test."""
    config = _app.config.copy()
    # The limiter is one object for every app of the process, and create_app() elsewhere (the
    # browser tests' server has it switched off) sets it up for that app: set it up for the
    # shared app again, which also starts its counts afresh.
    limiter.init_app(_app)
    with _app.app_context():
        cache.clear()  # cached figures of an earlier test's (rolled-back) rows
        connection = db.engine.connect()
        transaction = connection.begin()
        shared_session = db.session
        db.session = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        )
        try:
            yield _app
        finally:
            db.session.remove()
            db.session = shared_session
            transaction.rollback()
            connection.close()
    _app.config.clear()
    _app.config.update(config)


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
def signing_certificate(monkeypatch, tmp_path):
    """A school's signing certificate for a production app (which refuses to start without
    one): the development certificate, made in this test's folder, as key and certificate."""
    from wijklab.statements.signing import development_certificate

    path = development_certificate(tmp_path / "signing")
    monkeypatch.setenv("WIJKLAB_SIGNING_KEY", str(path))
    monkeypatch.setenv("WIJKLAB_SIGNING_CERT", str(path))
    return path


@pytest.fixture
def csrf_app(app):
    """The same app with CSRF protection switched on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app


class FrozenClock:
    """The app's clock, pinned by the test: ``set(date or aware datetime)``, ``advance(...)``."""

    def __init__(self) -> None:
        self.moment = app_clock.now()
        app_clock.set_source(lambda: self.moment)

    def set(self, moment: date | datetime) -> datetime:
        """Pin the clock; a date means noon that day in Amsterdam."""
        if not isinstance(moment, datetime):
            moment = datetime.combine(moment, time(12), tzinfo=AMSTERDAM)
        if moment.tzinfo is None:
            raise ValueError("give the clock an aware datetime or a date")
        self.moment = moment
        return moment

    def advance(self, **delta) -> datetime:
        self.moment += timedelta(**delta)
        return self.moment


@pytest.fixture
def clock():
    """Pin wijklab.clock (now, utcnow, today) for this test; the system clock comes back after."""
    frozen = FrozenClock()
    yield frozen
    app_clock.set_source(None)
