"""Practical-training statements: what a statement says is built from verified hours and
signed-off goals; issuing one freezes that content with a random code, and verification
compares the frozen content with what a statement made now would say."""

from __future__ import annotations

import hashlib
import json
import re
import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from wijklab.accounts.models import Role, User
from wijklab.activity.services import (
    notify,
    record,
    register_actions,
    register_kind,
    register_object_link,
)
from wijklab.clock import utcnow
from wijklab.extensions import db
from wijklab.goals.models import (
    FrameworkItem,
    GoalStatus,
    LearningGoal,
    SignOff,
    goal_framework_item,
)
from wijklab.statements.models import CODE_LENGTH, Statement
from wijklab.tasks.models import Category, Task, TaskParticipation, TaskStatus
from wijklab.teams.models import Team

# Crockford's base32: no I, L, O or U, so a code read aloud or typed over is not misread.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_TYPO = str.maketrans({"O": "0", "I": "1", "L": "1"})
# Fields that differ between two statements with the same content.
ISSUE_FIELDS = ("code", "verify_url", "issued_at", "issued_by")

register_actions({"statement.issued": _l("Praktijkverklaring uitgegeven")})
register_object_link("Statement", "statements.detail", "statement_id")
register_kind(
    "statement_issued",
    _l("%(by)s gaf een praktijkverklaring uit voor %(student)s (%(team)s)."),
    label=_l("Er is een praktijkverklaring uitgegeven"),
    roles={Role.STUDENT, Role.WIJKDOCENT},
)


def new_code() -> str:
    """80 random bits as 16 characters of Crockford base32."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str | None:
    """A code as typed (lower case, dashes, spaces, O for 0) in its stored form, or None."""
    code = re.sub(r"[\s-]", "", text or "").upper().translate(_TYPO)
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def display_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def statement_content(team: Team, student) -> dict:
    """What a statement of ``student`` in ``team`` says now: the people, the period, verified
    hours by category and ISO week, and the signed-off goals with their framework codes and
    the supervisor's statement. Five queries, whatever the amount of work."""
    membership = next((m for m in team.memberships if m.student_id == student.id), None)
    profile = student.student_profile
    project = team.project
    verified = (
        select(Task.date, Task.category, TaskParticipation.minutes)
        .join(TaskParticipation, TaskParticipation.task_id == Task.id)
        .where(
            Task.team_id == team.id,
            TaskParticipation.student_id == student.id,
            Task.status == TaskStatus.VERIFIED,
        )
        .subquery()
    )
    by_category = db.session.execute(
        select(verified.c.category, func.sum(verified.c.minutes))
        .group_by(verified.c.category)
        .order_by(verified.c.category)
    ).all()
    by_day = db.session.execute(
        select(verified.c.date, func.sum(verified.c.minutes))
        .group_by(verified.c.date)
        .order_by(verified.c.date)
    ).all()
    weeks: dict[tuple[int, int], int] = {}
    for day, minutes in by_day:
        year, week, _ = day.isocalendar()
        weeks[(year, week)] = weeks.get((year, week), 0) + int(minutes)
    categories = [{"category": Category(c).value, "minutes": int(m)} for c, m in by_category if m]
    individual = sum(
        c["minutes"] for c in categories if c["category"] == Category.INDIVIDUAL_SUPPORT
    )
    total = sum(c["minutes"] for c in categories)
    goals = db.session.execute(
        select(
            LearningGoal.id,
            LearningGoal.title,
            SignOff.signed_at,
            SignOff.statement,
            SignOff.signed_by_id,
        )
        .join(SignOff, SignOff.goal_id == LearningGoal.id)
        .where(
            LearningGoal.team_id == team.id,
            LearningGoal.student_id == student.id,
            LearningGoal.status == GoalStatus.SIGNED_OFF,
            SignOff.revoked_at.is_(None),
        )
        .order_by(SignOff.signed_at, LearningGoal.id)
    ).all()
    goal_ids = [g.id for g in goals]
    codes: dict[int, list[str]] = {}
    signers: dict[int, str] = {}
    if goal_ids:
        for goal_id, code in db.session.execute(
            select(goal_framework_item.c.goal_id, FrameworkItem.code)
            .join(FrameworkItem, FrameworkItem.id == goal_framework_item.c.framework_item_id)
            .where(goal_framework_item.c.goal_id.in_(goal_ids))
            .order_by(FrameworkItem.code)
        ):
            codes.setdefault(goal_id, []).append(code)
        signer_ids = {g.signed_by_id for g in goals if g.signed_by_id}
        signers = dict(
            db.session.execute(select(User.id, User.name).where(User.id.in_(signer_ids))).all()
        )
    end = team.end_date
    if membership is not None and membership.left_on is not None:
        end = min(end, membership.left_on)
    return {
        "student": {
            "name": student.name,
            "level": profile.level.value if profile else None,
            "study_year": profile.study_year if profile else None,
            "school": profile.school.name if profile and profile.school else None,
            "programme": profile.programme if profile else "",
            "crebo": profile.crebo if profile else None,
        },
        "team": {
            "name": team.name,
            "project": project.title,
            "partner": project.partner.name,
            "neighbourhood": project.neighbourhood.name,
        },
        "supervisor": {
            "name": team.supervisor.name,
            "organisation": project.partner.name,
        },
        "period": {
            "start": (membership.joined_on if membership else team.start_date).isoformat(),
            "end": end.isoformat(),
        },
        "hours": {
            "total_minutes": total,
            "collective_minutes": total - individual,
            "individual_minutes": individual,
            "by_category": categories,
            "by_week": [
                {"year": year, "week": week, "minutes": minutes}
                for (year, week), minutes in sorted(weeks.items())
            ],
        },
        "goals": [
            {
                "title": g.title,
                "codes": codes.get(g.id, []),
                "signed_by": signers.get(g.signed_by_id, ""),
                "signed_at": g.signed_at.isoformat(),
                "statement": g.statement,
            }
            for g in goals
        ],
    }


def fingerprint(content: dict) -> str:
    """A hash of what the statement says, leaving out when, by whom and under which code."""
    core = {k: v for k, v in content.items() if k not in ISSUE_FIELDS}
    return hashlib.sha256(json.dumps(core, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def issue_statement(team: Team, student, *, by, verify_url) -> Statement:
    """Freeze what the statement says now under a new code; ``verify_url(code)`` gives the
    public address printed on it."""
    content = statement_content(team, student)
    stable = fingerprint(content)
    code = new_code()
    while db.session.scalar(select(Statement.id).where(Statement.code == code)) is not None:
        code = new_code()  # pragma: no cover - 80 random bits do not collide in practice
    now = utcnow()
    content.update(
        code=display_code(code),
        verify_url=verify_url(code),
        issued_at=now.isoformat(),
        issued_by=by.name,
    )
    statement = Statement(
        code=code,
        student_id=student.id,
        team_id=team.id,
        issued_by_id=by.id,
        issued_at=now,
        fingerprint=stable,
        content=json.dumps(content, ensure_ascii=False),
    )
    db.session.add(statement)
    db.session.flush()
    record(by, "statement.issued", statement, student_id=student.id, team_id=team.id)
    # The student hears of it unless they issued it, and so does the project's wijkdocent.
    owner_id = team.project.owner_id
    for recipient in dict.fromkeys((student.id, owner_id)):
        if recipient != by.id:
            notify(
                recipient,
                "statement_issued",
                f"/statements/{statement.id}",
                by=by.name,
                student=student.name,
                team=team.label,
            )
    return statement


def is_current(statement: Statement) -> bool:
    """True while a statement made now would say the same as the one issued."""
    content = statement_content(statement.team, statement.student)
    return fingerprint(content) == statement.fingerprint


def load_content(statement: Statement) -> dict:
    return json.loads(statement.content)
