"""Students' own availability and project wishes: their days, hours, whether they would like to be
a peer coach, and up to three ranked projects open to them (the preference survey the team builder
tries to meet); the wijkdocent sees who has answered and asks the others."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, func, or_, select

from wijklab.accounts.models import Level, Role, StudentProfile, User
from wijklab.activity.models import Delivery
from wijklab.activity.services import notify, record, register_actions, register_kind
from wijklab.clock import today, utcnow
from wijklab.errors import WijklabError
from wijklab.extensions import db
from wijklab.projects.models import MOTIVATION_MAX, WEEKDAYS, WISH_RANKS, Project, ProjectWish
from wijklab.projects.permissions import can_manage_project, open_projects_for

HOURS_MAX = 40

register_actions(
    {
        "availability.saved": _l("Beschikbaarheid en projectwensen opgeslagen"),
        "availability.requested": _l("Studenten gevraagd hun beschikbaarheid in te vullen"),
    }
)
register_kind(
    "availability_requested",
    _l(
        "%(by)s vraagt je je beschikbaarheid en projectwensen in te vullen, voor het project "
        "‘%(project)s’."
    ),
    label=_l("Vul je beschikbaarheid en projectwensen in"),
    roles={Role.STUDENT},
    defaults={Role.STUDENT: Delivery.IMMEDIATE},
)


# --- who may ---------------------------------------------------------------------------------


def can_state_availability(user) -> bool:
    """A student with a profile states their own days, hours and project wishes."""
    return user.is_authenticated and user.role == Role.STUDENT and user.student_profile is not None


def can_view_wishes(user, project: Project) -> bool:
    """The project's own wijkdocent, or an admin, sees who answered and what they wished."""
    return can_manage_project(user, project)


def can_be_peer_coach(profile: StudentProfile) -> bool:
    """Students of years 3 and 4, and hbo students from year 2, may be peer coaches."""
    year = profile.study_year or 0
    return year >= 3 or (profile.level == Level.HBO and year >= 2)


def students_open_to(project: Project) -> ColumnElement[bool]:
    """SQL (over User joined with StudentProfile): the active students the project is open to,
    by the partner's suitable levels and years (empty: all) and the project's school (empty:
    every school), as can_read_brief reads it from the student's side."""
    partner = project.partner
    condition = (User.role == Role.STUDENT) & User.is_active.is_(True)
    if partner.suitable_levels:
        condition &= StudentProfile.level.in_(sorted(Level(v) for v in partner.suitable_levels))
    if partner.suitable_years:
        condition &= StudentProfile.study_year.in_(sorted(partner.suitable_years))
    if project.school_id is not None:
        condition &= StudentProfile.school_id == project.school_id
    return condition


# --- the student's answers -------------------------------------------------------------------


@dataclass(frozen=True)
class WishChoice:
    """One filled-in slot of the survey: the rank the student gave it, a project, a motivation."""

    rank: int
    project_id: int | None
    motivation: str = ""


@dataclass
class AvailabilityData:
    weekdays: frozenset[int]
    hours_per_week: int | None
    wants_peer_coach: bool
    wishes: list[WishChoice] = field(default_factory=list)


def _check(student: User, data: AvailabilityData) -> list[Project]:
    """Every rule, before anything changes; the projects of the wishes in rank order."""
    profile = student.student_profile
    if profile is None:
        raise WijklabError(_l("Alleen studenten met een profiel vullen hun beschikbaarheid in."))
    if not set(data.weekdays) <= set(WEEKDAYS):
        raise WijklabError(_l("Kies dagen uit de lijst."), field="available_weekdays")
    if data.hours_per_week is None or not 0 <= data.hours_per_week <= HOURS_MAX:
        raise WijklabError(_l("Kies 0 tot en met 40 uur."), field="hours_per_week")
    if data.wants_peer_coach and not can_be_peer_coach(profile):
        raise WijklabError(
            _l(
                "Peercoach kun je zijn vanaf jaar 3, of als hbo-student vanaf jaar 2. Jij zit in "
                "jaar %(year)s.",
                year=profile.study_year,
            ),
            field="wants_peer_coach",
        )
    wishes = sorted(data.wishes, key=lambda w: w.rank)
    if len(wishes) > len(WISH_RANKS):
        raise WijklabError(_l("Kies hoogstens drie projecten."))
    for expected, wish in enumerate(wishes, start=1):
        if wish.rank != expected:
            raise WijklabError(
                _l("Vul je keuzes op volgorde in: eerst je eerste keuze, dan je tweede."),
                field=f"project_{expected}" if expected <= len(WISH_RANKS) else None,
            )
        if wish.project_id is None:
            raise WijklabError(
                _l("Kies een project bij deze motivatie, of maak de motivatie leeg."),
                field=f"project_{wish.rank}",
            )
        if len(wish.motivation or "") > MOTIVATION_MAX:
            raise WijklabError(
                _l("Schrijf je motivatie in hoogstens %(max)s tekens.", max=MOTIVATION_MAX),
                field=f"motivation_{wish.rank}",
            )
    seen: set[int] = set()
    for wish in wishes:
        if wish.project_id in seen:
            raise WijklabError(
                _l("Dit project koos je al: kies elk project maar één keer."),
                field=f"project_{wish.rank}",
            )
        seen.add(wish.project_id)
    open_ids = set(
        db.session.scalars(
            select(Project.id).where(Project.id.in_(seen), open_projects_for(student))
        )
    )
    for wish in wishes:
        if wish.project_id not in open_ids:
            raise WijklabError(
                _l("Dit project staat (niet meer) open voor jou: kies een ander project."),
                field=f"project_{wish.rank}",
            )
    projects = {p.id: p for p in db.session.scalars(select(Project).where(Project.id.in_(seen)))}
    return [projects[w.project_id] for w in wishes]


def save_availability(student: User, data: AvailabilityData, *, by: User) -> StudentProfile:
    """Store the student's days, hours, peer-coach wish and ranked project wishes together, all
    or nothing: the wishes replace the earlier ones, and the answers count as confirmed now."""
    _check(student, data)
    profile = student.student_profile
    profile.available_weekdays = frozenset(data.weekdays)
    profile.hours_per_week = data.hours_per_week
    profile.wants_peer_coach = bool(data.wants_peer_coach)
    profile.availability_set_at = utcnow()
    for old in db.session.scalars(select(ProjectWish).where(ProjectWish.student_id == student.id)):
        db.session.delete(old)
    # The old ranks go before the new ones take their place (unique per student and rank).
    db.session.flush()
    for wish in sorted(data.wishes, key=lambda w: w.rank):
        db.session.add(
            ProjectWish(
                student_id=student.id,
                project_id=wish.project_id,
                rank=wish.rank,
                motivation=(wish.motivation or "").strip(),
            )
        )
    db.session.flush()
    record(
        by,
        "availability.saved",
        object_type="User",
        object_id=student.id,
        days=len(data.weekdays),
        wishes=[w.project_id for w in sorted(data.wishes, key=lambda w: w.rank)],
    )
    return profile


def wishes_of(student: User) -> list[ProjectWish]:
    """The student's wishes in rank order, with their projects."""
    return list(
        db.session.scalars(
            select(ProjectWish)
            .where(ProjectWish.student_id == student.id)
            .order_by(ProjectWish.rank)
        )
    )


# --- the wijkdocent's overview ---------------------------------------------------------------


def _wished(project: Project):
    return select(ProjectWish.student_id).where(ProjectWish.project_id == project.id)


def listed_students(project: Project) -> ColumnElement[bool]:
    """SQL: the students the overview lists: those the project is open to, and whoever wished
    it (their profile may have changed since)."""
    return or_(students_open_to(project), User.id.in_(_wished(project)))


def overview_query(project: Project):
    """The listed students, by name, with their profiles."""
    return (
        select(User)
        .join(StudentProfile, StudentProfile.user_id == User.id)
        .where(listed_students(project), User.role == Role.STUDENT)
        .order_by(User.name, User.id)
    )


@dataclass
class WishFigures:
    students: int
    answered: int
    by_rank: dict[int, int]

    @property
    def not_answered(self) -> int:
        return self.students - self.answered


def wish_figures(project: Project) -> WishFigures:
    """How many listed students answered, and how often this project is a first, second or third
    wish (two queries, whatever the number of students)."""
    students, answered = db.session.execute(
        select(
            func.count(User.id),
            func.count(StudentProfile.availability_set_at),
        )
        .select_from(User)
        .join(StudentProfile, StudentProfile.user_id == User.id)
        .where(listed_students(project), User.role == Role.STUDENT)
    ).one()
    by_rank = {rank: 0 for rank in WISH_RANKS}
    for rank, count in db.session.execute(
        select(ProjectWish.rank, func.count(ProjectWish.id))
        .join(User, User.id == ProjectWish.student_id)
        .where(ProjectWish.project_id == project.id, User.is_active.is_(True))
        .group_by(ProjectWish.rank)
    ):
        by_rank[rank] = count
    return WishFigures(students=students or 0, answered=answered or 0, by_rank=by_rank)


def wishes_for_page(project: Project, students) -> dict[int, ProjectWish]:
    """The wishes for this project of the students on one page, by student id (one query)."""
    ids = [s.id for s in students]
    if not ids:
        return {}
    rows = db.session.scalars(
        select(ProjectWish).where(
            ProjectWish.project_id == project.id, ProjectWish.student_id.in_(ids)
        )
    )
    return {row.student_id: row for row in rows}


def request_availability(project: Project, *, by: User) -> tuple[int, int]:
    """Ask each listed student who has not answered yet to do so (a notification, mailed at
    once by default); a student is asked at most once a day. Returns (asked, asked before)."""
    ids = list(
        db.session.scalars(
            select(User.id)
            .join(StudentProfile, StudentProfile.user_id == User.id)
            .where(
                listed_students(project),
                User.role == Role.STUDENT,
                StudentProfile.availability_set_at.is_(None),
            )
            .order_by(User.id)
        )
    )
    day = today().isoformat()
    asked = 0
    for student_id in ids:
        notification = notify(
            student_id,
            "availability_requested",
            "/me/availability",
            dedupe_key=f"availability_requested:{student_id}:{day}",
            project=project.title,
            by=by.name,
        )
        if notification is not None:
            asked += 1
    record(by, "availability.requested", project, asked=asked, skipped=len(ids) - asked)
    return asked, len(ids) - asked
