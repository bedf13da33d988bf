from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijklab.database import TimestampMixin
from wijklab.extensions import db

NAME_MAX = 80
HANDOVER_MAX = 8000


class MemberRole(enum.StrEnum):
    MEMBER = "member"
    PEER_COACH = "peer_coach"


class Team(TimestampMixin, db.Model):
    """A team in a project, with one fixed supervisor from the project's partner organisation."""

    __tablename__ = "team"
    __table_args__ = (
        UniqueConstraint("project_id", "name", name="uq_team_project_name"),
        CheckConstraint("end_date >= start_date", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    supervisor_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="RESTRICT"), index=True
    )
    start_date: Mapped[date]
    end_date: Mapped[date]
    handover_note: Mapped[str] = mapped_column(Text, default="")
    handover_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    handover_at: Mapped[datetime | None]

    project = relationship("Project", back_populates="teams")
    # Teams are shown with their supervisor and members: load them with the team, in batches.
    supervisor = relationship("User", foreign_keys=[supervisor_id], lazy="joined")
    handover_by = relationship("User", foreign_keys=[handover_by_id])
    memberships = relationship(
        "TeamMembership",
        back_populates="team",
        cascade="all, delete-orphan",
        order_by="TeamMembership.id",
        lazy="selectin",
    )

    @property
    def label(self) -> str:
        """The team with its project ("Dinsdagteam · Samen aan tafel"), for every place a team
        stands alone: many teams are called "Team 1". Load ``Team.project`` with the team."""
        return f"{self.name} · {self.project.title}"

    def membership_of(self, student) -> TeamMembership | None:
        """The student's membership of this team, current or former, or None."""
        return next((m for m in self.memberships if m.student_id == student.id), None)

    @property
    def current_memberships(self) -> list[TeamMembership]:
        return [m for m in self.memberships if m.left_on is None]

    def __repr__(self) -> str:
        return f"<Team {self.id} {self.name!r}>"


class TeamMembership(db.Model):
    """A student in a team, as member or peer coach; leaving sets ``left_on``, never deletes."""

    __tablename__ = "team_membership"
    __table_args__ = (
        UniqueConstraint("team_id", "student_id", name="uq_team_membership_team_student"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    role: Mapped[MemberRole] = mapped_column(
        Enum(
            MemberRole,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
            validate_strings=True,
        ),
        default=MemberRole.MEMBER,
    )
    joined_on: Mapped[date]
    left_on: Mapped[date | None]

    team = relationship("Team", back_populates="memberships")
    student = relationship("User", lazy="joined")

    @property
    def is_current(self) -> bool:
        return self.left_on is None
