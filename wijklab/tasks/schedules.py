"""Scheduled reminders about tasks, and the supervisor's digest section of waiting tasks.

A task pending for seven days (since it was logged, or since its latest change) reminds the
team's supervisor; after fourteen days the project's wijkdocent hears of it and may verify on
the supervisor's behalf. A current member of an active project who logged nothing for two weeks
gets one friendly reminder per quiet period.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from wijklab.accounts.models import Role, User
from wijklab.accounts.tokens import Purpose, issue_token
from wijklab.activity.models import Delivery
from wijklab.activity.schedules import (
    DigestItem,
    DigestSection,
    register_digest_section,
    register_reminder,
)
from wijklab.activity.services import notify, public_url, register_kind
from wijklab.extensions import db
from wijklab.projects.models import Project, ProjectStatus
from wijklab.tasks.models import Task, TaskEvent, TaskParticipation, TaskStatus
from wijklab.teams.models import Team, TeamMembership

WAITING_DAYS = 7
ESCALATION_DAYS = 14
QUIET_DAYS = 14

register_kind(
    "task_waiting",
    _l("De taak ‘%(title)s’ van %(team)s wacht al %(days)s dagen op je controle."),
    label=_l("Een taak wacht al een week op controle"),
    roles={Role.SUPERVISOR},
    defaults={Role.SUPERVISOR: Delivery.IMMEDIATE},
)
register_kind(
    "task_escalated",
    _l(
        "De taak ‘%(title)s’ van %(team)s wacht al %(days)s dagen op controle door de "
        "werkbegeleider. Je kunt hem namens de werkbegeleider goedkeuren."
    ),
    label=_l("Een taak wacht al twee weken op controle"),
    roles={Role.WIJKDOCENT},
    defaults={Role.WIJKDOCENT: Delivery.DAILY},
)
register_kind(
    "quiet_student",
    _l(
        "Je hebt in %(team)s al twee weken geen taak geregistreerd. Vergeet je niet je werk "
        "bij te houden?"
    ),
    label=_l("Herinnering: al twee weken geen taak geregistreerd"),
    roles={Role.STUDENT},
    defaults={Role.STUDENT: Delivery.IMMEDIATE},
)


def _pending_tasks(cutoff: datetime):
    """Pending tasks of active projects logged before ``cutoff``, with the moment they became
    pending (their latest event, else their creation) and who hears of them."""
    latest = (
        select(TaskEvent.task_id, func.max(TaskEvent.at).label("at"))
        .group_by(TaskEvent.task_id)
        .subquery()
    )
    return db.session.execute(
        select(
            Task.id,
            Task.version,
            Task.title,
            Task.created_at,
            latest.c.at,
            # The team with its project: many teams are called "Team 1".
            (Team.name + " · " + Project.title).label("name"),
            Team.supervisor_id,
            Project.owner_id,
        )
        .join(Team, Team.id == Task.team_id)
        .join(Project, Project.id == Team.project_id)
        .outerjoin(latest, latest.c.task_id == Task.id)
        .where(
            Task.status == TaskStatus.PENDING,
            Project.status == ProjectStatus.ACTIVE,
            Task.created_at <= cutoff,
        )
        .order_by(Task.id)
    ).all()


def _aware(moment: datetime) -> datetime:
    # A max() over a timestamp comes back from SQLite as a plain string or naive value.
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        from datetime import UTC

        moment = moment.replace(tzinfo=UTC)
    return moment


@register_reminder
def remind_pending_tasks(now: datetime) -> int:
    """Seven days pending: the supervisor; fourteen: the project's wijkdocent as well."""
    made = 0
    for row in _pending_tasks(now - timedelta(days=WAITING_DAYS)):
        since = max(row.created_at, _aware(row.at)) if row.at is not None else row.created_at
        days = (now - since).days
        if days < WAITING_DAYS:
            continue
        params = {"title": row.title, "team": row.name, "days": days}
        link = f"/tasks/{row.id}"
        stage = f"{row.id}:v{row.version}"
        made += (
            notify(
                row.supervisor_id,
                "task_waiting",
                link,
                dedupe_key=f"task_waiting:{stage}:u{row.supervisor_id}",
                **params,
            )
            is not None
        )
        if days >= ESCALATION_DAYS:
            made += (
                notify(
                    row.owner_id,
                    "task_escalated",
                    link,
                    dedupe_key=f"task_escalated:{stage}:u{row.owner_id}",
                    **params,
                )
                is not None
            )
    return made


@register_reminder
def remind_quiet_students(now: datetime) -> int:
    """A current member of an active project's running team who joined more than two weeks ago
    and logged nothing in the team for two weeks: one reminder per quiet period."""
    today = now.date()
    cutoff = today - timedelta(days=QUIET_DAYS)
    last_task = (
        select(
            TaskParticipation.student_id,
            Task.team_id,
            func.max(Task.date).label("last"),
        )
        .join(Task, Task.id == TaskParticipation.task_id)
        .group_by(TaskParticipation.student_id, Task.team_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            TeamMembership.student_id,
            TeamMembership.team_id,
            TeamMembership.joined_on,
            last_task.c.last,
            (Team.name + " · " + Project.title).label("name"),
        )
        .join(Team, Team.id == TeamMembership.team_id)
        .join(Project, Project.id == Team.project_id)
        .join(User, User.id == TeamMembership.student_id)
        .outerjoin(
            last_task,
            (last_task.c.student_id == TeamMembership.student_id)
            & (last_task.c.team_id == TeamMembership.team_id),
        )
        .where(
            TeamMembership.left_on.is_(None),
            TeamMembership.joined_on < cutoff,
            Project.status == ProjectStatus.ACTIVE,
            Team.start_date <= today,
            Team.end_date >= today,
            User.is_active.is_(True),
        )
    ).all()
    made = 0
    for row in rows:
        last = row.last
        if isinstance(last, str):
            last = datetime.fromisoformat(last).date()
        quiet_since = max(last, row.joined_on) if last is not None else row.joined_on
        if quiet_since > cutoff:
            continue
        made += (
            notify(
                row.student_id,
                "quiet_student",
                f"/teams/{row.team_id}/tasks/new",
                dedupe_key=f"quiet_student:{row.student_id}:{row.team_id}:{quiet_since.isoformat()}",
                team=row.name,
            )
            is not None
        )
    return made


@register_digest_section
def waiting_tasks(users: list[User], now: datetime) -> dict[int, DigestSection]:
    """For each supervisor: the pending tasks of their teams in active projects, oldest first,
    each with a one-click review link (no description: the mail may be read anywhere)."""
    supervisors = {u.id: u for u in users if u.role == Role.SUPERVISOR}
    if not supervisors:
        return {}
    rows = db.session.execute(
        select(Task, (Team.name + " · " + Project.title).label("name"), Team.supervisor_id)
        .join(Team, Team.id == Task.team_id)
        .join(Project, Project.id == Team.project_id)
        .where(
            Team.supervisor_id.in_(supervisors),
            Task.status == TaskStatus.PENDING,
            Project.status == ProjectStatus.ACTIVE,
        )
        .order_by(Team.supervisor_id, Task.date, Task.id)
    ).all()
    items: dict[int, list[DigestItem]] = defaultdict(list)
    for task, team_name, supervisor_id in rows:
        token = issue_token(
            supervisor_id,
            Purpose.REVIEW,
            object_type="Task",
            object_id=task.id,
            version=task.version,
        )
        items[supervisor_id].append(
            DigestItem(
                heading=f"{task.date.strftime('%d-%m-%Y')} · {team_name} · {task.title}",
                details=[
                    ", ".join(f"{p.student.name} ({p.minutes} min)" for p in task.participations)
                ],
                link=public_url(f"/tasks/{task.id}"),
                action_url=public_url(f"/r/{token}"),
            )
        )
    return {
        user_id: DigestSection(title=_l("Taken die wachten op je controle"), items=found)
        for user_id, found in items.items()
    }
