"""Making, replacing and revoking the secret calendar link on /settings/agenda."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests import factories
from wijklab.accounts.tokens import hash_token
from wijklab.activity.models import AuditEvent
from wijklab.agenda import services
from wijklab.agenda.models import AgendaFeed
from wijklab.extensions import db

URL_IN_PAGE = re.compile(r'value="(https://wijklab\.example\.org/agenda/([A-Za-z0-9_-]+)\.ics)"')


def feeds_of(user) -> list[AgendaFeed]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(AgendaFeed).where(AgendaFeed.user_id == user.id).order_by(AgendaFeed.id)
        )
    )


def make_link(client) -> tuple[str, str]:
    response = client.post("/settings/agenda/new")
    assert response.status_code == 200
    url, token = URL_IN_PAGE.search(response.get_data(as_text=True)).groups()
    return url, token


@pytest.mark.parametrize("role", ["admin", "wijkdocent", "student", "supervisor"])
def test_every_role_opens_the_settings_page(client, login_as, users_by_role, role):
    login_as(users_by_role[role])
    response = client.get("/settings/agenda")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Agenda-koppeling" in html
    assert "Je hebt nog geen agenda-link" in html
    assert "Maak een agenda-link" in html
    assert "Link intrekken" not in html


def test_anonymous_is_sent_to_the_login_page(client):
    response = client.get("/settings/agenda")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
    assert client.post("/settings/agenda/new").status_code == 302
    assert db.session.scalars(select(AgendaFeed)).all() == []


def test_making_a_link_shows_it_once_and_stores_only_its_hash(client, login_as, student):
    login_as(student)
    response = client.post("/settings/agenda/new")
    assert response.status_code == 200
    assert "Location" not in response.headers
    html = response.get_data(as_text=True)
    url, token = URL_IN_PAGE.search(html).groups()
    assert "webcal://wijklab.example.org/agenda/" + token + ".ics" in html
    assert "Google Agenda" in html and "Outlook" in html and "Apple Agenda" in html
    assert "iedereen die deze link heeft, ziet je afspraken" in html
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response.headers["Cache-Control"]
    [feed] = feeds_of(student)
    assert feed.token_hash == hash_token(token)
    assert feed.revoked_at is None and feed.last_used_at is None
    # Not in a flash message for the next page, and not shown again.
    with client.session_transaction() as session:
        assert token not in repr(dict(session))
    later = client.get("/settings/agenda").get_data(as_text=True)
    assert token not in later
    assert "Gemaakt op" in later and "Nog niet" in later
    assert "Link intrekken" in later and "Maak een nieuwe link" in later
    assert client.get(url.removeprefix("https://wijklab.example.org")).status_code == 200


def test_a_new_link_replaces_the_old_one(client, login_as, student):
    login_as(student)
    _, old = make_link(client)
    _, new = make_link(client)
    old_feed, new_feed = feeds_of(student)
    assert old_feed.revoked_at is not None
    assert new_feed.revoked_at is None
    assert new_feed.token_hash == hash_token(new)
    assert client.get(f"/agenda/{old}.ics").status_code == 404
    assert client.get(f"/agenda/{new}.ics").status_code == 200
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.actor_id == student.id)
    ).all()
    assert actions == ["agenda.link_created", "agenda.link_created"]


def test_revoking_ends_the_link(client, login_as, supervisor):
    login_as(supervisor)
    _, token = make_link(client)
    response = client.post("/settings/agenda/revoke")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/settings/agenda")
    [feed] = feeds_of(supervisor)
    assert feed.revoked_at is not None
    assert client.get(f"/agenda/{token}.ics").status_code == 404
    html = client.get("/settings/agenda").get_data(as_text=True)
    assert "Je agenda-link is ingetrokken" in html
    assert "Je hebt nog geen agenda-link" in html
    assert "agenda.link_revoked" in db.session.scalars(select(AuditEvent.action)).all()


def test_revoking_without_a_link_changes_nothing(client, login_as, student):
    login_as(student)
    response = client.post("/settings/agenda/revoke", follow_redirects=True)
    assert response.status_code == 200
    assert "Je had geen agenda-link om in te trekken" in response.get_data(as_text=True)
    assert feeds_of(student) == []


def test_a_student_cannot_revoke_or_replace_someone_elses_link(client, login_as, student):
    other = factories.make_student()
    _feed, raw = services.issue_feed(other)
    other_feed = feeds_of(other)[0]
    login_as(student)
    client.post("/settings/agenda/revoke", data={"feed_id": other_feed.id})
    client.post("/settings/agenda/new", data={"feed_id": other_feed.id, "user_id": other.id})
    [still_live] = feeds_of(other)
    assert still_live.revoked_at is None
    assert client.get(f"/agenda/{raw}.ics").status_code == 200
    assert len(feeds_of(student)) == 1


def test_only_one_live_link_per_user_in_the_database(app, student):
    services.issue_feed(student)
    services.issue_feed(student)
    services.issue_feed(student)
    live = [feed for feed in feeds_of(student) if feed.revoked_at is None]
    assert len(live) == 1
    assert len(feeds_of(student)) == 3


def csrf_token(client) -> str:
    html = client.get("/settings/agenda").get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_making_a_link_without_csrf_token_is_refused(csrf_app, client, login_as, student):
    login_as(student)
    assert client.post("/settings/agenda/new").status_code == 400
    assert feeds_of(student) == []
    response = client.post("/settings/agenda/new", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 200
    assert len(feeds_of(student)) == 1


def test_revoking_without_csrf_token_is_refused(csrf_app, client, login_as, student):
    services.issue_feed(student)
    login_as(student)
    assert client.post("/settings/agenda/revoke").status_code == 400
    assert feeds_of(student)[0].revoked_at is None
    response = client.post("/settings/agenda/revoke", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 302
    assert feeds_of(student)[0].revoked_at is not None
