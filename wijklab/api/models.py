from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijklab import clock
from wijklab.extensions import db

NAME_MAX = 80
# The raw token starts with this, so a secret scanner (and a person) recognises a leaked one.
TOKEN_PREFIX = "wl_"  # noqa: S105  (a prefix, not a secret)
# The lifetimes the settings page offers, in days.
LIFETIMES = (30, 90, 365)


class TokenScope(enum.StrEnum):
    READ = "read"
    READ_WRITE = "read_write"


class PersonalAccessToken(db.Model):
    """A user's key to the JSON API: only the SHA-256 of the token is stored, it always
    expires, and it is revoked (``revoked_at``), never deleted, so the list keeps its history."""

    __tablename__ = "personal_access_token"
    # A user's own tokens, newest first: the settings page.
    __table_args__ = (db.Index("ix_personal_access_token_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[TokenScope] = mapped_column(
        Enum(
            TokenScope,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
            validate_strings=True,
        ),
        default=TokenScope.READ,
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.utcnow)
    expires_at: Mapped[dt.datetime]
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]

    user = relationship("User", lazy="joined")

    @property
    def is_expired(self) -> bool:
        return clock.utcnow() >= self.expires_at

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_usable(self) -> bool:
        return not self.is_revoked and not self.is_expired

    @property
    def can_write(self) -> bool:
        return self.scope == TokenScope.READ_WRITE

    def __repr__(self) -> str:
        return f"<PersonalAccessToken {self.id} user={self.user_id} {self.scope.value}>"
