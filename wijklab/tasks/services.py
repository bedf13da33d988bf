"""Task rules: participants are current members, minutes 1 to 16 hours a person a day, dates in
the team's period and not in the future; a verified task that is edited goes back to pending;
nobody verifies their own work; every change is recorded."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload, lazyload

from wijklab import clock
from wijklab.accounts.models import Role, User
from wijklab.activity.models import Delivery
from wijklab.activity.services import (
    notify,
    record,
    register_actions,
    register_kind,
    register_object_link,
)
from wijklab.database import keyset_page, touch
from wijklab.errors import Conflict, NotAllowed, WijklabError
from wijklab.extensions import db
from wijklab.projects.models import Project
from wijklab.tasks.models import (
    DESCRIPTION_MAX,
    MAX_MINUTES,
    PARTNERS_MAX,
    REASON_MAX,
    REFLECTION_MAX,
    TITLE_MAX,
    Category,
    HoursSummary,
    ParticipationRole,
    SchoolVisit,
    SupervisionSession,
    Task,
    TaskEvent,
    TaskParticipation,
    TaskStatus,
    supervision_session_student,
)
from wijklab.teams.models import Team

register_actions(
    {
        "task.verified": _l("Taak goedgekeurd"),
        "task.verified_on_behalf": _l("Taak namens de werkbegeleider goedgekeurd"),
        "task.returned": _l("Taak teruggegeven"),
        "task.edited_after_verification": _l(
            "Goedgekeurde taak gewijzigd (wacht weer op controle)"
        ),
        "task.participant_corrected": _l("Tijd van een deelnemer aangepast"),
        "task.participant_removed": _l("Deelnemer van een taak verwijderd"),
    }
)
register_object_link("Task", "tasks.detail", "task_id")

register_kind(
    "task_returned",
    _l("%(by)s gaf de taak ‘%(title)s’ terug."),
    label=_l("Een taak is teruggegeven"),
    roles={Role.STUDENT},
    defaults={Role.STUDENT: Delivery.IMMEDIATE},
)
register_kind(
    "task_verified",
    _l("%(by)s keurde de taak ‘%(title)s’ goed."),
    label=_l("Een taak is goedgekeurd"),
    roles={Role.STUDENT},
    defaults={Role.STUDENT: Delivery.DAILY},
)
register_kind(
    "participation_corrected",
    _l("%(by)s paste je tijd bij ‘%(title)s’ aan."),
    label=_l("Je tijd bij een taak is aangepast"),
    roles={Role.STUDENT},
    defaults={Role.STUDENT: Delivery.IMMEDIATE},
)
register_kind(
    "task_back_to_pending",
    _l("%(by)s wijzigde de taak ‘%(title)s’: die wacht weer op je controle."),
    label=_l("Een taak wacht weer op controle"),
    roles={Role.SUPERVISOR},
    defaults={Role.SUPERVISOR: Delivery.WEEKLY},
)


def _task_link(task: Task) -> str:
    return f"/tasks/{task.id}"


def _notify_participants(task: Task, kind: str, *, by) -> None:
    """Tell each participant (not the one who acted) about ``task``; never its description."""
    for participation in task.participations:
        if participation.student_id != by.id:
            notify(participation.student_id, kind, _task_link(task), title=task.title, by=by.name)


@dataclass
class Participant:
    student_id: int
    minutes: int
    role: ParticipationRole = ParticipationRole.SUPPORT


@dataclass
class TaskData:
    date: date
    title: str
    category: Category
    participants: list[Participant]
    description: str = ""
    residents_reached: int = 0
    partners_involved: str = ""
    place: str = ""
    extra: dict = field(default_factory=dict)


def _event(task: Task, actor, action: str, old: str | None, new: str | None, details=None):
    task.events.append(
        TaskEvent(
            actor=actor,
            action=action,
            from_status=old,
            to_status=new,
            details=json.dumps(details or {}, ensure_ascii=False),
            at=clock.utcnow(),
        )
    )


def _check(team: Team, data: TaskData, *, today: date, exclude_task: Task | None = None) -> None:
    if not data.title.strip():
        raise WijklabError(_l("Vul een titel in."), field="title")
    if len(data.title) > TITLE_MAX:
        raise WijklabError(_l("Een titel mag hoogstens 160 tekens hebben."), field="title")
    if len(data.description) > DESCRIPTION_MAX or len(data.partners_involved) > PARTNERS_MAX:
        raise WijklabError(_l("Deze tekst is te lang."), field="description")
    if data.residents_reached < 0 or data.residents_reached > 100_000:
        raise WijklabError(_l("Vul een aantal van 0 tot 100.000 in."), field="residents_reached")
    if data.date > today:
        raise WijklabError(_l("Een taak kan niet in de toekomst liggen."), field="date")
    if not team.start_date <= data.date <= team.end_date:
        raise WijklabError(
            _l(
                "De datum valt buiten de periode van het team (%(start)s tot en met %(end)s).",
                start=team.start_date.strftime("%d-%m-%Y"),
                end=team.end_date.strftime("%d-%m-%Y"),
            ),
            field="date",
        )
    if not data.participants:
        raise WijklabError(_l("Kies minstens één deelnemer."), field="participants")
    members = {m.student_id: m.student for m in team.current_memberships}
    if exclude_task is not None:
        # Someone who has left the team keeps their part in the tasks they did while a member.
        members |= {p.student_id: p.student for p in exclude_task.participations}
    seen = set()
    for participant in data.participants:
        if participant.student_id not in members:
            raise WijklabError(
                _l("Alleen huidige teamleden kunnen deelnemen."), field="participants"
            )
        if participant.student_id in seen:
            raise WijklabError(_l("Iemand staat twee keer als deelnemer."), field="participants")
        seen.add(participant.student_id)
        if not 1 <= participant.minutes <= MAX_MINUTES:
            raise WijklabError(
                _l(
                    "Minuten van %(name)s: kies 1 tot en met %(max)s (16 uur).",
                    name=members[participant.student_id].name,
                    max=MAX_MINUTES,
                ),
                field="participants",
            )
    # No one works more than 16 hours on one day, over all their tasks together.
    query = (
        select(TaskParticipation.student_id, func.sum(TaskParticipation.minutes))
        .join(Task, Task.id == TaskParticipation.task_id)
        .where(Task.date == data.date, TaskParticipation.student_id.in_(seen))
        .group_by(TaskParticipation.student_id)
    )
    if exclude_task is not None:
        query = query.where(Task.id != exclude_task.id)
    already = dict(db.session.execute(query).all())
    for participant in data.participants:
        if already.get(participant.student_id, 0) + participant.minutes > MAX_MINUTES:
            raise WijklabError(
                _l(
                    "%(name)s komt op %(date)s boven de 16 uur.",
                    name=members[participant.student_id].name,
                    date=data.date.strftime("%d-%m-%Y"),
                ),
                field="participants",
            )


def _apply(task: Task, data: TaskData, *, keep: set[int] = frozenset()) -> None:
    """Copy ``data`` onto ``task``; participations of the students in ``keep`` (former members,
    whom the form no longer shows) stay as they are."""
    task.date = data.date
    task.title = data.title.strip()
    task.description = data.description.strip()
    task.category = data.category
    task.residents_reached = data.residents_reached
    task.partners_involved = data.partners_involved.strip()
    task.place = data.place.strip()
    existing = {p.student_id: p for p in task.participations}
    wanted = {p.student_id for p in data.participants} | set(keep)
    for participation in list(task.participations):
        if participation.student_id not in wanted:
            task.participations.remove(participation)
    for participant in data.participants:
        participation = existing.get(participant.student_id)
        if participation is None:
            participation = TaskParticipation(student_id=participant.student_id)
            task.participations.append(participation)
        participation.minutes = participant.minutes
        participation.role = participant.role


def log_task(team: Team, data: TaskData, *, author, today: date) -> Task:
    """A new pending task for the team, crediting each participant with their own minutes."""
    if not team.project.is_open:
        raise NotAllowed(_l("Dit project is afgerond: er kunnen geen taken meer bij."))
    _check(team, data, today=today)
    task = Task(team=team, author=author, status=TaskStatus.PENDING)
    _apply(task, data)
    db.session.add(task)
    _event(task, author, "created", None, TaskStatus.PENDING.value)
    db.session.flush()
    return task


def _snapshot(task: Task) -> dict:
    return {
        "date": task.date.isoformat(),
        "title": task.title,
        "description": task.description,
        "category": task.category.value,
        "residents_reached": task.residents_reached,
        "partners_involved": task.partners_involved,
        "place": task.place,
        "participants": {str(p.student_id): [p.minutes, p.role.value] for p in task.participations},
    }


# Free text that may name a resident, a phone number or an e-mail address: the history says that
# it changed, never what it said, so what a member removes from it is gone (AVG).
UNKEPT_FIELDS = frozenset({"description"})
CHANGED = "changed"


def edit_task(task: Task, data: TaskData, *, by, version: int, today: date) -> Task:
    """Change a task. A save based on an older version is refused (reload first). A verified or
    returned task goes back to pending, with what changed recorded for the supervisor."""
    if version != task.version:
        raise Conflict(
            _l("Iemand anders heeft deze taak intussen gewijzigd. Laad de pagina opnieuw."),
        )
    if not task.team.project.is_open:
        raise NotAllowed(_l("Dit project is afgerond: er kunnen geen taken meer bij."))
    current = {m.student_id for m in task.team.current_memberships}
    former = {p.student_id for p in task.participations} - current
    given = {p.student_id for p in data.participants}
    keep = former - given
    if keep:
        data.participants = [
            *data.participants,
            *(
                Participant(p.student_id, p.minutes, p.role)
                for p in task.participations
                if p.student_id in keep
            ),
        ]
    _check(task.team, data, today=today, exclude_task=task)
    before = _snapshot(task)
    _apply(task, data, keep=keep)
    after = _snapshot(task)
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    for key in UNKEPT_FIELDS & changes.keys():
        changes[key] = CHANGED
    if not changes:
        return task
    touch(task)  # the version goes up even when only the participants changed
    old = task.status
    if old != TaskStatus.PENDING:
        task.status = TaskStatus.PENDING
        task.verified_by_id = None
        task.verified_at = None
        task.verified_on_behalf = False
    action = "resubmitted" if old == TaskStatus.RETURNED else "edited"
    _event(task, by, action, old.value, task.status.value, changes)
    if old == TaskStatus.VERIFIED:
        # The names of the fields that changed, never their values.
        record(by, "task.edited_after_verification", task, changed=sorted(changes))
    if old != TaskStatus.PENDING and task.team.supervisor_id != by.id:
        notify(
            task.team.supervisor_id,
            "task_back_to_pending",
            _task_link(task),
            title=task.title,
            by=by.name,
        )
    db.session.flush()
    return task


def _check_seen(task: Task, version: int | None) -> None:
    """A decision is about the task as it was shown: refuse it when the task changed since (the
    versioned UPDATE refuses it too when the change lands while this request runs)."""
    if version is not None and version != task.version:
        raise Conflict(_l("Deze taak is intussen gewijzigd; bekijk hem opnieuw."))


def verify_task(task: Task, *, by, on_behalf: bool, version: int | None = None) -> None:
    """Pending → verified, on the ``version`` the supervisor saw (None: the task as loaded);
    the task is then locked until someone edits it."""
    _check_seen(task, version)
    if task.status != TaskStatus.PENDING:
        raise WijklabError(_l("Alleen een taak die wacht op controle kan worden goedgekeurd."))
    if any(p.student_id == by.id for p in task.participations):
        raise NotAllowed(_l("Je kunt een taak waaraan je zelf meedeed niet goedkeuren."))
    task.status = TaskStatus.VERIFIED
    task.verified_by = by
    task.verified_at = clock.utcnow()
    task.verified_on_behalf = on_behalf
    task.return_reason = ""
    details = {"on_behalf": True} if on_behalf else {}
    _event(task, by, "verified", TaskStatus.PENDING.value, TaskStatus.VERIFIED.value, details)
    # On behalf is its own action, so the audit trail can be filtered on it.
    action = "task.verified_on_behalf" if on_behalf else "task.verified"
    record(by, action, task, on_behalf=on_behalf)
    _notify_participants(task, "task_verified", by=by)
    db.session.flush()


def return_task(task: Task, *, by, reason: str, version: int | None = None) -> None:
    """Pending → returned, with a reason the team can act on, on the ``version`` the supervisor
    saw (None: the task as loaded)."""
    _check_seen(task, version)
    reason = (reason or "").strip()
    if not reason:
        raise WijklabError(_l("Schrijf waarom je de taak teruggeeft."), field="reason")
    if len(reason) > REASON_MAX:
        raise WijklabError(_l("De reden mag hoogstens 1000 tekens hebben."), field="reason")
    if task.status != TaskStatus.PENDING:
        raise WijklabError(_l("Alleen een taak die wacht op controle kan worden teruggegeven."))
    task.status = TaskStatus.RETURNED
    task.return_reason = reason
    _event(
        task,
        by,
        "returned",
        TaskStatus.PENDING.value,
        TaskStatus.RETURNED.value,
        {"reason": reason},
    )
    # The reason stays in the task's own history: it may name a resident.
    record(by, "task.returned", task)
    _notify_participants(task, "task_returned", by=by)
    db.session.flush()


def _correction_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise WijklabError(_l("Schrijf waarom je de tijd aanpast."), field="reason")
    if len(reason) > REASON_MAX:
        raise WijklabError(_l("De reden mag hoogstens 1000 tekens hebben."), field="reason")
    return reason


def correct_participation(
    participation: TaskParticipation,
    *,
    by,
    minutes: int | None,
    reason: str,
    version: int | None = None,
) -> None:
    """The reviewer corrects one participant's minutes (``minutes``) or removes them from the
    task (``minutes=None``), with a reason, instead of returning the whole task. Only on a
    pending task, on the ``version`` the reviewer saw; never on a task they took part in; the
    last participant stays (return the task instead). The task's history keeps the old and new
    minutes and the reason; the student is told, without the reason."""
    task = participation.task
    _check_seen(task, version)
    if task.status != TaskStatus.PENDING:
        raise WijklabError(
            _l("Alleen bij een taak die wacht op controle kun je de tijd aanpassen.")
        )
    if any(p.student_id == by.id for p in task.participations):
        raise NotAllowed(_l("Je kunt een taak waaraan je zelf meedeed niet aanpassen."))
    reason = _correction_reason(reason)
    old = participation.minutes
    if minutes is None:
        if len(task.participations) <= 1:
            raise WijklabError(
                _l("De laatste deelnemer kun je niet verwijderen. Geef de taak dan terug.")
            )
        task.participations.remove(participation)
        action = "participant_removed"
    else:
        if not 1 <= minutes <= MAX_MINUTES:
            raise WijklabError(_l("Kies 1 tot en met 960 minuten."), field="minutes")
        if minutes == old:
            raise WijklabError(_l("Dit is dezelfde tijd als eerst."), field="minutes")
        already = db.session.scalar(
            select(func.coalesce(func.sum(TaskParticipation.minutes), 0))
            .join(Task, Task.id == TaskParticipation.task_id)
            .where(
                Task.date == task.date,
                Task.id != task.id,
                TaskParticipation.student_id == participation.student_id,
            )
        )
        if already + minutes > MAX_MINUTES:
            raise WijklabError(
                _l(
                    "%(name)s komt op %(date)s boven de 16 uur.",
                    name=participation.student.name,
                    date=task.date.strftime("%d-%m-%Y"),
                ),
                field="minutes",
            )
        participation.minutes = minutes
        action = "participant_corrected"
    touch(task)  # the version goes up: a decision on the task as it was is refused
    status = task.status.value
    _event(
        task,
        by,
        action,
        status,
        status,
        {
            "student_id": participation.student_id,
            "old_minutes": old,
            "new_minutes": minutes,
            "reason": reason,
        },
    )
    # The reason stays in the task's own history: it may name someone.
    record(
        by,
        f"task.{action}",
        task,
        student_id=participation.student_id,
        old_minutes=old,
        new_minutes=minutes,
    )
    if participation.student_id != by.id:
        notify(
            participation.student_id,
            "participation_corrected",
            _task_link(task),
            title=task.title,
            by=by.name,
        )
    db.session.flush()


def set_reflection(participation: TaskParticipation, text: str) -> None:
    text = (text or "").strip()
    if len(text) > REFLECTION_MAX:
        raise WijklabError(
            _l("Een reflectie mag hoogstens 2000 tekens hebben."), field="reflection"
        )
    participation.reflection = text
    db.session.flush()


def log_supervision(
    team: Team, *, supervisor, on: date, minutes: int, note: str, today: date, students=()
):
    """A supervision session of the team, with the ``students`` (current members) who took
    part; each of them is credited with the session's minutes of supervision."""
    if on > today or not team.start_date <= on <= team.end_date:
        raise WijklabError(
            _l("Kies een datum in de periode van het team, niet in de toekomst."), field="date"
        )
    if not 1 <= minutes <= MAX_MINUTES:
        raise WijklabError(_l("Kies 1 tot en met 960 minuten."), field="minutes")
    current = {m.student_id for m in team.current_memberships}
    chosen = {student.id: student for student in students}
    if set(chosen) - current:
        raise WijklabError(
            _l("Alleen huidige teamleden kunnen bij de begeleiding staan."), field="students"
        )
    session = SupervisionSession(
        team_id=team.id,
        supervisor=supervisor,
        date=on,
        minutes=minutes,
        note=note.strip(),
        students=list(chosen.values()),
    )
    db.session.add(session)
    db.session.flush()
    return session


def log_visit(team: Team, *, visitor, on: date, present: str, note: str, today: date):
    if on > today or not team.start_date <= on <= team.end_date:
        raise WijklabError(
            _l("Kies een datum in de periode van het team, niet in de toekomst."), field="date"
        )
    visit = SchoolVisit(
        team_id=team.id, visitor=visitor, date=on, present=present.strip(), note=note.strip()
    )
    db.session.add(visit)
    db.session.flush()
    return visit


# --- personal data in descriptions -----------------------------------------------------------

# A Dutch number: +31, 0031 or 0, then nine digits, spaced or hyphenated in any grouping.
PHONE = re.compile(r"(?<![\d+])(?:\+31|0031|0)[\s-]*(?:\d[\s-]?){8}\d(?!\d)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
NINE_DIGITS = re.compile(r"(?<!\d)(\d{4}\.?\d{2}\.?\d{3}|\d{9})(?!\d)")


def _is_bsn(digits: str) -> bool:
    """The Dutch citizen service number's eleven test."""
    digits = digits.replace(".", "")
    if len(digits) != 9 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True))
    return (total - int(digits[8])) % 11 == 0


def personal_data_warnings(text: str) -> list:
    """Warnings (not errors) when a text seems to hold a resident's personal data."""
    warnings = []
    if PHONE.search(text or ""):
        warnings.append(_l("De beschrijving lijkt een telefoonnummer te bevatten."))
    if EMAIL.search(text or ""):
        warnings.append(_l("De beschrijving lijkt een e-mailadres te bevatten."))
    if any(_is_bsn(m.group(1)) for m in NINE_DIGITS.finditer(text or "")):
        warnings.append(_l("De beschrijving lijkt een burgerservicenummer te bevatten."))
    return warnings


# --- totals ----------------------------------------------------------------------------------


def by_name(loader):
    """``loader`` (the join of a person a list shows by name) with the person's id and name only:
    not their profile, school or organisation, which every user would otherwise join in."""
    return loader.load_only(User.id, User.name).options(
        lazyload(User.student_profile), lazyload(User.supervisor_profile)
    )


def _minutes_where(condition, minutes=TaskParticipation.minutes):
    return func.coalesce(func.sum(case((condition, minutes), else_=0)), 0)


def member_totals(team: Team) -> dict[int, dict[str, int]]:
    """Per student of the team, minutes logged, verified, pending, returned, collective and
    individual, in one aggregate query over the team's rows of the hours summary."""
    minutes = HoursSummary.minutes
    individual = HoursSummary.category == Category.INDIVIDUAL_SUPPORT
    rows = db.session.execute(
        select(
            HoursSummary.student_id,
            func.sum(minutes),
            _minutes_where(HoursSummary.status == TaskStatus.VERIFIED, minutes),
            _minutes_where(HoursSummary.status == TaskStatus.PENDING, minutes),
            _minutes_where(HoursSummary.status == TaskStatus.RETURNED, minutes),
            _minutes_where(~individual, minutes),
            _minutes_where(individual, minutes),
        )
        .where(HoursSummary.team_id == team.id)
        .group_by(HoursSummary.student_id)
    ).all()
    keys = ("logged", "verified", "pending", "returned", "collective", "individual")
    return {row[0]: dict(zip(keys, (int(v or 0) for v in row[1:]), strict=True)) for row in rows}


FIELD_LABELS = {
    "date": _l("datum"),
    "title": _l("titel"),
    "description": _l("beschrijving"),
    "category": _l("soort werk"),
    "residents_reached": _l("bewoners bereikt"),
    "partners_involved": _l("betrokken organisaties"),
    "place": _l("straat, plek of groep"),
    "participants": _l("deelnemers en minuten"),
    "reason": _l("reden"),
    "on_behalf": _l("namens de werkbegeleider"),
}


def event_changes(event: TaskEvent) -> list:
    """What an event changed, as (label, before, after), (label, value, None) or, for a text
    whose values are not kept, (label, None, None) for the page."""
    try:
        details = json.loads(event.details or "{}")
    except ValueError:
        return []
    result = []
    for key, value in details.items():
        label = FIELD_LABELS.get(key, key)
        if key in UNKEPT_FIELDS:
            # Events written before this rule kept the texts: they are not shown either.
            result.append((label, None, None))
        elif isinstance(value, list) and len(value) == 2:
            result.append((label, _readable(key, value[0]), _readable(key, value[1])))
        else:
            result.append((label, _readable(key, value), None))
    return result


CORRECTIONS = frozenset({"participant_corrected", "participant_removed"})


def corrections(task: Task) -> dict[int, dict]:
    """The task's corrections by the reviewer, per event id: the participant's name, the old and
    new minutes (None: removed) and the reason; the names in one query."""
    found = {}
    for event in task.events:
        if event.action not in CORRECTIONS:
            continue
        try:
            details = json.loads(event.details or "{}")
        except ValueError:
            continue
        found[event.id] = details
    ids = {d.get("student_id") for d in found.values()} - {None}
    names = (
        dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())
        if ids
        else {}
    )
    return {
        event_id: {
            "name": names.get(d.get("student_id"), "—"),
            "old": d.get("old_minutes"),
            "new": d.get("new_minutes"),
            "reason": d.get("reason", ""),
        }
        for event_id, d in found.items()
    }


def _readable(key: str, value) -> str:
    if key == "participants" and isinstance(value, dict):
        ids = [int(i) for i in value]
        names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())
        return ", ".join(f"{names.get(int(i), i)} {v[0]} min" for i, v in value.items())
    if value is True:
        return "✓"
    return str(value)


def team_feed(team: Team, per_page: int, before=None, after=None, skip: int = 0):
    """The team's tasks, newest first, a page at a time by (date, id) cursors; each task with its
    participants, in one query."""
    query = (
        select(Task)
        .where(Task.team_id == team.id)
        .options(
            by_name(joinedload(Task.participations).joinedload(TaskParticipation.student)),
            lazyload(Task.author),
            lazyload(Task.verified_by),
        )
    )
    return keyset_page(
        query,
        (Task.date, Task.id),
        lambda task: (task.date, task.id),
        (date.fromisoformat, int),
        per_page,
        before=before,
        after=after,
        skip=skip,
    )


def supervision_summary(project) -> list[dict]:
    """Per supervisor of the project's teams: minutes given, weeks covered, declared hours a week,
    and the number of students they supervise."""
    from wijklab.accounts.models import SupervisorProfile, User
    from wijklab.teams.models import TeamMembership

    team_ids = [t.id for t in project.teams]
    if not team_ids:
        return []
    given = dict(
        db.session.execute(
            select(SupervisionSession.supervisor_id, func.sum(SupervisionSession.minutes))
            .where(SupervisionSession.team_id.in_(team_ids))
            .group_by(SupervisionSession.supervisor_id)
        ).all()
    )
    students = dict(
        db.session.execute(
            select(Team.supervisor_id, func.count(func.distinct(TeamMembership.student_id)))
            .join(TeamMembership, TeamMembership.team_id == Team.id)
            .where(Team.id.in_(team_ids), TeamMembership.left_on.is_(None))
            .group_by(Team.supervisor_id)
        ).all()
    )
    supervisors = db.session.execute(
        select(User.id, User.name, SupervisorProfile.supervision_hours_per_week)
        .join(SupervisorProfile, SupervisorProfile.user_id == User.id)
        .where(User.id.in_({t.supervisor_id for t in project.teams}))
        .order_by(User.name)
    ).all()
    today = clock.today()
    weeks = max(1, ((min(today, project.end_date) - project.start_date).days // 7) + 1)
    return [
        {
            "name": name,
            "given_hours": round((given.get(uid) or 0) / 60, 1),
            "declared_hours": declared * weeks,
            "declared_per_week": declared,
            "students": students.get(uid, 0),
        }
        for uid, name, declared in supervisors
    ]


def visit_counts(project) -> dict[int, int]:
    team_ids = [t.id for t in project.teams]
    if not team_ids:
        return {}
    return dict(
        db.session.execute(
            select(SchoolVisit.team_id, func.count(SchoolVisit.id))
            .where(SchoolVisit.team_id.in_(team_ids))
            .group_by(SchoolVisit.team_id)
        ).all()
    )


def team_timeline(team: Team, per_page: int, before=None, after=None):
    """Supervision sessions and school visits of the team, newest first, a page at a time by
    (date, kind, id) cursors, in one query: rows of kind, id, date, minutes, note, present and
    the name of the supervisor or visitor."""
    from sqlalchemy import literal, union_all

    sessions = (
        select(
            literal("supervision").label("kind"),
            SupervisionSession.id,
            SupervisionSession.date,
            SupervisionSession.minutes,
            SupervisionSession.note,
            literal("").label("present"),
            User.name,
        )
        .join(User, User.id == SupervisionSession.supervisor_id)
        .where(SupervisionSession.team_id == team.id)
    )
    visits = (
        select(
            literal("visit"),
            SchoolVisit.id,
            SchoolVisit.date,
            literal(0),
            SchoolVisit.note,
            SchoolVisit.present,
            User.name,
        )
        .join(User, User.id == SchoolVisit.visitor_id)
        .where(SchoolVisit.team_id == team.id)
    )
    both = union_all(sessions, visits).subquery()
    return keyset_page(
        select(both),
        (both.c.date, both.c.kind, both.c.id),
        lambda row: (row.date, row.kind, row.id),
        (date.fromisoformat, str, int),
        per_page,
        before=before,
        after=after,
        rows=True,
    )


def student_hours(student) -> dict:
    """A student's verified hours per team, collective and individual apart, per ISO week and
    cumulative, against their agreed BPV hours. Aggregated in SQL."""
    minutes = HoursSummary.minutes
    individual = HoursSummary.category == Category.INDIVIDUAL_SUPPORT
    verified = HoursSummary.status == TaskStatus.VERIFIED
    per_team = db.session.execute(
        select(
            Team.id,
            Team.name,
            Project.title,
            _minutes_where(verified & ~individual, minutes),
            _minutes_where(verified & individual, minutes),
            _minutes_where(HoursSummary.status == TaskStatus.PENDING, minutes),
        )
        .join(Project, Project.id == Team.project_id)
        .join(HoursSummary, HoursSummary.team_id == Team.id)
        .where(HoursSummary.student_id == student.id)
        .group_by(Team.id, Team.name, Project.title)
        .order_by(Team.name)
    ).all()
    dated = db.session.execute(
        select(HoursSummary.week, HoursSummary.category, func.sum(minutes))
        .where(HoursSummary.student_id == student.id, verified)
        .group_by(HoursSummary.week, HoursSummary.category)
    ).all()
    weeks: dict[tuple[int, int], dict[str, int]] = {}
    for day, category, total in dated:
        year, week, _ = day.isocalendar()
        bucket = weeks.setdefault((year, week), {"collective": 0, "individual": 0})
        bucket["collective" if Category(category).is_collective else "individual"] += int(total)
    cumulative = 0
    by_week = []
    for (year, week), bucket in sorted(weeks.items()):
        cumulative += bucket["collective"] + bucket["individual"]
        by_week.append({"year": year, "week": week, **bucket, "cumulative": cumulative})
    teams = [
        {"id": tid, "name": name, "project": title, "collective": c, "individual": i, "pending": p}
        for tid, name, title, c, i, p in per_team
    ]
    total = sum(t["collective"] + t["individual"] for t in teams)
    agreed = student.student_profile.agreed_bpv_hours * 60
    sessions = student_supervision(student)
    return {
        "supervision": sum(s["minutes"] for s in sessions),
        "sessions": sessions,
        "teams": teams,
        "weeks": by_week,
        "total": total,
        "collective": sum(t["collective"] for t in teams),
        "individual": sum(t["individual"] for t in teams),
        "pending": sum(t["pending"] for t in teams),
        "agreed": agreed,
        "percent": round(100 * total / agreed) if agreed else None,
        "schedule": student_schedule(
            student,
            verified=total,
            pending=sum(t["pending"] for t in teams),
            today=clock.today(),
        ),
    }


# Within this share of the expected hours (and at least an hour) a student is on schedule.
SCHEDULE_MARGIN = 0.1
SCHEDULE_MARGIN_MINUTES = 60


@dataclass(frozen=True)
class HoursSchedule:
    """A student's hours against their agreed BPV hours, in minutes, and where they should be by
    today if they spread the agreed hours evenly over their placement (``start`` to ``end``)."""

    verified: int
    pending: int
    agreed: int
    start: date | None
    end: date | None
    expected: int | None  # minutes expected by today; None without agreed hours or dates
    status: str  # "no_agreed", "no_period", "on_track", "behind" or "ahead"

    @property
    def difference(self) -> int:
        """Verified minutes above (positive) or below (negative) the expected minutes."""
        return self.verified - (self.expected or 0)


def placement_period(student) -> tuple[date | None, date | None]:
    """The student's placement: from the first day in a team (joining, or the team's start if
    later) to the end of their last team; (None, None) before they are in any team."""
    from wijklab.teams.models import TeamMembership

    rows = db.session.execute(
        select(TeamMembership.joined_on, Team.start_date, Team.end_date)
        .join(Team, Team.id == TeamMembership.team_id)
        .where(TeamMembership.student_id == student.id)
    ).all()
    if not rows:
        return None, None
    start = min(max(joined, team_start) for joined, team_start, _end in rows)
    end = max(team_end for _joined, _start, team_end in rows)
    return start, end


def hours_schedule(
    *, verified: int, pending: int, agreed: int, start: date | None, end: date | None, today: date
) -> HoursSchedule:
    """Compare verified minutes with the agreed minutes spread evenly over the placement's days,
    today included (nothing expected before the start, everything after the end). On schedule
    within 10 % of the expected minutes, and at least an hour, either way."""
    expected = None
    if not agreed:
        status = "no_agreed"
    elif start is None or end is None or end < start:
        status = "no_period"
    else:
        days = (end - start).days + 1
        passed = min(max((today - start).days + 1, 0), days)
        expected = round(agreed * passed / days)
        margin = max(SCHEDULE_MARGIN_MINUTES, SCHEDULE_MARGIN * expected)
        if verified < expected - margin:
            status = "behind"
        elif verified > expected + margin:
            status = "ahead"
        else:
            status = "on_track"
    return HoursSchedule(verified, pending, agreed, start, end, expected, status)


def student_schedule(student, *, verified: int, pending: int, today: date) -> HoursSchedule:
    """``hours_schedule`` for a student: their agreed BPV hours and placement period."""
    profile = student.student_profile
    start, end = placement_period(student)
    return hours_schedule(
        verified=verified,
        pending=pending,
        agreed=(profile.agreed_bpv_hours * 60) if profile else 0,
        start=start,
        end=end,
        today=today,
    )


def student_supervision(student) -> list[dict]:
    """The supervision sessions the student took part in, newest first, with the team and the
    supervisor: one query, however many sessions."""
    rows = db.session.execute(
        select(
            SupervisionSession.date,
            SupervisionSession.minutes,
            Team.name,
            Project.title,
            User.name,
        )
        .join(
            supervision_session_student,
            supervision_session_student.c.session_id == SupervisionSession.id,
        )
        .join(Team, Team.id == SupervisionSession.team_id)
        .join(Project, Project.id == Team.project_id)
        .join(User, User.id == SupervisionSession.supervisor_id)
        .where(supervision_session_student.c.student_id == student.id)
        .order_by(SupervisionSession.date.desc(), SupervisionSession.id.desc())
    ).all()
    return [
        {
            "date": on,
            "minutes": minutes,
            "team": team,
            "project": project,
            "supervisor": supervisor,
        }
        for on, minutes, team, project, supervisor in rows
    ]
