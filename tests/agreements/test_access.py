"""Who may reach each start agreement URL: anonymous users go to login, students and
supervisors of other teams (and teammates) get 404, another wijkdocent 403, a student who was
never in the team is not found even by an admin, and a POST without a CSRF token is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.agreements.conftest import agreement_url, form_data
from wijklab.agreements.models import AgreementAcceptance, StartAgreement
from wijklab.extensions import db

URLS = [
    ("GET", ""),
    ("POST", ""),
    ("POST", "/accept"),
    ("GET", ".pdf"),
]


@pytest.fixture
def drawn(lab, client, login_as):
    """Zoë's agreement, drawn by her supervisor."""
    login_as(lab["supervisor"])
    assert client.post(agreement_url(lab), data=form_data()).status_code == 302
    with client.session_transaction() as session:
        session.clear()
    return db.session.scalar(select(StartAgreement))


def call(client, method: str, url: str):
    if method == "GET":
        return client.get(url)
    return client.post(url, data=form_data(version="1"))


def unchanged(agreement) -> None:
    db.session.expire_all()
    fresh = db.session.get(StartAgreement, agreement.id)
    assert (fresh.version, fresh.hours_per_week) == (1, 12)
    assert db.session.scalars(select(AgreementAcceptance)).all() == []


@pytest.mark.parametrize(("method", "suffix"), URLS)
def test_anonymous_is_sent_to_login(lab, drawn, client, method, suffix):
    response = call(client, method, agreement_url(lab, suffix=suffix))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")
    unchanged(drawn)


@pytest.mark.parametrize(("method", "suffix"), URLS)
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("ayse", 404),  # a teammate
        ("other_student", 404),
        ("outsider", 404),
        ("other_supervisor", 404),
        ("other_docent", 403),
    ],
)
def test_others_do_not_reach_the_agreement(
    lab, drawn, client, login_as, method, suffix, who, status
):
    login_as(lab[who])
    response = call(client, method, agreement_url(lab, suffix=suffix))
    assert response.status_code == status
    unchanged(drawn)


@pytest.mark.parametrize("who", ["zoe", "supervisor", "wijkdocent", "admin"])
@pytest.mark.parametrize("suffix", ["", ".pdf"])
def test_the_parties_and_an_admin_read_it(lab, drawn, client, login_as, who, suffix):
    login_as(lab[who])
    assert client.get(agreement_url(lab, suffix=suffix)).status_code == 200


@pytest.mark.parametrize(("method", "suffix"), URLS)
def test_a_student_never_in_the_team_has_no_agreement_even_for_an_admin(
    lab, client, login_as, method, suffix
):
    login_as(lab["admin"])
    url = f"/teams/{lab['team'].id}/students/{lab['other_student'].id}/agreement{suffix}"
    assert call(client, method, url).status_code == 404
    assert (
        call(client, method, f"/teams/999999/students/{lab['zoe'].id}/agreement").status_code == 404
    )
    assert (
        call(client, method, f"/teams/{lab['team'].id}/students/999999/agreement").status_code
        == 404
    )


def test_accepting_without_an_agreement_is_not_found(lab, client, login_as):
    login_as(lab["zoe"])
    response = client.post(agreement_url(lab, suffix="/accept"), data={"version": "1"})
    assert response.status_code == 404


@pytest.mark.parametrize("suffix", ["", "/accept"])
def test_a_post_without_csrf_token_gets_400(lab, drawn, csrf_app, client, login_as, suffix):
    login_as(lab["zoe"])
    response = client.post(agreement_url(lab, suffix=suffix), data=form_data(version="1"))
    assert response.status_code == 400
    unchanged(drawn)


def test_accepting_from_the_page_works_with_csrf_protection(lab, drawn, csrf_app, client, login_as):
    import re

    login_as(lab["zoe"])
    html = client.get(agreement_url(lab)).get_data(as_text=True)
    form = re.search(r'<form method="post" action="[^"]*/agreement/accept".*?</form>', html, re.S)
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form.group(0)))
    assert fields["version"] == "1"
    response = client.post(agreement_url(lab, suffix="/accept"), data=fields)
    assert response.status_code == 302
    assert len(db.session.scalars(select(AgreementAcceptance)).all()) == 1


def test_the_list_is_for_wijkdocenten_admins_and_supervisors(lab, client, login_as):
    login_as(lab["zoe"])
    assert client.get("/agreements").status_code == 403
    for who in ("wijkdocent", "admin", "supervisor"):
        login_as(lab[who])
        assert client.get("/agreements").status_code == 200


def test_the_list_sends_anonymous_users_to_login(client, app):
    response = client.get("/agreements")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


def test_the_audit_link_of_another_teams_agreement_is_not_found(lab, drawn, client, login_as):
    login_as(lab["other_student"])
    assert client.get(f"/agreements/{drawn.id}").status_code == 404
    login_as(lab["other_docent"])
    assert client.get(f"/agreements/{drawn.id}").status_code == 403
