"""The register of personal data covers every table and column of the model, exactly."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table

from wijklab.extensions import db
from wijklab.privacy.register import ENTRIES, REGISTER, Erase, compare_with_model


def test_every_table_and_column_of_the_model_is_registered(app):
    mismatch = compare_with_model()
    assert mismatch.unregistered == [], (
        "Register these in wijklab/privacy/register.py: " + ", ".join(mismatch.unregistered)
    )
    assert mismatch.stale == [], "No longer in the model: " + ", ".join(mismatch.stale)


def _copy_of_model() -> MetaData:
    metadata = MetaData()
    for table in db.metadata.tables.values():
        table.to_metadata(metadata)
    return metadata


def test_a_new_column_fails_the_check(app):
    metadata = _copy_of_model()
    metadata.tables["user"].append_column(Column("nickname", String(40)))
    assert compare_with_model(metadata).unregistered == ["user.nickname"]


def test_a_new_table_fails_the_check(app):
    metadata = _copy_of_model()
    Table("pet", metadata, Column("id", Integer, primary_key=True))
    assert compare_with_model(metadata).unregistered == ["pet"]


def test_a_column_that_left_the_model_fails_the_check(app):
    metadata = _copy_of_model()
    metadata.tables["task_participation"]._columns.remove(
        metadata.tables["task_participation"].c.reflection
    )
    assert compare_with_model(metadata).stale == ["task_participation.reflection"]


def test_a_table_that_left_the_model_fails_the_check(app):
    metadata = _copy_of_model()
    metadata.remove(metadata.tables["school_visit"])
    assert compare_with_model(metadata).stale == ["school_visit"]


def test_tables_with_personal_data_say_how_a_row_belongs_to_a_person(app):
    for entry in ENTRIES:
        if entry.has_personal_data:
            assert entry.links, entry.table
        for spec in entry.columns.values():
            if spec is not None:
                assert spec.purpose and spec.retention, entry.table


def test_free_text_written_by_a_person_is_anonymised(app):
    for table, column in [
        ("task_participation", "reflection"),
        ("feedback", "comment"),
        ("goal_evidence", "note"),
        ("supervision_session", "note"),
        ("school_visit", "note"),
        ("learning_goal", "description"),
    ]:
        assert REGISTER[table].columns[column].erase == Erase.ANONYMISE


def test_register_page_for_admins(app, client, login_as, admin):
    login_as(admin)
    response = client.get("/privacy/register")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Register van persoonsgegevens" in page
    for entry in ENTRIES:
        assert f'id="table-{entry.table}"' in page
    assert "Geen persoonsgegevens." in page  # a table without any, e.g. neighbourhood
    assert "anonimiseren" in page and "pseudonimiseren" in page


@pytest.mark.parametrize("role", ["wijkdocent", "student", "supervisor"])
def test_register_page_is_for_admins_only(app, client, login_as, users_by_role, role):
    login_as(users_by_role[role])
    response = client.get("/privacy/register")
    assert response.status_code == 403
    assert b"Register van persoonsgegevens" not in response.data
