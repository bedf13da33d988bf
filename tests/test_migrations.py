"""Migrations build the schema from empty, on SQLite and PostgreSQL, and match the models."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from tests import factories
from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL
from wijklab import create_app
from wijklab.extensions import db
from wijklab.tasks.models import TaskEvent


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


def revisions_base_to_head() -> list[str]:
    """Every revision that exists, oldest first (whatever the other branches of work added)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from wijklab import _root

    config = Config()
    config.set_main_option("script_location", str(_root() / "migrations"))
    return [
        script.revision
        for script in reversed(list(ScriptDirectory.from_config(config).walk_revisions()))
    ]


def schema_snapshot(engine) -> dict:
    """Tables with their columns (name, type, nullability), indexes, unique and foreign keys."""
    inspector = inspect(engine)
    snapshot = {}
    for table in sorted(inspector.get_table_names()):
        if table == "alembic_version":
            continue
        snapshot[table] = {
            "columns": sorted(
                (c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)
            ),
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                for i in inspector.get_indexes(table)
            ),
            "uniques": sorted(
                (u["name"], tuple(u["column_names"]))
                for u in inspector.get_unique_constraints(table)
            ),
            "foreign_keys": sorted(
                (f["name"], tuple(f["constrained_columns"]), f["referred_table"])
                for f in inspector.get_foreign_keys(table)
            ),
        }
    return snapshot


def test_every_revision_goes_up_down_and_up_again(empty_database_url):
    """One step at a time from base to head, back down to base, and up again: every downgrade
    gives back exactly the schema its revision had on the way up, and head matches the models."""
    revisions = revisions_base_to_head()
    assert len(revisions) >= 8
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        on_the_way_up = {}
        for revision in revisions:
            result = run(app, "db", "upgrade", revision)
            assert result.exit_code == 0, f"upgrade to {revision}: {result.output}"
            on_the_way_up[revision] = schema_snapshot(db.engine)
        head_schema = on_the_way_up[revisions[-1]]
        for below, revision in reversed(list(zip([None, *revisions], revisions, strict=False))):
            result = run(app, "db", "downgrade", below or "base")
            assert result.exit_code == 0, f"downgrade of {revision}: {result.output}"
            expected = on_the_way_up[below] if below else {}
            assert schema_snapshot(db.engine) == expected, f"downgrade of {revision} left changes"
        for revision in revisions:
            result = run(app, "db", "upgrade", revision)
            assert result.exit_code == 0, f"second upgrade to {revision}: {result.output}"
        assert schema_snapshot(db.engine) == head_schema
        check = run(app, "db", "check")
        assert check.exit_code == 0, check.output  # head matches the models
        db.engine.dispose()


def test_migration_heads_are_linear():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from wijklab import _root

    config = Config()
    config.set_main_option("script_location", str(_root() / "migrations"))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1


def test_old_task_history_loses_its_description_texts(empty_database_url):
    """An edit recorded before 0010 kept the old and new description; 0010 keeps only that it
    changed, and leaves the other changes of that edit as they were."""
    import json

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        # Today's models and factories fit the head schema: write the old-style event there,
        # go back to before 0010 (its rows stay), and come up again through 0010.
        assert run(app, "db", "upgrade").exit_code == 0
        old = {"description": ["Bel Fatima op 06-12345678", "Buurtmaaltijd"], "title": ["a", "b"]}
        task = factories.make_task()
        db.session.add(TaskEvent(task=task, action="edited", details=json.dumps(old)))
        db.session.commit()
        db.session.remove()
        assert run(app, "db", "downgrade", "0009_privacy").exit_code == 0
        assert run(app, "db", "upgrade").exit_code == 0
        with db.engine.connect() as connection:
            details = connection.execute(text("SELECT details FROM task_event")).scalar_one()
        db.engine.dispose()
    assert json.loads(details) == {"description": "changed", "title": ["a", "b"]}
    assert "06-12345678" not in details


def test_every_revision_id_fits_alembic_version():
    """alembic_version.version_num is varchar(32): a longer id upgrades on SQLite and fails on
    PostgreSQL."""
    import re
    from pathlib import Path

    folder = Path(__file__).resolve().parent.parent / "migrations" / "versions"
    ids = [
        re.search(r'^revision = "([^"]+)"', path.read_text(), re.M).group(1)
        for path in sorted(folder.glob("*.py"))
    ]
    assert len(ids) >= 18
    assert [i for i in ids if len(i) > 32] == []
