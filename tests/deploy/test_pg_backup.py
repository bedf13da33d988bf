"""The documented PostgreSQL backup (docs/production.md): ``pg_dump --format=custom`` of a database
made by the migrations and filled with the demo data, ``pg_restore`` into a new database and
over the changed original, with every table's row count and checksum compared."""

from __future__ import annotations

import shutil
import subprocess
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL, skip_or_fail
from tests.test_backup import table_fingerprints

pytestmark = pytest.mark.deploy


def libpq_url(url) -> str:
    """The same database as a plain libpq address, for pg_dump and pg_restore."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def databases():
    if not ON_POSTGRES:
        skip_or_fail("the pg_dump round trip needs WIJKLAB_TEST_DATABASE_URL (PostgreSQL)")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        skip_or_fail("pg_dump and pg_restore are not installed (postgresql-client)")
    base = make_url(TEST_DATABASE_URL)
    suffix = uuid.uuid4().hex[:8]
    names = (f"wijklab_dump_src_{suffix}", f"wijklab_dump_dst_{suffix}")
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield tuple(base.set(database=name) for name in names)
    finally:
        with admin.connect() as connection:
            for name in names:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def fill_with_demo_data(url) -> None:
    from flask_migrate import upgrade

    from wijklab import create_app
    from wijklab.demo import seed_demo
    from wijklab.extensions import db

    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url.render_as_string(hide_password=False)}
    )
    with app.app_context():
        upgrade()
        seed_demo()
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def test_pg_dump_and_pg_restore_round_trip(databases, tmp_path):
    source, target = databases
    fill_with_demo_data(source)
    source_url = source.render_as_string(hide_password=False)
    before = table_fingerprints(source_url)
    assert before["user"][0] > 5 and before["task"][0] > 10 and before["alembic_version"][0] == 1

    dump = tmp_path / "wijklab.dump"
    subprocess.run(
        ["pg_dump", "--format=custom", f"--file={dump}", libpq_url(source)],
        check=True,
        timeout=120,
    )
    subprocess.run(
        ["pg_restore", "--no-owner", f"--dbname={libpq_url(target)}", str(dump)],
        check=True,
        timeout=120,
    )
    assert table_fingerprints(target.render_as_string(hide_password=False)) == before

    # Over the original after it changed, as docs/production.md says: --clean --if-exists.
    engine = create_engine(source)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM task_event"))
        connection.execute(text("UPDATE \"user\" SET name = 'Veranderd'"))
    engine.dispose()
    assert table_fingerprints(source_url) != before
    subprocess.run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={libpq_url(source)}",
            str(dump),
        ],
        check=True,
        timeout=120,
    )
    assert table_fingerprints(source_url) == before
