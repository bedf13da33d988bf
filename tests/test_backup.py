"""``flask backup PATH`` and ``flask restore PATH``: a round trip of a SQLite file database keeps
every table's rows (counted and checksummed), a damaged backup is refused, and PostgreSQL is
pointed at pg_dump/pg_restore (tests/deploy/test_pg_backup.py does that round trip in CI)."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest
from sqlalchemy import MetaData, create_engine, select, text

from tests import factories
from wijklab import create_app
from wijklab.extensions import db


def table_fingerprints(url: str) -> dict[str, tuple[int, str]]:
    """Every table's (row count, SHA-256 of its sorted rows), read through SQLAlchemy."""
    engine = create_engine(url)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        result = {}
        with engine.connect() as connection:
            for name, table in sorted(metadata.tables.items()):
                rows = sorted(repr(tuple(row)) for row in connection.execute(select(table)))
                digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
                result[name] = (len(rows), digest)
        return result
    finally:
        engine.dispose()


@pytest.fixture
def file_app(tmp_path):
    """An app on a SQLite file made by the migrations, with some rows in several tables."""
    url = f"sqlite:///{tmp_path / 'live.sqlite'}"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        team = factories.make_team(members=[factories.make_student(), factories.make_student()])
        factories.make_task(team=team, minutes=480)
        factories.make_goal(team=team)
        db.session.commit()
        yield app, url, tmp_path
        db.session.remove()
        db.engine.dispose()


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_backup_and_restore_round_trip_keeps_every_row(file_app):
    app, url, folder = file_app
    before = table_fingerprints(url)
    assert before["user"][0] >= 3 and before["task"][0] == 1 and before["alembic_version"][0] == 1

    result = run(app, "backup", str(folder / "copy.sqlite"))
    assert result.exit_code == 0, result.output
    assert "integrity_check: ok" in result.output
    assert table_fingerprints(f"sqlite:///{folder / 'copy.sqlite'}") == before

    # Something happens after the backup: rows go and rows change.
    db.session.execute(text("DELETE FROM task_participation"))
    db.session.execute(text("DELETE FROM task_event"))
    db.session.execute(text("DELETE FROM task"))
    db.session.execute(text("UPDATE user SET name = 'Veranderd'"))
    db.session.commit()
    assert table_fingerprints(url) != before

    refused = run(app, "restore", str(folder / "copy.sqlite"))
    assert refused.exit_code != 0 and "--yes" in refused.output
    assert table_fingerprints(url)["task"][0] == 0  # nothing restored without --yes

    restored = run(app, "restore", str(folder / "copy.sqlite"), "--yes")
    assert restored.exit_code == 0, restored.output
    assert table_fingerprints(url) == before
    # The running app reads the restored data (no stale pooled connection).
    assert db.session.scalar(text("SELECT count(*) FROM task")) == 1


def test_backup_does_not_overwrite_a_file_without_yes(file_app):
    app, _, folder = file_app
    target = folder / "exists.sqlite"
    target.write_bytes(b"keep me")
    result = run(app, "backup", str(target))
    assert result.exit_code != 0 and "bestaat al" in result.output
    assert target.read_bytes() == b"keep me"
    result = run(app, "backup", str(target), "--yes")
    assert result.exit_code == 0, result.output
    assert sqlite3.connect(target).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_restore_refuses_a_damaged_or_foreign_file(file_app):
    app, url, folder = file_app
    before = table_fingerprints(url)
    backup = folder / "copy.sqlite"
    assert run(app, "backup", str(backup)).exit_code == 0

    damaged = folder / "damaged.sqlite"
    data = bytearray(backup.read_bytes())
    page = 4096
    for offset in range(2 * page, len(data) - page, page):  # scribble over every page header
        data[offset : offset + 16] = b"\xff" * 16
    damaged.write_bytes(bytes(data))
    result = run(app, "restore", str(damaged), "--yes")
    assert result.exit_code != 0 and "beschadigd" in result.output

    foreign = folder / "foreign.sqlite"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE t (x)")
    result = run(app, "restore", str(foreign), "--yes")
    assert result.exit_code != 0 and "geen back-up van Wijklab" in result.output

    missing = run(app, "restore", str(folder / "nothing.sqlite"), "--yes")
    assert missing.exit_code != 0 and "bestaat niet" in missing.output
    assert table_fingerprints(url) == before  # every refusal left the database alone


def test_backup_points_postgresql_at_pg_dump_and_refuses_memory():
    pg = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u@127.0.0.1:1/x"}
    )
    result = run(pg, "backup", "/tmp/never-written.sqlite")  # noqa: S108
    assert result.exit_code != 0
    assert "pg_dump" in result.output and "docs/production.md" in result.output
    result = run(pg, "restore", "/tmp/never-written.sqlite", "--yes")  # noqa: S108
    assert result.exit_code != 0 and "pg_restore" in result.output

    memory = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    result = run(memory, "backup", "/tmp/never-written.sqlite")  # noqa: S108
    assert result.exit_code != 0 and "geheugen" in result.output
