from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijklab.clock import utcnow
from wijklab.extensions import db

KIND_MAX = 40
DEDUPE_MAX = 120
SUBJECT_MAX = 200


class AuditEvent(db.Model):
    """Who did what to which object, and when; never the field values of personal data."""

    __tablename__ = "audit_event"
    # One object's history, newest last: the goal page, the audit trail's object filter.
    __table_args__ = (db.Index("ix_audit_event_object", "object_type", "object_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(40), index=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int]
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    details: Mapped[str] = mapped_column(db.Text, default="{}")

    actor = relationship("User", lazy="joined")


class Notification(db.Model):
    """An in-app message to one user; ``params`` fill the translated text of its ``kind`` when it
    is shown, so it appears in the reader's language. ``mailed_at`` is set once it went out by
    mail (immediately or in a digest); ``dedupe_key`` keeps a scheduled job from telling twice."""

    __tablename__ = "notification"
    # The unread count in every page's header.
    __table_args__ = (
        db.Index("ix_notification_user_unread", "user_id", "read_at"),
        # The notifications feed, newest first, a page at a time by (created_at, id).
        db.Index("ix_notification_user_feed", "user_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(KIND_MAX))
    params: Mapped[str] = mapped_column(db.Text, default="{}")
    link: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    read_at: Mapped[dt.datetime | None]
    mailed_at: Mapped[dt.datetime | None]
    dedupe_key: Mapped[str | None] = mapped_column(String(DEDUPE_MAX), unique=True)


class Delivery(enum.StrEnum):
    IMMEDIATE = "immediate"
    DAILY = "daily"
    WEEKLY = "weekly"
    OFF = "off"


class NotificationPreference(db.Model):
    """How one user wants one kind of notification mailed; without a row the kind's default for
    the user's role applies."""

    __tablename__ = "notification_preference"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(KIND_MAX))
    delivery: Mapped[Delivery] = mapped_column(
        Enum(
            Delivery,
            native_enum=False,
            length=10,
            values_callable=lambda e: [m.value for m in e],
        )
    )


class OutboxStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(db.Model):
    """One e-mail, written in the transaction of the event that caused it and sent after commit
    by whichever sender claims it first (a claim is one conditional UPDATE). A failed send is
    retried with backoff; the body is cleared once sent, because it may hold a one-click link."""

    __tablename__ = "mail_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(KIND_MAX))
    subject: Mapped[str] = mapped_column(String(SUBJECT_MAX))
    text_body: Mapped[str] = mapped_column(db.Text)
    html_body: Mapped[str] = mapped_column(db.Text, default="")
    status: Mapped[OutboxStatus] = mapped_column(
        Enum(
            OutboxStatus,
            native_enum=False,
            length=10,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=OutboxStatus.QUEUED,
        index=True,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    claim: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[dt.datetime | None]
    sent_at: Mapped[dt.datetime | None]
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    dedupe_key: Mapped[str | None] = mapped_column(String(DEDUPE_MAX), unique=True)

    user = relationship("User")
