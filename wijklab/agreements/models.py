from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijklab.accounts.models import WEEKDAYS
from wijklab.clock import utcnow
from wijklab.database import ChoiceSet
from wijklab.extensions import db

HOURS_MAX = 40
BPV_HOURS_MAX = 2000
FOCUS_MAX = 200  # one learning focus, one line
FOCUSES_MIN, FOCUSES_MAX = 2, 3
SUPERVISION_FORM_MAX = 200
SUPERVISION_FREQUENCY_MAX = 100
BACKUP_CONTACT_MAX = 200


class Party(enum.StrEnum):
    """The three who accept a start agreement (the driegesprek)."""

    STUDENT = "student"
    SUPERVISOR = "supervisor"
    WIJKDOCENT = "wijkdocent"


class StartAgreement(db.Model):
    """The start agreement of one student in one team: a snapshot of the project brief and the
    student's own part. ``version`` goes up on every change; ``accepted_at`` is set once all
    three parties accepted the current version, and ``accepted_content`` keeps what they
    accepted, so a later change shows what changed."""

    __tablename__ = "start_agreement"
    __table_args__ = (
        UniqueConstraint("team_id", "student_id", name="uq_start_agreement_team_student"),
        CheckConstraint("hours_per_week BETWEEN 0 AND 40", name="hours_per_week_range"),
        CheckConstraint("agreed_bpv_hours BETWEEN 0 AND 2000", name="agreed_bpv_hours_range"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    weekdays: Mapped[frozenset[int]] = mapped_column(ChoiceSet(WEEKDAYS), default=frozenset())
    hours_per_week: Mapped[int] = mapped_column(default=0)
    agreed_bpv_hours: Mapped[int] = mapped_column(default=0)
    learning_focuses: Mapped[str] = mapped_column(Text, default="")
    supervision_form: Mapped[str] = mapped_column(String(SUPERVISION_FORM_MAX), default="")
    supervision_frequency: Mapped[str] = mapped_column(
        String(SUPERVISION_FREQUENCY_MAX), default=""
    )
    backup_contact: Mapped[str] = mapped_column(String(BACKUP_CONTACT_MAX), default="")
    brief: Mapped[str] = mapped_column(Text, default="{}")
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    accepted_at: Mapped[dt.datetime | None]
    accepted_content: Mapped[str | None] = mapped_column(Text)

    # The service sets the version itself (a change raises it, an acceptance does not); every
    # UPDATE still checks the version it read, so a change and a last acceptance at the same
    # moment cannot both land.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    team = relationship("Team", lazy="joined")
    student = relationship("User", foreign_keys=[student_id], lazy="joined")
    updated_by = relationship("User", foreign_keys=[updated_by_id])
    acceptances = relationship(
        "AgreementAcceptance",
        back_populates="agreement",
        cascade="all, delete-orphan",
        order_by="AgreementAcceptance.accepted_at",
        lazy="selectin",
    )

    def __repr__(self) -> str:
        return f"<StartAgreement {self.id} team={self.team_id} student={self.student_id}>"


class AgreementAcceptance(db.Model):
    """One party's acceptance of one version of a start agreement: who and when."""

    __tablename__ = "agreement_acceptance"
    __table_args__ = (
        UniqueConstraint(
            "agreement_id", "version", "party", name="uq_agreement_acceptance_agreement_id"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("start_agreement.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int]
    party: Mapped[Party] = mapped_column(
        Enum(
            Party,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
            validate_strings=True,
        )
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    accepted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    agreement = relationship("StartAgreement", back_populates="acceptances")
    user = relationship("User", lazy="joined")
