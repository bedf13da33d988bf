"""Migrations build the schema from empty, on SQLite and PostgreSQL, and match the models."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL
from wijklab import create_app
from wijklab.extensions import db


@pytest.fixture
def empty_database_url(tmp_path):
    """A new, empty database: a SQLite file, or a scratch PostgreSQL database dropped afterwards."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
        return
    name = f"wijklab_migrations_{uuid.uuid4().hex[:8]}"
    admin_url = make_url(TEST_DATABASE_URL).set(database="postgres")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    return result


def test_upgrade_from_empty_to_head_then_no_drift(empty_database_url):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade = run(app, "db", "upgrade")
        assert upgrade.exit_code == 0, upgrade.output
        tables = set(inspect(db.engine).get_table_names())
        assert {"user", "organisation", "neighbourhood", "student_profile"} <= tables
        assert "alembic_version" in tables
        check = run(app, "db", "check")
        assert check.exit_code == 0, check.output  # Flask-Migrate exits 1 on any drift
        downgrade = run(app, "db", "downgrade", "base")
        assert downgrade.exit_code == 0, downgrade.output
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_migration_heads_are_linear():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from wijklab import _root

    config = Config()
    config.set_main_option("script_location", str(_root() / "migrations"))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1
