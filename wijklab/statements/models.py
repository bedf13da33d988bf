from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijklab.clock import utcnow
from wijklab.extensions import db

CODE_LENGTH = 16
NOTE_MAX = 1000
REASON_MAX = 1000


class RequestStatus(enum.StrEnum):
    PENDING = "pending"
    ISSUED = "issued"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"


class StatementRequest(db.Model):
    """A student's request for a practical-training statement as of a cut-off date: the team's
    supervisor confirms the practical part, then the project's wijkdocent issues it (or either
    returns it with a reason). One pending request per student and team, enforced by a partial
    unique index so two quick clicks cannot make two."""

    __tablename__ = "statement_request"
    __table_args__ = (
        Index(
            "uq_statement_request_pending",
            "team_id",
            "student_id",
            unique=True,
            sqlite_where=db.text("status = 'pending'"),
            postgresql_where=db.text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    cutoff_date: Mapped[dt.date]
    note: Mapped[str] = mapped_column(Text, default="")
    requested_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    status: Mapped[RequestStatus] = mapped_column(
        Enum(
            RequestStatus,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
            validate_strings=True,
        ),
        default=RequestStatus.PENDING,
    )
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    confirmed_at: Mapped[dt.datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime | None]
    return_reason: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    student = relationship("User", foreign_keys=[student_id], lazy="joined")
    team = relationship("Team", lazy="joined")
    confirmed_by = relationship("User", foreign_keys=[confirmed_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<StatementRequest {self.id} {self.status.value} student={self.student_id}>"


class Statement(db.Model):
    """An issued practical-training statement of one student in one team as of a cut-off date:
    a frozen copy of what it says, an unguessable verification code, the SHA-256 fingerprint of
    that frozen content (printed on the PDF), and the basis it counted (the task participations
    and sign-offs), so verification can tell when something it counted was withdrawn. A
    statement is never edited or deleted; a newer one supersedes it."""

    __tablename__ = "statement"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(CODE_LENGTH), unique=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    issued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    fingerprint: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    # Statements issued before requests existed have none of the columns below.
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("statement_request.id", ondelete="SET NULL")
    )
    cutoff_date: Mapped[dt.date | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    confirmed_at: Mapped[dt.datetime | None]
    basis: Mapped[str | None] = mapped_column(Text)

    student = relationship("User", foreign_keys=[student_id], lazy="joined")
    team = relationship("Team", lazy="joined")
    issued_by = relationship("User", foreign_keys=[issued_by_id])
    confirmed_by = relationship("User", foreign_keys=[confirmed_by_id])

    def __repr__(self) -> str:
        return f"<Statement {self.id} student={self.student_id} team={self.team_id}>"
