"""Institution login end to end against a real OpenID Connect provider on loopback: linked users
log in, unknown provider accounts are linked only after a password, and every refusal leaves no
session."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from flask import session as flask_session
from sqlalchemy import func, select

from tests import factories
from tests.factories import PASSWORD
from tests.oidc.conftest import sign_in_at_provider, signed_in_user_id
from wijklab.accounts.models import User
from wijklab.accounts.oidc import get_client, logout_redirect_url
from wijklab.accounts.oidc_models import UserIdentity
from wijklab.activity.models import AuditEvent
from wijklab.extensions import db

ANNA_SUB = "anna-1001"
ANNA_EMAIL = "anna.student@example.org"
BRAM_SUB = "bram-2002"
BRAM_EMAIL = "bram.begeleider@example.org"


def make_anna(schac_home: str = "school.example.org", **values) -> User:
    school = factories.make_organisation("school", schac_home=schac_home)
    return factories.make_student(school=school, email=ANNA_EMAIL, name="Anna Student", **values)


def link(user: User, subject: str = ANNA_SUB) -> UserIdentity:
    identity = UserIdentity(user=user, provider="test", subject=subject)
    db.session.add(identity)
    db.session.flush()
    return identity


def identities() -> int:
    return db.session.scalar(select(func.count(UserIdentity.id)))


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def assert_no_session(client) -> None:
    assert signed_in_user_id(client) is None
    with client.session_transaction() as session:
        assert "oidc_pending_link" not in session
        assert not [key for key in session if key.startswith("_state_")]
    assert client.get("/").status_code == 302


def test_linked_student_logs_in(oidc_app, client):
    anna = make_anna()
    identity = link(anna)
    callback = sign_in_at_provider(client, "anna")
    response = client.get(callback)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert signed_in_user_id(client) == anna.get_id()
    db.session.expire_all()
    assert db.session.get(UserIdentity, identity.id).last_login_at is not None
    assert db.session.get(User, anna.id).last_login_at is not None
    assert "login.via_oidc" in actions()
    page = client.get("/")
    assert page.status_code == 200 and "Anna Student" in page.get_data(as_text=True)


def test_linked_supervisor_of_the_partner_logs_in(oidc_app, client):
    partner = factories.make_organisation("partner", schac_home="partner.example.org")
    bram = factories.make_supervisor(organisation=partner, email=BRAM_EMAIL)
    link(bram, BRAM_SUB)
    response = client.get(sign_in_at_provider(client, "bram"))
    assert response.status_code == 302
    assert signed_in_user_id(client) == bram.get_id()


def test_login_returns_to_the_page_asked_for(oidc_app, client):
    link(make_anna())
    callback = sign_in_at_provider(client, "anna", start="/auth/oidc/test?next=/account/password")
    response = client.get(callback)
    assert response.headers["Location"] == "/account/password"


def test_known_email_is_linked_after_the_password(oidc_app, client):
    anna = make_anna()
    response = client.get(sign_in_at_provider(client, "anna"))
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/oidc/link"
    assert signed_in_user_id(client) is None
    assert identities() == 0
    with client.session_transaction() as session:
        pending = session["oidc_pending_link"]
        assert set(pending) == {
            "provider",
            "subject",
            "user_id",
            "schac_home",
            "expires",
            "attempts",
        }

    page = client.get("/auth/oidc/link")
    assert page.status_code == 200
    assert "Anna Student" in page.get_data(as_text=True)

    response = client.post("/auth/oidc/link", data={"password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert signed_in_user_id(client) == anna.get_id()
    identity = db.session.scalar(select(UserIdentity))
    assert (identity.user_id, identity.provider, identity.subject) == (anna.id, "test", ANNA_SUB)
    assert {"oidc.linked", "login.via_oidc"} <= set(actions())

    # Next time the provider account logs in at once.
    other = oidc_app.test_client()
    assert other.get(sign_in_at_provider(other, "anna")).headers["Location"] == "/"
    assert signed_in_user_id(other) == anna.get_id()


def test_wrong_password_links_nothing(oidc_app, client):
    make_anna()
    client.get(sign_in_at_provider(client, "anna"))
    response = client.post("/auth/oidc/link", data={"password": "niet het goede wachtwoord"})
    assert response.status_code == 422
    assert "Het wachtwoord klopt niet. Er is niets gekoppeld." in response.get_data(as_text=True)
    assert identities() == 0
    assert signed_in_user_id(client) is None
    assert "login.refused" in actions()


def test_too_many_wrong_passwords_end_the_pending_link(oidc_app, client):
    oidc_app.config["OIDC_LINK_ATTEMPTS"] = 2
    make_anna()
    client.get(sign_in_at_provider(client, "anna"))
    client.post("/auth/oidc/link", data={"password": "fout wachtwoord nummer een"})
    response = client.post("/auth/oidc/link", data={"password": "fout wachtwoord nummer twee"})
    assert response.status_code == 403
    response = client.post("/auth/oidc/link", data={"password": PASSWORD})
    assert response.status_code == 400
    assert identities() == 0
    assert_no_session(client)


def test_pending_link_expires(oidc_app, client, clock):
    make_anna()
    client.get(sign_in_at_provider(client, "anna"))
    clock.advance(minutes=11)
    response = client.post("/auth/oidc/link", data={"password": PASSWORD})
    assert response.status_code == 400
    assert "Er wacht geen koppeling (meer) op bevestiging" in response.get_data(as_text=True)
    assert identities() == 0
    assert_no_session(client)


def test_unknown_email_is_refused(oidc_app, client):
    factories.make_student(email="iemand.anders@example.org")
    response = client.get(sign_in_at_provider(client, "anna"))
    assert response.status_code == 403
    assert "Er is geen Wijklab-account" in response.get_data(as_text=True)
    assert identities() == 0
    assert "login.refused" in actions()
    assert_no_session(client)


def test_wrong_institution_is_refused(oidc_app, client):
    link(make_anna(schac_home="andere-school.example.org"))
    response = client.get(sign_in_at_provider(client, "anna"))
    assert response.status_code == 403
    assert "hoort niet bij de school of organisatie" in response.get_data(as_text=True)
    assert_no_session(client)


def test_wrong_institution_is_refused_before_linking(oidc_app, client):
    make_anna(schac_home=None)
    response = client.get(sign_in_at_provider(client, "anna"))
    assert response.status_code == 403
    assert identities() == 0
    assert_no_session(client)


def test_inactive_user_is_refused(oidc_app, client):
    link(make_anna(is_active=False))
    response = client.get(sign_in_at_provider(client, "anna"))
    assert response.status_code == 403
    assert "niet actief" in response.get_data(as_text=True)
    assert_no_session(client)


def test_tampered_state_is_refused(oidc_app, client):
    link(make_anna())
    callback = sign_in_at_provider(client, "anna")
    parts = urlsplit(callback)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    query["state"] = query["state"][:-2] + "xx"
    response = client.get(f"{parts.path}?{urlencode(query)}")
    assert response.status_code == 400
    assert "niet in deze browser begonnen" in response.get_data(as_text=True)
    assert_no_session(client)


def test_replayed_code_is_refused(oidc_app, client):
    link(make_anna())
    callback = sign_in_at_provider(client, "anna")
    with client.session_transaction() as session:
        before = dict(session)
    assert client.get(callback).status_code == 302
    # An attacker with the same code and a copy of the browser's session before the callback:
    # the state still matches, but the provider redeems a code only once.
    attacker = oidc_app.test_client()
    with attacker.session_transaction() as session:
        session.update(before)
    response = attacker.get(callback)
    assert response.status_code == 400
    assert "de code is al gebruikt" in response.get_data(as_text=True)
    assert_no_session(attacker)


def test_wrong_pkce_verifier_is_refused(oidc_app, client):
    link(make_anna())
    callback = sign_in_at_provider(client, "anna")
    with client.session_transaction() as session:
        for key, value in session.items():
            if key.startswith("_state_test_"):
                value["data"]["code_verifier"] = "x" * 64
                session[key] = value
    response = client.get(callback)
    assert response.status_code == 400
    assert_no_session(client)


def test_error_from_the_provider_is_refused(oidc_app, client):
    link(make_anna())
    start = client.get("/auth/oidc/test")
    state = parse_qs(urlsplit(start.headers["Location"]).query)["state"][0]
    response = client.get(f"/auth/oidc/test/callback?error=access_denied&state={state}")
    assert response.status_code == 403
    assert "afgebroken of geweigerd" in response.get_data(as_text=True)
    assert_no_session(client)


def test_id_token_from_another_issuer_is_refused(oidc_app, client, monkeypatch):
    link(make_anna())
    callback = sign_in_at_provider(client, "anna")
    metadata = get_client("test").load_server_metadata()
    monkeypatch.setitem(metadata, "issuer", "https://idp.example.org")
    response = client.get(callback)
    assert response.status_code == 403
    assert "klopt niet" in response.get_data(as_text=True)
    assert_no_session(client)


def test_expired_id_token_is_refused(oidc_app, client, monkeypatch):
    link(make_anna())
    callback = sign_in_at_provider(client, "anna")
    # Two hours later: the provider's ID token (valid one hour) has expired when we check it.
    later = int(time.time()) + 2 * 3600
    monkeypatch.setattr("joserfc._rfc7519.claims._generate_now", lambda: later)
    response = client.get(callback)
    assert response.status_code == 403
    assert_no_session(client)


def test_logout_url_ends_the_provider_session(oidc_app, client, oidc_issuer):
    link(make_anna())
    client.get(sign_in_at_provider(client, "anna"))
    with client.session_transaction() as session:
        started = dict(session["oidc_login"])
    assert started["provider"] == "test" and started["id_token"]
    with oidc_app.test_request_context("/auth/logout", method="POST"):
        flask_session["oidc_login"] = started
        url = logout_redirect_url()
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == oidc_issuer
    query = parse_qs(parts.query)
    assert query["id_token_hint"] == [started["id_token"]]
    assert query["post_logout_redirect_uri"] == ["https://wijklab.example.org/auth/login"]


@pytest.mark.parametrize("login", ["anna", "bram"])
def test_nobody_is_registered_by_a_login(oidc_app, client, login):
    users = db.session.scalar(select(func.count(User.id)))
    client.get(sign_in_at_provider(client, login))
    assert db.session.scalar(select(func.count(User.id))) == users
    assert_no_session(client)
