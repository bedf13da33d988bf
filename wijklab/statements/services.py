"""Practical-training statements. A student asks for one as of a cut-off date; the team's
supervisor confirms the practical part; the project's wijkdocent (or an admin) issues it on
behalf of the school, or returns the request with a reason. Issuing freezes what the statement
says (verified hours up to the cut-off by kind and week, agreed hours, signed-off goals with
their framework items, the coverage summary, the start agreement) under a random code, with a
SHA-256 fingerprint of that frozen content and the basis it counted. Verification shows the
frozen figures and says in plain words whether something counted was withdrawn since."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from wijklab.accounts.models import Role, User
from wijklab.activity.models import Delivery
from wijklab.activity.services import (
    notify,
    record,
    register_actions,
    register_kind,
    register_object_link,
)
from wijklab.agreements.services import accepted_agreement
from wijklab.clock import AMSTERDAM, today, utcnow
from wijklab.errors import Conflict, NotAllowed, WijklabError
from wijklab.extensions import db
from wijklab.goals.coverage import coverage_summary
from wijklab.goals.models import (
    FrameworkItem,
    GoalStatus,
    LearningGoal,
    SignOff,
    goal_framework_item,
)
from wijklab.statements.models import (
    CODE_LENGTH,
    NOTE_MAX,
    REASON_MAX,
    RequestStatus,
    Statement,
    StatementRequest,
)
from wijklab.tasks.models import Category, Task, TaskParticipation, TaskStatus
from wijklab.teams.models import Team

# Crockford's base32: no I, L, O or U, so a code read aloud or typed over is not misread.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_TYPO = str.maketrans({"O": "0", "I": "1", "L": "1"})
CONTENT_VERSION = 2
# Study assignments and individual client support are shown apart from collective work.
APART = {Category.STUDY_ASSIGNMENT.value: "study", Category.INDIVIDUAL_SUPPORT.value: "individual"}

register_actions(
    {
        "statement.requested": _l("Praktijkverklaring aangevraagd"),
        "statement.confirmed": _l("Praktijkdeel van een verklaring bevestigd"),
        "statement.issued": _l("Praktijkverklaring uitgegeven"),
        "statement.returned": _l("Aanvraag praktijkverklaring teruggegeven"),
        "statement.withdrawn": _l("Aanvraag praktijkverklaring ingetrokken"),
    }
)
register_object_link("Statement", "statements.detail", "statement_id")
register_object_link("StatementRequest", "statements.request_detail", "request_id")
register_kind(
    "statement_requested",
    _l("%(student)s vraagt een praktijkverklaring aan voor %(team)s, stand per %(cutoff)s."),
    label=_l("Een student vraagt een praktijkverklaring aan"),
    roles={Role.SUPERVISOR, Role.WIJKDOCENT},
    defaults={Role.SUPERVISOR: Delivery.IMMEDIATE},
)
register_kind(
    "statement_confirmed",
    _l("%(by)s bevestigde het praktijkdeel van de verklaring van %(student)s (%(team)s)."),
    label=_l("Het praktijkdeel van een verklaring is bevestigd"),
    roles={Role.STUDENT, Role.WIJKDOCENT},
)
register_kind(
    "statement_returned",
    _l("%(by)s gaf je aanvraag voor een praktijkverklaring (%(team)s) terug."),
    label=_l("Je aanvraag voor een praktijkverklaring is teruggegeven"),
    roles={Role.STUDENT},
    defaults={Role.STUDENT: Delivery.IMMEDIATE},
)
register_kind(
    "statement_issued",
    _l("%(by)s gaf een praktijkverklaring uit voor %(student)s (%(team)s)."),
    label=_l("Er is een praktijkverklaring uitgegeven"),
    roles={Role.STUDENT, Role.WIJKDOCENT, Role.SUPERVISOR},
    defaults={Role.STUDENT: Delivery.IMMEDIATE},
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


def _end_of_day_utc(day: dt.date) -> dt.datetime:
    """The first moment after ``day`` in the Netherlands, in UTC: a sign-off at 23:30 on the
    cut-off date (Amsterdam time) still counts."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), AMSTERDAM).astimezone(dt.UTC)


def statement_content(team: Team, student, cutoff: dt.date) -> tuple[dict, dict]:
    """What a statement of ``student`` in ``team`` as of ``cutoff`` says now, and the basis it
    counts (the ids of the verified task participations with their minutes, and of the
    sign-offs). A constant number of queries, whatever the amount of work."""
    membership = team.membership_of(student)
    profile = student.student_profile
    project = team.project
    rows = db.session.execute(
        select(TaskParticipation.id, TaskParticipation.minutes, Task.date, Task.category)
        .join(Task, Task.id == TaskParticipation.task_id)
        .where(
            Task.team_id == team.id,
            TaskParticipation.student_id == student.id,
            Task.status == TaskStatus.VERIFIED,
            Task.date <= cutoff,
        )
        .order_by(Task.date, TaskParticipation.id)
    ).all()
    by_category: dict[str, int] = {}
    weeks: dict[tuple[int, int], dict[str, int]] = {}
    kinds = {"collective": 0, "study": 0, "individual": 0}
    for _id, minutes, day, category in rows:
        key = Category(category).value
        kind = APART.get(key, "collective")
        by_category[key] = by_category.get(key, 0) + minutes
        kinds[kind] += minutes
        year, week, _ = day.isocalendar()
        bucket = weeks.setdefault((year, week), {"collective": 0, "study": 0, "individual": 0})
        bucket[kind] += minutes
    order = [c.value for c in Category]
    categories = [{"category": c, "minutes": by_category[c]} for c in order if by_category.get(c)]
    total = sum(kinds.values())
    agreement = accepted_agreement(team.id, student.id)
    if agreement is not None:
        agreed = agreement.agreed_bpv_hours * 60
    else:
        agreed = (profile.agreed_bpv_hours * 60) if profile else 0
    goals = db.session.execute(
        select(
            LearningGoal.id,
            LearningGoal.title,
            SignOff.id.label("sign_off_id"),
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
            SignOff.signed_at < _end_of_day_utc(cutoff),
        )
        .order_by(SignOff.signed_at, LearningGoal.id)
    ).all()
    items: dict[int, list[dict]] = {}
    signers: dict[int, str] = {}
    if goals:
        for goal_id, code, title in db.session.execute(
            select(goal_framework_item.c.goal_id, FrameworkItem.code, FrameworkItem.title)
            .join(FrameworkItem, FrameworkItem.id == goal_framework_item.c.framework_item_id)
            .where(goal_framework_item.c.goal_id.in_([g.id for g in goals]))
            .order_by(FrameworkItem.code)
        ):
            items.setdefault(goal_id, []).append({"code": code, "title": title})
        signer_ids = {g.signed_by_id for g in goals if g.signed_by_id}
        signers = dict(
            db.session.execute(select(User.id, User.name).where(User.id.in_(signer_ids))).all()
        )
    start = membership.joined_on if membership else team.start_date
    end = min(team.end_date, cutoff)
    if membership is not None and membership.left_on is not None:
        end = min(end, membership.left_on)
    content = {
        "version": CONTENT_VERSION,
        "cutoff": cutoff.isoformat(),
        "student": {
            "name": student.name,
            "student_number": (getattr(profile, "student_number", None) or "") if profile else "",
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
        "supervisor": {"name": team.supervisor.name, "organisation": project.partner.name},
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "hours": {
            "total_minutes": total,
            "collective_minutes": kinds["collective"],
            "study_minutes": kinds["study"],
            "individual_minutes": kinds["individual"],
            "agreed_minutes": agreed,
            "by_category": categories,
            "by_week": [
                {"year": year, "week": week, "minutes": sum(parts.values()), **parts}
                for (year, week), parts in sorted(weeks.items())
            ],
        },
        "goals": [
            {
                "title": g.title,
                "codes": [i["code"] for i in items.get(g.id, [])],
                "items": items.get(g.id, []),
                "signed_by": signers.get(g.signed_by_id, ""),
                "signed_at": g.signed_at.isoformat(),
                "statement": g.statement,
            }
            for g in goals
        ],
        "coverage": coverage_summary(student, team, cutoff),
        "agreement": {
            "accepted_at": agreement.accepted_at.isoformat() if agreement is not None else None
        },
    }
    basis = {
        "participations": [[pid, minutes] for pid, minutes, _d, _c in rows],
        "sign_offs": [g.sign_off_id for g in goals],
    }
    return content, basis


def fingerprint(content: dict) -> str:
    """SHA-256 of the frozen content in one canonical JSON form (sorted keys, UTF-8)."""
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def framework_codes(content: dict) -> list[str]:
    """The framework codes of the signed-off goals a statement names, each once, sorted."""
    return sorted({code for goal in content.get("goals", []) for code in goal.get("codes", [])})


# --- requests ---------------------------------------------------------------------------------


@dataclass
class RequestData:
    cutoff_date: dt.date | None
    note: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def pending_request(team_id: int, student_id: int) -> StatementRequest | None:
    return db.session.scalar(
        select(StatementRequest).where(
            StatementRequest.team_id == team_id,
            StatementRequest.student_id == student_id,
            StatementRequest.status == RequestStatus.PENDING,
        )
    )


def _check_cutoff(team: Team, student, cutoff: dt.date | None) -> None:
    membership = team.membership_of(student)
    if cutoff is None:
        raise WijklabError(_l("Kies de datum waarop de verklaring de stand geeft."), "cutoff_date")
    if cutoff > today():
        raise WijklabError(_l("De stand-per-datum kan niet in de toekomst liggen."), "cutoff_date")
    started = max(team.start_date, membership.joined_on if membership else team.start_date)
    if cutoff < started:
        raise WijklabError(
            _l("De stand-per-datum ligt vóór het begin in dit team (%(day)s).", day=started),
            "cutoff_date",
        )
    if cutoff > team.end_date:
        raise WijklabError(
            _l("De stand-per-datum ligt na het einde van het team (%(day)s).", day=team.end_date),
            "cutoff_date",
        )


def _check_agreement(team: Team, student) -> None:
    if accepted_agreement(team.id, student.id) is None:
        raise WijklabError(
            _l(
                "Er is nog geen startafspraak die de student, de werkbegeleider en de "
                "wijkdocent alle drie hebben geaccepteerd. Die is nodig voor een verklaring."
            )
        )


def request_statement(team: Team, student, *, cutoff: dt.date | None, note: str = ""):
    """The student asks for a statement as of ``cutoff``: only while in the team, with an
    accepted start agreement, a cut-off within their time in the team and not in the future,
    and no other request pending."""
    membership = team.membership_of(student)
    if membership is None:
        raise NotAllowed(_l("Je zit niet in dit team."))
    if membership.left_on is not None and membership.left_on <= today():
        raise WijklabError(
            _l("Je bent uit dit team vertrokken; vraag de wijkdocent om een verklaring.")
        )
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise WijklabError(_l("Gebruik hoogstens %(max)s tekens.", max=NOTE_MAX), "note")
    _check_cutoff(team, student, cutoff)
    _check_agreement(team, student)
    if pending_request(team.id, student.id) is not None:
        raise Conflict(
            _l("Er loopt al een aanvraag voor een verklaring in dit team. Wacht die eerst af.")
        )
    asked = StatementRequest(team_id=team.id, student_id=student.id, cutoff_date=cutoff, note=note)
    db.session.add(asked)
    db.session.flush()
    record(student, "statement.requested", asked, team_id=team.id, cutoff=cutoff.isoformat())
    link = f"/statements/requests/{asked.id}"
    for recipient in dict.fromkeys((team.supervisor_id, team.project.owner_id)):
        notify(
            recipient,
            "statement_requested",
            link,
            student=student.name,
            team=team.label,
            cutoff=cutoff.isoformat(),
        )
    return asked


def _still_pending(asked: StatementRequest) -> None:
    if asked.status != RequestStatus.PENDING:
        raise Conflict(_l("Over deze aanvraag is al besloten."))


def confirm_request(asked: StatementRequest, *, by) -> None:
    """The team's supervisor confirms the practical part of a pending request."""
    _still_pending(asked)
    if asked.confirmed_at is not None:
        raise Conflict(_l("Het praktijkdeel is al bevestigd."))
    asked.confirmed_by_id = by.id
    asked.confirmed_at = utcnow()
    db.session.flush()
    record(by, "statement.confirmed", asked, team_id=asked.team_id)
    team = asked.team
    for recipient in dict.fromkeys((asked.student_id, team.project.owner_id)):
        if recipient != by.id:
            notify(
                recipient,
                "statement_confirmed",
                f"/statements/requests/{asked.id}",
                by=by.name,
                student=asked.student.name,
                team=team.label,
            )


def return_request(asked: StatementRequest, *, by, reason: str) -> None:
    """The wijkdocent (or the supervisor) returns a pending request with a reason."""
    _still_pending(asked)
    reason = (reason or "").strip()
    if not reason:
        raise WijklabError(_l("Schrijf waarom je de aanvraag teruggeeft."), "reason")
    if len(reason) > REASON_MAX:
        raise WijklabError(_l("Gebruik hoogstens %(max)s tekens.", max=REASON_MAX), "reason")
    asked.status = RequestStatus.RETURNED
    asked.return_reason = reason
    asked.decided_by_id = by.id
    asked.decided_at = utcnow()
    db.session.flush()
    record(by, "statement.returned", asked, team_id=asked.team_id)
    notify(
        asked.student_id,
        "statement_returned",
        f"/statements/requests/{asked.id}",
        by=by.name,
        team=asked.team.label,
    )


def withdraw_request(asked: StatementRequest, *, by) -> None:
    """The student withdraws their own pending request."""
    _still_pending(asked)
    asked.status = RequestStatus.WITHDRAWN
    asked.decided_by_id = by.id
    asked.decided_at = utcnow()
    db.session.flush()
    record(by, "statement.withdrawn", asked, team_id=asked.team_id)


def issue_statement(asked: StatementRequest, *, by, verify_url) -> Statement:
    """Issue the statement a confirmed request asks for, on behalf of the school: freeze its
    content as of the cut-off under a new code; ``verify_url(code)`` gives the public address
    printed on it."""
    _still_pending(asked)
    team, student = asked.team, asked.student
    if asked.confirmed_at is None:
        raise WijklabError(_l("De werkbegeleider heeft het praktijkdeel nog niet bevestigd."))
    _check_agreement(team, student)
    content, basis = statement_content(team, student, asked.cutoff_date)
    code = new_code()
    while db.session.scalar(select(Statement.id).where(Statement.code == code)) is not None:
        code = new_code()  # pragma: no cover - 80 random bits do not collide in practice
    now = utcnow()
    confirmer = asked.confirmed_by
    content.update(
        code=display_code(code),
        verify_url=verify_url(code),
        requested_at=asked.requested_at.isoformat(),
        confirmed_by={
            "name": confirmer.name if confirmer else "",
            "organisation": team.project.partner.name,
        },
        confirmed_at=asked.confirmed_at.isoformat(),
        issued_by={"name": by.name, "role": by.role.value},
        issued_at=now.isoformat(),
    )
    statement = Statement(
        code=code,
        student_id=student.id,
        team_id=team.id,
        issued_by_id=by.id,
        issued_at=now,
        fingerprint=fingerprint(content),
        content=json.dumps(content, ensure_ascii=False),
        request_id=asked.id,
        cutoff_date=asked.cutoff_date,
        confirmed_by_id=asked.confirmed_by_id,
        confirmed_at=asked.confirmed_at,
        basis=json.dumps(basis),
    )
    db.session.add(statement)
    asked.status = RequestStatus.ISSUED
    asked.decided_by_id = by.id
    asked.decided_at = now
    db.session.flush()
    record(by, "statement.issued", statement, student_id=student.id, team_id=team.id)
    for recipient in dict.fromkeys((student.id, team.supervisor_id, team.project.owner_id)):
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


# --- status -----------------------------------------------------------------------------------


@dataclass
class Standing:
    """What holds of an issued statement now. ``withdrawn_tasks``/``withdrawn_minutes``: counted
    approved work that is no longer approved (returned, edited back to pending, corrected or
    removed); ``revoked_goals``: counted sign-offs revoked since (their framework codes);
    ``newer``: the cut-off date of a newer statement for the same student and team, if any;
    ``legacy``: issued before wijklab kept the basis, so withdrawals cannot be told."""

    withdrawn_tasks: int = 0
    withdrawn_minutes: int = 0
    revoked_goals: list[dict] = field(default_factory=list)
    newer: dt.date | None = None
    legacy: bool = False

    @property
    def holds(self) -> bool:
        return not (self.withdrawn_tasks or self.revoked_goals)


def standing(statement: Statement) -> Standing:
    """Whether everything ``statement`` counted still holds. Later work does not matter: a
    task before the cut-off approved after issuing is simply not in it."""
    result = Standing()
    newer = db.session.execute(
        select(Statement.cutoff_date, Statement.issued_at)
        .where(
            Statement.team_id == statement.team_id,
            Statement.student_id == statement.student_id,
            Statement.id > statement.id,
        )
        .order_by(Statement.id.desc())
        .limit(1)
    ).first()
    if newer is not None:
        result.newer = newer.cutoff_date or newer.issued_at.astimezone(AMSTERDAM).date()
    if statement.basis is None:
        result.legacy = True
        return result
    basis = json.loads(statement.basis)
    counted = {int(pid): int(minutes) for pid, minutes in basis.get("participations", [])}
    if counted:
        # The status is checked here, not in SQL: with it in the WHERE, SQLite starts from
        # every verified task (its status index) instead of the few participations (1.4 s at
        # city scale instead of a millisecond).
        still = {
            pid: minutes
            for pid, minutes, status in db.session.execute(
                select(TaskParticipation.id, TaskParticipation.minutes, Task.status)
                .join(Task, Task.id == TaskParticipation.task_id)
                .where(TaskParticipation.id.in_(list(counted)))
            )
            if status == TaskStatus.VERIFIED
        }
        for pid, minutes in counted.items():
            now = still.get(pid)
            if now is None:
                result.withdrawn_tasks += 1
                result.withdrawn_minutes += minutes
            elif now < minutes:
                result.withdrawn_tasks += 1
                result.withdrawn_minutes += minutes - now
    sign_offs = [int(i) for i in basis.get("sign_offs", [])]
    if sign_offs:
        revoked = db.session.execute(
            select(SignOff.id, SignOff.goal_id, SignOff.revoked_at).where(SignOff.id.in_(sign_offs))
        ).all()
        live = {row.id for row in revoked if row.revoked_at is None}
        gone = [sid for sid in sign_offs if sid not in live]
        if gone:
            goal_ids = [row.goal_id for row in revoked if row.id in gone]
            codes: dict[int, list[str]] = {}
            for goal_id, code in db.session.execute(
                select(goal_framework_item.c.goal_id, FrameworkItem.code)
                .join(FrameworkItem, FrameworkItem.id == goal_framework_item.c.framework_item_id)
                .where(goal_framework_item.c.goal_id.in_(goal_ids))
                .order_by(FrameworkItem.code)
            ):
                codes.setdefault(goal_id, []).append(code)
            titles = dict(
                db.session.execute(
                    select(LearningGoal.id, LearningGoal.title).where(LearningGoal.id.in_(goal_ids))
                ).all()
            )
            result.revoked_goals = [
                {"title": titles.get(gid, ""), "codes": codes.get(gid, [])} for gid in goal_ids
            ]
            result.revoked_goals += [{"title": "", "codes": []}] * (len(gone) - len(goal_ids))
    return result


def load_content(statement: Statement) -> dict:
    """The frozen content; a statement from before requests (version 1) is given the shape of
    today's, without changing what it says."""
    content = json.loads(statement.content)
    if content.get("version", 1) < CONTENT_VERSION:
        content.setdefault("cutoff", None)
        if isinstance(content.get("issued_by"), str):
            content["issued_by"] = {"name": content["issued_by"], "role": ""}
        hours = content.setdefault("hours", {})
        for key in ("study_minutes", "agreed_minutes"):
            hours.setdefault(key, None)
        for goal in content.get("goals", []):
            goal.setdefault("items", [{"code": c, "title": ""} for c in goal.get("codes", [])])
    return content


def as_date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None
