"""Commands that run the schedules by hand: ``send-digests``, ``send-reminders``, and
``send-mail`` (the outbox). Each commits, then hands the mail to the sender and prints counts."""

from __future__ import annotations

from datetime import datetime

import click
from flask import Flask
from flask.cli import with_appcontext

from wijklab import clock
from wijklab.activity.models import Delivery
from wijklab.extensions import db


class _Moment(click.ParamType):
    """An ISO date-time; without an offset it is Amsterdam time."""

    name = "datetime"

    def convert(self, value, param, ctx):
        if isinstance(value, datetime):
            return value
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            self.fail(f"geen geldige ISO-datum en -tijd: {value!r} (bijvoorbeeld 2026-11-02T07:00)")
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=clock.AMSTERDAM)
        return moment


NOW_OPTION = click.option(
    "--now", type=_Moment(), help="Doen alsof het dit moment is (ISO, standaard Amsterdamse tijd)."
)


def _send_committed() -> None:
    from wijklab.activity.outbox import dispatch

    db.session.commit()
    dispatch()


@click.command("send-reminders")
@NOW_OPTION
@with_appcontext
def send_reminders_command(now: datetime | None) -> None:
    """Send the reminders and escalations that are due (running it twice sends nothing twice)."""
    from wijklab.activity.schedules import run_reminders

    made = run_reminders(now)
    _send_committed()
    click.echo(f"Herinneringen: {made} verstuurd.")


@click.command("send-digests")
@NOW_OPTION
@click.option(
    "--force",
    type=click.Choice([Delivery.DAILY.value, Delivery.WEEKLY.value]),
    help="Dit overzicht van de periode versturen, ongeacht het uur of de dag.",
)
@with_appcontext
def send_digests_command(now: datetime | None, force: str | None) -> None:
    """Send the daily and weekly digests that are due (once per period)."""
    from wijklab.activity.schedules import send_digests

    counts = send_digests(now, force=Delivery(force) if force else None)
    _send_committed()
    if not counts:
        click.echo("Geen overzicht is nu aan de beurt (dagelijks vanaf 07:00, wekelijks maandag).")
    for period, sent in counts.items():
        label = "Weekoverzichten" if period == Delivery.WEEKLY.value else "Dagoverzichten"
        click.echo(f"{label}: {sent} verstuurd.")


@click.command("send-mail")
@with_appcontext
def send_mail_command() -> None:
    """Send the mail that waits in the outbox."""
    from wijklab.activity.outbox import BATCH, deliver_outbox

    counts = {"sent": 0, "retry": 0, "failed": 0}
    while True:
        batch = deliver_outbox()
        for name, value in batch.items():
            counts[name] += value
        if sum(batch.values()) < BATCH:
            break
    db.session.commit()
    click.echo(
        f"E-mail: {counts['sent']} verstuurd, {counts['retry']} later opnieuw, "
        f"{counts['failed']} mislukt."
    )


def register_activity_commands(app: Flask) -> None:
    """Add the activity commands to ``flask``."""
    app.cli.add_command(send_reminders_command)
    app.cli.add_command(send_digests_command)
    app.cli.add_command(send_mail_command)
