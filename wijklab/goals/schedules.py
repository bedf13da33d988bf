"""Scheduled reminders about learning goals in review, and the supervisor's digest section.

A goal waiting for review for seven days (since it entered review: its last change) reminds the
team's supervisor and tells the project's wijkdocent; after fourteen days the wijkdocent is told
it is escalated. The supervisor's digest lists every goal in review with a one-click link.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

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
from wijklab.goals.models import GoalStatus, LearningGoal
from wijklab.projects.models import Project, ProjectStatus
from wijklab.teams.models import Team

WAITING_DAYS = 7
ESCALATION_DAYS = 14

register_kind(
    "goal_waiting",
    _l("Het leerdoel ‘%(title)s’ van %(student)s wacht al %(days)s dagen op je beoordeling."),
    label=_l("Een leerdoel wacht al een week op je beoordeling"),
    roles={Role.SUPERVISOR},
    defaults={Role.SUPERVISOR: Delivery.IMMEDIATE},
)
register_kind(
    "goal_waiting_long",
    _l(
        "Het leerdoel ‘%(title)s’ van %(student)s (%(team)s) wacht al %(days)s dagen op "
        "beoordeling door de werkbegeleider."
    ),
    label=_l("Een leerdoel wacht langer dan een week op beoordeling"),
    roles={Role.WIJKDOCENT},
    defaults={Role.WIJKDOCENT: Delivery.DAILY},
)
register_kind(
    "goal_escalated",
    _l(
        "Het leerdoel ‘%(title)s’ van %(student)s (%(team)s) wacht al %(days)s dagen op "
        "beoordeling. Neem contact op met de werkbegeleider."
    ),
    label=_l("Een leerdoel wacht al twee weken op beoordeling"),
    roles={Role.WIJKDOCENT},
    defaults={Role.WIJKDOCENT: Delivery.DAILY},
)


@register_reminder
def remind_goals_in_review(now: datetime) -> int:
    """Seven days in review: the supervisor and the wijkdocent; fourteen: escalated."""
    rows = db.session.execute(
        select(
            LearningGoal.id,
            LearningGoal.version,
            LearningGoal.title,
            LearningGoal.updated_at,
            User.name,
            (Team.name + " · " + Project.title).label("name"),
            Team.supervisor_id,
            Project.owner_id,
        )
        .join(User, User.id == LearningGoal.student_id)
        .join(Team, Team.id == LearningGoal.team_id)
        .join(Project, Project.id == Team.project_id)
        .where(
            LearningGoal.status == GoalStatus.REVIEW_REQUESTED,
            Project.status == ProjectStatus.ACTIVE,
            LearningGoal.updated_at <= now - timedelta(days=WAITING_DAYS),
        )
        .order_by(LearningGoal.id)
    ).all()
    made = 0
    for goal_id, version, title, since, student, team, supervisor_id, owner_id in rows:
        days = (now - since).days
        if days < WAITING_DAYS:
            continue
        params = {"title": title, "student": student, "team": team, "days": days}
        link = f"/goals/{goal_id}"
        stage = f"{goal_id}:v{version}"
        sends = [
            (supervisor_id, "goal_waiting"),
            (owner_id, "goal_waiting_long"),
        ]
        if days >= ESCALATION_DAYS:
            sends.append((owner_id, "goal_escalated"))
        for user_id, kind in sends:
            made += (
                notify(user_id, kind, link, dedupe_key=f"{kind}:{stage}:u{user_id}", **params)
                is not None
            )
    return made


@register_digest_section
def goals_in_review(users: list[User], now: datetime) -> dict[int, DigestSection]:
    """For each supervisor: the goals of their teams' students waiting for review."""
    supervisors = {u.id for u in users if u.role == Role.SUPERVISOR}
    if not supervisors:
        return {}
    rows = db.session.execute(
        select(
            LearningGoal.id,
            LearningGoal.version,
            LearningGoal.title,
            User.name,
            (Team.name + " · " + Project.title).label("name"),
            Team.supervisor_id,
        )
        .join(User, User.id == LearningGoal.student_id)
        .join(Team, Team.id == LearningGoal.team_id)
        .join(Project, Project.id == Team.project_id)
        .where(
            Team.supervisor_id.in_(supervisors),
            LearningGoal.status == GoalStatus.REVIEW_REQUESTED,
            Project.status == ProjectStatus.ACTIVE,
        )
        .order_by(Team.supervisor_id, LearningGoal.updated_at, LearningGoal.id)
    ).all()
    items: dict[int, list[DigestItem]] = defaultdict(list)
    for goal_id, version, title, student, team, supervisor_id in rows:
        token = issue_token(
            supervisor_id,
            Purpose.REVIEW,
            object_type="LearningGoal",
            object_id=goal_id,
            version=version,
        )
        items[supervisor_id].append(
            DigestItem(
                heading=f"{student} · {title}",
                details=[team],
                link=public_url(f"/goals/{goal_id}"),
                action_url=public_url(f"/r/{token}"),
            )
        )
    return {
        user_id: DigestSection(title=_l("Leerdoelen die wachten op je beoordeling"), items=found)
        for user_id, found in items.items()
    }
