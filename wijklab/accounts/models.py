from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijklab.clock import utcnow
from wijklab.database import ChoiceSet
from wijklab.extensions import db
from wijklab.organisations.models import LEVELS, STUDY_YEARS

EMAIL_MAX = 254
NAME_MAX = 120
PROGRAMME_MAX = 160
CREBO_MAX = 5
JOB_TITLE_MAX = 120
STUDENT_NUMBER_MAX = 32
COHORT_MAX = 40
WEEKDAYS = (0, 1, 2, 3, 4, 5, 6)  # Monday is 0, as in datetime.date.weekday()


def _str_enum(enum_class: type[enum.StrEnum]) -> Enum:
    return Enum(
        enum_class,
        native_enum=False,
        length=20,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class Role(enum.StrEnum):
    ADMIN = "admin"
    WIJKDOCENT = "wijkdocent"
    STUDENT = "student"
    SUPERVISOR = "supervisor"


class Level(enum.StrEnum):
    MBO = "mbo"
    HBO = "hbo"


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
    """A person who signs in; e-mail unique and lower-case; deactivated, never deleted.

    ``session_token`` is part of every session and remember-me cookie: replacing it (logout,
    deactivation, a password change) ends every session made before.
    """

    __tablename__ = "user"
    # Lists of people by name, a page at a time: all users, and one role's (the users page's
    # filter, the team's member search).
    __table_args__ = (
        db.Index("ix_user_name", "name", "id"),
        db.Index("ix_user_role_name", "role", "name", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(_str_enum(Role))
    is_active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(5))
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    last_login_at: Mapped[datetime | None]
    # Set when the person's data was erased (by an admin or by retention): the row stays, under
    # a pseudonym, so kept records still add up.
    anonymised_at: Mapped[datetime | None]

    # A user is nearly always shown with their profile: join it in the same query.
    student_profile: Mapped[StudentProfile | None] = relationship(
        back_populates="user", uselist=False, cascade="all, delete-orphan", lazy="joined"
    )
    supervisor_profile: Mapped[SupervisorProfile | None] = relationship(
        back_populates="user", uselist=False, cascade="all, delete-orphan", lazy="joined"
    )

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def end_all_sessions(self) -> None:
        """Invalidate every session and remember-me cookie issued before now."""
        self.session_token = new_session_token()

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role.value}>"


class StudentProfile(db.Model):
    """A student's level, school, year and availability; crebo only for mbo students."""

    __tablename__ = "student_profile"
    __table_args__ = (
        CheckConstraint("study_year BETWEEN 1 AND 4", name="study_year_range"),
        CheckConstraint("hours_per_week BETWEEN 0 AND 40", name="hours_per_week_range"),
        CheckConstraint("agreed_bpv_hours BETWEEN 0 AND 2000", name="agreed_bpv_hours_range"),
        UniqueConstraint("school_id", "student_number", name="uq_student_profile_school_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    level: Mapped[Level] = mapped_column(_str_enum(Level))
    school_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    programme: Mapped[str] = mapped_column(String(PROGRAMME_MAX), default="")
    study_year: Mapped[int] = mapped_column(default=1)
    crebo: Mapped[str | None] = mapped_column(String(CREBO_MAX))
    available_weekdays: Mapped[frozenset[int]] = mapped_column(
        ChoiceSet(WEEKDAYS), default=frozenset()
    )
    hours_per_week: Mapped[int] = mapped_column(default=0)
    agreed_bpv_hours: Mapped[int] = mapped_column(default=0)
    # The school's own number for the student: the key of the import, unique within a school.
    student_number: Mapped[str | None] = mapped_column(String(STUDENT_NUMBER_MAX))
    cohort: Mapped[str | None] = mapped_column(String(COHORT_MAX))
    # The student's own answers: would like to be a peer coach, and when they last confirmed
    # their days and hours (None: never, the import's values stand).
    wants_peer_coach: Mapped[bool] = mapped_column(default=False, server_default=db.false())
    availability_set_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="student_profile")
    school = relationship("Organisation", lazy="joined")


class SupervisorProfile(db.Model):
    """A werkbegeleider's partner organisation, job title and declared supervision hours a week."""

    __tablename__ = "supervisor_profile"
    __table_args__ = (
        CheckConstraint(
            "supervision_hours_per_week BETWEEN 0 AND 40", name="supervision_hours_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    job_title: Mapped[str] = mapped_column(String(JOB_TITLE_MAX), default="")
    supervision_hours_per_week: Mapped[int] = mapped_column(default=0)

    user: Mapped[User] = relationship(back_populates="supervisor_profile")
    organisation = relationship("Organisation", lazy="joined")


__all__ = ["LEVELS", "STUDY_YEARS", "Level", "Role", "StudentProfile", "SupervisorProfile", "User"]
