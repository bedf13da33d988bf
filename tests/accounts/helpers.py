"""Small helpers shared by the reset, invitation and audit tests."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from sqlalchemy import select

from wijklab.accounts.tokens import OneTimeToken, Purpose
from wijklab.activity.models import AuditEvent
from wijklab.extensions import db

NEW_PASSWORD = "fietsen langs de maas in mei"  # noqa: S105  (a test value)


def link_path(message, marker: str) -> str:
    """The path of the one link in a mail that contains ``marker`` (e.g. /auth/reset/)."""
    [link] = [link for link in message.links() if marker in link]
    return urlsplit(link).path


def tokens(user, purpose: Purpose) -> list[OneTimeToken]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OneTimeToken).where(
                OneTimeToken.user_id == user.id, OneTimeToken.purpose == purpose
            )
        )
    )


def events(action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )


def details(event: AuditEvent) -> dict:
    return json.loads(event.details or "{}")
