"""Changing one's own password, and the password policy."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD
from wijklab.accounts import passwords, services
from wijklab.accounts.models import User
from wijklab.errors import WijklabError
from wijklab.extensions import db

NEW = "fietsen door de schilderswijk"


def change(client, current=PASSWORD, new=NEW, confirm=None):
    return client.post(
        "/account/password",
        data={"current_password": current, "password": new, "confirm": confirm or new},
    )


def test_user_changes_own_password(client, login_as, student):
    login_as(student)
    response = change(client)
    assert response.status_code == 302
    user = db.session.get(User, student.id)
    assert passwords.verify_password(user.password_hash, NEW)
    assert user.password_hash.startswith("scrypt:")


def test_wrong_current_password_is_refused(client, login_as, student):
    login_as(student)
    before = student.password_hash
    response = change(client, current="dit is niet mijn wachtwoord")
    assert response.status_code == 422
    assert "Het huidige wachtwoord klopt niet." in response.get_data(as_text=True)
    assert db.session.get(User, student.id).password_hash == before


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("kort", "minstens 12 tekens"),
        ("elf tekens!", "minstens 12 tekens"),
        ("password1234", "te bekend"),
        ("Wachtwoord123", "te bekend"),
        ("qwertyuiopas", "te bekend"),
        ("aaaaaaaaaaaaaaaa", "te bekend"),
        ("x" * 129, "hoogstens 128 tekens"),
    ],
)
def test_weak_new_password_is_refused(client, login_as, student, new, message):
    login_as(student)
    before = student.password_hash
    response = change(client, new=new)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.get(User, student.id).password_hash == before


def test_confirmation_must_match(client, login_as, student):
    login_as(student)
    response = change(client, confirm=NEW + "x")
    assert response.status_code == 422
    assert "niet gelijk" in response.get_data(as_text=True)


def test_password_page_needs_login(client):
    assert client.get("/account/password").status_code == 302


@pytest.mark.parametrize(
    "password",
    [
        "drie koffie twee thee alstublieft",
        "buurthuis 12",  # exactly the minimum length
        "Zoë fietst naar de wijk" + "!" * 105,  # exactly the maximum length, 128
    ],
)
def test_policy_accepts_a_long_passphrase(password):
    assert services.check_password_policy(password) is None  # raises WijklabError when refused


def test_policy_is_case_insensitive_for_common_passwords():
    with pytest.raises(WijklabError):
        services.check_password_policy("PassWord1234")


def test_common_password_list_is_shipped_and_substantial():
    common = passwords.common_passwords()
    assert len(common) > 1000
    assert all(len(p) >= 12 for p in common)
