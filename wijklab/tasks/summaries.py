"""The task log's summary tables, kept in the same transaction as the change.

``hours_summary`` holds minutes per team, week, student, category and status; ``task_summary``
tasks, residents reached and minutes per team, week, category and status. A flush that adds,
changes or removes a task or a participation recomputes the (team, week) pairs it touched, old
and new (a task moved to another date leaves its old week and enters its new one). Pages sum a
few rows per team and week instead of every participation; ``flask check-summaries`` compares
both tables with the full sums.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select, tuple_
from sqlalchemy.orm import Session

from wijklab.database import Summary, flushed, register_summary, week_of
from wijklab.tasks.models import HoursSummary, Task, TaskParticipation, TaskSummary


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def touched_weeks(session: Session) -> set[tuple[int, date]]:
    """The (team, week) pairs whose sums this flush may have changed."""
    keys: set[tuple[int, date]] = set()
    for _task, values in flushed(session, Task):
        keys.update((team, monday(day)) for team in values("team_id") for day in values("date"))
    task_ids: set[int] = set()
    for _participation, values in flushed(session, TaskParticipation):
        task_ids |= values("task_id")
    if task_ids:
        rows = session.connection().execute(
            select(Task.team_id, Task.date).where(Task.id.in_(task_ids))
        )
        keys.update((team, monday(day)) for team, day in rows)
    return keys


def _week_range(keys):
    """Filters for a batch of (team, week) keys: on the summary table and on the task dates."""

    def on_tasks(team: int, week: date):
        return and_(
            Task.team_id == team,
            Task.date >= week,
            Task.date < week + timedelta(days=7),
        )

    return (
        lambda table: tuple_(table.c.team_id, table.c.week).in_(list(keys)),
        or_(*(on_tasks(team, week) for team, week in keys)),
    )


def expected_hours(where=None):
    week = week_of(Task.date)
    query = (
        select(
            Task.team_id,
            week,
            TaskParticipation.student_id,
            Task.category,
            Task.status,
            func.sum(TaskParticipation.minutes),
            func.count(),
        )
        .join(TaskParticipation, TaskParticipation.task_id == Task.id)
        .group_by(Task.team_id, week, TaskParticipation.student_id, Task.category, Task.status)
    )
    return query if where is None else query.where(where)


def expected_tasks(where=None):
    week = week_of(Task.date)
    per_task = (
        select(
            Task.team_id.label("team_id"),
            week.label("week"),
            Task.category.label("category"),
            Task.status.label("status"),
            Task.residents_reached.label("residents"),
            func.coalesce(func.sum(TaskParticipation.minutes), 0).label("minutes"),
        )
        .outerjoin(TaskParticipation, TaskParticipation.task_id == Task.id)
        .group_by(Task.id, Task.team_id, Task.date, Task.category, Task.status)
    )
    if where is not None:
        per_task = per_task.where(where)
    per_task = per_task.subquery()
    return select(
        per_task.c.team_id,
        per_task.c.week,
        per_task.c.category,
        per_task.c.status,
        func.count(),
        func.sum(per_task.c.residents),
        func.sum(per_task.c.minutes),
    ).group_by(per_task.c.team_id, per_task.c.week, per_task.c.category, per_task.c.status)


def _scope(table):
    def scope(keys):
        summary_filter, task_filter = _week_range(keys)
        return summary_filter(table.__table__), task_filter

    return scope


HOURS = Summary(
    name="hours_summary",
    table=HoursSummary.__table__,
    columns=(
        "team_id",
        "week",
        "student_id",
        "category",
        "status",
        "minutes",
        "participations",
    ),
    expected=expected_hours,
    touched=touched_weeks,
    scope=_scope(HoursSummary),
)
TASKS = Summary(
    name="task_summary",
    table=TaskSummary.__table__,
    columns=(
        "team_id",
        "week",
        "category",
        "status",
        "tasks",
        "residents_reached",
        "minutes",
    ),
    expected=expected_tasks,
    touched=touched_weeks,
    scope=_scope(TaskSummary),
)
register_summary(HOURS)
register_summary(TASKS)
