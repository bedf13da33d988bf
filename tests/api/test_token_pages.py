"""The token settings page: make a token (shown once), list, revoke; only one's own."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.api.conftest import make_token
from wijklab.api.models import PersonalAccessToken, TokenScope
from wijklab.api.services import hash_token
from wijklab.extensions import db

URL = "/settings/tokens"


def _tokens(user) -> list[PersonalAccessToken]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(PersonalAccessToken).where(PersonalAccessToken.user_id == user.id)
        )
    )


def _shown_token(html: str) -> str | None:
    found = re.search(r'value="(wl_[A-Za-z0-9_-]+)"', html)
    return found.group(1) if found else None


@pytest.mark.parametrize("role", ["admin", "wijkdocent", "student", "supervisor"])
def test_every_role_sees_the_token_page(client, login_as, users_by_role, role):
    login_as(users_by_role[role])
    response = client.get(URL)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "API-tokens" in html
    assert "Je hebt nog geen API-tokens." in html


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_making_a_token_shows_it_once_and_stores_only_its_hash(client, login_as, student, clock):
    login_as(student)
    now = clock.moment
    response = client.post(URL, data={"name": "Mijn script", "scope": "read", "lifetime": "90"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    raw = _shown_token(html)
    assert raw is not None and len(raw) > 40
    assert "je ziet het maar één keer" in html
    [token] = _tokens(student)
    assert token.name == "Mijn script"
    assert token.scope == TokenScope.READ
    assert token.token_hash == hash_token(raw)
    assert raw not in (token.token_hash, token.name)
    assert token.expires_at == now + timedelta(days=90)
    assert token.revoked_at is None and token.last_used_at is None
    # Never in a flash or a redirect: the next page shows the token's name, not the token.
    again = client.get(URL).get_data(as_text=True)
    assert raw not in again
    assert _shown_token(again) is None
    assert "Mijn script" in again
    assert "Alleen lezen" in again


@pytest.mark.parametrize("days", ["30", "90", "365"])
def test_each_offered_lifetime_is_kept(client, login_as, supervisor, clock, days):
    login_as(supervisor)
    response = client.post(URL, data={"name": "Rooster", "scope": "read_write", "lifetime": days})
    assert response.status_code == 200
    [token] = _tokens(supervisor)
    assert token.scope == TokenScope.READ_WRITE
    assert token.expires_at == clock.moment + timedelta(days=int(days))


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"name": "", "scope": "read", "lifetime": "365"},
            "name",
            "Geef het token een naam",
        ),
        (
            {"name": "x" * 81, "scope": "read", "lifetime": "365"},
            "name",
            "hoogstens 80 tekens",
        ),
        (
            {"name": "Script", "scope": "admin", "lifetime": "365"},
            "scope",
            "Kies wat het token",
        ),
        ({"name": "Script", "lifetime": "365"}, "scope", "Kies wat het token mag"),
        (
            {"name": "Script", "scope": "read", "lifetime": "7"},
            "lifetime",
            "30, 90 of 365",
        ),
        ({"name": "Script", "scope": "read"}, "lifetime", "Kies hoe lang"),
    ],
)
def test_a_wrong_field_is_explained_next_to_it_and_nothing_is_made(
    client, login_as, student, data, field, message
):
    login_as(student)
    response = client.post(URL, data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = re.search(rf'id="{field}-error">([^<]*)<', html)
    assert error is not None and message in error.group(1)
    assert _shown_token(html) is None
    assert _tokens(student) == []


def test_what_was_typed_is_kept_after_a_failed_submit(client, login_as, student):
    login_as(student)
    name = "Koppeling met het rooster van de school " * 3  # too long
    response = client.post(URL, data={"name": name, "scope": "read_write", "lifetime": "365"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'value="{name.strip()}"' in html
    assert re.search(
        r'<input[^>]*checked[^>]*value="read_write"|value="read_write"[^>]*checked',
        html,
    )
    assert re.search(r'<option selected value="365"|value="365" selected', html)


def test_the_list_shows_only_ones_own_tokens(client, login_as, student, supervisor):
    make_token(supervisor)
    db.session.flush()
    login_as(student)
    make_token(student)
    html = client.get(URL).get_data(as_text=True)
    assert html.count("Intrekken") == 1


def test_revoking_ends_the_token_and_marks_it_in_the_list(client, login_as, student):
    make_token(student)
    [token] = _tokens(student)
    login_as(student)
    response = client.post(f"{URL}/{token.id}/revoke")
    assert response.status_code == 302
    [token] = _tokens(student)
    assert token.revoked_at is not None
    html = client.get(URL).get_data(as_text=True)
    assert "ingetrokken" in html
    assert "Intrekken" not in html


def test_another_users_token_is_not_found_and_stays(client, login_as, student, supervisor):
    make_token(supervisor)
    [token] = _tokens(supervisor)
    login_as(student)
    assert client.post(f"{URL}/{token.id}/revoke").status_code == 404
    assert client.post(f"{URL}/99999999999/revoke").status_code == 404
    [token] = _tokens(supervisor)
    assert token.revoked_at is None


def test_revoke_is_post_only(client, login_as, student):
    make_token(student)
    [token] = _tokens(student)
    login_as(student)
    assert client.get(f"{URL}/{token.id}/revoke").status_code == 405


def test_making_without_csrf_token_is_refused(csrf_app, client, login_as, student):
    login_as(student)
    response = client.post(URL, data={"name": "Script", "scope": "read", "lifetime": "30"})
    assert response.status_code == 400
    assert _tokens(student) == []


def test_revoking_without_csrf_token_is_refused(csrf_app, client, login_as, student):
    make_token(student)
    [token] = _tokens(student)
    login_as(student)
    assert client.post(f"{URL}/{token.id}/revoke").status_code == 400
    [token] = _tokens(student)
    assert token.revoked_at is None


def test_making_and_revoking_are_in_the_audit_trail(client, login_as, student):
    from wijklab.activity.models import AuditEvent

    login_as(student)
    client.post(URL, data={"name": "Script", "scope": "read", "lifetime": "30"})
    [token] = _tokens(student)
    client.post(f"{URL}/{token.id}/revoke")
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "PersonalAccessToken")
    ).all()
    assert sorted(actions) == ["api_token.created", "api_token.revoked"]


def test_at_most_twenty_usable_tokens(client, login_as, student):
    for _ in range(20):
        make_token(student)
    login_as(student)
    response = client.post(URL, data={"name": "Nog een", "scope": "read", "lifetime": "30"})
    assert response.status_code == 422
    assert "Je hebt al 20 geldige tokens" in response.get_data(as_text=True)
    assert len(_tokens(student)) == 20
    # A revoked one makes room again.
    first = _tokens(student)[0]
    client.post(f"{URL}/{first.id}/revoke")
    response = client.post(URL, data={"name": "Nog een", "scope": "read", "lifetime": "30"})
    assert response.status_code == 200
    assert len(_tokens(student)) == 21
