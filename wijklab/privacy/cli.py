"""``flask retention [--dry-run]``."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from wijklab.extensions import db


@click.command("retention")
@click.option("--dry-run", is_flag=True, help="Alleen tonen wat er gewist zou worden.")
@with_appcontext
def retention_command(dry_run: bool) -> None:
    """Anonymise the students whose school's retention period has passed since their last
    activity (and since their last issued statement); running it again changes nothing."""
    from wijklab.privacy.services import apply_retention, due_for_retention

    due = due_for_retention() if dry_run else apply_retention()
    for item in due:
        click.echo(
            f"  gebruiker {item.user_id}: laatste activiteit "
            f"{item.last_activity.date().isoformat()}, bewaartermijn {item.years} jaar "
            f"({item.school or 'geen school'})"
        )
    if dry_run:
        db.session.rollback()
        click.echo(
            f"Proefdraai: {len(due)} student(en) zouden geanonimiseerd worden; niets gewijzigd."
        )
    else:
        db.session.commit()
        click.echo(f"{len(due)} student(en) geanonimiseerd.")


def register_privacy_commands(app: Flask) -> None:
    """Add the privacy commands to ``flask``."""
    app.cli.add_command(retention_command)
