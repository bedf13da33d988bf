from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijklab import clock
from wijklab.extensions import db


class AgendaFeed(db.Model):
    """A user's secret calendar link; only the SHA-256 of its token is stored. A user has at most
    one live (not revoked) link: making a new one revokes the old one."""

    __tablename__ = "agenda_feed"
    __table_args__ = (
        # One live link per user, also when two "new link" clicks arrive at once.
        Index(
            "uq_agenda_feed_live_user",
            "user_id",
            unique=True,
            sqlite_where=db.text("revoked_at IS NULL"),
            postgresql_where=db.text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.utcnow)
    revoked_at: Mapped[dt.datetime | None]
    # Kept to the hour: a calendar app fetches the feed every few minutes.
    last_used_at: Mapped[dt.datetime | None]

    user = relationship("User")

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None

    def __repr__(self) -> str:
        return f"<AgendaFeed {self.id} user={self.user_id} live={self.is_live}>"
