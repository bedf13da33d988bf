"""The app factory, configuration, security headers, error pages, health and language."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from tests.factories import PASSWORD
from wijklab import create_app
from wijklab.accounts.models import User
from wijklab.config import ConfigError, ProductionConfig
from wijklab.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def test_root_templates_and_static_resolve(app):
    assert Path(app.root_path, app.template_folder).resolve() == ROOT / "templates"
    assert Path(app.static_folder).resolve() == ROOT / "static"
    assert app.jinja_env.get_template("base.html") is not None


def test_static_files_are_served(client):
    with client.get("/static/css/app.css") as response:
        assert response.status_code == 200
        assert "--brand" in response.get_data(as_text=True)


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("WIJKLAB_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="WIJKLAB_SECRET_KEY"):
        create_app(ProductionConfig)


def test_production_starts_with_a_secret_key_and_secure_cookies(monkeypatch, signing_certificate):
    monkeypatch.setenv("WIJKLAB_SECRET_KEY", "x" * 64)
    monkeypatch.setenv("WIJKLAB_DATABASE_URL", "sqlite://")
    monkeypatch.setenv("WIJKLAB_PUBLIC_URL", "https://wijklab.example.org")
    app = create_app(ProductionConfig)
    assert app.config["SECRET_KEY"] == "x" * 64
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


def test_wijklab_env_production_selects_production(monkeypatch):
    monkeypatch.setenv("WIJKLAB_ENV", "production")
    monkeypatch.delenv("WIJKLAB_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        create_app()


def test_development_generates_a_secret_key_once(monkeypatch, tmp_path):
    from wijklab.config import development_secret_key

    first = development_secret_key(tmp_path)
    assert len(first) == 64
    assert development_secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_configuration_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("WIJKLAB_DATABASE_URL", "sqlite:////tmp/elsewhere.sqlite")
    monkeypatch.setenv("WIJKLAB_SECRET_KEY", "k" * 40)
    monkeypatch.setenv("WIJKLAB_RATELIMIT_STORAGE_URI", "memory://")
    monkeypatch.setenv("WIJKLAB_IDLE_TIMEOUT_MINUTES", "45")
    monkeypatch.setenv("WIJKLAB_REMEMBER_DAYS", "90")
    monkeypatch.delenv("WIJKLAB_ENV", raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:////tmp/elsewhere.sqlite"
    assert app.config["IDLE_TIMEOUT"].total_seconds() == 45 * 60
    assert app.config["REMEMBER_COOKIE_DURATION"].days == 30  # never more than 30 days


def test_invalid_number_in_environment_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("WIJKLAB_IDLE_TIMEOUT_MINUTES", "acht uur")
    monkeypatch.setenv("WIJKLAB_SECRET_KEY", "k" * 40)
    with pytest.raises(ConfigError, match="WIJKLAB_IDLE_TIMEOUT_MINUTES"):
        create_app()


def test_create_app_does_not_touch_the_schema(tmp_path, monkeypatch):
    database = tmp_path / "empty.sqlite"
    monkeypatch.setenv("WIJKLAB_SECRET_KEY", "k" * 40)
    create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"})
    assert not database.exists() or database.stat().st_size == 0


def test_security_headers_on_every_response(client):
    for url in ("/auth/login", "/healthz", "/static/css/app.css", "/nope"):
        with client.get(url) as response:
            headers = response.headers
            csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["Server"] == "wijklab"


def test_signed_in_pages_are_not_cached(client, login_as, student):
    assert "no-store" not in client.get("/auth/login").headers.get("Cache-Control", "")
    login_as(student)
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_request_larger_than_the_limit_gets_413(client, app):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/auth/login", data={"email": "x" * 5000, "password": "y"})
    assert response.status_code == 413
    assert "te groot" in response.get_data(as_text=True)


def test_max_content_length_is_set():
    app = create_app({"TESTING": True})
    assert app.config["MAX_CONTENT_LENGTH"] == 2 * 1024 * 1024


def test_404_page_is_dutch(client):
    response = client.get("/bestaat-niet")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.get_data(as_text=True)


def test_405_page(client):
    assert client.delete("/auth/login").status_code == 405


def test_500_page_is_dutch_and_rolls_back():
    """A route added for the test needs an app of its own: Flask takes no new routes once an app
    has served a request, and the shared test app has."""
    from wijklab.neighbourhoods.models import Neighbourhood

    app = create_app({"TESTING": True})

    @app.route("/boom-test")
    def boom():
        db.session.add(Neighbourhood(name="Half geschreven", city="Den Haag", description=""))
        db.session.flush()
        raise RuntimeError("kapot")

    with app.app_context():
        db.create_all()
        response = app.test_client().get("/boom-test")
        assert response.status_code == 500
        assert "Er ging iets mis" in response.get_data(as_text=True)
        assert db.session.scalar(select(func.count()).select_from(Neighbourhood)) == 0
        db.session.remove()
        db.engine.dispose()


def test_error_page_follows_the_users_language(client, login_as, student):
    student.locale = "en"
    db.session.commit()
    login_as(student)
    response = client.get("/users")
    assert response.status_code == 403
    assert '<html lang="en">' in response.get_data(as_text=True)
    assert "No access" in response.get_data(as_text=True)


def test_healthz_reports_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_503_when_the_database_is_down(client, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "error"


def test_healthz_on_an_unreachable_database_file(monkeypatch, tmp_path):
    monkeypatch.setenv("WIJKLAB_SECRET_KEY", "k" * 40)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/db.sqlite"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "error"}


def test_language_switch_for_an_anonymous_visitor(client):
    response = client.post("/language", data={"locale": "en", "next": "/auth/login"})
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    html = client.get("/auth/login").get_data(as_text=True)
    assert '<html lang="en">' in html and "Log in" in html


def test_language_choice_is_remembered_per_user(app, client, student):
    client.post("/auth/login", data={"email": student.email, "password": PASSWORD})
    client.post("/language", data={"locale": "en", "next": "/"})
    db.session.expire_all()
    assert db.session.get(User, student.id).locale == "en"
    client.post("/auth/logout")
    other_browser = app.test_client()
    other_browser.post("/auth/login", data={"email": student.email, "password": PASSWORD})
    assert '<html lang="en">' in other_browser.get("/").get_data(as_text=True)


def test_unknown_language_is_refused(client, login_as, student):
    login_as(student)
    assert client.post("/language", data={"locale": "fr"}).status_code == 400
    db.session.expire_all()
    assert db.session.get(User, student.id).locale is None


def test_language_switch_next_stays_local(client):
    response = client.post("/language", data={"locale": "en", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_dashboard_per_role(client, login_as, users_by_role):
    expected = {
        "admin": "Maak accounts voor wijkdocenten",
        "wijkdocent": "gemengde mbo/hbo-teams",
        "student": "Je wijkdocent plaatst je in een team",
        "supervisor": "feedback op leerdoelen",
    }
    for role, text in expected.items():
        login_as(users_by_role[role])
        html = client.get("/").get_data(as_text=True)
        assert text in html, role
        assert users_by_role[role].name in html


def test_refused_requests_are_logged_as_security_events(client, login_as, student, caplog):
    import json
    import logging

    login_as(student)
    with caplog.at_level(logging.WARNING, logger="wijklab.security"):
        assert client.get("/users").status_code == 403
    events = [json.loads(r.getMessage()) for r in caplog.records if r.name == "wijklab.security"]
    assert events == [
        {
            "event": "forbidden",
            "ip": "127.0.0.1",
            "method": "GET",
            "path": "/users",
            "user_id": student.id,
        }
    ]


def test_missing_csrf_token_is_logged(csrf_app, client, login_as, admin, caplog):
    import logging

    login_as(admin)
    with caplog.at_level(logging.WARNING, logger="wijklab.security"):
        client.post("/neighbourhoods/new", data={"name": "X", "city": "Y"})
    assert any('"event": "csrf_refused"' in r.getMessage() for r in caplog.records)


def test_dashboards_list_running_teams_and_projects(client, login_as, wijkdocent, student):
    from tests import factories
    from wijklab.projects.models import ProjectStatus

    running = factories.make_project(owner=wijkdocent, title="Lopend project")
    done = factories.make_project(
        owner=wijkdocent, title="Klaar project", status=ProjectStatus.COMPLETED
    )
    team = factories.make_team(project=running, name="Dinsdagteam", members=[student])
    factories.make_team(project=done, name="Oud team", members=[student])
    login_as(wijkdocent)
    html = client.get("/").get_data(as_text=True)
    assert "Lopend project" in html and "Klaar project" not in html
    login_as(student)
    html = client.get("/").get_data(as_text=True)
    assert "Dinsdagteam" in html and "Oud team" not in html
    login_as(team.supervisor)
    assert "Dinsdagteam" in client.get("/").get_data(as_text=True)


def test_search_ignores_case_of_accented_letters(client, login_as, admin):
    from tests import factories

    factories.make_user(name="Zoë de Wit")
    login_as(admin)
    assert "Zoë de Wit" in client.get("/users", query_string={"q": "ZOË"}).get_data(as_text=True)


def test_a_page_past_the_end_shows_the_last_page(client, login_as, admin):
    from tests import factories

    for i in range(30):
        factories.make_neighbourhood(name=f"Wijk {i:02d}")
    login_as(admin)
    html = client.get("/neighbourhoods/?page=99").get_data(as_text=True)
    assert "Pagina 2 van 2" in html and "Nog geen wijken" not in html


def test_a_unique_constraint_race_gives_a_409_page(app, client, login_as, admin, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    from wijklab.neighbourhoods import services

    def racing(*args, **kwargs):
        raise IntegrityError("INSERT", {}, Exception("duplicate key"))

    monkeypatch.setattr("wijklab.neighbourhoods.views.save_neighbourhood", racing)
    login_as(admin)
    response = client.post("/neighbourhoods/new", data={"name": "Laak", "city": "Den Haag"})
    assert response.status_code == 409
    assert "tegelijk" in response.get_data(as_text=True)
    assert services.find_neighbourhood("Laak", "Den Haag") is None


def test_the_suite_runs_on_the_database_it_reports(app):
    """CI trusts the report header: the engine must be the one the header names, and under
    pytest-xdist on PostgreSQL each worker's own scratch database."""
    from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL, WORKER

    assert db.engine.dialect.name == ("postgresql" if ON_POSTGRES else "sqlite")
    if ON_POSTGRES:
        assert db.engine.url.database == make_url(TEST_DATABASE_URL).database
        if WORKER:
            assert db.engine.url.database.endswith(f"_{WORKER}")
    else:
        assert db.engine.url.database in (None, "", ":memory:")
