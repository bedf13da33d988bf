from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijklab.clock import utcnow
from wijklab.extensions import db

CODE_LENGTH = 16


class Statement(db.Model):
    """An issued practical-training statement of one student in one team: a frozen copy of what
    it said, an unguessable verification code, and the fingerprint of the data it was made
    from. A later edit or revocation changes that data, so the verification page calls the
    statement outdated; a statement is never edited or deleted."""

    __tablename__ = "statement"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(CODE_LENGTH), unique=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    issued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    fingerprint: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)

    student = relationship("User", foreign_keys=[student_id], lazy="joined")
    team = relationship("Team", lazy="joined")
    issued_by = relationship("User", foreign_keys=[issued_by_id])

    def __repr__(self) -> str:
        return f"<Statement {self.id} student={self.student_id} team={self.team_id}>"
