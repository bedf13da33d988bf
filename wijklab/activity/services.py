"""What happened and who hears of it: ``record`` writes the audit trail, ``notify`` tells one
person (in the app, and by mail as they chose), ``queue_mail`` writes a message to the outbox in
the current transaction. Features register their notification kinds here; activity never
imports a feature above it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import func, select

from wijklab import clock
from wijklab.accounts.models import Role, User
from wijklab.activity.models import (
    SUBJECT_MAX,
    AuditEvent,
    Delivery,
    Notification,
    NotificationPreference,
    OutboxMessage,
)
from wijklab.extensions import db

# --- the audit trail -------------------------------------------------------------------------


def record(
    actor, action: str, obj=None, *, object_type: str | None = None, object_id=None, **details
) -> None:
    """Record who did what to which object. ``details`` name what changed (ids, counts, filters),
    never the field values of personal data."""
    db.session.add(
        AuditEvent(
            actor_id=actor if isinstance(actor, int) or actor is None else actor.id,
            action=action,
            object_type=object_type or type(obj).__name__,
            object_id=object_id if object_id is not None else obj.id,
            details=json.dumps(details, ensure_ascii=False, default=str),
            at=clock.utcnow(),
        )
    )


# action → its label in the audit trail; each feature registers its own
ACTION_LABELS: dict[str, Any] = {}


def register_actions(labels: dict[str, Any]) -> None:
    ACTION_LABELS.update(labels)


# object type → (endpoint, URL parameter): where the audit trail links an event's object to
OBJECT_LINKS: dict[str, tuple[str, str]] = {}


def register_object_link(object_type: str, endpoint: str, parameter: str) -> None:
    """Let the audit trail link events about ``object_type`` to the page of the object."""
    OBJECT_LINKS[object_type] = (endpoint, parameter)


# --- notification kinds ----------------------------------------------------------------------

# When a kind names no default for a role: supervisors read a weekly digest, wijkdocenten a
# daily one, students a daily one, admins nothing by mail.
ROLE_DEFAULTS = {
    Role.SUPERVISOR: Delivery.WEEKLY,
    Role.WIJKDOCENT: Delivery.DAILY,
    Role.STUDENT: Delivery.DAILY,
    Role.ADMIN: Delivery.OFF,
}


@dataclass(frozen=True)
class Kind:
    """One kind of notification: its text (with ``%(name)s`` fields from the params), the
    short label on the preferences page, which roles receive it, and per-role mail defaults."""

    name: str
    text: Any
    label: Any
    roles: frozenset[Role]
    defaults: dict[Role, Delivery] = field(default_factory=dict)

    def default_for(self, role: Role) -> Delivery:
        return self.defaults.get(role, ROLE_DEFAULTS[role])


KINDS: dict[str, Kind] = {}


def register_kind(
    name: str, text, *, label, roles, defaults: dict[Role, Delivery] | None = None
) -> Kind:
    """Register a notification kind (each feature registers its own at import)."""
    kind = Kind(name, text, label, frozenset(roles), dict(defaults or {}))
    KINDS[name] = kind
    return kind


def describe(notification: Notification) -> str:
    """The notification's text in the current language (missing params are left blank)."""
    kind = KINDS.get(notification.kind)
    if kind is None:
        return ""
    params = json.loads(notification.params or "{}")
    return str(kind.text) % _Blank(params)


class _Blank(dict):
    def __missing__(self, key):
        return ""


# --- preferences -----------------------------------------------------------------------------


def kinds_for(user: User) -> list[Kind]:
    """The kinds this user can receive, in registration order."""
    return [kind for kind in KINDS.values() if user.role in kind.roles]


def preferences(user: User) -> dict[str, Delivery]:
    """Each kind the user can receive, with their choice or the default for their role."""
    chosen = dict(
        db.session.execute(
            select(NotificationPreference.kind, NotificationPreference.delivery).where(
                NotificationPreference.user_id == user.id
            )
        ).all()
    )
    return {
        kind.name: chosen.get(kind.name, kind.default_for(user.role)) for kind in kinds_for(user)
    }


def delivery_for(user: User, kind_name: str) -> Delivery:
    kind = KINDS.get(kind_name)
    if kind is None:
        return Delivery.OFF
    chosen = db.session.scalar(
        select(NotificationPreference.delivery).where(
            NotificationPreference.user_id == user.id, NotificationPreference.kind == kind_name
        )
    )
    return chosen or kind.default_for(user.role)


def set_preferences(user: User, choices: dict[str, Delivery]) -> None:
    """Store the user's choices; a kind they cannot receive is ignored."""
    allowed = {kind.name for kind in kinds_for(user)}
    existing = {
        p.kind: p
        for p in db.session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == user.id)
        )
    }
    for name, delivery in choices.items():
        if name not in allowed:
            continue
        row = existing.get(name)
        if row is None:
            db.session.add(NotificationPreference(user_id=user.id, kind=name, delivery=delivery))
        else:
            row.delivery = delivery
    db.session.flush()


# --- notify ----------------------------------------------------------------------------------


def notify(
    user_id: int | None,
    kind: str,
    link: str,
    *,
    action_url: str | Callable[[], str] | None = None,
    dedupe_key: str | None = None,
    **params,
) -> Notification | None:
    """Tell one user about something, in the app and (if they chose immediate mail) by mail.

    ``link`` is the app path the notification opens. ``action_url`` is a secret one-click link
    (or a function that makes one) that goes into the immediate mail only, never into the
    stored notification; a function is called only when such a mail is written. With a
    ``dedupe_key`` a second call with the same key does nothing (for scheduled jobs).
    """
    if user_id is None:
        return None
    if kind not in KINDS:
        raise KeyError(f"unregistered notification kind {kind!r}")
    if dedupe_key is not None and db.session.scalar(
        select(Notification.id).where(Notification.dedupe_key == dedupe_key)
    ):
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    notification = Notification(
        user_id=user_id,
        kind=kind,
        params=json.dumps(params, ensure_ascii=False, default=str),
        link=link,
        created_at=clock.utcnow(),
        dedupe_key=dedupe_key,
    )
    db.session.add(notification)
    if delivery_for(user, kind) == Delivery.IMMEDIATE:
        notification.mailed_at = clock.utcnow()
        if callable(action_url):
            action_url = action_url()
        with force_locale(locale_of(user)):
            text = describe(notification)
            queue_mail(
                user,
                kind=kind,
                subject=text,
                template="mail/notification",
                text=text,
                link=public_url(link),
                action_url=action_url,
            )
    db.session.flush()
    return notification


def mark_read(user, notifications) -> None:
    """Mark the user's own notifications read; others' are left alone."""
    now = clock.utcnow()
    for notification in notifications:
        if notification.user_id == user.id and notification.read_at is None:
            notification.read_at = now
    db.session.flush()


def unread_count(user) -> int:
    return (
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user.id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


# --- mail ------------------------------------------------------------------------------------


def locale_of(user: User | None) -> str:
    languages = current_app.config["LANGUAGES"]
    if user is not None and user.locale in languages:
        return user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def public_url(path: str) -> str:
    """An absolute link on the configured public address (never the request's Host header)."""
    if path.startswith(("http://", "https://")):
        return path
    return current_app.config["PUBLIC_URL"].rstrip("/") + "/" + path.lstrip("/")


def queue_mail(
    user: User,
    *,
    kind: str,
    subject: str,
    template: str,
    dedupe_key: str | None = None,
    **context,
) -> OutboxMessage | None:
    """Write a message to the outbox in the current transaction, rendered in the recipient's
    language from ``template``.txt and ``template``.html (a lazy ``subject`` is translated in
    that language too); it is sent after commit. With a
    ``dedupe_key`` a message already queued under that key is not queued again."""
    if dedupe_key is not None and db.session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
    ):
        return None
    with force_locale(locale_of(user)):
        context.update(
            mail_locale=locale_of(user),
            recipient=user,
            subject=subject,
            preferences_url=public_url("/settings/notifications"),
            app_url=public_url("/"),
        )
        message = OutboxMessage(
            to_address=user.email,
            user_id=user.id,
            kind=kind,
            subject=_subject(subject),
            text_body=render_template(f"{template}.txt", **context),
            html_body=render_template(f"{template}.html", **context),
            created_at=clock.utcnow(),
            next_attempt_at=clock.utcnow(),
            dedupe_key=dedupe_key,
        )
    db.session.add(message)
    db.session.info["wijklab_outbox"] = True
    return message


def _subject(text: str) -> str:
    text = " ".join(str(text).split())
    prefix = "Wijklab: "
    room = SUBJECT_MAX - len(prefix)
    return prefix + (text if len(text) <= room else text[: room - 1] + "…")
