"""The schedules: reminders and escalations, and the daily and weekly digest mails.

Features register what they add: ``register_reminder(fn)`` (``fn(now) -> int``, the number of
notifications it made; it must be idempotent, through ``notify(..., dedupe_key=...)``) and
``register_digest_section(fn)`` (``fn(users, now) -> {user_id: DigestSection}``, loading the
section for a whole batch of users with a few ``in_()`` queries). Activity never imports the
features above it: tasks and goals register theirs in their own ``schedules.py``.

The daily digest is due every day from 07:00 Europe/Amsterdam, the weekly one on Mondays from
07:00; the hourly job sends each at most once per period (the outbox's ``dedupe_key``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from wijklab import clock
from wijklab.accounts.models import Role, User
from wijklab.accounts.tokens import OneTimeToken
from wijklab.activity.models import Delivery, Notification, NotificationPreference, OutboxMessage
from wijklab.activity.services import (
    KINDS,
    describe,
    locale_of,
    public_url,
    queue_mail,
    register_kind,
)
from wijklab.extensions import db

DIGEST_HOUR = 7  # digests go out from 07:00 Amsterdam time
BATCH = 200  # users handled per round of queries
OVERVIEW = "digest_overview"

# --- registries ----------------------------------------------------------------------------------

REMINDERS: list[Callable[[datetime], int]] = []


def register_reminder(fn: Callable[[datetime], int]) -> Callable[[datetime], int]:
    """Add a reminder job (``fn(now) -> number of notifications``); usable as a decorator."""
    if fn not in REMINDERS:
        REMINDERS.append(fn)
    return fn


@dataclass
class DigestItem:
    """One line of a digest section: a heading, detail lines, the page, an optional one-click
    link (secret: it appears in this mail only)."""

    heading: str
    details: list[str] = field(default_factory=list)
    link: str = ""
    action_url: str | None = None


@dataclass
class DigestSection:
    title: Any
    items: list[DigestItem] = field(default_factory=list)


SectionBuilder = Callable[[list[User], datetime], dict[int, DigestSection]]
SECTIONS: list[SectionBuilder] = []


def register_digest_section(fn: SectionBuilder) -> SectionBuilder:
    """Add a digest section builder; usable as a decorator."""
    if fn not in SECTIONS:
        SECTIONS.append(fn)
    return fn


# The overview of what waits for someone (the sections) is itself a choice on the preferences
# page: weekly by default, daily if they like, or off.
register_kind(
    OVERVIEW,
    _l("Overzicht van taken en leerdoelen die op je wachten."),
    label=_l("Overzicht van taken en leerdoelen die op je wachten"),
    roles={Role.SUPERVISOR},
    defaults={Role.SUPERVISOR: Delivery.WEEKLY},
)


# --- reminders -------------------------------------------------------------------------------


def run_reminders(now: datetime | None = None) -> int:
    """Run every registered reminder; returns how many notifications were made."""
    now = _local(now)
    return sum(fn(now) for fn in REMINDERS)


# --- digests ---------------------------------------------------------------------------------


def _local(now: datetime | None) -> datetime:
    if now is None:
        return clock.now()
    if now.tzinfo is None:
        raise ValueError("give an aware datetime")
    return now.astimezone(clock.AMSTERDAM)


def due_digests(now: datetime | None = None) -> list[Delivery]:
    """Which digests are due at ``now``: the daily one from 07:00, the weekly one on Monday
    from 07:00 (Amsterdam time)."""
    now = _local(now)
    if now.hour < DIGEST_HOUR:
        return []
    due = [Delivery.DAILY]
    if now.isoweekday() == 1:
        due.append(Delivery.WEEKLY)
    return due


def digest_key(delivery: Delivery, user_id: int, now: datetime) -> str:
    """The outbox key of one user's digest for the period that holds ``now``."""
    now = _local(now)
    if delivery == Delivery.WEEKLY:
        year, week, _day = now.isocalendar()
        return f"digest:weekly:{user_id}:{year}-{week}"
    return f"digest:daily:{user_id}:{now.date().isoformat()}"


def _kinds_by_delivery(user: User, chosen: dict[str, Delivery], delivery: Delivery) -> set[str]:
    kinds = set()
    for kind in KINDS.values():
        if user.role not in kind.roles:
            continue
        setting = chosen.get(kind.name, kind.default_for(user.role))
        if kind.name == OVERVIEW and setting == Delivery.IMMEDIATE:
            setting = Delivery.DAILY  # an overview cannot be immediate: the next morning
        if setting == delivery:
            kinds.add(kind.name)
    return kinds


def send_digests(now: datetime | None = None, *, force: Delivery | None = None) -> dict[str, int]:
    """Queue the digests due at ``now`` (or, with ``force``, that period's digest whatever the
    hour); returns the number of mails queued per period. Running it twice queues nothing twice."""
    now = _local(now)
    deliveries = [force] if force else due_digests(now)
    return {delivery.value: _send_period(delivery, now) for delivery in deliveries}


def _send_period(delivery: Delivery, now: datetime) -> int:
    sent = 0
    last_id = 0
    while True:
        users = list(
            db.session.scalars(
                select(User)
                .where(User.is_active.is_(True), User.id > last_id)
                .order_by(User.id)
                .limit(BATCH)
            ).unique()
        )
        if not users:
            return sent
        last_id = users[-1].id
        sent += _send_batch(users, delivery, now)


def _send_batch(users: list[User], delivery: Delivery, now: datetime) -> int:
    ids = [u.id for u in users]
    chosen: dict[int, dict[str, Delivery]] = {}
    for user_id, kind, setting in db.session.execute(
        select(
            NotificationPreference.user_id,
            NotificationPreference.kind,
            NotificationPreference.delivery,
        ).where(NotificationPreference.user_id.in_(ids))
    ):
        chosen.setdefault(user_id, {})[kind] = setting
    kinds = {u.id: _kinds_by_delivery(u, chosen.get(u.id, {}), delivery) for u in users}
    users = [u for u in users if kinds[u.id]]
    if not users:
        return 0
    keys = {u.id: digest_key(delivery, u.id, now) for u in users}
    done = set(
        db.session.scalars(
            select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(keys.values()))
        )
    )
    users = [u for u in users if keys[u.id] not in done]
    if not users:
        return 0
    notifications: dict[int, list[Notification]] = {}
    for notification in db.session.scalars(
        select(Notification)
        .where(
            Notification.user_id.in_([u.id for u in users]),
            Notification.mailed_at.is_(None),
        )
        .order_by(Notification.id)
    ):
        if notification.kind in kinds[notification.user_id]:
            notifications.setdefault(notification.user_id, []).append(notification)
    overview_users = [u for u in users if OVERVIEW in kinds[u.id]]
    sections: dict[int, list[DigestSection]] = {}
    if overview_users:
        # The builders issue one-click links; they are written together, in one statement.
        with db.session.no_autoflush:
            for builder in SECTIONS:
                for user_id, section in builder(overview_users, now).items():
                    if section.items:
                        sections.setdefault(user_id, []).append(section)
        _write_new_tokens()
    sent = 0
    mailed: list[int] = []
    with db.session.no_autoflush:
        for user in users:
            own = notifications.get(user.id, [])
            own_sections = sections.get(user.id, [])
            if not own and not own_sections:
                continue
            with force_locale(locale_of(user)):
                subject = (
                    _("Je weekoverzicht") if delivery == Delivery.WEEKLY else _("Je dagoverzicht")
                )
                lines = [(describe(n), public_url(n.link) if n.link else "") for n in own]
            message = queue_mail(
                user,
                kind=f"digest_{delivery.value}",
                subject=subject,
                template="mail/digest",
                dedupe_key=keys[user.id],
                weekly=delivery == Delivery.WEEKLY,
                notifications=lines,
                sections=own_sections,
            )
            if message is not None:
                sent += 1
                mailed.extend(n.id for n in own)
    if mailed:
        db.session.execute(
            update(Notification)
            .where(Notification.id.in_(mailed), Notification.mailed_at.is_(None))
            .values(mailed_at=clock.utcnow())
            .execution_options(synchronize_session=False)
        )
    db.session.flush()
    return sent


def _write_new_tokens() -> None:
    """Insert the links the section builders issued with one executemany: the ORM writes them
    one row at a time on SQLite, which would make the queries grow with the waiting work."""
    new = [row for row in db.session.new if isinstance(row, OneTimeToken)]
    if not new:
        return
    columns = [column.key for column in OneTimeToken.__table__.columns if column.key != "id"]
    values = [{name: getattr(row, name) for name in columns} for row in new]
    for row in new:
        db.session.expunge(row)
    db.session.execute(OneTimeToken.__table__.insert(), values)


# --- the hourly job --------------------------------------------------------------------------


def run_due_schedules(now: datetime | None = None) -> dict[str, Any]:
    """Reminders, then the digests that are due; returns the counts (the hourly job)."""
    now = _local(now)
    reminders = run_reminders(now)
    digests = send_digests(now)
    return {"reminders": reminders, "digests": digests}
