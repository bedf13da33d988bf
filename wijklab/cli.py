"""Command-line tools: flask --app wijklab create-user, seed-demo."""

from __future__ import annotations

from typing import NoReturn

import click
from flask import Flask
from flask.cli import with_appcontext

from wijklab.accounts import services as accounts
from wijklab.accounts.models import Level, Role
from wijklab.caching import forget_all
from wijklab.errors import WijklabError
from wijklab.extensions import db
from wijklab.goals.cli import load_frameworks_command
from wijklab.organisations.services import find_organisation


def _fail(message) -> NoReturn:
    db.session.rollback()
    raise click.ClickException(str(message))


@click.command("create-user")
@click.option("--email", required=True, help="E-mailadres (wordt in kleine letters opgeslagen).")
@click.option("--name", required=True, help="Volledige naam.")
@click.option(
    "--role",
    required=True,
    type=click.Choice([r.value for r in Role]),
    help="admin, wijkdocent, student of supervisor.",
)
@click.option("--password", required=True, help="Minstens 12 tekens, geen bekend wachtwoord.")
@click.option(
    "--level",
    type=click.Choice([lv.value for lv in Level]),
    help="Studenten: mbo of hbo.",
)
@click.option("--year", type=click.IntRange(1, 4), help="Studenten: studiejaar 1 tot en met 4.")
@click.option("--organisation", help="Werkbegeleiders: naam van de partnerorganisatie.")
@with_appcontext
def create_user_command(email, name, role, password, level, year, organisation) -> None:
    """Create a user account."""
    student = supervisor = None
    if role == Role.STUDENT:
        if not level or not year:
            raise click.UsageError("Een student heeft --level (mbo|hbo) en --year (1-4) nodig.")
        student = accounts.StudentData(level=Level(level), study_year=year)
    elif level or year:
        raise click.UsageError("--level en --year horen alleen bij de rol student.")
    if role == Role.SUPERVISOR:
        if not organisation:
            raise click.UsageError("Een werkbegeleider heeft --organisation NAAM nodig.")
        found = find_organisation(organisation)
        if found is None:
            _fail(f"Onbekende organisatie: {organisation}")
        supervisor = accounts.SupervisorData(organisation=found)
    elif organisation:
        raise click.UsageError("--organisation hoort alleen bij de rol supervisor.")
    try:
        user = accounts.create_user(
            email=email,
            name=name,
            role=role,
            password=password,
            student=student,
            supervisor=supervisor,
        )
    except WijklabError as error:
        _fail(error.message)
    db.session.commit()
    click.echo(f"Gebruiker {user.email} ({user.role.value}) aangemaakt.")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Alleen als er nog geen gebruikers zijn.")
@with_appcontext
def seed_demo_command(if_empty: bool) -> None:
    """Load realistic Dutch demo data; running it again adds nothing."""
    from wijklab.demo import DEMO_PASSWORD, seed_demo

    try:
        result = seed_demo(only_if_empty=if_empty)
    except WijklabError as error:
        _fail(error.message)
    db.session.commit()
    if result.skipped:
        click.echo("Er zijn al gebruikers: geen demodata geladen.")
    else:
        click.echo(f"Demodata: {result.created} rijen toegevoegd.")
    if result.logins:
        click.echo(f"Demo-logins (wachtwoord voor allemaal: {DEMO_PASSWORD}):")
    for email, role in result.logins:
        click.echo(f"  {role:<11} {email}")


@click.command("check-summaries")
@click.option("--fix", is_flag=True, help="Bouw tabellen met verschillen opnieuw op.")
@with_appcontext
def check_summaries_command(fix: bool) -> None:
    """Compare every summary table with the full sums; exit 1 on a difference (with --fix: the
    table is rebuilt, and the exit code is 0 once it matches)."""
    from wijklab.database import SUMMARIES

    connection = db.session.connection()
    wrong, repaired = 0, False
    for summary in SUMMARIES:
        missing, extra = summary.differences(connection)
        if not missing and not extra:
            click.echo(f"{summary.name}: klopt")
            continue
        click.echo(f"{summary.name}: {missing} rijen ontbreken of wijken af, {extra} rijen te veel")
        if fix:
            rows = summary.rebuild(connection)
            click.echo(f"{summary.name}: opnieuw opgebouwd ({rows} rijen)")
            repaired = True
            missing, extra = summary.differences(connection)
        wrong += missing + extra
    db.session.commit()
    if repaired:
        forget_all()  # figures and pages counted from the wrong sums
    if wrong:
        raise click.exceptions.Exit(1)


@click.command("forget-cache")
@with_appcontext
def forget_cache_command() -> None:
    """Count every cached figure and page afresh (after a change made outside the app)."""
    forget_all()
    click.echo("Cache vergeten: cijfers en pagina's worden opnieuw opgebouwd.")


def register_commands(app: Flask) -> None:
    app.cli.add_command(check_summaries_command)
    app.cli.add_command(forget_cache_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(load_frameworks_command)
    from wijklab.activity.cli import register_activity_commands

    register_activity_commands(app)
    from wijklab.backup import register_backup_commands
    from wijklab.privacy.cli import register_privacy_commands

    register_backup_commands(app)
    register_privacy_commands(app)
    from wijklab.accounts.import_cli import register_import_commands

    register_import_commands(app)
