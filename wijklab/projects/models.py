from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijklab.clock import utcnow
from wijklab.database import ChoiceSet, TimestampMixin
from wijklab.extensions import db

TITLE_MAX = 160
TEXT_MAX = 8000
WEEKDAYS = (0, 1, 2, 3, 4, 5, 6)


class ProjectStatus(enum.StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    COMPLETED = "completed"
    ARCHIVED = "archived"


# The only moves a project's status makes: draft → active → completed → archived.
NEXT_STATUS = {
    ProjectStatus.DRAFT: ProjectStatus.ACTIVE,
    ProjectStatus.ACTIVE: ProjectStatus.COMPLETED,
    ProjectStatus.COMPLETED: ProjectStatus.ARCHIVED,
}


class Project(TimestampMixin, db.Model):
    """A neighbourhood project of one wijkdocent with one partner organisation."""

    __tablename__ = "project"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="dates_in_order"),
        CheckConstraint("min_mbo >= 0 AND min_hbo >= 0", name="minimums_not_negative"),
        CheckConstraint("max_size BETWEEN 1 AND 30", name="max_size_range"),
        CheckConstraint("min_mbo + min_hbo <= max_size", name="minimums_fit"),
        CheckConstraint("hours_per_week BETWEEN 0 AND 40", name="hours_per_week_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    neighbourhood_id: Mapped[int] = mapped_column(
        ForeignKey("neighbourhood.id", ondelete="RESTRICT"), index=True
    )
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    # The school whose students may read the brief before placement; empty: every school.
    school_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    summary: Mapped[str] = mapped_column(Text, default="")
    aims: Mapped[str] = mapped_column(Text, default="")
    expectations: Mapped[str] = mapped_column(Text, default="")
    supervision: Mapped[str] = mapped_column(Text, default="")
    hours_per_week: Mapped[int] = mapped_column(default=8)
    start_date: Mapped[date]
    end_date: Mapped[date]
    status: Mapped[ProjectStatus] = mapped_column(
        Enum(
            ProjectStatus,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
            validate_strings=True,
        ),
        default=ProjectStatus.DRAFT,
        index=True,
    )
    weekdays: Mapped[frozenset[int]] = mapped_column(ChoiceSet(WEEKDAYS), default=frozenset())
    min_mbo: Mapped[int] = mapped_column(default=1)
    min_hbo: Mapped[int] = mapped_column(default=1)
    max_size: Mapped[int] = mapped_column(default=8)
    # Students ask their team's peer coach for feedback before they ask for a review.
    peer_feedback_first: Mapped[bool] = mapped_column(default=False, server_default=db.false())

    neighbourhood = relationship("Neighbourhood")
    partner = relationship("Organisation", foreign_keys=[partner_id])
    school = relationship("Organisation", foreign_keys=[school_id])
    owner = relationship("User")
    teams = relationship(
        "Team", back_populates="project", order_by="Team.name", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        """Draft and active projects take new teams and members; completed ones do not."""
        return self.status in (ProjectStatus.DRAFT, ProjectStatus.ACTIVE)

    def __repr__(self) -> str:
        return f"<Project {self.id} {self.title!r} {self.status.value}>"


WISH_RANKS = (1, 2, 3)
MOTIVATION_MAX = 500


class ProjectWish(db.Model):
    """One of a student's (at most three) wishes for a project open to them, ranked 1 to 3,
    with a short motivation: the preference survey the team builder tries to meet."""

    __tablename__ = "project_wish"
    __table_args__ = (
        db.UniqueConstraint("student_id", "rank", name="uq_project_wish_student_rank"),
        db.UniqueConstraint("student_id", "project_id", name="uq_project_wish_student_project"),
        CheckConstraint("rank BETWEEN 1 AND 3", name="rank_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    rank: Mapped[int]
    motivation: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    project = relationship("Project")

    def __repr__(self) -> str:
        return f"<ProjectWish student={self.student_id} project={self.project_id} #{self.rank}>"
