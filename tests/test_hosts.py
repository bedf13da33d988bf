"""The public address and the trusted hosts: production needs WIJKLAB_PUBLIC_URL, and a request
for a host that is not ours gets a bare 400, never a page."""

from __future__ import annotations

import logging

import pytest

from wijklab import create_app
from wijklab.config import ConfigError, ProductionConfig


@pytest.fixture
def production_env(monkeypatch, signing_certificate):
    monkeypatch.setenv("WIJKLAB_SECRET_KEY", "x" * 64)
    monkeypatch.setenv("WIJKLAB_DATABASE_URL", "sqlite://")
    monkeypatch.delenv("WIJKLAB_TRUSTED_HOSTS", raising=False)
    monkeypatch.delenv("WIJKLAB_PUBLIC_URL", raising=False)
    return monkeypatch


def test_production_refuses_to_start_without_the_public_url(production_env):
    with pytest.raises(ConfigError, match="WIJKLAB_PUBLIC_URL"):
        create_app(ProductionConfig)


@pytest.mark.parametrize("url", ["wijklab.example.org", "ftp://wijklab.example.org", "https://"])
def test_a_public_url_that_is_no_web_address_is_refused(production_env, url):
    production_env.setenv("WIJKLAB_PUBLIC_URL", url)
    with pytest.raises(ConfigError, match="WIJKLAB_PUBLIC_URL"):
        create_app(ProductionConfig)


def test_production_trusts_only_the_host_of_the_public_url(production_env):
    production_env.setenv("WIJKLAB_PUBLIC_URL", "https://wijklab.example.org/")
    app = create_app(ProductionConfig)
    assert app.config["PUBLIC_URL"] == "https://wijklab.example.org"
    assert app.config["ALLOWED_HOSTS"] == ["wijklab.example.org"]


def test_trusted_hosts_come_from_the_environment(production_env):
    production_env.setenv("WIJKLAB_PUBLIC_URL", "https://wijklab.example.org")
    production_env.setenv("WIJKLAB_TRUSTED_HOSTS", " wijklab.example.org, .wijklab.example.org ,")
    app = create_app(ProductionConfig)
    assert app.config["ALLOWED_HOSTS"] == ["wijklab.example.org", ".wijklab.example.org"]


def test_development_answers_any_host_unless_told(monkeypatch):
    monkeypatch.setenv("WIJKLAB_SECRET_KEY", "k" * 40)
    monkeypatch.delenv("WIJKLAB_ENV", raising=False)
    monkeypatch.delenv("WIJKLAB_TRUSTED_HOSTS", raising=False)
    app = create_app()
    assert app.config["ALLOWED_HOSTS"] is None


@pytest.fixture
def trusted_app(app):
    app.config["ALLOWED_HOSTS"] = ["wijklab.example.org"]
    return app


@pytest.mark.parametrize("path", ["/auth/login", "/verify", "/verify/ABCD", "/"])
@pytest.mark.parametrize("host", ["verify.evil.example", "wijklab.example.org.evil.example"])
def test_an_unknown_host_gets_a_bare_400(trusted_app, client, path, host, caplog):
    with caplog.at_level(logging.WARNING, logger="wijklab.security"):
        response = client.get(path, headers={"Host": host})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert "<html" not in body and "evil" not in body
    assert "Location" not in response.headers
    assert any('"event": "untrusted_host"' in r.getMessage() for r in caplog.records)


def test_an_unknown_host_is_refused_for_a_signed_in_user_too(
    trusted_app, client, login_as, student
):
    trusted_app.config["ALLOWED_HOSTS"] = ["wijklab.example.org", "localhost"]
    login_as(student)
    cookie = client.get_cookie("wijklab_session")
    client.set_cookie("wijklab_session", cookie.value, domain="evil.example")
    response = client.post("/auth/logout", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert client.get("/").status_code == 200  # still signed in at the real host


@pytest.mark.parametrize("host", ["wijklab.example.org", "wijklab.example.org:8443"])
def test_our_own_host_is_served(trusted_app, client, host):
    response = client.get("/auth/login", headers={"Host": host})
    assert response.status_code == 200
    assert "Inloggen" in response.get_data(as_text=True)


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost", "verify.evil.example"])
def test_the_health_check_answers_under_any_host(trusted_app, client, host):
    """Monitoring and `curl 127.0.0.1:8000/healthz` on the machine itself: no page, no link."""
    response = client.get("/healthz", headers={"Host": host})
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"
    assert "evil" not in response.get_data(as_text=True)
