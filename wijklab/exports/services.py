"""The rows of the exports, scoped in SQL by the same rules as the pages and streamed from
the database in batches, so an export of 100,000 rows never holds them all."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import aliased

from wijklab.accounts.forms import LEVEL_LABELS
from wijklab.accounts.models import Level, StudentProfile, User
from wijklab.exports.permissions import export_scope
from wijklab.exports.writers import Column
from wijklab.extensions import db
from wijklab.goals.forms import RATING_LABELS
from wijklab.goals.forms import STATUS_LABELS as GOAL_STATUS_LABELS
from wijklab.goals.models import (
    Feedback,
    FrameworkItem,
    GoalStatus,
    LearningGoal,
    SignOff,
    goal_framework_item,
)
from wijklab.projects.models import Project
from wijklab.tasks.forms import CATEGORY_LABELS
from wijklab.tasks.forms import ROLE_LABELS as PARTICIPATION_ROLE_LABELS
from wijklab.tasks.models import Category, ParticipationRole, Task, TaskParticipation, TaskStatus
from wijklab.teams.models import Team

BATCH = 1000


@dataclass
class ExportFilter:
    project_id: int | None = None
    team_id: int | None = None
    student_id: int | None = None
    start: date | None = None
    end: date | None = None


def _task_status_label(status: TaskStatus) -> str:
    return {
        TaskStatus.PENDING: _("wacht op controle"),
        TaskStatus.VERIFIED: _("goedgekeurd"),
        TaskStatus.RETURNED: _("teruggegeven"),
    }[TaskStatus(status)]


def participation_columns() -> list[Column]:
    return [
        Column("student", _("Student"), width=28),
        Column("student_number", _("Studentnummer"), width=14),
        Column("level", _("Niveau"), width=8),
        Column("project", _("Project"), width=30),
        Column("team", _("Team"), width=20),
        Column("date", _("Datum"), "date"),
        Column("task", _("Taak"), width=40),
        Column("category", _("Soort werk"), width=30),
        Column("role", _("Rol"), width=16),
        Column("minutes", _("Minuten"), "int"),
        Column("hours", _("Uren"), "decimal"),
        Column("status", _("Status"), width=18),
        Column("verified_by", _("Goedgekeurd door"), width=28),
        Column("verified_at", _("Goedgekeurd op"), "datetime"),
        Column("on_behalf", _("Namens de werkbegeleider"), width=12),
        Column("reflection", _("Reflectie"), width=60),
    ]


def participation_query(user, filters: ExportFilter) -> Select:
    """One row per participant per task, oldest first, scoped and filtered."""
    verifier = aliased(User)
    query = (
        select(
            User.name,
            StudentProfile.student_number,
            StudentProfile.level,
            Project.title,
            Team.name,
            Task.date,
            Task.title,
            Task.category,
            TaskParticipation.role,
            TaskParticipation.minutes,
            Task.status,
            verifier.name,
            Task.verified_at,
            Task.verified_on_behalf,
            TaskParticipation.reflection,
        )
        .select_from(TaskParticipation)
        .join(Task, Task.id == TaskParticipation.task_id)
        .join(Team, Team.id == Task.team_id)
        .join(Project, Project.id == Team.project_id)
        .join(User, User.id == TaskParticipation.student_id)
        .outerjoin(StudentProfile, StudentProfile.user_id == User.id)
        .outerjoin(verifier, verifier.id == Task.verified_by_id)
        .where(export_scope(user, TaskParticipation.student_id))
        .order_by(Task.date, Task.id, TaskParticipation.id)
    )
    if filters.project_id:
        query = query.where(Project.id == filters.project_id)
    if filters.team_id:
        query = query.where(Team.id == filters.team_id)
    if filters.student_id:
        query = query.where(TaskParticipation.student_id == filters.student_id)
    if filters.start:
        query = query.where(Task.date >= filters.start)
    if filters.end:
        query = query.where(Task.date <= filters.end)
    return query


def count_rows(query: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def participation_rows(query: Select) -> Iterator[tuple]:
    """The rows of ``participation_query`` with Dutch labels, read in batches."""
    yes, no = _("ja"), _("nee")
    levels = {lv: str(LEVEL_LABELS[lv]) for lv in Level}
    categories = {c: str(CATEGORY_LABELS[c]) for c in Category}
    roles = {r: str(PARTICIPATION_ROLE_LABELS[r]) for r in ParticipationRole}
    statuses = {s: _task_status_label(s) for s in TaskStatus}
    for row in db.session.execute(query.execution_options(yield_per=BATCH)):
        (name, number, level, project, team, day, title, category, role, minutes, status, by,
         at, on_behalf, reflection) = row  # fmt: skip
        yield (
            name,
            number or "",
            levels.get(level, ""),
            project,
            team,
            day,
            title,
            categories[Category(category)],
            roles[ParticipationRole(role)],
            minutes,
            minutes / 60,
            statuses[TaskStatus(status)],
            by or "",
            at,
            (yes if on_behalf else no) if status == TaskStatus.VERIFIED else "",
            reflection,
        )


def goal_columns() -> list[Column]:
    return [
        Column("student", _("Student"), width=28),
        Column("student_number", _("Studentnummer"), width=14),
        Column("project", _("Project"), width=30),
        Column("team", _("Team"), width=20),
        Column("goal", _("Leerdoel"), width=50),
        Column("codes", _("Kwalificatiecodes"), width=24),
        Column("status", _("Status"), width=18),
        Column("rating", _("Laatste beoordeling"), width=28),
        Column("signed_by", _("Afgetekend door"), width=28),
        Column("signed_at", _("Afgetekend op"), "datetime"),
    ]


def goal_query(user, filters: ExportFilter) -> Select:
    """One row per learning goal, with its framework codes, the latest rating and the sign-off
    that stands (a revoked one does not)."""
    signer = aliased(User)
    codes = (
        select(func.aggregate_strings(FrameworkItem.code, ", "))
        .select_from(goal_framework_item)
        .join(FrameworkItem, FrameworkItem.id == goal_framework_item.c.framework_item_id)
        .where(goal_framework_item.c.goal_id == LearningGoal.id)
        .correlate(LearningGoal)
        .scalar_subquery()
    )
    rating = (
        select(Feedback.rating)
        .where(Feedback.goal_id == LearningGoal.id, Feedback.rating.is_not(None))
        .order_by(Feedback.id.desc())
        .limit(1)
        .correlate(LearningGoal)
        .scalar_subquery()
    )
    query = (
        select(
            User.name,
            StudentProfile.student_number,
            Project.title,
            Team.name,
            LearningGoal.title,
            codes,
            LearningGoal.status,
            rating,
            signer.name,
            SignOff.signed_at,
        )
        .select_from(LearningGoal)
        .join(Team, Team.id == LearningGoal.team_id)
        .join(Project, Project.id == Team.project_id)
        .join(User, User.id == LearningGoal.student_id)
        .outerjoin(StudentProfile, StudentProfile.user_id == User.id)
        .outerjoin(
            SignOff,
            and_(
                SignOff.goal_id == LearningGoal.id,
                SignOff.revoked_at.is_(None),
                LearningGoal.status == GoalStatus.SIGNED_OFF,
            ),
        )
        .outerjoin(signer, signer.id == SignOff.signed_by_id)
        .where(export_scope(user, LearningGoal.student_id))
        .order_by(User.name, LearningGoal.id)
    )
    if filters.project_id:
        query = query.where(Project.id == filters.project_id)
    if filters.team_id:
        query = query.where(Team.id == filters.team_id)
    if filters.student_id:
        query = query.where(LearningGoal.student_id == filters.student_id)
    # A goal belongs to the period when its team worked in it.
    if filters.start:
        query = query.where(Team.end_date >= filters.start)
    if filters.end:
        query = query.where(Team.start_date <= filters.end)
    return query


def goal_rows(query: Select) -> Iterator[tuple]:
    """The rows of ``goal_query`` with Dutch labels, read in batches."""
    ratings = {value: str(label) for value, label in RATING_LABELS}
    statuses = {s: str(GOAL_STATUS_LABELS[s]) for s in GoalStatus}
    for name, number, project, team, title, goal_codes, status, last, by, at in db.session.execute(
        query.execution_options(yield_per=BATCH)
    ):
        yield (
            name,
            number or "",
            project,
            team,
            title,
            # The aggregate has no order on every database: sort as the goal pages do.
            ", ".join(sorted(goal_codes.split(", "))) if goal_codes else "",
            statuses[GoalStatus(status)],
            ratings.get(last, "") if last else "",
            by or "",
            at,
        )
