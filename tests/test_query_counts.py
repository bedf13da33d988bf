"""List pages run a fixed number of SQL queries, whatever the amount of data."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from tests import factories
from wijklab.extensions import db


@contextmanager
def queries():
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def count_for(client, url: str) -> int:
    db.session.expire_all()
    with queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


def grow(n: int) -> None:
    neighbourhoods = [factories.make_neighbourhood() for _ in range(max(1, n // 5))]
    school = factories.make_organisation("school")
    for i in range(n):
        factories.make_organisation(neighbourhood=neighbourhoods[i % len(neighbourhoods)])
        factories.make_student(school=school)
        factories.make_supervisor()


@pytest.mark.parametrize("url", ["/users", "/organisations/", "/neighbourhoods/", "/"])
def test_list_pages_run_a_fixed_number_of_queries(client, login_as, admin, url):
    login_as(admin)
    grow(2)
    small = count_for(client, url)
    grow(20)
    large = count_for(client, url)
    assert small == large, f"{url}: {small} queries with little data, {large} with more"
    assert large <= 4
