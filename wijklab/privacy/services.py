"""A person's own data (built from the register), erasure by anonymisation, and retention.

Erasure keeps the user row under a pseudonym, so approved hours and signed-off goals behind an
issued statement keep adding up; everything the register marks *anonymise* is emptied, rows it
marks *delete* go, and the names inside issued statements become the pseudonym."""

from __future__ import annotations

import datetime as dt
import enum
import json
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, Text, delete, func, select, update

from wijklab import clock
from wijklab.accounts.models import Role, StudentProfile, User
from wijklab.accounts.services import count_active_admins
from wijklab.activity.services import record, register_actions
from wijklab.database import ChoiceSet
from wijklab.errors import NotAllowed
from wijklab.extensions import db
from wijklab.goals.models import Feedback, LearningGoal
from wijklab.organisations.models import DEFAULT_RETENTION_YEARS, Organisation
from wijklab.privacy.register import ENTRIES, Entry, Erase, Export
from wijklab.statements.models import Statement
from wijklab.statements.services import fingerprint
from wijklab.tasks.models import Task, TaskParticipation
from wijklab.teams.models import Team

# Never a deliverable address: the .invalid top-level domain is reserved for that (RFC 2606).
ERASED_EMAIL = "erased-{id}@erased.invalid"
# Not a hash the password check can ever match.
UNUSABLE_PASSWORD = "!erased"  # noqa: S105


def pseudonym(user_id: int) -> str:
    """The name an erased person goes by; stored, so it reads the same in every language."""
    return f"Verwijderde gebruiker {user_id}"


# --- the person's own data ----------------------------------------------------------------


def _plain(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted(value)
    return value


def _rows(entry: Entry, user_id: int) -> list[dict]:
    table = db.metadata.tables[entry.table]
    columns = [
        table.c[name]
        for name, spec in entry.columns.items()
        if spec is None or spec.export == Export.INCLUDE
    ]
    condition = db.or_(*(link.condition(table, user_id) for link in entry.links))
    order = [c for c in table.primary_key.columns]
    result = db.session.execute(select(*columns).where(condition).order_by(*order))
    return [{key: _plain(value) for key, value in row._mapping.items()} for row in result]


def personal_data(user: User) -> dict:
    """Everything the app holds about ``user``: for each table of the register with a link to
    a person, the rows linked to them, with every column the register lets out (hashes and
    secrets stay in)."""
    tables = {}
    for entry in ENTRIES:
        if not entry.links:
            continue
        rows = _rows(entry, user.id)
        if rows:
            tables[entry.table] = {"title": str(entry.title), "rows": rows}
    return {
        "format": "wijklab-personal-data/1",
        "generated_at": clock.utcnow().isoformat(),
        "person": {"id": user.id, "name": user.name, "email": user.email},
        "tables": tables,
    }


# --- erasure ---------------------------------------------------------------------------------


def check_erasable(user: User, *, by: User | None) -> None:
    """Nobody erases themself, and the last active admin stays."""
    if by is not None and user.id == by.id:
        raise NotAllowed(_l("Je kunt je eigen gegevens niet wissen."))
    if user.role == Role.ADMIN and user.is_active and count_active_admins(excluding=user) == 0:
        raise NotAllowed(_l("Dit is de laatste actieve beheerder; die kan niet gewist worden."))


def _blank(column):
    if isinstance(column.type, ChoiceSet):
        return frozenset()
    if column.nullable:
        return None
    if isinstance(column.type, String | Text):
        return ""
    return None  # pragma: no cover - the register anonymises only text and choices


@dataclass
class ErasureResult:
    user_id: int
    changed: dict[str, int]
    deleted: dict[str, int]
    statements: int


def _erase_tables(user_id: int) -> tuple[dict[str, int], dict[str, int]]:
    changed: dict[str, int] = {}
    deleted: dict[str, int] = {}
    for entry in ENTRIES:
        if not entry.links or entry.table == "user":
            continue
        table = db.metadata.tables[entry.table]
        if entry.rows_on_erase == Erase.DELETE:
            condition = db.or_(*(link.condition(table, user_id) for link in entry.links))
            count = db.session.execute(delete(table).where(condition)).rowcount
            if count:
                deleted[entry.table] = count
            continue
        for link in entry.links:
            values = {
                name: _blank(table.c[name])
                for name, spec in entry.columns.items()
                if spec is not None
                and spec.erase == Erase.ANONYMISE
                and (not spec.erase_for or link.name in spec.erase_for)
            }
            if not values:
                continue
            count = db.session.execute(
                update(table).where(link.condition(table, user_id)).values(**values)
            ).rowcount
            if count:
                changed[entry.table] = changed.get(entry.table, 0) + count
    return changed, deleted


def _rename_in_statements(user: User, old_name: str, new_name: str) -> int:
    """The person's name in every issued statement that names them becomes the pseudonym, and
    the statement's fingerprint follows, so an unchanged statement still verifies as current."""
    signed_teams = select(LearningGoal.team_id).where(
        LearningGoal.id.in_(
            select(db.metadata.tables["sign_off"].c.goal_id).where(
                db.metadata.tables["sign_off"].c.signed_by_id == user.id
            )
        )
    )
    statements = db.session.scalars(
        select(Statement).where(
            db.or_(
                Statement.student_id == user.id,
                Statement.issued_by_id == user.id,
                Statement.confirmed_by_id == user.id,
                Statement.team_id.in_(select(Team.id).where(Team.supervisor_id == user.id)),
                Statement.team_id.in_(signed_teams),
            )
        )
    ).all()
    count = 0
    for statement in statements:
        content = json.loads(statement.content)
        touched = False
        issuer = content.get("issued_by")
        for holder, key in (
            (content.get("student") or {}, "name"),
            (content.get("supervisor") or {}, "name"),
            (content.get("confirmed_by") or {}, "name"),
            (issuer, "name") if isinstance(issuer, dict) else (content, "issued_by"),
            *((goal, "signed_by") for goal in content.get("goals") or []),
        ):
            if holder.get(key) == old_name:
                holder[key] = new_name
                touched = True
        if touched:
            statement.content = json.dumps(content, ensure_ascii=False)
            statement.fingerprint = fingerprint(content)
            count += 1
    return count


def erase_person(user: User, *, by: User | None, reason: str = "request") -> ErasureResult:
    """Anonymise ``user`` everywhere the register says, deactivate them, end their sessions and
    retire their links; kept records stay under the pseudonym. Flushes; the caller commits once
    (all or nothing). ``by`` None is the retention job."""
    check_erasable(user, by=by)
    old_name = user.name
    new_name = pseudonym(user.id)
    statements = _rename_in_statements(user, old_name, new_name)
    changed, deleted = _erase_tables(user.id)
    user.name = new_name
    user.email = ERASED_EMAIL.format(id=user.id)
    user.password_hash = UNUSABLE_PASSWORD
    user.locale = None
    user.last_login_at = None
    user.is_active = False
    user.anonymised_at = clock.utcnow()
    user.end_all_sessions()
    if user.student_profile is not None:
        user.student_profile.available_weekdays = frozenset()
    if user.supervisor_profile is not None:
        user.supervisor_profile.job_title = ""
    db.session.flush()
    # The session's loaded rows may hold the values just emptied in SQL.
    db.session.expire_all()
    record(
        by,
        "privacy.erased",
        object_type="User",
        object_id=user.id,
        reason=reason,
        changed=changed,
        deleted=deleted,
        statements=statements,
    )
    db.session.flush()
    return ErasureResult(user.id, changed, deleted, statements)


def erasure_summary(user: User) -> dict[str, int]:
    """What an erasure of ``user`` would touch, counted, for the confirmation page."""
    participations = TaskParticipation.student_id == user.id
    return {
        "reflections": db.session.scalar(
            select(func.count()).where(participations, TaskParticipation.reflection != "")
        )
        or 0,
        "feedback": db.session.scalar(
            select(func.count(Feedback.id)).where(Feedback.author_id == user.id)
        )
        or 0,
        "goals": db.session.scalar(
            select(func.count(LearningGoal.id)).where(LearningGoal.student_id == user.id)
        )
        or 0,
        "statements": db.session.scalar(
            select(func.count(Statement.id)).where(Statement.student_id == user.id)
        )
        or 0,
        "hours": (
            db.session.scalar(
                select(func.coalesce(func.sum(TaskParticipation.minutes), 0)).where(participations)
            )
            or 0
        )
        // 60,
    }


# --- retention -------------------------------------------------------------------------------


def _years_before(moment: dt.datetime, years: int) -> dt.datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)


@dataclass(frozen=True)
class Due:
    user_id: int
    name: str
    school: str
    last_activity: dt.datetime
    years: int


def _as_moment(value) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(), tzinfo=dt.UTC)
    if isinstance(value, str):  # SQLite returns max() of a date column as text
        return _as_moment(
            dt.datetime.fromisoformat(value)
            if "T" in value or " " in value
            else dt.date.fromisoformat(value)
        )
    return None  # pragma: no cover


def due_for_retention(now: dt.datetime | None = None) -> list[Due]:
    """Students not yet anonymised whose last activity (login, account, tasks, goals, feedback,
    issued statements) lies further back than their school's retention period (seven years
    without a school). A statement issued later keeps the student until its period has passed."""
    now = now or clock.utcnow()
    latest = {
        "task": select(
            TaskParticipation.student_id.label("uid"), func.max(Task.updated_at).label("at")
        )
        .join(Task, Task.id == TaskParticipation.task_id)
        .group_by(TaskParticipation.student_id),
        "task_date": select(
            TaskParticipation.student_id.label("uid"), func.max(Task.date).label("at")
        )
        .join(Task, Task.id == TaskParticipation.task_id)
        .group_by(TaskParticipation.student_id),
        "goal": select(
            LearningGoal.student_id.label("uid"), func.max(LearningGoal.updated_at).label("at")
        ).group_by(LearningGoal.student_id),
        "feedback": select(
            Feedback.author_id.label("uid"), func.max(Feedback.created_at).label("at")
        ).group_by(Feedback.author_id),
        "statement": select(
            Statement.student_id.label("uid"), func.max(Statement.issued_at).label("at")
        ).group_by(Statement.student_id),
    }
    students = (
        db.session.execute(
            select(User, Organisation.name, Organisation.retention_years)
            .outerjoin(StudentProfile, StudentProfile.user_id == User.id)
            .outerjoin(Organisation, Organisation.id == StudentProfile.school_id)
            .where(User.role == Role.STUDENT, User.anonymised_at.is_(None))
            .order_by(User.id)
        )
        .unique()
        .all()
    )
    last: dict[int, dt.datetime] = {}
    for user, _school, _years in students:
        moments = [user.created_at, user.last_login_at, user.updated_at]
        last[user.id] = max(m for m in moments if m is not None)
    for query in latest.values():
        for uid, at in db.session.execute(query):
            moment = _as_moment(at)
            if uid in last and moment is not None and moment > last[uid]:
                last[uid] = moment
    due = []
    for user, school, years in students:
        years = years or DEFAULT_RETENTION_YEARS
        if last[user.id] < _years_before(now, years):
            due.append(Due(user.id, user.name, school or "", last[user.id], years))
    return due


def apply_retention(now: dt.datetime | None = None) -> list[Due]:
    """Anonymise every student ``due_for_retention``; running it again finds nobody."""
    due = due_for_retention(now)
    for item in due:
        user = db.session.get(User, item.user_id)
        erase_person(user, by=None, reason="retention")
    return due


# --- who looked at a student's data -------------------------------------------------------


ACCESS_ACTION = "privacy.viewed"


def record_access(viewer: User, student_id: int, page: str) -> None:
    """Someone other than the student opened a page with the student's data."""
    record(viewer, ACCESS_ACTION, object_type="User", object_id=student_id, page=page)


register_actions(
    {
        "privacy.exported": _l("Persoonsgegevens gedownload"),
        "privacy.erased": _l("Persoonsgegevens gewist"),
        "privacy.viewed": _l("Gegevens van een student bekeken"),
    }
)
