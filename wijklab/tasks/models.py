from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    CheckConstraint,
    Column,
    Enum,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijklab.clock import utcnow
from wijklab.database import TimestampMixin
from wijklab.extensions import db

TITLE_MAX = 160
DESCRIPTION_MAX = 4000
PARTNERS_MAX = 300
PLACE_MAX = 160
REFLECTION_MAX = 2000
REASON_MAX = 1000
NOTE_MAX = 2000
MAX_MINUTES = 16 * 60


def _enum(enum_class) -> Enum:
    return Enum(
        enum_class,
        native_enum=False,
        length=30,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class Category(enum.StrEnum):
    RESIDENTS_ACTIVITY = "residents_activity"
    NETWORK = "network"
    RESEARCH = "research"
    INFORMATION = "information"
    ORGANISATION = "organisation"
    INDIVIDUAL_SUPPORT = "individual_support"
    STUDY_ASSIGNMENT = "study_assignment"
    PEER_COACHING = "peer_coaching"
    OTHER = "other"

    @property
    def is_collective(self) -> bool:
        """Everything but client-oriented individual support counts as collective work."""
        return self != Category.INDIVIDUAL_SUPPORT


class TaskStatus(enum.StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    RETURNED = "returned"


class ParticipationRole(enum.StrEnum):
    LEAD = "lead"
    CO_ORGANISER = "co_organiser"
    SUPPORT = "support"


class Task(TimestampMixin, db.Model):
    """One piece of the team's work; each participant is credited with their own minutes.

    ``version`` is an optimistic lock: a save based on an older version is refused.
    """

    __tablename__ = "task"
    __table_args__ = (
        CheckConstraint("residents_reached >= 0", name="residents_not_negative"),
        # The team's tasks by date: the team's feed, the neighbourhood's activities, the
        # summaries' recount of a team's week.
        db.Index("ix_task_team_date", "team_id", "date", "id"),
        # A team's tasks of one status by date: the pending ones on the waiting list, read team
        # by team (SQLite without statistics would otherwise take the status index).
        db.Index("ix_task_team_status_date", "team_id", "status", "date", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    date: Mapped[dt.date] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[Category] = mapped_column(_enum(Category))
    residents_reached: Mapped[int] = mapped_column(default=0)
    partners_involved: Mapped[str] = mapped_column(String(PARTNERS_MAX), default="")
    # The street, place or group approached: the neighbourhood's activity list uses it to show
    # when different teams approach the same residents within a few weeks.
    place: Mapped[str] = mapped_column(String(PLACE_MAX), default="", server_default="")
    status: Mapped[TaskStatus] = mapped_column(
        _enum(TaskStatus), default=TaskStatus.PENDING, index=True
    )
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    verified_at: Mapped[dt.datetime | None]
    verified_on_behalf: Mapped[bool] = mapped_column(default=False)
    return_reason: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    team = relationship("Team")
    author = relationship("User", foreign_keys=[author_id], lazy="joined")
    verified_by = relationship("User", foreign_keys=[verified_by_id], lazy="joined")
    participations = relationship(
        "TaskParticipation",
        back_populates="task",
        cascade="all, delete-orphan",
        order_by="TaskParticipation.id",
        lazy="selectin",
    )
    events = relationship(
        "TaskEvent",
        back_populates="task",
        cascade="all, delete-orphan",
        order_by="TaskEvent.id",
    )

    @property
    def total_minutes(self) -> int:
        return sum(p.minutes for p in self.participations)


class TaskParticipation(db.Model):
    """A student's part in a task: their minutes, role and own reflection."""

    __tablename__ = "task_participation"
    __table_args__ = (
        UniqueConstraint("task_id", "student_id", name="uq_task_participation_task_student"),
        CheckConstraint(f"minutes BETWEEN 1 AND {MAX_MINUTES}", name="minutes_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    minutes: Mapped[int]
    role: Mapped[ParticipationRole] = mapped_column(
        _enum(ParticipationRole), default=ParticipationRole.SUPPORT
    )
    reflection: Mapped[str] = mapped_column(Text, default="")

    task = relationship("Task", back_populates="participations")
    student = relationship("User", lazy="joined")


class TaskEvent(db.Model):
    """One change in a task's life: who, when, from which status to which, and what changed."""

    __tablename__ = "task_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    details: Mapped[str] = mapped_column(Text, default="")

    task = relationship("Task", back_populates="events")
    actor = relationship("User", lazy="joined")


# The students who took part in a supervision session (sessions logged before this was kept
# have none): supervision per student on their hours page.
supervision_session_student = db.Table(
    "supervision_session_student",
    Column(
        "session_id",
        ForeignKey("supervision_session.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "student_id",
        ForeignKey("user.id", ondelete="RESTRICT"),
        primary_key=True,
        index=True,
    ),
)


class SupervisionSession(db.Model):
    """Time a supervisor spent supervising a team (the partners' scarcest resource)."""

    __tablename__ = "supervision_session"
    __table_args__ = (
        # The supervisor's own sessions by date: the supervisor's dashboard (this month).
        db.Index("ix_supervision_session_supervisor_date", "supervisor_id", "date"),
        CheckConstraint(f"minutes BETWEEN 1 AND {MAX_MINUTES}", name="minutes_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    date: Mapped[dt.date]
    minutes: Mapped[int]
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    supervisor = relationship("User", lazy="joined")
    students = relationship(
        "User",
        secondary=supervision_session_student,
        order_by="User.name",
        lazy="selectin",
    )


class SchoolVisit(db.Model):
    """A wijkdocent's visit to a team at work."""

    __tablename__ = "school_visit"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    visitor_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    date: Mapped[dt.date]
    present: Mapped[str] = mapped_column(String(PARTNERS_MAX), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    visitor = relationship("User", lazy="joined")


# --- summaries (kept by tasks/summaries.py in the same transaction as every change) ------------


class HoursSummary(db.Model):
    """Minutes per team, student, week (its Monday), category and task status: what the
    dashboards, the team page and the hours pages sum instead of every participation. Never
    written by hand: ``tasks/summaries.py`` recomputes a team's changed weeks after each flush."""

    __tablename__ = "hours_summary"
    __table_args__ = (db.Index("ix_hours_summary_student_week", "student_id", "week"),)

    team_id: Mapped[int] = mapped_column(
        ForeignKey("team.id", ondelete="CASCADE"), primary_key=True
    )
    week: Mapped[dt.date] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    category: Mapped[Category] = mapped_column(_enum(Category), primary_key=True)
    status: Mapped[TaskStatus] = mapped_column(_enum(TaskStatus), primary_key=True)
    minutes: Mapped[int]
    participations: Mapped[int]


class TaskSummary(db.Model):
    """Tasks, residents reached and minutes per team, week (its Monday), category and status:
    the neighbourhood figures and the wijkdocent's team overview read these rows."""

    __tablename__ = "task_summary"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("team.id", ondelete="CASCADE"), primary_key=True
    )
    week: Mapped[dt.date] = mapped_column(primary_key=True)
    category: Mapped[Category] = mapped_column(_enum(Category), primary_key=True)
    status: Mapped[TaskStatus] = mapped_column(_enum(TaskStatus), primary_key=True)
    tasks: Mapped[int]
    residents_reached: Mapped[int]
    minutes: Mapped[int]
