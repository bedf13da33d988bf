"""Sending the outbox. A message is claimed with one conditional UPDATE (so two senders never
send one row twice), sent, and marked sent; a failure puts it back in the queue with a growing
wait, and after ``MAX_ATTEMPTS`` it stays failed for an admin to see. A sender that crashed
mid-send leaves a claim that expires, and the row is picked up again.

After a commit that queued mail, the request hands the outbox to RQ when ``REDIS_URL`` is set,
and sends it in-process otherwise (``make run``). Redis being down loses nothing: the message
waits in the outbox for the next sweep.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from datetime import timedelta

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from flask_mailman import EmailMultiAlternatives
from sqlalchemy import and_, event, or_, select, update
from sqlalchemy.orm import Session

from wijklab import clock
from wijklab.accounts.models import Role, User
from wijklab.activity.models import OutboxMessage, OutboxStatus
from wijklab.activity.services import notify, register_kind
from wijklab.extensions import db, mail

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
CLAIM_TIMEOUT = timedelta(minutes=10)
BATCH = 200
MAIL_FAILED = "mail_failed"

# Admins hear in the app (not by mail, unless they choose so) when a message stays undelivered.
register_kind(
    MAIL_FAILED,
    _l(
        "Een mail aan %(name)s kon na %(attempts)s pogingen niet worden bezorgd. Controleer het "
        "e-mailadres van %(name)s."
    ),
    label=_l("Een mail kon niet worden bezorgd"),
    roles={Role.ADMIN},
)


def _backoff(attempts: int) -> timedelta:
    """1, 2, 4, ... minutes, at most six hours."""
    return min(timedelta(minutes=2 ** (attempts - 1)), timedelta(hours=6))


def _due(now):
    return or_(
        and_(OutboxMessage.status == OutboxStatus.QUEUED, OutboxMessage.next_attempt_at <= now),
        and_(
            OutboxMessage.status == OutboxStatus.SENDING,
            OutboxMessage.claimed_at < now - CLAIM_TIMEOUT,
        ),
    )


def claim(message_id: int) -> str | None:
    """Claim one due message for this sender; None if another sender has it (or it is not due)."""
    now = clock.utcnow()
    token = secrets.token_hex(16)
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, _due(now))
        .values(status=OutboxStatus.SENDING, claim=token, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return token if result.rowcount == 1 else None


def _email(message: OutboxMessage) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text_body,
        from_email=current_app.config["MAIL_DEFAULT_SENDER"],
        to=[message.to_address],
        headers={"Auto-Submitted": "auto-generated", "X-Wijklab-Kind": message.kind},
    )
    if message.html_body:
        email.attach_alternative(message.html_body, "text/html")
    return email


def deliver_outbox(limit: int = BATCH) -> dict[str, int]:
    """Send what is due; returns counts of sent, retried and failed messages."""
    counts = {"sent": 0, "retry": 0, "failed": 0}
    ids = db.session.scalars(
        select(OutboxMessage.id).where(_due(clock.utcnow())).order_by(OutboxMessage.id).limit(limit)
    ).all()
    db.session.commit()
    if not ids:
        return counts
    connection = mail.get_connection()
    try:
        for message_id in ids:
            token = claim(message_id)
            if token is None:
                continue
            message = db.session.get(OutboxMessage, message_id)
            try:
                connection.send_messages([_email(message)])
            except Exception as error:  # noqa: BLE001  (any SMTP or I/O failure is retried)
                _failed(message, token, error)
                counts["failed" if message.status == OutboxStatus.FAILED else "retry"] += 1
            else:
                _sent(message, token)
                counts["sent"] += 1
    finally:
        with contextlib.suppress(Exception):  # a connection that never opened
            connection.close()
    return counts


def _sent(message: OutboxMessage, token: str) -> None:
    # The body may hold a one-click link: once it went out, it is not kept.
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.claim == token)
        .values(
            status=OutboxStatus.SENT,
            sent_at=clock.utcnow(),
            attempts=OutboxMessage.attempts + 1,
            text_body="",
            html_body="",
            claim=None,
            last_error="",
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _failed(message: OutboxMessage, token: str, error: Exception) -> None:
    attempts = message.attempts + 1
    status = OutboxStatus.FAILED if attempts >= MAX_ATTEMPTS else OutboxStatus.QUEUED
    log.warning(
        "mail %s to user %s not sent (attempt %s): %s",
        message.id,
        message.user_id,
        attempts,
        type(error).__name__,
    )
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.claim == token)
        .values(
            status=status,
            attempts=attempts,
            next_attempt_at=clock.utcnow() + _backoff(attempts),
            claim=None,
            last_error=f"{type(error).__name__}: {error}"[:500],
        )
        .execution_options(synchronize_session=False)
    )
    if status == OutboxStatus.FAILED and result.rowcount == 1:
        _tell_admins(message, attempts)
    db.session.commit()
    db.session.expire(message)


def _tell_admins(message: OutboxMessage, attempts: int) -> None:
    """Every active admin hears once of a message that stayed undelivered: who it was for and a
    link to that account (the audit trail when it was for an address without an account). No
    subject or body: those may hold a one-click link or personal data. A failed mail about a
    failed mail is not reported again, so a broken admin address cannot start a chain."""
    if message.kind == MAIL_FAILED:
        return
    recipient = db.session.get(User, message.user_id) if message.user_id else None
    name = recipient.name if recipient is not None else message.to_address
    link = f"/users/{recipient.id}/edit" if recipient is not None else "/audit"
    admins = db.session.scalars(
        select(User.id).where(User.role == Role.ADMIN, User.is_active.is_(True))
    ).all()
    for admin_id in admins:
        notify(
            admin_id,
            MAIL_FAILED,
            link,
            dedupe_key=f"{MAIL_FAILED}:{message.id}:{admin_id}",
            name=name,
            attempts=attempts,
        )


# --- after commit ------------------------------------------------------------------------------


def dispatch() -> None:
    """Hand committed mail to the sender: an RQ job when Redis is configured, else in-process.
    Never raises: a message that cannot be handed over now waits for the next sweep."""
    try:
        if current_app.config.get("REDIS_URL"):
            from wijklab.activity.jobs import enqueue_delivery

            enqueue_delivery()
        else:
            deliver_outbox()
    except Exception:
        log.exception("the outbox could not be handed over; it waits for the next sweep")
        db.session.rollback()


def _committed(session) -> None:
    if session.info.pop("wijklab_outbox", False):
        session.info["wijklab_outbox_ready"] = True


def _rolled_back(session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop("wijklab_outbox", None)


def dispatch_if_committed() -> None:
    """Send what the last commit queued (called after a request and after a command)."""
    if db.session.info.pop("wijklab_outbox_ready", False):
        dispatch()


def register_outbox(app: Flask) -> None:
    # On every session class (the tests bind their own session to one connection).
    if not event.contains(Session, "after_commit", _committed):
        event.listen(Session, "after_commit", _committed)
        event.listen(Session, "after_soft_rollback", _rolled_back)

    @app.after_request
    def _send_committed_mail(response):
        dispatch_if_committed()
        return response

    # A command (seed-demo, create-user, the schedules) sends what it committed when it ends.
    @app.teardown_appcontext
    def _send_mail_of_command(error):
        if error is None:
            dispatch_if_committed()
