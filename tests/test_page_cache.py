"""Whole pages are kept per session until the next committed write (wijklab.pagecache): served
again only to the session they were made for, never after a write, a flash, a sign-out or a new
day, shared by workers on Redis, and never failing a page when the cache is down."""

from __future__ import annotations

from datetime import datetime

import pytest
from flask import flash, get_flashed_messages
from sqlalchemy import func, select, update

from tests import factories
from tests.test_query_counts import queries
from wijklab import create_app
from wijklab.activity.models import AuditEvent
from wijklab.clock import AMSTERDAM
from wijklab.extensions import db
from wijklab.pagecache import CACHED_ENDPOINTS, MAX_BYTES, _keepable, _read_generation
from wijklab.privacy.services import ACCESS_ACTION
from wijklab.teams.models import Team

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def page_cache(app):
    app.config["PAGE_CACHE"] = True  # the app fixture restores the configuration afterwards
    return app


@pytest.fixture
def team_page(page_cache, client, login_as):
    team = factories.make_team(name="Team Zoë", members=[factories.make_student()])
    factories.make_task(team=team, title="Buurtsoep koken")
    db.session.commit()
    login_as(team.supervisor)
    return team, f"/teams/{team.id}"


def fetch(client, url: str) -> tuple[str, int]:
    """The page's HTML and the number of SQL queries it ran."""
    db.session.expire_all()
    with queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True), len(statements)


def warm(client, url: str) -> tuple[str, int]:
    """Ask twice (a first request that starts the session's CSRF secret changes the session,
    so that one is not kept) and return the first answer: the page as built."""
    built = fetch(client, url)
    fetch(client, url)
    return built


def test_a_page_is_served_again_without_its_queries(client, team_page):
    _team, url = team_page
    built, built_queries = warm(client, url)
    again, again_queries = fetch(client, url)
    assert again == built
    assert "Buurtsoep koken" in again
    assert built_queries >= 5
    assert again_queries == 1  # only the sign-in check: the user and their session token


def test_without_the_setting_every_request_builds_the_page(client, app, login_as):
    team = factories.make_team()
    db.session.commit()
    login_as(team.supervisor)
    url = f"/teams/{team.id}"
    _html, first = warm(client, url)
    assert fetch(client, url)[1] == first


def test_a_committed_write_anywhere_builds_the_page_afresh(client, team_page):
    team, url = team_page
    warm(client, url)
    factories.make_task(team=team, title="Speeltuin opruimen")
    db.session.commit()
    html, count = fetch(client, url)
    assert "Speeltuin opruimen" in html
    assert count > 1


def test_an_update_statement_is_a_write_too(client, team_page):
    team, url = team_page
    warm(client, url)
    db.session.execute(update(Team).where(Team.id == team.id).values(name="Team Yassine"))
    db.session.commit()
    html, _count = fetch(client, url)
    assert "Team Yassine" in html


def test_a_rolled_back_write_keeps_the_page(client, team_page):
    team, url = team_page
    warm(client, url)
    team.name = "Team nooit"
    db.session.flush()
    db.session.rollback()
    db.session.commit()  # a later commit of nothing bumps nothing
    html, count = fetch(client, url)
    assert "Team nooit" not in html
    assert count == 1


def test_another_user_never_gets_the_page(page_cache, app, login_as):
    first = factories.make_user(role="wijkdocent", name="Ayşe Docent")
    second = factories.make_user(role="wijkdocent", name="Bram Docent")
    db.session.commit()
    one, two = app.test_client(), app.test_client()
    for client, user in ((one, first), (two, second)):
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
    warm(one, "/")
    html, count = fetch(two, "/")
    assert "Bram Docent" in html
    assert "Ayşe Docent" not in html
    assert count > 1


def test_another_session_of_the_same_user_builds_its_own(client, team_page, app):
    team, url = team_page
    warm(client, url)
    phone = app.test_client()
    with phone.session_transaction() as session:
        session["_user_id"] = team.supervisor.get_id()
        session["csrf_token"] = "een-ander-geheim"
    html, count = fetch(phone, url)
    assert count > 1
    assert "een-ander-geheim" not in html  # the raw secret never appears, only signed tokens


def test_a_flash_is_shown_once_and_never_kept(client, team_page):
    _team, url = team_page
    warm(client, url)
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Taak opgeslagen voor Zoë.")]
    html, count = fetch(client, url)
    assert "Taak opgeslagen voor Zoë." in html
    assert count > 1
    html, _count = fetch(client, url)
    assert "Taak opgeslagen voor Zoë." not in html


def test_a_deactivated_user_gets_no_kept_page(client, team_page):
    team, url = team_page
    warm(client, url)
    team.supervisor.is_active = False
    db.session.commit()
    response = client.get(url)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_signed_out_session_gets_no_kept_page(client, team_page):
    _team, url = team_page
    warm(client, url)
    with client.session_transaction() as session:
        session.clear()
    response = client.get(url)
    assert response.status_code == 302


def test_the_query_string_and_language_are_part_of_the_key(page_cache, client, login_as):
    supervisor = factories.make_supervisor()
    db.session.commit()
    login_as(supervisor)
    warm(client, "/goals/")
    assert fetch(client, "/goals/?status=review_requested")[1] > 1
    with client.session_transaction() as session:
        session["locale"] = "en"
    html, count = fetch(client, "/goals/")
    assert count > 1
    assert 'lang="en"' in html


def test_a_new_day_builds_the_page_afresh(client, team_page, clock):
    _team, url = team_page
    warm(client, url)
    clock.advance(days=1)
    with client.session_transaction() as session:
        session["last_seen"] = clock.moment.timestamp()
    assert fetch(client, url)[1] > 1


def test_an_idle_session_is_signed_out_even_with_a_kept_page(client, team_page, clock):
    _team, url = team_page
    clock.set(datetime(2026, 12, 1, 7, 0, tzinfo=AMSTERDAM))
    with client.session_transaction() as session:
        session["last_seen"] = clock.moment.timestamp()
    warm(client, url)
    clock.advance(hours=9)  # the same day, past the eight idle hours
    response = client.get(url)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_error_pages_are_not_kept(page_cache, client, login_as):
    supervisor = factories.make_supervisor()
    other_team = factories.make_team()
    db.session.commit()
    login_as(supervisor)
    for _ in range(3):
        with queries() as statements:
            assert client.get(f"/teams/{other_team.id}").status_code in (403, 404)
        assert len(statements) > 1


def test_the_generation_is_read_before_the_user_is_loaded(app):
    assert app.before_request_funcs[None][0] is _read_generation
    assert {"reports.dashboard", "teams.detail", "tasks.waiting"} <= CACHED_ENDPOINTS
    assert set(app.view_functions) >= CACHED_ENDPOINTS


def test_on_by_itself_only_with_a_shared_cache():
    assert create_app({"TESTING": True, "PAGE_CACHE": None}).config["PAGE_CACHE"] is False
    shared = create_app({"TESTING": True, "PAGE_CACHE": None, "REDIS_URL": REDIS_URL})
    assert shared.config["PAGE_CACHE"] is True


# --- two workers on Redis ------------------------------------------------------------------------


def _redis_or_skip() -> None:
    from tests.reports.test_cache import _redis_or_skip as check

    check()


def _worker(database: str, redis_url: str = REDIS_URL):
    return create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database,
            "REDIS_URL": redis_url,
            "PAGE_CACHE": True,
            "WTF_CSRF_ENABLED": False,
        }
    )


@pytest.fixture
def two_workers(tmp_path):
    """Two apps (as two gunicorn workers) on one SQLite file and one Redis, with a team."""
    database = f"sqlite:///{tmp_path / 'wijklab.sqlite'}"
    one, two = _worker(database), _worker(database)
    with one.app_context():
        db.create_all()
        team = factories.make_team(name="Team Ayşe")
        db.session.commit()
        ids = team.id, team.supervisor.get_id()
        db.session.remove()
    yield one, two, ids
    for worker in (one, two):
        with worker.app_context():
            db.engine.dispose()


def _signed_in(worker, user_id: str):
    client = worker.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user_id
    return client


def test_a_write_in_one_worker_builds_the_page_afresh_in_the_other(two_workers):
    _redis_or_skip()
    one, two, (team_id, supervisor) = two_workers
    url = f"/teams/{team_id}"
    reader = _signed_in(two, supervisor)
    for _ in range(2):
        reader.get(url)
    with two.app_context():
        with queries() as statements:
            assert "Team Ayşe" in reader.get(url).get_data(as_text=True)
        assert len(statements) == 1  # kept
    with one.app_context():
        db.session.get(Team, team_id).name = "Team Yassine"
        db.session.commit()
        db.session.remove()
    with two.app_context():
        html = reader.get(url).get_data(as_text=True)
    assert "Team Yassine" in html


def test_a_cache_that_is_down_only_costs_the_page(tmp_path, caplog):
    worker = _worker(f"sqlite:///{tmp_path / 'down.sqlite'}", "redis://127.0.0.1:1/0")
    with worker.app_context():
        db.create_all()
        team = factories.make_team(name="Team Zoë")
        db.session.commit()
        client = _signed_in(worker, team.supervisor.get_id())
        for _ in range(2):
            response = client.get(f"/teams/{team.id}")
            assert response.status_code == 200
            assert "Team Zoë" in response.get_data(as_text=True)
        db.engine.dispose()
    assert "page cache unavailable" in caplog.text


def test_only_a_plain_html_page_without_a_flash_is_kept(app):
    def page(body="<p>Wijk</p>", mimetype="text/html", **values):
        return app.response_class(body, mimetype=mimetype, **values)

    with app.test_request_context("/"):
        assert _keepable(page())
        assert not _keepable(page(status=404))
        assert not _keepable(page(mimetype="application/pdf"))
        cookie = page()
        cookie.set_cookie("keuze", "1")
        assert not _keepable(cookie)
        assert not _keepable(app.response_class(iter(["<p>", "</p>"]), mimetype="text/html"))
        assert not _keepable(page("x" * (MAX_BYTES + 1)))
        flash("Taak opgeslagen.")
        get_flashed_messages()  # the page showed it
        assert not _keepable(page())


def test_forget_cache_builds_every_page_afresh(client, team_page, app):
    team, url = team_page
    warm(client, url)
    # A change the app did not see (psql): the kept page stays until the cache is forgotten.
    db.session.execute(update(Team).where(Team.id == team.id).values(name="Team psql"))
    db.session.info.pop("wijklab.cache_areas", None)
    db.session.commit()
    assert "Team psql" not in fetch(client, url)[0]
    result = app.test_cli_runner().invoke(args=["forget-cache"])
    assert result.exit_code == 0
    assert "Cache vergeten" in result.output
    html, count = fetch(client, url)
    assert "Team psql" in html
    assert count > 1


def test_a_kept_student_page_still_notes_every_view_in_the_audit_trail(
    page_cache, client, login_as
):
    student = factories.make_student(name="Ayşe Yılmaz")
    team = factories.make_team(members=[student])
    db.session.commit()
    login_as(team.supervisor)
    url = f"/students/{student.id}/coverage"

    def views() -> int:
        return db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == ACCESS_ACTION, AuditEvent.object_id == student.id)
        )

    _html, built = warm(client, url)
    html, count = fetch(client, url)
    assert "Ayşe Yılmaz" in html
    assert count < built  # kept: the note of the view does not make the page old
    assert views() == 3  # and each of the three views is in the audit trail
