from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijklab.clock import utcnow
from wijklab.database import TimestampMixin
from wijklab.extensions import db

FRAMEWORK_MAX = 60
CODE_MAX = 40
TITLE_MAX = 300


class FrameworkItemKind(enum.StrEnum):
    CORE_TASK = "core_task"
    WORK_PROCESS = "work_process"
    COMPETENCE = "competence"


class FrameworkItem(TimestampMixin, db.Model):
    """One item of a qualification framework (a core task, work process or competence); its code
    is unique within the framework, and an item that left the framework is made inactive, never
    deleted, because learning goals may refer to it."""

    __tablename__ = "framework_item"
    __table_args__ = (
        UniqueConstraint("framework", "code", name="uq_framework_item_framework_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    framework: Mapped[str] = mapped_column(String(FRAMEWORK_MAX))
    code: Mapped[str] = mapped_column(String(CODE_MAX))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    kind: Mapped[FrameworkItemKind] = mapped_column(
        Enum(
            FrameworkItemKind,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
            validate_strings=True,
        )
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("framework_item.id", ondelete="RESTRICT"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    # The title is our paraphrase, not the official text of the framework.
    is_own_wording: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)

    parent: Mapped[FrameworkItem | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[FrameworkItem]] = relationship(
        back_populates="parent", order_by="FrameworkItem.position"
    )

    @property
    def label(self) -> str:
        return f"{self.code} {self.title}"

    def __repr__(self) -> str:
        return f"<FrameworkItem {self.id} {self.framework}:{self.code}>"


TEXT_MAX = 4000
GOAL_TITLE_MAX = 200
COMMENT_MAX = 4000
STATEMENT_MAX = 2000


def _str_enum(enum_class) -> Enum:
    return Enum(
        enum_class,
        native_enum=False,
        length=20,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class GoalStatus(enum.StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    REVIEW_REQUESTED = "review_requested"
    SIGNED_OFF = "signed_off"


class Rating(enum.IntEnum):
    """The five-step feedback scale; the Dutch labels live in goals/forms.py."""

    NOT_YET_VISIBLE = 1
    DEVELOPING = 2
    VISIBLE_WITH_GUIDANCE = 3
    INDEPENDENTLY_VISIBLE = 4
    EXAMPLE_FOR_OTHERS = 5


goal_framework_item = db.Table(
    "goal_framework_item",
    db.Column(
        "goal_id",
        db.ForeignKey("learning_goal.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    db.Column(
        "framework_item_id",
        db.ForeignKey("framework_item.id", ondelete="RESTRICT"),
        primary_key=True,
    ),
)


class LearningGoal(TimestampMixin, db.Model):
    """A student's learning goal in one team, against framework items; ``version`` is an
    optimistic lock, so concurrent changes are refused rather than merged."""

    __tablename__ = "learning_goal"
    # A team's goals by status: the review list, the dashboards' signals.
    __table_args__ = (db.Index("ix_learning_goal_team_status", "team_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    # Indexed with the status (ix_learning_goal_team_status).
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(GOAL_TITLE_MAX))
    description: Mapped[str] = mapped_column(db.Text, default="")
    success_criteria: Mapped[str] = mapped_column(db.Text, default="")
    target_date: Mapped[dt.date | None]
    status: Mapped[GoalStatus] = mapped_column(
        _str_enum(GoalStatus), default=GoalStatus.DRAFT, index=True
    )
    version: Mapped[int] = mapped_column(default=1)
    # When the student last asked the team's peer coach for feedback (None: never asked).
    peer_feedback_requested_at: Mapped[dt.datetime | None]

    __mapper_args__ = {"version_id_col": version}

    student = relationship("User", lazy="joined")
    team = relationship("Team")
    framework_items: Mapped[list[FrameworkItem]] = relationship(
        secondary=goal_framework_item, order_by="FrameworkItem.code", lazy="selectin"
    )
    evidence = relationship(
        "GoalEvidence",
        back_populates="goal",
        cascade="all, delete-orphan",
        order_by="GoalEvidence.id",
    )
    feedback = relationship("Feedback", back_populates="goal", order_by="Feedback.id")
    sign_offs = relationship("SignOff", back_populates="goal", order_by="SignOff.id")


class GoalEvidence(db.Model):
    """A student's own task participation linked to their goal, with a short note."""

    __tablename__ = "goal_evidence"
    __table_args__ = (
        UniqueConstraint("goal_id", "participation_id", name="uq_goal_evidence_goal_participation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(
        ForeignKey("learning_goal.id", ondelete="CASCADE"), index=True
    )
    participation_id: Mapped[int] = mapped_column(
        ForeignKey("task_participation.id", ondelete="RESTRICT"), index=True
    )
    note: Mapped[str] = mapped_column(db.Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    goal = relationship("LearningGoal", back_populates="evidence")
    participation = relationship("TaskParticipation", lazy="joined")


class Feedback(db.Model):
    """Append-only feedback on a goal: the author, their role at that moment, an optional rating
    and a comment. Nothing is edited or deleted; a correction is a new entry."""

    __tablename__ = "feedback"
    __table_args__ = (
        db.CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(
        ForeignKey("learning_goal.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    author_role: Mapped[str] = mapped_column(String(20))
    rating: Mapped[int | None]
    comment: Mapped[str] = mapped_column(db.Text)
    in_reply_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("feedback.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    goal = relationship("LearningGoal", back_populates="feedback")
    author = relationship("User", lazy="joined")


class SignOff(db.Model):
    """The supervisor's sign-off of a goal; a revocation keeps the row, with who, when and why."""

    __tablename__ = "sign_off"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(
        ForeignKey("learning_goal.id", ondelete="CASCADE"), index=True
    )
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    signed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    statement: Mapped[str] = mapped_column(db.Text)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    revoked_at: Mapped[dt.datetime | None]
    revoke_reason: Mapped[str] = mapped_column(db.Text, default="")

    goal = relationship("LearningGoal", back_populates="sign_offs")
    signed_by = relationship("User", foreign_keys=[signed_by_id], lazy="joined")
    revoked_by = relationship("User", foreign_keys=[revoked_by_id], lazy="joined")


class GoalSummary(db.Model):
    """Learning goals per team and status, recomputed by ``goals/summaries.py`` after every
    flush that adds, moves or changes a goal: the dashboards count from here."""

    __tablename__ = "goal_summary"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("team.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[GoalStatus] = mapped_column(_str_enum(GoalStatus), primary_key=True)
    goals: Mapped[int]
