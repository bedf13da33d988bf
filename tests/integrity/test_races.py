"""Races against a real server: gunicorn with two workers of four threads on a fresh database
(a scratch PostgreSQL database when WIJKLAB_TEST_DATABASE_URL is set, else an SQLite file), real
logins, and parallel requests from threads. No answer is a 5xx, exactly one request wins where
one is expected, and the database stays consistent: one verified event, one sign-off, no rating
stored after the sign-off, one of two simultaneous goal edits."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from html import unescape
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from tests import conftest, factories
from wijklab import create_app
from wijklab.extensions import db
from wijklab.goals.models import (
    Feedback,
    GoalEvidence,
    GoalStatus,
    LearningGoal,
    SignOff,
)
from wijklab.projects.models import ProjectStatus
from wijklab.tasks.models import Task, TaskEvent, TaskStatus

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
TIMEOUT = 10  # seconds, per request
VERIFIES = 20
SIGN_OFFS = 10
RATINGS = 10


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    """One person's cookies over plain http.client (no redirects followed)."""

    def __init__(self, port: int, cookies: dict | None = None) -> None:
        self.port = port
        self.cookies = dict(cookies or {})

    def request(self, method: str, path: str, data: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read().decode("utf-8", "replace")
            for cookie in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = cookie.partition("=")
                value = rest.split(";", 1)[0]
                if value and "expires=Thu, 01 Jan 1970" not in cookie:
                    self.cookies[name.strip()] = value
                else:
                    self.cookies.pop(name.strip(), None)
            return response.status, content
        finally:
            connection.close()

    def get(self, path: str) -> str:
        status, content = self.request("GET", path)
        assert status == 200, f"GET {path} answered {status}"
        return unescape(content)

    def copy(self) -> Browser:
        return Browser(self.port, self.cookies)


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def login(port: int, email: str) -> Browser:
    browser = Browser(port)
    token = csrf_token(browser.get("/auth/login"))
    status, _ = browser.request(
        "POST",
        "/auth/login",
        {"csrf_token": token, "email": email, "password": factories.PASSWORD},
    )
    assert status == 302, f"login of {email} answered {status}"
    return browser


def in_parallel(calls) -> list[int]:
    """Run the calls at the same moment from their own threads; their status codes."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        barrier.wait(timeout=TIMEOUT)
        try:
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 (a timeout or a dropped connection is a failure)
            results[index] = repr(exc)

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT * 2)
    assert all(isinstance(r, int) for r in results), results
    return results


# --- the server ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def race_database(tmp_path_factory):
    """A fresh, empty database for the server: PostgreSQL's ``<test db>_race``, or a file."""
    if not conftest.ON_POSTGRES:
        yield f"sqlite:///{tmp_path_factory.mktemp('race')}/race.sqlite"
        return
    url = make_url(conftest.TEST_DATABASE_URL)
    name = f"{url.database}_race"
    admin = conftest._admin_engine()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def world(race_database, tmp_path_factory):
    """The schema and a few rows, made by a separate app on the server's database."""
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": race_database,
            "MAIL_BACKEND": "wijklab.activity.eml",
            "MAIL_DIR": str(tmp_path_factory.mktemp("race-mail")),
        }
    )
    with app.app_context():
        db.create_all()
        project = factories.make_project(status=ProjectStatus.ACTIVE)
        supervisor = factories.make_supervisor(organisation=project.partner)
        student = factories.make_student()
        team = factories.make_team(project=project, supervisor=supervisor, members=[student])
        task = factories.make_task(team=team, participants=[student], minutes=480)
        done = factories.make_task(team=team, participants=[student], status="verified")
        in_review = factories.make_goal(team=team, student=student, status="review_requested")
        db.session.add(GoalEvidence(goal=in_review, participation=done.participations[0]))
        draft = factories.make_goal(team=team, student=student, title="Voor")
        db.session.commit()
        ids = {
            "supervisor": supervisor.email,
            "student": student.email,
            "task": task.id,
            "in_review": in_review.id,
            "draft": draft.id,
        }
        db.session.remove()
    yield app, ids
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def server(race_database, world, tmp_path_factory):
    """gunicorn -w 2 --threads 4 on a free loopback port; stopped whatever happens."""
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("WIJKLAB_") and key not in {"CI"}
    }
    env.update(
        {
            "WIJKLAB_ENV": "development",
            "WIJKLAB_DATABASE_URL": race_database,
            "WIJKLAB_SECRET_KEY": "race-test-secret-key",
            "WIJKLAB_RATELIMIT_STORAGE_URI": "memory://",
            "WIJKLAB_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "WIJKLAB_MAIL_BACKEND": "file",
            "WIJKLAB_MAIL_DIR": str(tmp_path_factory.mktemp("race-server-mail")),
        }
    )
    log = tmp_path_factory.mktemp("race-log") / "gunicorn.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [
                str(GUNICORN if GUNICORN.exists() else Path(sys.executable).with_name("gunicorn")),
                "-w",
                "2",
                "--threads",
                "4",
                "-b",
                f"127.0.0.1:{port}",
                "--timeout",
                "30",
                "wijklab:create_app()",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    status, _ = Browser(port).request("GET", "/healthz")
                    if status == 200:
                        break
                except OSError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not start:\n{log.read_text()[-3000:]}")
                time.sleep(0.2)
            yield port
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
    assert "Traceback" not in log.read_text(), log.read_text()[-3000:]


def query(world, statement):
    app, _ = world
    with app.app_context():
        try:
            return db.session.execute(statement).all()
        finally:
            db.session.remove()


# --- the races -------------------------------------------------------------------------------


def test_parallel_verifies_of_one_task_verify_it_once(server, world):
    _, ids = world
    started = time.monotonic()
    supervisor = login(server, ids["supervisor"])
    page = supervisor.get(f"/tasks/{ids['task']}")
    version = re.search(
        r'action="/tasks/\d+/verify".*?name="version" value="(\d+)"', page, re.DOTALL
    ).group(1)
    data = {"csrf_token": csrf_token(page), "version": version}

    def verify():
        return supervisor.copy().request("POST", f"/tasks/{ids['task']}/verify", data)[0]

    statuses = in_parallel([verify] * VERIFIES)
    counts = Counter(statuses)
    assert not [s for s in statuses if s >= 500], counts
    assert counts[302] == 1, counts  # the one approval
    assert set(counts) <= {302, 303, 409}, counts
    [(status,)] = query(world, select(Task.status).where(Task.id == ids["task"]))
    assert status == TaskStatus.VERIFIED
    [(events,)] = query(
        world,
        select(func.count(TaskEvent.id)).where(
            TaskEvent.task_id == ids["task"], TaskEvent.action == "verified"
        ),
    )
    assert events == 1
    assert time.monotonic() - started < 30


def test_parallel_sign_offs_and_ratings_store_no_rating_after_the_sign_off(server, world):
    _, ids = world
    started = time.monotonic()
    supervisor = login(server, ids["supervisor"])
    goal_id = ids["in_review"]
    page = supervisor.get(f"/goals/{goal_id}")
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    token = csrf_token(page)
    sign_off = {
        "csrf_token": token,
        "action": "sign_off",
        "version": version,
        "statement": "Zelfstandig zichtbaar.",
    }
    rating = {"csrf_token": token, "comment": "Mooi gedaan.", "rating": "4"}

    def post(path, data):
        return lambda: supervisor.copy().request("POST", path, data)[0]

    calls = []
    for _ in range(SIGN_OFFS):
        calls.append(post(f"/goals/{goal_id}/transition", sign_off))
        calls.append(post(f"/goals/{goal_id}/feedback", rating))
    statuses = in_parallel(calls)
    assert not [s for s in statuses if s >= 500], Counter(statuses)
    sign_off_statuses = Counter(statuses[0::2])
    assert sign_off_statuses[302] == 1, sign_off_statuses
    [(status,)] = query(world, select(LearningGoal.status).where(LearningGoal.id == goal_id))
    assert status == GoalStatus.SIGNED_OFF
    [(signed_at,)] = query(world, select(SignOff.signed_at).where(SignOff.goal_id == goal_id))
    rated = [
        at
        for (at,) in query(
            world,
            select(Feedback.created_at).where(
                Feedback.goal_id == goal_id, Feedback.rating.is_not(None)
            ),
        )
    ]
    assert len(rated) == Counter(statuses[1::2])[302]
    assert all(at <= signed_at for at in rated), (signed_at, rated)
    assert time.monotonic() - started < 30


def test_two_simultaneous_goal_edits_one_wins_the_other_gets_409(server, world):
    _, ids = world
    started = time.monotonic()
    student = login(server, ids["student"])
    goal_id = ids["draft"]
    page = student.get(f"/goals/{goal_id}/edit")
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    token = csrf_token(page)

    def edit(title):
        data = {"csrf_token": token, "version": version, "title": title}
        return lambda: student.copy().request("POST", f"/goals/{goal_id}/edit", data)[0]

    statuses = in_parallel([edit("Eerste"), edit("Tweede")])
    assert sorted(statuses) == [302, 409], statuses
    [(title, stored_version)] = query(
        world, select(LearningGoal.title, LearningGoal.version).where(LearningGoal.id == goal_id)
    )
    assert title in {"Eerste", "Tweede"}
    assert stored_version == int(version) + 1
    assert time.monotonic() - started < 30
