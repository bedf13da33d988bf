"""Start agreements: drawn from the project brief and the student's profile, changed (a new
version that asks all three parties again), accepted party by party; when the third acceptance
of a version lands the agreement is accepted and its hours replace those on the student's
profile. Services flush and never commit."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from wijklab.accounts.forms import WEEKDAY_LABELS
from wijklab.accounts.models import Role, User
from wijklab.activity.models import Delivery
from wijklab.activity.services import (
    notify,
    record,
    register_actions,
    register_kind,
    register_object_link,
)
from wijklab.agreements.forms import ACTION_LABELS, FIELD_LABELS
from wijklab.agreements.models import (
    BACKUP_CONTACT_MAX,
    BPV_HOURS_MAX,
    FOCUS_MAX,
    FOCUSES_MAX,
    FOCUSES_MIN,
    HOURS_MAX,
    SUPERVISION_FORM_MAX,
    SUPERVISION_FREQUENCY_MAX,
    AgreementAcceptance,
    Party,
    StartAgreement,
)
from wijklab.agreements.permissions import is_editable, listed_agreements, parties_of
from wijklab.clock import utcnow
from wijklab.errors import Conflict, NotAllowed, WijklabError
from wijklab.extensions import db
from wijklab.projects.models import Project, ProjectStatus
from wijklab.teams.models import Team, TeamMembership

# An agreement still missing or not accepted this many days after joining is flagged.
GRACE_DAYS = 14
# The fields of the student's part, in the order of the form.
PART_FIELDS = (
    "weekdays",
    "hours_per_week",
    "agreed_bpv_hours",
    "learning_focuses",
    "supervision_form",
    "supervision_frequency",
    "backup_contact",
)
BRIEF_FIELDS = ("summary", "expectations", "supervision", "weekdays", "hours_per_week")
RUNNING = (ProjectStatus.DRAFT, ProjectStatus.ACTIVE)

register_actions(ACTION_LABELS)
register_object_link("StartAgreement", "agreements.by_id", "agreement_id")
# Waiting for someone's acceptance: the student and the supervisor hear at once.
_ACCEPT_SOON = {
    Role.STUDENT: Delivery.IMMEDIATE,
    Role.SUPERVISOR: Delivery.IMMEDIATE,
    Role.WIJKDOCENT: Delivery.DAILY,
}
register_kind(
    "agreement_waiting",
    _l("%(by)s stelde de startafspraak van %(student)s op (%(team)s). Lees en accepteer die."),
    label=_l("Een startafspraak wacht op je akkoord"),
    roles=set(_ACCEPT_SOON),
    defaults=_ACCEPT_SOON,
)
register_kind(
    "agreement_changed",
    _l("%(by)s wijzigde de startafspraak van %(student)s (%(team)s). Bekijk wat er veranderde."),
    label=_l("Een startafspraak is gewijzigd"),
    roles=set(_ACCEPT_SOON),
    defaults=_ACCEPT_SOON,
)
register_kind(
    "agreement_accepted",
    _l("De startafspraak van %(student)s (%(team)s) is door alle drie geaccepteerd."),
    label=_l("Een startafspraak is door iedereen geaccepteerd"),
    roles={Role.STUDENT, Role.SUPERVISOR, Role.WIJKDOCENT},
)

CHANGED_MEANWHILE = _l(
    "Iemand heeft de startafspraak intussen gewijzigd. Lees de nieuwe versie en accepteer die "
    "opnieuw; er is niets opgeslagen."
)


@dataclass
class AgreementData:
    """The student's part of a start agreement, as typed."""

    weekdays: frozenset[int] = frozenset()
    hours_per_week: int = 0
    agreed_bpv_hours: int = 0
    learning_focuses: str = ""
    supervision_form: str = ""
    supervision_frequency: str = ""
    backup_contact: str = ""


@dataclass
class AgreementStatus:
    """Where an agreement stands: ``missing``, ``waiting`` (for the parties in ``waiting_for``)
    or ``accepted`` (on ``accepted_at``); ``overdue`` when it is not accepted more than two
    weeks after the student joined."""

    state: str
    waiting_for: list[Party] = field(default_factory=list)
    accepted_at: datetime | None = None
    overdue: bool = False


# --- reading -------------------------------------------------------------------------------


def focuses(text: str | None) -> list[str]:
    """The learning focuses, one per non-empty line."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def project_brief(project: Project) -> dict:
    """What the project asks of students, as a snapshot stored with the agreement."""
    return {
        "summary": project.summary or "",
        "expectations": project.expectations or "",
        "supervision": project.supervision or "",
        "weekdays": sorted(project.weekdays or ()),
        "hours_per_week": project.hours_per_week,
    }


def load_brief(agreement: StartAgreement) -> dict:
    return json.loads(agreement.brief or "{}")


def content(agreement: StartAgreement) -> dict:
    """What the agreement says now: the student's part and the brief it was drawn from."""
    values = {name: getattr(agreement, name) for name in PART_FIELDS}
    values["weekdays"] = sorted(values["weekdays"] or ())
    values["learning_focuses"] = "\n".join(focuses(values["learning_focuses"]))
    values["brief"] = load_brief(agreement)
    return values


def accepted_agreement(team_id: int, student_id: int) -> StartAgreement | None:
    """The agreement of the student in the team, only when all three accepted its current
    version."""
    return db.session.scalar(
        select(StartAgreement).where(
            StartAgreement.team_id == team_id,
            StartAgreement.student_id == student_id,
            StartAgreement.accepted_at.is_not(None),
        )
    )


def find_agreement(team: Team, student) -> StartAgreement | None:
    return db.session.scalar(
        select(StartAgreement).where(
            StartAgreement.team_id == team.id, StartAgreement.student_id == student.id
        )
    )


def accepted_parties(agreement: StartAgreement) -> dict[Party, AgreementAcceptance]:
    """The acceptances of the current version, by party."""
    return {a.party: a for a in agreement.acceptances if a.version == agreement.version}


def agreement_status(
    agreement: StartAgreement | None,
    *,
    joined_on: date,
    today: date,
    accepted: set[Party] | None = None,
) -> AgreementStatus:
    """Missing, waiting for some parties, or accepted; overdue when not accepted more than two
    weeks after joining. ``accepted`` (the parties that accepted the current version) saves
    loading the acceptances when a list already has them."""
    overdue = (today - joined_on).days > GRACE_DAYS
    if agreement is None:
        return AgreementStatus("missing", list(Party), overdue=overdue)
    if agreement.accepted_at is not None:
        return AgreementStatus("accepted", accepted_at=agreement.accepted_at)
    if accepted is None:
        accepted = set(accepted_parties(agreement))
    waiting = [party for party in Party if party not in accepted]
    return AgreementStatus("waiting", waiting, overdue=overdue)


def weekday_text(days) -> str:
    """Weekdays as words in the user's language ("maandag, dinsdag")."""
    labels = dict(WEEKDAY_LABELS)
    return ", ".join(str(labels[d]) for d in sorted(days or ()) if d in labels)


def _show(name: str, value) -> str:
    """A value of the agreement as the changes list shows it."""
    if name.endswith("weekdays"):
        return weekday_text(value)
    if value is None:
        return ""
    return str(value)


def _flat(values: dict) -> dict:
    flat = {name: values.get(name) for name in PART_FIELDS}
    brief = values.get("brief") or {}
    flat.update({f"brief.{name}": brief.get(name) for name in BRIEF_FIELDS})
    return flat


def diff(agreement: StartAgreement) -> list[tuple[str, str, str]]:
    """What changed since all three last accepted: (label, old, new) per field; empty when the
    agreement was never accepted or nothing changed."""
    if not agreement.accepted_content:
        return []
    old, new = _flat(json.loads(agreement.accepted_content)), _flat(content(agreement))
    return [
        (str(FIELD_LABELS[name]), _show(name, old[name]), _show(name, new[name]))
        for name in old
        if old[name] != new[name]
    ]


# --- drawing and changing ------------------------------------------------------------------


def proposal(team: Team, student: User) -> AgreementData:
    """A first draft from the project brief and the student's profile: their days that the lab
    runs (or the lab's days), their hours (or the project's), their agreed BPV hours."""
    project = team.project
    profile = student.student_profile
    days = frozenset(project.weekdays or ())
    hours = project.hours_per_week
    bpv = 0
    if profile is not None:
        days = (frozenset(profile.available_weekdays or ()) & days) or days
        hours = profile.hours_per_week or hours
        bpv = profile.agreed_bpv_hours or 0
    return AgreementData(
        weekdays=days,
        hours_per_week=min(max(hours, 0), HOURS_MAX),
        agreed_bpv_hours=min(max(bpv, 0), BPV_HOURS_MAX),
    )


def _check(data: AgreementData) -> None:
    if not data.weekdays or not set(data.weekdays) <= set(range(7)):
        raise WijklabError(_l("Kies minstens één dag."), field="weekdays")
    if not 0 <= data.hours_per_week <= HOURS_MAX:
        raise WijklabError(_l("Kies 0 tot en met 40 uur."), field="hours_per_week")
    if not 0 <= data.agreed_bpv_hours <= BPV_HOURS_MAX:
        raise WijklabError(_l("Kies 0 tot en met 2000 uur."), field="agreed_bpv_hours")
    lines = focuses(data.learning_focuses)
    if not FOCUSES_MIN <= len(lines) <= FOCUSES_MAX:
        raise WijklabError(
            _l("Schrijf twee of drie leerfocussen, elk op een eigen regel."),
            field="learning_focuses",
        )
    if any(len(line) > FOCUS_MAX for line in lines):
        raise WijklabError(_l("Een leerfocus is hoogstens 200 tekens."), field="learning_focuses")
    for name, most in (
        ("supervision_form", SUPERVISION_FORM_MAX),
        ("supervision_frequency", SUPERVISION_FREQUENCY_MAX),
        ("backup_contact", BACKUP_CONTACT_MAX),
    ):
        text = (getattr(data, name) or "").strip()
        if not text:
            raise WijklabError(_l("Dit veld is verplicht."), field=name)
        if len(text) > most:
            raise WijklabError(_l("Dit is te lang: hoogstens %(n)s tekens.", n=most), field=name)


def _check_editable(team: Team, student: User) -> None:
    if not is_editable(team, student):
        raise NotAllowed(
            _l(
                "Deze startafspraak kan niet meer veranderen: de student zit niet meer in het "
                "team of het project is afgerond."
            )
        )


def _apply(agreement: StartAgreement, data: AgreementData) -> None:
    agreement.weekdays = frozenset(data.weekdays)
    agreement.hours_per_week = data.hours_per_week
    agreement.agreed_bpv_hours = data.agreed_bpv_hours
    agreement.learning_focuses = "\n".join(focuses(data.learning_focuses))
    agreement.supervision_form = data.supervision_form.strip()
    agreement.supervision_frequency = data.supervision_frequency.strip()
    agreement.backup_contact = data.backup_contact.strip()
    agreement.brief = json.dumps(project_brief(agreement.team.project), ensure_ascii=False)


def _link(agreement: StartAgreement) -> str:
    return f"/teams/{agreement.team_id}/students/{agreement.student_id}/agreement"


def party_users(team: Team, student: User) -> dict[Party, int]:
    return {
        Party.STUDENT: student.id,
        Party.SUPERVISOR: team.supervisor_id,
        Party.WIJKDOCENT: team.project.owner_id,
    }


def _tell_others(agreement: StartAgreement, kind: str, *, by: User) -> None:
    team, student = agreement.team, agreement.student
    for user_id in dict.fromkeys(party_users(team, student).values()):
        if user_id != by.id:
            notify(
                user_id,
                kind,
                _link(agreement),
                by=by.name,
                student=student.name,
                team=team.label,
            )


def draw_agreement(team: Team, student: User, data: AgreementData, *, by: User) -> StartAgreement:
    """A new agreement (version 1) from the brief and the student's part; the other parties
    are asked to accept it."""
    _check_editable(team, student)
    _check(data)
    if find_agreement(team, student) is not None:
        raise Conflict(_l("Er is al een startafspraak voor deze student in dit team."))
    now = utcnow()
    agreement = StartAgreement(
        team=team,
        student=student,
        version=1,
        created_at=now,
        updated_at=now,
        updated_by=by,
    )
    _apply(agreement, data)
    db.session.add(agreement)
    db.session.flush()
    record(by, "agreement.drawn", agreement, team_id=team.id, student_id=student.id, version=1)
    _tell_others(agreement, "agreement_waiting", by=by)
    return agreement


def _lock(agreement: StartAgreement) -> int:
    """Take the agreement's row for this transaction and return its version as committed now:
    a no-op UPDATE holds the row lock on PostgreSQL and the write lock on SQLite, so two
    acceptances (or an acceptance and a change) are counted one after the other."""
    table = StartAgreement.__table__
    db.session.flush()
    with db.session.no_autoflush:
        version = db.session.execute(
            update(table)
            .where(table.c.id == agreement.id)
            .values(version=table.c.version)
            .returning(table.c.version)
        ).scalar_one_or_none()
    if version is None:
        raise Conflict(CHANGED_MEANWHILE)
    return version


def change_agreement(
    agreement: StartAgreement, data: AgreementData, *, by: User, version: int | None
) -> bool:
    """A new version with the changed part (and the brief as it is now): everyone's acceptance
    is asked again and what was accepted before stays, for the changes list. False when
    nothing changed."""
    team, student = agreement.team, agreement.student
    _check_editable(team, student)
    if version is not None and version != agreement.version:
        raise Conflict(
            _l(
                "Iemand anders heeft deze startafspraak intussen gewijzigd. Laad de pagina "
                "opnieuw; je wijziging is niet opgeslagen."
            )
        )
    _check(data)
    before = content(agreement)
    _apply(agreement, data)
    after = content(agreement)
    if before == after:
        return False
    agreement.version = agreement.version + 1
    agreement.accepted_at = None
    agreement.updated_at = utcnow()
    agreement.updated_by = by
    db.session.flush()
    record(
        by,
        "agreement.changed",
        agreement,
        team_id=team.id,
        student_id=student.id,
        version=agreement.version,
        # the names of what changed, never the values
        fields=sorted(name for name, old in _flat(before).items() if _flat(after)[name] != old),
    )
    _tell_others(agreement, "agreement_changed", by=by)
    return True


def accept_agreement(agreement: StartAgreement, party: Party, *, by: User, version: int) -> bool:
    """``by`` accepts ``version`` as ``party``; accepting twice changes nothing (False). The
    third acceptance of a version accepts the agreement and copies its hours to the student's
    profile where they differ."""
    team, student = agreement.team, agreement.student
    if party not in parties_of(by, team, student):
        raise NotAllowed(_l("Je accepteert alleen je eigen deel van de startafspraak."))
    _check_editable(team, student)
    if version != agreement.version or _lock(agreement) != version:
        raise Conflict(CHANGED_MEANWHILE)
    done = {
        row
        for row in db.session.scalars(
            select(AgreementAcceptance.party).where(
                AgreementAcceptance.agreement_id == agreement.id,
                AgreementAcceptance.version == version,
            )
        )
    }
    if party in done:
        return False
    now = utcnow()
    db.session.add(
        AgreementAcceptance(
            agreement=agreement, version=version, party=party, user_id=by.id, accepted_at=now
        )
    )
    db.session.flush()
    record(
        by,
        "agreement.accepted",
        agreement,
        team_id=team.id,
        student_id=student.id,
        version=version,
        party=party.value,
    )
    if done | {party} == set(Party):
        _complete(agreement, by=by, now=now)
    return True


def _complete(agreement: StartAgreement, *, by: User, now: datetime) -> None:
    team, student = agreement.team, agreement.student
    agreement.accepted_at = now
    agreement.accepted_content = json.dumps(content(agreement), ensure_ascii=False)
    db.session.flush()
    record(
        by,
        "agreement.completed",
        agreement,
        team_id=team.id,
        student_id=student.id,
        version=agreement.version,
    )
    profile = student.student_profile
    if profile is not None:
        changed = []
        for name in ("hours_per_week", "agreed_bpv_hours"):
            if getattr(profile, name) != getattr(agreement, name):
                setattr(profile, name, getattr(agreement, name))
                changed.append(name)
        if changed:
            db.session.flush()
            record(
                by,
                "agreement.profile_hours",
                object_type="User",
                object_id=student.id,
                agreement_id=agreement.id,
                fields=changed,
            )
    for user_id in dict.fromkeys(party_users(team, student).values()):
        notify(
            user_id,
            "agreement_accepted",
            _link(agreement),
            student=student.name,
            team=team.label,
        )


# --- lists ---------------------------------------------------------------------------------


def _open_memberships(query, user):
    """``query`` limited to the current members of running projects' teams visible to
    ``user`` whose agreement is missing or not accepted."""
    return (
        query.join(Team, Team.id == TeamMembership.team_id)
        .join(Project, Project.id == Team.project_id)
        .outerjoin(
            StartAgreement,
            (StartAgreement.team_id == TeamMembership.team_id)
            & (StartAgreement.student_id == TeamMembership.student_id),
        )
        .where(
            TeamMembership.left_on.is_(None),
            Project.status.in_(RUNNING),
            StartAgreement.accepted_at.is_(None),
            listed_agreements(user),
        )
    )


def open_agreements_query(user):
    """The members whose agreement is missing or not accepted, oldest joined first."""
    return (
        _open_memberships(select(TeamMembership), user)
        .options(joinedload(TeamMembership.team).joinedload(Team.project))
        .order_by(TeamMembership.joined_on, TeamMembership.id)
    )


def agreements_for(memberships) -> dict[tuple[int, int], StartAgreement]:
    """The agreements of these memberships by (team id, student id), with their acceptances:
    two queries, however many memberships."""
    pairs = {(m.team_id, m.student_id) for m in memberships}
    if not pairs:
        return {}
    found = db.session.scalars(
        select(StartAgreement).where(
            StartAgreement.team_id.in_({team for team, _ in pairs}),
            StartAgreement.student_id.in_({student for _, student in pairs}),
        )
    )
    return {(a.team_id, a.student_id): a for a in found if (a.team_id, a.student_id) in pairs}


def open_agreement_rows(memberships, *, today: date) -> list[dict]:
    """Each membership with its agreement (or None) and its status."""
    agreements = agreements_for(memberships)
    rows = []
    for membership in memberships:
        agreement = agreements.get((membership.team_id, membership.student_id))
        rows.append(
            {
                "membership": membership,
                "agreement": agreement,
                "status": agreement_status(agreement, joined_on=membership.joined_on, today=today),
            }
        )
    return rows


def overdue_agreements(user, *, today: date, limit: int = 5) -> dict:
    """The missing or unaccepted agreements more than two weeks after joining: how many, and
    the first ``limit`` (oldest joined first) with the student, the team and whether the
    agreement is drawn. One query, whatever the amount of data (the count rides along as a
    window function)."""
    late = TeamMembership.joined_on < today - timedelta(days=GRACE_DAYS)
    rows = db.session.execute(
        _open_memberships(
            select(
                TeamMembership.team_id,
                TeamMembership.student_id,
                TeamMembership.joined_on,
                User.name.label("student"),
                Team.name.label("team"),
                Project.title.label("project"),
                StartAgreement.id.label("agreement_id"),
                func.count().over().label("total"),
            ).join(User, User.id == TeamMembership.student_id),
            user,
        )
        .where(late)
        .order_by(TeamMembership.joined_on, TeamMembership.id)
        .limit(limit)
    ).all()
    return {"total": rows[0].total if rows else 0, "rows": rows}
