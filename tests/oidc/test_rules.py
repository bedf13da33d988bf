"""Institution login without a provider: configuration, the institution rule, the ID token's
audience, unknown providers, the login buttons and logout without an institution login."""

from __future__ import annotations

import time

import pytest
from flask import render_template
from flask import session as flask_session
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

from tests import factories
from wijklab.accounts.oidc import (
    _claims_options,
    get_client,
    institution_matches,
    logout_redirect_url,
    parse_providers,
    providers_from_environment,
    schac_home_of,
)
from wijklab.config import ConfigError

PROVIDER = {
    "discovery_url": "https://idp.example.org/.well-known/openid-configuration",
    "client_id": "wijklab",
    "client_secret": "geheim",
    "label": "SURFconext (test)",
}


def test_providers_come_from_the_environment():
    environ = {
        "WIJKLAB_OIDC_PROVIDERS": "surf_test, other",
        "WIJKLAB_OIDC_SURF_TEST_DISCOVERY_URL": PROVIDER["discovery_url"],
        "WIJKLAB_OIDC_SURF_TEST_CLIENT_ID": "wijklab",
        "WIJKLAB_OIDC_SURF_TEST_CLIENT_SECRET": "geheim",
        "WIJKLAB_OIDC_SURF_TEST_LABEL": "SURFconext (test)",
        "WIJKLAB_OIDC_OTHER_DISCOVERY_URL": "https://other.example.org/.well-known/openid-configuration",
        "WIJKLAB_OIDC_OTHER_CLIENT_ID": "wl",
    }
    providers = parse_providers(providers_from_environment(environ))
    assert list(providers) == ["surf_test", "other"]
    assert providers["surf_test"].label == "SURFconext (test)"
    assert providers["surf_test"].client_secret == "geheim"
    assert providers["other"].label == "other" and providers["other"].client_secret is None


def test_no_providers_without_the_environment():
    assert providers_from_environment({}) == {}


@pytest.mark.parametrize(
    ("name", "changes"),
    [
        ("test", {"client_id": ""}),
        ("test", {"discovery_url": ""}),
        ("test", {"discovery_url": "ftp://idp.example.org/"}),
        ("Bad Name", {}),
        ("link", {}),
    ],
)
def test_unusable_provider_configuration_is_refused(name, changes):
    with pytest.raises(ConfigError):
        parse_providers({name: {**PROVIDER, **changes}})


def test_production_needs_https_discovery():
    with pytest.raises(ConfigError):
        parse_providers(
            {"test": {**PROVIDER, "discovery_url": "http://idp.example.org/x"}}, production=True
        )
    assert parse_providers({"test": PROVIDER}, production=True)


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ({"schac_home_organization": " School.Example.org "}, "school.example.org"),
        ({"schac_home_organization": ["school.example.org"]}, "school.example.org"),
        ({"schac_home_organization": ["a.example.org", "b.example.org"]}, None),
        ({"schac_home_organization": ""}, None),
        ({}, None),
    ],
)
def test_schac_home_claim(claims, expected):
    assert schac_home_of(claims) == expected


def test_student_needs_their_own_school(app):
    school = factories.make_organisation("school", schac_home="school.example.org")
    factories.make_organisation("school", schac_home="andere.example.org")
    student = factories.make_student(school=school)
    assert institution_matches(student, "school.example.org")
    assert not institution_matches(student, "andere.example.org")
    assert not institution_matches(student, None)


def test_supervisor_needs_their_own_partner(app):
    partner = factories.make_organisation("partner", schac_home="partner.example.org")
    supervisor = factories.make_supervisor(organisation=partner)
    assert institution_matches(supervisor, "partner.example.org")
    assert not institution_matches(supervisor, "school.example.org")


def test_organisation_without_schac_home_matches_nothing(app):
    student = factories.make_student()
    assert not institution_matches(student, "school.example.org")


@pytest.mark.parametrize("role", ["admin", "wijkdocent"])
def test_staff_without_organisation_need_one_of_the_schools(app, role):
    factories.make_organisation("school", schac_home="school.example.org")
    factories.make_organisation("partner", schac_home="partner.example.org")
    user = factories.make_user(role=role)
    assert institution_matches(user, "school.example.org")
    assert not institution_matches(user, "partner.example.org")
    assert not institution_matches(user, "elders.example.org")


def test_unknown_provider_gives_a_clear_404(client):
    for path in ("/auth/oidc/onbekend", "/auth/oidc/onbekend/callback?code=x&state=y"):
        response = client.get(path)
        assert response.status_code == 404
        assert "Deze instelling is niet bekend bij Wijklab" in response.get_data(as_text=True)


def test_link_page_without_a_pending_link_refuses(client):
    response = client.get("/auth/oidc/link")
    assert response.status_code == 400
    assert "Er wacht geen koppeling" in response.get_data(as_text=True)


def test_unreachable_provider_gives_a_clear_page(app, client):
    app.config["OIDC_PROVIDERS"] = {
        "test": {**PROVIDER, "discovery_url": "http://127.0.0.1:9/.well-known/openid-configuration"}
    }
    response = client.get("/auth/oidc/test")
    assert response.status_code == 503
    assert "niet bereikbaar" in response.get_data(as_text=True)


def test_login_buttons_show_every_provider(app):
    app.config["OIDC_PROVIDERS"] = {"test": PROVIDER, "other": {**PROVIDER, "label": "Andere"}}
    with app.test_request_context("/auth/login?next=/projects"):
        html = render_template("oidc/_login_buttons.html")
    assert "Inloggen met SURFconext (test)" in html and "Inloggen met Andere" in html
    assert 'href="/auth/oidc/test?next=/projects"' in html


def test_no_login_buttons_without_providers(app):
    with app.test_request_context("/auth/login"):
        assert render_template("oidc/_login_buttons.html").strip() == ""


def test_no_provider_logout_for_a_password_login(app):
    app.config["OIDC_PROVIDERS"] = {"test": PROVIDER}
    with app.test_request_context("/auth/logout", method="POST"):
        assert logout_redirect_url() is None
        flask_session["oidc_login"] = {"provider": "gone", "id_token": None}
        assert logout_redirect_url() is None


# --- the ID token's audience (Authlib's check, with our claims options) --------------------


@pytest.fixture
def unit_client(app):
    """A client whose provider metadata and keys are set here, so nothing is fetched."""
    app.config["OIDC_PROVIDERS"] = {"unit": PROVIDER}
    key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    client = get_client("unit")
    client.server_metadata.update(
        issuer="https://idp.example.org",
        jwks={"keys": [key.as_dict(private=False)]},
        id_token_signing_alg_values_supported=["RS256"],
        _loaded_at=time.time(),
    )
    return client, key


def _id_token(key, **changes) -> dict:
    now = int(time.time())
    claims = {
        "iss": "https://idp.example.org",
        "sub": "s-1",
        "aud": "wijklab",
        "exp": now + 300,
        "iat": now,
        "nonce": "n-1",
        **changes,
    }
    return {"id_token": jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key), "access_token": "a"}


def test_id_token_for_us_is_accepted(unit_client):
    client, key = unit_client
    claims = client.parse_id_token(_id_token(key), "n-1", claims_options=_claims_options(client))
    assert claims["sub"] == "s-1"


@pytest.mark.parametrize(
    "changes",
    [
        {"aud": "een-ander"},
        {"aud": ["een-ander", "nog-een"], "azp": "wijklab"},
        {"iss": "https://elders.example.org"},
        {"exp": int(time.time()) - 3600},
        {"nonce": "n-2"},
    ],
)
def test_id_token_not_for_us_is_refused(unit_client, changes):
    client, key = unit_client
    with pytest.raises(JoseError):
        client.parse_id_token(
            _id_token(key, **changes), "n-1", claims_options=_claims_options(client), leeway=60
        )
