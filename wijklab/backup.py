"""``flask backup PATH`` and ``flask restore PATH`` for a SQLite database.

Both use SQLite's online backup API, so the app may keep running: a backup is a consistent
copy of one moment, and a restore replaces the database in one step. Every copy is checked
with ``PRAGMA integrity_check``. PostgreSQL is backed up with ``pg_dump`` and restored with
``pg_restore`` (docs/production.md); the commands say so instead of doing half a job.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

from wijklab.caching import forget_all
from wijklab.extensions import db

PG_DOCS = (
    "De database is PostgreSQL: maak een back-up met pg_dump en zet hem terug met pg_restore, "
    "zie docs/production.md (Back-ups), bijvoorbeeld:\n"
    "  pg_dump --format=custom --file=wijklab.dump DATABASE_URL\n"
    "  pg_restore --clean --if-exists --no-owner --dbname=DATABASE_URL wijklab.dump"
)


class BackupError(click.ClickException):
    """A backup or restore that was refused; nothing was changed."""


def sqlite_database_path() -> Path:
    """The file of the configured SQLite database; refuses PostgreSQL and in-memory databases."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "postgresql":
        raise BackupError(PG_DOCS)
    if url.get_backend_name() != "sqlite":
        raise BackupError(
            f"Back-ups werken alleen voor SQLite, niet voor {url.get_backend_name()}."
        )
    if not url.database or url.database == ":memory:" or url.query.get("mode") == "memory":
        raise BackupError("De database staat alleen in het geheugen: er is niets te bewaren.")
    return Path(url.database)


def integrity_problems(connection: sqlite3.Connection) -> list[str]:
    """What ``PRAGMA integrity_check`` found; an empty list when the database is sound."""
    try:
        rows = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    return [] if rows == ["ok"] else rows


def _open_checked(path: Path) -> sqlite3.Connection:
    """Open a backup file read-only and make sure it is a sound Wijklab database."""
    if not path.is_file():
        raise BackupError(f"{path} bestaat niet.")
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    problems = integrity_problems(connection)
    if problems:
        connection.close()
        raise BackupError(f"{path} is beschadigd en wordt niet teruggezet: {problems[0]}")
    try:
        connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        connection.close()
        raise BackupError(f"{path} is geen back-up van Wijklab (geen alembic_version).") from exc
    return connection


def backup_sqlite(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` with the online backup API, then check the copy."""
    with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(target)) as copy:
        live.backup(copy)
        problems = integrity_problems(copy)
    if problems:
        target.unlink()
        raise BackupError(f"De kopie is niet in orde en is weggegooid: {problems[0]}")


def restore_sqlite(backup: Path, target: Path) -> None:
    """Replace ``target``'s contents by ``backup``'s in one step, then check the result."""
    with closing(_open_checked(backup)) as source, closing(sqlite3.connect(target)) as live:
        source.backup(live)
        problems = integrity_problems(live)
    if problems:
        raise BackupError(f"Na het terugzetten is de database niet in orde: {problems[0]}")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Een bestaand bestand op PATH overschrijven.")
@with_appcontext
def backup_command(path: Path, yes: bool) -> None:
    """Copy the SQLite database to PATH (online, checked with PRAGMA integrity_check)."""
    source = sqlite_database_path()
    if not source.is_file():
        raise BackupError(f"De database {source} bestaat niet.")
    if path.exists():
        if not yes:
            raise BackupError(f"{path} bestaat al: kies een nieuw bestand of geef --yes.")
        path.unlink()
    backup_sqlite(source, path)
    click.echo(f"Back-up gemaakt: {path} (integrity_check: ok).")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Ja, vervang de huidige database door de back-up.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace the SQLite database by the backup at PATH (checked before and after)."""
    target = sqlite_database_path()
    _open_checked(path).close()
    if not yes:
        raise BackupError(
            f"Terugzetten vervangt alles in {target} door {path}. Geef --yes om dat te doen."
        )
    db.session.remove()
    db.engine.dispose()  # no pooled connection keeps a view of the old contents
    restore_sqlite(path, target)
    forget_all()  # what was cached came from the replaced contents
    click.echo(f"Teruggezet: {target} komt nu uit {path} (integrity_check: ok).")


def register_backup_commands(app: Flask) -> None:
    """Add the backup commands to ``flask``."""
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
