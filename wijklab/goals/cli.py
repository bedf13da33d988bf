"""Command-line tools for goals: flask --app wijklab load-frameworks."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import click
from flask.cli import with_appcontext

from wijklab.errors import WijklabError
from wijklab.extensions import db
from wijklab.goals.loader import (
    load_framework,
    parse_all,
    parse_framework,
    shipped_framework_files,
)


def _fail(message) -> NoReturn:
    db.session.rollback()
    raise click.ClickException(str(message))


@click.command("load-frameworks")
@click.option(
    "--file",
    "path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Eén kwalificatiekader (TOML) laden in plaats van de meegeleverde.",
)
@with_appcontext
def load_frameworks_command(path: Path | None) -> None:
    """Load the qualification frameworks; running it again changes nothing."""
    try:
        if path is None:
            frameworks = parse_all(shipped_framework_files())
        else:
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                _fail(f"{path.name}: het bestand is geen UTF-8-tekst.")
            frameworks = [parse_framework(text, path.name)]
        results = [(framework, load_framework(framework)) for framework in frameworks]
    except WijklabError as error:
        _fail(error.message)
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    for framework, result in results:
        line = (
            f"{framework.code}: {result.created} nieuw, {result.updated} bijgewerkt, "
            f"{result.unchanged} ongewijzigd"
        )
        if result.deactivated:
            line += f", {result.deactivated} niet meer actief"
        click.echo(line + ".")
