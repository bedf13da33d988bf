"""Coverage of the qualification framework: which items a student's learning goals address, how
far those goals got, and who in a team covers what. Builders gather everything a coverage page
shows in a fixed number of queries; the templates only format it.

An item counts as *assessable* when it is active and has no active items under it: the work
processes (werkprocessen) of the mbo framework and the competences of the hbo framework, which
is what the framework files put under each core task, and a core task without work processes
would count itself. A goal linked to a core task is shown on that core task's row but does not
count for the items under it: a core task is too broad to say which of its work processes were
shown, and the counts end up on a signed statement.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.orm import joinedload, lazyload, selectinload

from wijklab.accounts.models import Role
from wijklab.clock import AMSTERDAM
from wijklab.extensions import db
from wijklab.goals.models import (
    Feedback,
    FrameworkItem,
    FrameworkItemKind,
    GoalEvidence,
    GoalStatus,
    LearningGoal,
    SignOff,
    goal_framework_item,
)
from wijklab.goals.permissions import is_team_supervisor
from wijklab.projects.permissions import can_manage_project
from wijklab.tasks.models import TaskParticipation, TaskStatus
from wijklab.tasks.permissions import can_view_student_hours
from wijklab.teams.models import Team, TeamMembership

MBO_FRAMEWORK = "mbo-sociaal-werk-4"
HBO_FRAMEWORK = "hbo-social-work"
FRAMEWORK_NAMES = {
    MBO_FRAMEWORK: _l("Mbo Sociaal werk, niveau 4"),
    HBO_FRAMEWORK: _l("Hbo Social Work"),
}
# The qualifications (crebo numbers) we hold a framework for; any other mbo student falls back
# to the mbo framework of their level.
FRAMEWORK_BY_CREBO = {"25480": MBO_FRAMEWORK}
FRAMEWORK_BY_LEVEL = {"mbo": MBO_FRAMEWORK, "hbo": HBO_FRAMEWORK}
KIND_LABELS = {
    FrameworkItemKind.CORE_TASK: _l("kerntaak"),
    FrameworkItemKind.WORK_PROCESS: _l("werkproces"),
    FrameworkItemKind.COMPETENCE: _l("competentie"),
}

# The best status a goal reached, for a matrix cell: signed off > in review > active > draft.
STATUS_RANK = {
    GoalStatus.DRAFT: 1,
    GoalStatus.ACTIVE: 2,
    GoalStatus.REVIEW_REQUESTED: 3,
    GoalStatus.SIGNED_OFF: 4,
}


def framework_of(student) -> str:
    """The framework a student's goals are measured against: by crebo where we know it, else by
    level (a student without a profile counts as mbo, as the goal form does)."""
    profile = student.student_profile
    if profile is None:
        return MBO_FRAMEWORK
    if profile.crebo in FRAMEWORK_BY_CREBO:
        return FRAMEWORK_BY_CREBO[profile.crebo]
    return FRAMEWORK_BY_LEVEL.get(profile.level.value, MBO_FRAMEWORK)


def framework_title(code: str) -> str:
    return str(FRAMEWORK_NAMES.get(code, code))


# --- who may see it ---------------------------------------------------------------------------


def can_view_student_coverage(user, student) -> bool:
    """Whoever sees the student's hours: the student themself, admins and wijkdocenten, and the
    supervisor of a team the student is or was a member of."""
    return can_view_student_hours(user, student)


def can_view_goal_student_coverage(user, goal: LearningGoal) -> bool:
    """On a goal's pages: the goal's student, the team's supervisor, admins and wijkdocenten
    may open the student's coverage page (no query: the goal's team is loaded)."""
    if not user.is_authenticated:
        return False
    return (
        user.id == goal.student_id
        or user.role in (Role.ADMIN, Role.WIJKDOCENT)
        or (user.role == Role.SUPERVISOR and goal.team.supervisor_id == user.id)
    )


def can_view_team_coverage(user, team: Team) -> bool:
    """Admins, wijkdocenten and the team's supervisor see who in the team covers what."""
    if not user.is_authenticated:
        return False
    if user.role in (Role.ADMIN, Role.WIJKDOCENT):
        return True
    return user.role == Role.SUPERVISOR and team.supervisor_id == user.id


def coverage_goal_scope(viewer, student) -> ColumnElement[bool]:
    """The SQL form of which of ``student``'s goals a coverage page shows ``viewer``: all of them
    to the student and to admins and wijkdocenten, a supervisor only their teams' goals."""
    if viewer.id == student.id or viewer.role in (Role.ADMIN, Role.WIJKDOCENT):
        return true()
    if viewer.role == Role.SUPERVISOR:
        return Team.supervisor_id == viewer.id
    return false()


# --- one student ------------------------------------------------------------------------------


@dataclass
class EvidenceRow:
    """A task linked to a goal as evidence."""

    task_id: int
    title: str
    date: dt.date
    minutes: int
    verified: bool


@dataclass
class GoalRow:
    """A goal as a coverage page shows it: its status, latest rating and evidence."""

    goal: LearningGoal
    latest_rating: int | None
    evidence: list[EvidenceRow]
    # Signed off and not revoked.
    signed_off: bool
    # The viewer may open the goal's own page (a wijkdocent only in their own projects).
    may_open: bool

    @property
    def status(self) -> GoalStatus:
        return self.goal.status


@dataclass
class ItemRow:
    """One framework item with the goals that address it; ``depth`` 1 sits under a core task."""

    item: FrameworkItem
    depth: int
    assessable: bool
    goals: list[GoalRow] = field(default_factory=list)

    @property
    def addressed(self) -> bool:
        return bool(self.goals)

    @property
    def covered(self) -> bool:
        return any(g.signed_off for g in self.goals)


@dataclass
class StudentCoverage:
    """What the student coverage page shows. ``total``/``addressed``/``covered`` count the
    assessable items of the student's own framework."""

    student: object
    framework: str
    framework_title: str
    rows: list[ItemRow]
    # Items outside the student's framework (or no longer in it) that visible goals link to.
    other_rows: list[ItemRow]
    # Visible goals linked to no framework item at all.
    unlinked_goals: list[GoalRow]
    goal_count: int
    leaf_kind: str | None
    # The viewer sees only the goals of the teams they supervise.
    only_supervised: bool

    @property
    def total(self) -> int:
        return sum(1 for r in self.rows if r.assessable)

    @property
    def addressed(self) -> int:
        return sum(1 for r in self.rows if r.assessable and r.addressed)

    @property
    def covered(self) -> int:
        return sum(1 for r in self.rows if r.assessable and r.covered)


def _framework_items(frameworks: list[str]) -> list[FrameworkItem]:
    if not frameworks:
        return []
    return list(
        db.session.scalars(
            select(FrameworkItem)
            .where(FrameworkItem.framework.in_(frameworks), FrameworkItem.is_active.is_(True))
            .order_by(FrameworkItem.framework, FrameworkItem.position, FrameworkItem.id)
        )
    )


def _tree(items: list[FrameworkItem]) -> list[tuple[FrameworkItem, int, bool]]:
    """``items`` (one framework, in position order) in tree order: each top item followed by
    the items under it, as (item, depth, assessable)."""
    ids = {i.id for i in items}
    children: dict[int, list[FrameworkItem]] = {}
    tops = []
    for item in items:
        if item.parent_id in ids:
            children.setdefault(item.parent_id, []).append(item)
        else:
            tops.append(item)
    ordered = []

    def walk(item: FrameworkItem, depth: int) -> None:
        below = children.get(item.id, [])
        ordered.append((item, depth, not below))
        for child in below:
            walk(child, depth + 1)

    for top in tops:
        walk(top, 0)
    return ordered


def _leaf_kind(rows: list[ItemRow]) -> str | None:
    """The kind all assessable items share (work processes, competences), or None if mixed."""
    kinds = {r.item.kind.value for r in rows if r.assessable}
    return kinds.pop() if len(kinds) == 1 else None


def _latest_ratings(goal_ids: list[int]) -> dict[int, int]:
    """The newest rating per goal (feedback is append-only, so the highest id is the newest)."""
    if not goal_ids:
        return {}
    latest: dict[int, int] = {}
    for goal_id, rating in db.session.execute(
        select(Feedback.goal_id, Feedback.rating)
        .where(Feedback.goal_id.in_(goal_ids), Feedback.rating.is_not(None))
        .order_by(Feedback.id)
    ):
        latest[goal_id] = rating
    return latest


def _goal_row(goal: LearningGoal, ratings: dict[int, int], viewer) -> GoalRow:
    evidence = [
        EvidenceRow(
            task_id=e.participation.task_id,
            title=e.participation.task.title,
            date=e.participation.task.date,
            minutes=e.participation.minutes,
            verified=e.participation.task.status == TaskStatus.VERIFIED,
        )
        for e in goal.evidence
    ]
    return GoalRow(
        goal=goal,
        latest_rating=ratings.get(goal.id),
        evidence=evidence,
        signed_off=any(s.revoked_at is None for s in goal.sign_offs),
        # can_view_goal without its peer-coach test, which would load each team's members: a
        # peer coach never sees someone else's coverage page.
        may_open=(
            viewer.id == goal.student_id
            or is_team_supervisor(viewer, goal)
            or can_manage_project(viewer, goal.team.project)
        ),
    )


def student_coverage(student, viewer) -> StudentCoverage:
    """The student's framework items in tree order, each with the goals ``viewer`` may see that
    address it (status, latest rating, evidence). Six queries, whatever the amount of data."""
    framework = framework_of(student)
    items = _framework_items([framework])
    goals = list(
        db.session.scalars(
            select(LearningGoal)
            .join(Team, Team.id == LearningGoal.team_id)
            .where(LearningGoal.student_id == student.id, coverage_goal_scope(viewer, student))
            .options(
                # The team's label needs its project, not its members.
                joinedload(LearningGoal.team).options(
                    joinedload(Team.project), lazyload(Team.memberships)
                ),
                selectinload(LearningGoal.evidence)
                .joinedload(GoalEvidence.participation)
                .joinedload(TaskParticipation.task),
                selectinload(LearningGoal.sign_offs),
            )
            .order_by(LearningGoal.created_at, LearningGoal.id)
        ).unique()
    )
    ratings = _latest_ratings([g.id for g in goals])
    goal_rows = [_goal_row(g, ratings, viewer) for g in goals]
    by_item: dict[int, list[GoalRow]] = {}
    linked: dict[int, FrameworkItem] = {}
    for row in goal_rows:
        for item in row.goal.framework_items:
            by_item.setdefault(item.id, []).append(row)
            linked[item.id] = item
    rows = [
        ItemRow(item=item, depth=depth, assessable=assessable, goals=by_item.get(item.id, []))
        for item, depth, assessable in _tree(items)
    ]
    shown = {r.item.id for r in rows}
    others = sorted(
        (i for i in linked.values() if i.id not in shown),
        key=lambda i: (i.framework, i.position, i.code),
    )
    other_rows = [ItemRow(item=i, depth=0, assessable=False, goals=by_item[i.id]) for i in others]
    return StudentCoverage(
        student=student,
        framework=framework,
        framework_title=framework_title(framework),
        rows=rows,
        other_rows=other_rows,
        unlinked_goals=[r for r in goal_rows if not r.goal.framework_items],
        goal_count=len(goal_rows),
        leaf_kind=_leaf_kind(rows),
        only_supervised=viewer.role == Role.SUPERVISOR,
    )


# --- one team ---------------------------------------------------------------------------------


@dataclass
class MemberColumn:
    """A member in the matrix; ``current`` is False for a former member."""

    membership: TeamMembership
    current: bool
    addressed: int = 0
    covered: int = 0

    @property
    def student(self):
        return self.membership.student


@dataclass
class MatrixRow:
    """An item with, per member (in column order), the best status of their goals on it."""

    item: FrameworkItem
    depth: int
    assessable: bool
    cells: list[GoalStatus | None]

    @property
    def addressed(self) -> int:
        """How many members have a goal on this item."""
        return sum(1 for c in self.cells if c is not None)

    @property
    def covered(self) -> int:
        """How many members have a signed-off goal on this item."""
        return sum(1 for c in self.cells if c == GoalStatus.SIGNED_OFF)


@dataclass
class FrameworkMatrix:
    framework: str
    framework_title: str
    members: list[MemberColumn]
    rows: list[MatrixRow]
    leaf_kind: str | None

    @property
    def total(self) -> int:
        return sum(1 for r in self.rows if r.assessable)


@dataclass
class TeamCoverage:
    team: Team
    matrices: list[FrameworkMatrix]


def team_coverage(team: Team) -> TeamCoverage:
    """The team's members (current first, then former) × the items of their framework, one
    matrix per framework (a mixed team has an mbo and an hbo one): per cell the best status
    of the member's goals in this team on that item. Only this team's goals count, and a goal
    on an item of another framework than the member's does not show. Three queries, whatever
    the size of the team (the team and its members are loaded by the caller)."""
    memberships = sorted(team.memberships, key=lambda m: (m.left_on is not None, m.id))
    by_framework: dict[str, list[MemberColumn]] = {}
    for m in memberships:
        by_framework.setdefault(framework_of(m.student), []).append(
            MemberColumn(membership=m, current=m.left_on is None)
        )
    frameworks = sorted(by_framework, key=lambda f: (f != MBO_FRAMEWORK, f))
    items = _framework_items(frameworks)
    goals = db.session.scalars(
        select(LearningGoal)
        .where(LearningGoal.team_id == team.id)
        .options(selectinload(LearningGoal.framework_items))
    ).all()
    best: dict[tuple[int, int], GoalStatus] = {}
    for goal in goals:
        for item in goal.framework_items:
            key = (goal.student_id, item.id)
            if key not in best or STATUS_RANK[goal.status] > STATUS_RANK[best[key]]:
                best[key] = goal.status
    matrices = []
    for framework in frameworks:
        members = by_framework[framework]
        rows = []
        for item, depth, assessable in _tree([i for i in items if i.framework == framework]):
            cells = [best.get((c.membership.student_id, item.id)) for c in members]
            rows.append(MatrixRow(item=item, depth=depth, assessable=assessable, cells=cells))
            if assessable:
                for column, cell in zip(members, cells, strict=True):
                    column.addressed += cell is not None
                    column.covered += cell == GoalStatus.SIGNED_OFF
        kinds = {r.item.kind.value for r in rows if r.assessable}
        matrices.append(
            FrameworkMatrix(
                framework=framework,
                framework_title=framework_title(framework),
                members=members,
                rows=rows,
                leaf_kind=kinds.pop() if len(kinds) == 1 else None,
            )
        )
    return TeamCoverage(team=team, matrices=matrices)


# --- the practical-training statement ---------------------------------------------------------


def coverage_summary(student, team: Team, cutoff: dt.date) -> dict:
    """The coverage of ``student``'s framework by their goals in ``team``, for a statement, in
    plain JSON values. ``total`` counts the assessable items (see the module docstring: the
    active leaf items, werkprocessen for mbo and competences for hbo); ``addressed`` those
    linked to any goal of this student in this team; ``covered`` (a part of ``addressed``)
    those linked to such a goal with a sign-off that is not revoked and was signed on or before
    ``cutoff`` (an Amsterdam date). Two queries."""
    framework = framework_of(student)
    leaves = [
        item for item, _depth, assessable in _tree(_framework_items([framework])) if assessable
    ]
    # Each link of an item to a goal, with the goal's sign-offs that still stand (if any).
    links = db.session.execute(
        select(goal_framework_item.c.framework_item_id, SignOff.signed_at)
        .join(LearningGoal, LearningGoal.id == goal_framework_item.c.goal_id)
        .outerjoin(SignOff, (SignOff.goal_id == LearningGoal.id) & SignOff.revoked_at.is_(None))
        .where(LearningGoal.team_id == team.id, LearningGoal.student_id == student.id)
    ).all()
    addressed_ids = {item_id for item_id, _at in links}
    covered_ids = {
        item_id
        for item_id, at in links
        if at is not None and at.astimezone(AMSTERDAM).date() <= cutoff
    }
    covered = [i for i in leaves if i.id in covered_ids]
    return {
        "framework": framework,
        "framework_title": framework_title(framework),
        "total": len(leaves),
        "covered": len(covered),
        "addressed": sum(1 for i in leaves if i.id in addressed_ids),
        "covered_items": [{"code": i.code, "title": i.title} for i in covered],
        "uncovered_codes": [i.code for i in leaves if i.id not in covered_ids],
    }
