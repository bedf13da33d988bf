"""Making, revoking and finding a user's secret calendar link. The raw token exists only in the
response that shows it once; the database keeps its SHA-256."""

from __future__ import annotations

import datetime as dt
import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update
from sqlalchemy.orm import joinedload

from wijklab import clock
from wijklab.accounts.tokens import hash_token
from wijklab.activity.services import record, register_actions
from wijklab.agenda.models import AgendaFeed
from wijklab.extensions import db

# 32 bytes = 256 bits; token_urlsafe gives 43 characters.
TOKEN_BYTES = 32
TOKEN_MAX = 64
# A feed is fetched every few minutes by a calendar app: note its use at most once an hour.
USE_RESOLUTION = dt.timedelta(hours=1)

register_actions(
    {
        "agenda.link_created": _l("Agenda-link gemaakt"),
        "agenda.link_revoked": _l("Agenda-link ingetrokken"),
    }
)


def live_feed(user) -> AgendaFeed | None:
    """The user's current (not revoked) link, or None."""
    return db.session.scalar(
        select(AgendaFeed).where(AgendaFeed.user_id == user.id, AgendaFeed.revoked_at.is_(None))
    )


def issue_feed(user) -> tuple[AgendaFeed, str]:
    """A new link for ``user``, replacing (revoking) the old one; returns the row and the raw
    token, which is shown once and never stored."""
    now = clock.utcnow()
    old = live_feed(user)
    if old is not None:
        old.revoked_at = now
        # Revoked before the new row goes in: the database allows one live link per user.
        db.session.flush()
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    feed = AgendaFeed(user_id=user.id, token_hash=hash_token(raw), created_at=now)
    db.session.add(feed)
    db.session.flush()
    record(user, "agenda.link_created", feed, replaced=old is not None)
    return feed, raw


def revoke_feed(user) -> bool:
    """Revoke the user's live link; False when there was none."""
    feed = live_feed(user)
    if feed is None:
        return False
    feed.revoked_at = clock.utcnow()
    db.session.flush()
    record(user, "agenda.link_revoked", feed)
    return True


def find_feed(raw: str | None) -> AgendaFeed | None:
    """The live link of an active user for a raw token, else None (unknown, malformed, revoked
    and deactivated look the same). Compared by hash: the raw token is never looked up."""
    if not raw or len(raw) > TOKEN_MAX:
        return None
    feed = db.session.scalar(
        select(AgendaFeed)
        .options(joinedload(AgendaFeed.user))
        .where(AgendaFeed.token_hash == hash_token(raw), AgendaFeed.revoked_at.is_(None))
    )
    if feed is None or not feed.user.is_active:
        return None
    return feed


def note_use(feed: AgendaFeed) -> bool:
    """Set ``last_used_at`` if it is unset or older than an hour; True when it wrote. One
    conditional UPDATE, so simultaneous fetches write once."""
    now = clock.utcnow()
    if feed.last_used_at is not None and now - feed.last_used_at < USE_RESOLUTION:
        return False
    result = db.session.execute(
        update(AgendaFeed)
        .where(
            AgendaFeed.id == feed.id,
            or_(
                AgendaFeed.last_used_at.is_(None),
                AgendaFeed.last_used_at <= now - USE_RESOLUTION,
            ),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
