"""The database goes away: pages answer 503 with a Dutch page, /healthz says 503, and the app
recovers by itself when the database is back, without a restart. Also ProxyFix (one proxy).

The outage is real, on the database the suite runs on: on PostgreSQL a TCP relay in this test
process stands between the app and 127.0.0.1:5432, and is cut (every connection closed, new ones
refused) and restored on the same port; on SQLite the database file's folder is missing, then made.
A third app points at a closed port from the start (needs no server).
"""

from __future__ import annotations

import contextlib
import socket
import threading

import pytest
from flask import request
from sqlalchemy.engine import make_url

from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL
from wijklab import create_app
from wijklab.availability import is_connection_error
from wijklab.extensions import db

UNAVAILABLE = "Wijklab is even niet bereikbaar"
SIGNED_IN = "999999:not-a-real-session"  # the user loader must ask the database about it


class CuttableRelay:
    """A TCP relay on a loopback port to ``target``; ``cut()`` closes every connection and stops
    listening (connections are refused), ``restore()`` listens on the same port again."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self.lock = threading.Lock()
        self.sockets: list[socket.socket] = []
        self.threads: list[threading.Thread] = []
        self.listener: socket.socket | None = None
        self.running = threading.Event()
        self.restore()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        listener.settimeout(0.05)
        self.port = listener.getsockname()[1]
        self.listener = listener
        self.running.set()
        self._start(self._accept, listener)

    def _start(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        thread.start()
        self.threads.append(thread)

    def _accept(self, listener: socket.socket) -> None:
        while self.running.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            client.settimeout(None)
            upstream.settimeout(None)
            with self.lock:
                self.sockets += [client, upstream]
            self._start(self._pump, client, upstream)
            self._start(self._pump, upstream, client)

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.running.clear()
        with self.lock:
            sockets, self.sockets = self.sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for thread in self.threads:
            thread.join(timeout=5)
        self.threads = []
        for sock in sockets:
            sock.close()
        if self.listener is not None:
            self.listener.close()
            self.listener = None


def _client(app):
    """A client whose session names a user, as Flask-Login would have stored it."""
    from flask_login.utils import _create_identifier

    client = app.test_client()
    with app.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()
    with client.session_transaction() as session:
        session["_user_id"] = SIGNED_IN
        session["_fresh"] = True
        session["_id"] = identifier
    return client


def assert_down(app) -> None:
    health = app.test_client().get("/healthz")
    assert health.status_code == 503
    assert health.json == {"status": "error", "database": "error"}
    page = _client(app).get("/projects/")
    assert page.status_code == 503
    assert UNAVAILABLE in page.get_data(as_text=True)
    assert page.headers["Retry-After"] == "30"
    assert page.headers["Cache-Control"] == "no-store"
    login = app.test_client().post(
        "/auth/login", data={"email": "iemand@example.org", "password": "een wachtwoord"}
    )
    assert login.status_code == 503
    assert UNAVAILABLE in login.get_data(as_text=True)


def assert_up(app) -> None:
    health = app.test_client().get("/healthz")
    assert health.status_code == 200 and health.json["database"] == "ok"
    # The unknown session is looked up in the database, found wanting, and sent to the login.
    page = _client(app).get("/projects/")
    assert page.status_code == 302 and "/auth/login" in page.headers["Location"]


def dispose(app) -> None:
    with app.app_context():
        db.engine.dispose()


# Requests run without an app context held open around them (as in production): each has its
# own ``g``, so nothing of one request (the anonymous user of the last one) carries over.


def test_closed_port_gives_503_pages_and_healthz():
    with socket.socket() as probe:  # a port that nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    app = create_app(
        {
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://postgres@127.0.0.1:{closed}/wijklab",
        }
    )
    try:
        assert_down(app)
    finally:
        dispose(app)


@pytest.fixture
def outage(request, tmp_path):
    """(app, cut, restore) on the suite's own database kind, the app made once for all steps."""
    if ON_POSTGRES:
        request.getfixturevalue("_app")  # the schema
        url = make_url(TEST_DATABASE_URL)
        relay = CuttableRelay((url.host or "127.0.0.1", url.port or 5432))
        relayed = url.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False)
        app = create_app(
            {"TESTING": True, "WTF_CSRF_ENABLED": False, "SQLALCHEMY_DATABASE_URI": relayed}
        )
        try:
            yield app, relay.cut, relay.restore
        finally:
            relay.cut()
            dispose(app)
        return
    folder = tmp_path / "gone"
    app = create_app(
        {
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'live.sqlite'}",
        }
    )

    def cut():
        # SQLite has no server to stop: the file goes, and with it every open handle on it.
        for path in folder.glob("*"):
            path.unlink()
        folder.rmdir()
        dispose(app)

    def restore():
        folder.mkdir()
        with app.app_context():
            db.create_all()

    restore()
    try:
        yield app, cut, restore
    finally:
        dispose(app)


def test_database_outage_gives_503_and_recovers_without_a_restart(outage):
    app, cut, restore = outage
    assert_up(app)
    assert_up(app)  # a pooled connection exists now
    cut()
    assert_down(app)
    assert_down(app)  # no half-broken session or connection is kept between requests
    restore()
    assert_up(app)  # the same app, the same engine: it found its way back by itself
    assert_up(app)


def test_a_query_fault_is_a_500_not_a_503(tmp_path):
    """Only an unreachable database is a 503: a missing table (a fault of ours) stays a 500."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'e.db'}"})
    try:
        assert app.test_client().get("/healthz").status_code == 200
        page = _client(app).get("/projects/")
        assert page.status_code == 500
        assert UNAVAILABLE not in page.get_data(as_text=True)
    finally:
        dispose(app)


def test_is_connection_error_reads_sqlstate_and_messages():
    import sqlite3

    from sqlalchemy.exc import DBAPIError, OperationalError

    class Fake(Exception):
        def __init__(self, sqlstate):
            super().__init__("fault")
            self.sqlstate = sqlstate

    assert is_connection_error(OperationalError("x", {}, Fake("08006")))
    assert is_connection_error(OperationalError("x", {}, Fake("57P01")))
    assert not is_connection_error(OperationalError("x", {}, Fake("57014")))  # statement timeout
    assert not is_connection_error(DBAPIError("x", {}, Fake("42P01")))  # undefined table
    gone = sqlite3.OperationalError("unable to open database file")
    assert is_connection_error(OperationalError("x", {}, gone))
    missing = sqlite3.OperationalError("no such table: user")
    assert not is_connection_error(OperationalError("x", {}, missing))
    assert not is_connection_error(ValueError("not a database error"))


# --- ProxyFix: exactly one proxy, only when configured -------------------------------------


def _probe_app(**config):
    app = create_app({"TESTING": True, **config})

    @app.get("/_probe")
    def probe():
        return {"addr": request.remote_addr, "scheme": request.scheme, "host": request.host}

    return app


FORWARDED = {
    "X-Forwarded-For": "198.51.100.1, 203.0.113.7",  # a forged value, then the proxy's
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "wijklab.example.org",
}


def test_proxyfix_trusts_exactly_one_proxy_when_configured():
    app = _probe_app(PROXY_FIX=True)
    seen = app.test_client().get(
        "/_probe", headers=FORWARDED, environ_base={"REMOTE_ADDR": "127.0.0.1"}
    )
    assert seen.json == {"addr": "203.0.113.7", "scheme": "https", "host": "wijklab.example.org"}


def test_without_proxyfix_forwarded_headers_are_ignored():
    app = _probe_app()
    assert app.config["PROXY_FIX"] is False
    seen = app.test_client().get(
        "/_probe", headers=FORWARDED, environ_base={"REMOTE_ADDR": "127.0.0.1"}
    )
    assert seen.json == {"addr": "127.0.0.1", "scheme": "http", "host": "localhost"}


def test_proxy_fix_is_read_from_the_environment(monkeypatch):
    from wijklab.config import Config

    monkeypatch.setenv("WIJKLAB_PROXY_FIX", "1")
    assert Config.from_environment()["PROXY_FIX"] is True
    monkeypatch.setenv("WIJKLAB_PROXY_FIX", "0")
    assert Config.from_environment()["PROXY_FIX"] is False
