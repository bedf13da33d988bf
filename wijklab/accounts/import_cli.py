"""``flask import-students FILE --school NAME [--dry-run]``."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from wijklab.accounts import importer
from wijklab.errors import WijklabError
from wijklab.extensions import db
from wijklab.organisations.models import OrganisationKind
from wijklab.organisations.services import find_organisation


@click.command("import-students")
@click.argument("file", type=click.File("rb"))
@click.option("--school", required=True, help="Naam van de school (voor rijen zonder school).")
@click.option("--dry-run", is_flag=True, help="Alleen tonen wat er zou gebeuren.")
@with_appcontext
def import_students_command(file, school: str, dry_run: bool) -> None:
    """Import students from the school's CSV or xlsx list: all rows or none; exit status 1 with
    the errors per row."""
    found = find_organisation(school)
    if found is None or found.kind != OrganisationKind.SCHOOL:
        raise click.ClickException(f"Onbekende school: {school}")
    try:
        upload = importer.read_upload(
            file.read(importer.MAX_FILE_BYTES + 1), getattr(file, "name", "")
        )
    except WijklabError as error:
        raise click.ClickException(str(error.message)) from error
    mapping = importer.match_headers(upload.headers)
    for index in upload.unknown_headers:
        click.echo(f"Kolom '{upload.headers[index]}' niet herkend; wordt overgeslagen.")
    problems = importer.mapping_problems(mapping)
    if problems:
        raise click.ClickException(" ".join(str(p) for p in problems))
    plan = importer.plan_import(upload, mapping, found)
    for line in importer.describe_rows(plan.rows):
        click.echo(line)
    for user in plan.missing:
        click.echo(f"niet in het bestand (blijft staan): {user.student_profile.student_number} "
                   f"{user.name}")  # fmt: skip
    counts = plan.counts
    summary = (
        f"{counts['create']} nieuw, {counts['update']} bijwerken, "
        f"{counts['unchanged']} ongewijzigd, {counts['error']} met fouten"
    )
    if plan.has_errors:
        db.session.rollback()
        raise click.ClickException(f"{summary}. Er is niets geïmporteerd.")
    if dry_run:
        db.session.rollback()
        click.echo(f"Proefdraai: {summary}; niets gewijzigd.")
        return
    try:
        result = importer.apply_import(upload, mapping, found, by=None)
    except WijklabError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from error
    db.session.commit()
    click.echo(
        f"Geïmporteerd: {result.created} nieuw (uitgenodigd per e-mail), {result.updated} "
        f"bijgewerkt, {result.unchanged} ongewijzigd."
    )


def register_import_commands(app: Flask) -> None:
    """Add the student import to ``flask``."""
    app.cli.add_command(import_students_command)
