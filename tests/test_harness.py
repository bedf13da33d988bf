"""The test harness itself (tests/conftest.py): commits in the code under test behave as commits,
rollbacks go back to the last one, and no test sees another test's rows."""

from __future__ import annotations

from sqlalchemy import func, select

from tests import factories
from wijklab.extensions import db
from wijklab.neighbourhoods.models import Neighbourhood


def names() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(Neighbourhood.name).order_by(Neighbourhood.name)))


def test_every_test_starts_with_an_empty_database(app):
    for table in db.metadata.sorted_tables:
        assert db.session.scalar(select(func.count()).select_from(table)) == 0, table.name


def test_a_rollback_in_the_code_under_test_goes_back_to_its_last_commit(app):
    factories.make_neighbourhood(name="Transvaal")
    db.session.commit()
    factories.make_neighbourhood(name="Laak")
    db.session.rollback()
    assert names() == ["Transvaal"]


def test_a_views_commit_is_kept_and_what_it_left_uncommitted_is_not(client, login_as, admin):
    login_as(admin)
    response = client.post(
        "/neighbourhoods/new", data={"name": "Schilderswijk", "city": "Den Haag"}
    )
    assert response.status_code == 302
    assert names() == ["Schilderswijk"]
    # A refused form leaves nothing behind, also not in the session the test shares.
    response = client.post("/neighbourhoods/new", data={"name": "", "city": "Den Haag"})
    assert response.status_code == 422
    assert names() == ["Schilderswijk"]


def test_the_fixtures_work_is_committed_when_the_test_starts(app, student):
    db.session.rollback()
    assert db.session.get(type(student), student.id) is not None
