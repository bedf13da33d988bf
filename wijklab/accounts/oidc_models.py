"""Accounts at an institution's OpenID Connect provider, linked to Wijklab users."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijklab.clock import utcnow
from wijklab.extensions import db

PROVIDER_MAX = 40
SUBJECT_MAX = 255


class UserIdentity(db.Model):
    """A provider's account (its ``sub``) that logs in as one user; one per provider and subject.

    Made only after the user confirmed with their password (or by an admin), never from an
    e-mail address alone; the role always comes from the user, never from the provider."""

    __tablename__ = "user_identity"
    __table_args__ = (
        UniqueConstraint("provider", "subject", name="uq_user_identity_provider_subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(PROVIDER_MAX))
    subject: Mapped[str] = mapped_column(String(SUBJECT_MAX))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    user = relationship("User")

    def __repr__(self) -> str:
        return f"<UserIdentity {self.id} {self.provider} user={self.user_id}>"
