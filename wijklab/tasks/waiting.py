"""*Wacht op jou*: everything waiting on a supervisor (or a wijkdocent, an admin) in one list,
oldest first. Tasks to verify are this package's own; features above tasks (goals to review)
add their waiting work through ``register_waiting_source``, so tasks imports nothing above it."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask import has_request_context, request
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, lazyload, selectinload

from wijklab.accounts.models import Role
from wijklab.caching import cached, register_area
from wijklab.database import ListPage
from wijklab.extensions import db
from wijklab.projects.models import Project
from wijklab.tasks.models import Task, TaskParticipation, TaskStatus, TaskSummary
from wijklab.tasks.services import by_name
from wijklab.teams.models import Team


@dataclass(frozen=True)
class WaitingItem:
    """One thing waiting on the user: ``kind`` names its card ("task", "goal"), ``since`` the
    day it sorts on (oldest first), ``obj`` the task or goal itself."""

    kind: str
    since: date
    obj: object


@dataclass(frozen=True)
class WaitingSource:
    """A kind of waiting work: ``count(user)`` is a SELECT of how many wait on ``user`` (None
    when the role has no such list); ``items(user, limit)`` the oldest ``limit``, oldest first."""

    count: Callable[[object], object]
    items: Callable[[object, int], list[WaitingItem]]


_SOURCES: list[WaitingSource] = []


def register_waiting_source(source: WaitingSource) -> WaitingSource:
    """Add a feature's waiting work to *Wacht op jou* (once, at import)."""
    if source not in _SOURCES:
        _SOURCES.append(source)
    return source


def scope_to_user(query, user, team_id):
    """``query`` scoped to what waits on ``user`` by its ``team_id`` column: a supervisor's
    teams, a wijkdocent's projects' teams, everything for an admin; None for anyone else. The
    teams are a subquery, not a join: each database then reads the rows team by team from an
    index on (team_id, status) (SQLite without statistics would otherwise start from the status
    index: every pending task in the country)."""
    if user.role == Role.SUPERVISOR:
        return query.where(team_id.in_(select(Team.id).where(Team.supervisor_id == user.id)))
    if user.role == Role.WIJKDOCENT:
        return query.where(
            team_id.in_(
                select(Team.id)
                .join(Project, Project.id == Team.project_id)
                .where(Project.owner_id == user.id)
            )
        )
    if user.role == Role.ADMIN:
        return query
    return None


def _pending(select_what, user):
    query = select(select_what).select_from(Task).where(Task.status == TaskStatus.PENDING)
    return scope_to_user(query, user, Task.team_id)


def pending_tasks_query(user):
    """The pending tasks that wait on ``user``, oldest first; None when none can."""
    query = _pending(Task, user)
    if query is None:
        return None
    # The list shows the team, the project and the participants by name: not who logged or
    # approved, nor the team's supervisor and members (each person joined brings their profile
    # and organisation into PostgreSQL's plan).
    return query.options(
        team_and_project(joinedload(Task.team)),
        by_name(selectinload(Task.participations).joinedload(TaskParticipation.student)),
        lazyload(Task.author),
        lazyload(Task.verified_by),
    ).order_by(Task.date, Task.id)


def team_and_project(loader):
    """``loader`` (the join of a team a list names) with the team's project: not its supervisor
    nor its members."""
    return loader.options(
        joinedload(Team.project), lazyload(Team.supervisor), lazyload(Team.memberships)
    )


def _task_items(user, limit: int) -> list[WaitingItem]:
    tasks = db.session.scalars(pending_tasks_query(user).limit(limit)).unique().all()
    return [WaitingItem("task", t.date, t) for t in tasks]


def _pending_count(user):
    """How many pending tasks wait on ``user``, from the task summary (a few rows per team and
    week): the menu asks on every page."""
    return scope_to_user(
        select(func.coalesce(func.sum(TaskSummary.tasks), 0))
        .select_from(TaskSummary)
        .where(TaskSummary.status == TaskStatus.PENDING),
        user,
        TaskSummary.team_id,
    )


TASKS = WaitingSource(_pending_count, _task_items)
register_area("waiting", (Task, Team, Project))


def _sources(user) -> list[tuple[WaitingSource, object]]:
    """The sources that apply to ``user``'s role, each with its count SELECT."""
    counted = ((source, source.count(user)) for source in (TASKS, *_SOURCES))
    return [(source, count) for source, count in counted if count is not None]


def _counts(sources) -> list[int]:
    """Every source's count in one query (the menu runs it on every page)."""
    row = db.session.execute(select(*(count.scalar_subquery() for _s, count in sources))).one()
    return [value or 0 for value in row]


def waiting_count(user) -> int:
    """How many things wait on ``user`` (the number in the menu). An admin's count covers every
    team in the country and is kept in the figures cache until something it counts changes."""
    counted = getattr(request, "waiting_total", None) if has_request_context() else None
    if counted is not None and counted[0] == user.id:
        return counted[1]  # the waiting page counted them a moment ago, in this request
    sources = _sources(user)
    if not sources:
        return 0
    if user.role == Role.ADMIN:
        return cached("waiting", "admin", lambda: sum(_counts(sources)))
    return sum(_counts(sources))


def waiting_page(user, page: int, per_page: int) -> ListPage | None:
    """Page ``page`` of everything waiting on ``user``, oldest first; None when nothing can wait
    on this role. Each source gives its oldest page*per_page items; merged, they hold the page."""
    sources = _sources(user)
    if not sources:
        return None
    counts = _counts(sources)
    total = sum(counts)
    if has_request_context():
        request.waiting_total = (user.id, total)  # the menu shows the same number
    page = min(page, max(1, math.ceil(total / per_page)))  # past the end: the last page
    merged = sorted(
        (
            item
            for (source, _count), n in zip(sources, counts, strict=True)
            if n
            for item in source.items(user, page * per_page)
        ),
        key=lambda item: (item.since, item.kind != "task"),
    )
    start = (page - 1) * per_page
    return ListPage(merged[start : start + per_page], page, per_page, total)
