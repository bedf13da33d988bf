"""One-time links: password reset, invitation, and the supervisor's one-click review.

The link carries 256 random bits; only their SHA-256 is stored, with the purpose, the user it
was made for, the object and version it concerns, and an expiry. Using a token is one
conditional UPDATE (``used_at IS NULL``), so of simultaneous uses exactly one wins.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import secrets

from sqlalchemy import Enum, ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijklab import clock
from wijklab.extensions import db

# 32 bytes = 256 bits; token_urlsafe gives 43 characters.
TOKEN_BYTES = 32
TOKEN_MAX = 64


class Purpose(enum.StrEnum):
    PASSWORD_RESET = "password_reset"  # noqa: S105  (a purpose, not a password)
    INVITATION = "invitation"
    REVIEW = "review"
    LOGIN_LINK = "login_link"


LIFETIMES = {
    Purpose.PASSWORD_RESET: dt.timedelta(hours=2),
    Purpose.INVITATION: dt.timedelta(days=14),
    Purpose.REVIEW: dt.timedelta(days=14),
    # Sent after too many login attempts on one account, to the owner who typed the password.
    Purpose.LOGIN_LINK: dt.timedelta(minutes=15),
}


class OneTimeToken(db.Model):
    """A one-time link for one user and purpose; only the hash of the link is stored."""

    __tablename__ = "one_time_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[Purpose] = mapped_column(
        Enum(Purpose, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[int | None]
    version: Mapped[int | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.utcnow)
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]

    user = relationship("User", lazy="joined")

    @property
    def is_expired(self) -> bool:
        return clock.utcnow() >= self.expires_at


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest()


def issue_token(
    user,
    purpose: Purpose,
    *,
    object_type: str | None = None,
    object_id: int | None = None,
    version: int | None = None,
) -> str:
    """A new link for ``user``; returns the raw token (shown once, in the link, never stored)."""
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    db.session.add(
        OneTimeToken(
            token_hash=hash_token(raw),
            purpose=purpose,
            user_id=user if isinstance(user, int) else user.id,
            object_type=object_type,
            object_id=object_id,
            version=version,
            created_at=clock.utcnow(),
            expires_at=clock.utcnow() + LIFETIMES[purpose],
        )
    )
    return raw


def find_token(raw: str | None, purpose: Purpose) -> OneTimeToken | None:
    """The stored token for a raw link, or None for an unknown, malformed or foreign one."""
    if not raw or len(raw) > TOKEN_MAX:
        return None
    return db.session.scalar(
        select(OneTimeToken).where(
            OneTimeToken.token_hash == hash_token(raw), OneTimeToken.purpose == purpose
        )
    )


def use_token(token: OneTimeToken) -> bool:
    """Mark the token used; False when another request used it first (or it has expired)."""
    now = clock.utcnow()
    result = db.session.execute(
        update(OneTimeToken)
        .where(
            OneTimeToken.id == token.id,
            OneTimeToken.used_at.is_(None),
            OneTimeToken.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    token.used_at = now
    return True


def retire_tokens(user_id: int, purpose: Purpose) -> None:
    """End every open link of one purpose for a user (a new reset link replaces the old one)."""
    db.session.execute(
        update(OneTimeToken)
        .where(
            OneTimeToken.user_id == user_id,
            OneTimeToken.purpose == purpose,
            OneTimeToken.used_at.is_(None),
        )
        .values(used_at=clock.utcnow())
        .execution_options(synchronize_session=False)
    )
