"""Figures for the dashboards, the neighbourhood pages and the placements page. Everything is
counted and summed in SQL, grouped per team, level or category, so a page runs the same
number of queries for three teams or five hundred."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

from sqlalchemy import and_, bindparam, case, distinct, func, or_, select, tuple_
from sqlalchemy.orm import joinedload, lazyload

from wijklab.accounts.models import Level, Role, StudentProfile, SupervisorProfile, User
from wijklab.agreements.models import AgreementAcceptance, StartAgreement
from wijklab.agreements.services import overdue_agreements
from wijklab.caching import cached, register_area
from wijklab.clock import utcnow
from wijklab.database import ListPage, in_list, paginate_page
from wijklab.extensions import db
from wijklab.goals.models import GoalStatus, GoalSummary, LearningGoal
from wijklab.organisations.models import Organisation, OrganisationKind
from wijklab.projects.models import Project, ProjectStatus
from wijklab.tasks.models import (
    Category,
    HoursSummary,
    SupervisionSession,
    Task,
    TaskParticipation,
    TaskStatus,
    TaskSummary,
)
from wijklab.teams.models import Team, TeamMembership

RUNNING = (ProjectStatus.DRAFT, ProjectStatus.ACTIVE)

# What the cached figures count (wijklab/caching.py): a committed write to one of these models
# makes them count afresh.
register_area(
    "neighbourhood", (Task, TaskParticipation, Team, Project, Organisation, StudentProfile)
)
register_area(
    "placements",
    (Organisation, Project, Team, TeamMembership, StudentProfile, SupervisorProfile, User),
)
# The wijkdocent's slow signals (students without hours, goals stuck in review, supervisors'
# load, late start agreements): day-sized facts, kept for a minute or until one of these changes.
register_area(
    "signals",
    (
        Task,
        TaskParticipation,
        LearningGoal,
        Team,
        TeamMembership,
        Project,
        User,
        SupervisionSession,
        SupervisorProfile,
        StartAgreement,
        AgreementAcceptance,
    ),
)
# Each declared weekly supervision hour covers two students (half an hour each a week).
STUDENTS_PER_SUPERVISION_HOUR = 2
QUIET_DAYS = 14
REVIEW_DAYS = 7
SIGNAL_LIMIT = 20


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _sum_if(condition, value=TaskParticipation.minutes):
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def _current_members():
    return TeamMembership.left_on.is_(None)


# --- wijkdocent ---------------------------------------------------------------------------------


HOUR_KEYS = ("logged", "verified", "logged_week", "verified_week")
SUMMED = (*HOUR_KEYS, "pending", "waiting", *(status.value for status in GoalStatus))


@dataclass(slots=True)
class TeamFigures:
    """One running team of a wijkdocent with its project's title and rules and its figures."""

    id: int
    name: str
    project: str
    min_mbo: int
    min_hbo: int
    max_size: int
    name_order: int  # the team's place when the teams are ordered by name (in the database)
    size: int = 0
    mbo: int = 0
    hbo: int = 0
    without_goals: int = 0
    supervision: int = 0
    sums: dict = field(default_factory=dict)


def running_teams(user) -> list[TeamFigures]:
    """Every running team of the wijkdocent, ordered by project and team, with its project's
    title and rules and its current members by level, in all and without a learning goal in
    the team: one query, a few hundred rows at most. The signals and the overview's page are
    cut from these rows; ``add_team_sums`` adds the rest of the figures."""
    return [
        TeamFigures(
            id=row.id,
            name=row.name,
            project=row.project,
            min_mbo=row.min_mbo,
            min_hbo=row.min_hbo,
            max_size=row.max_size,
            name_order=row.name_order,
            size=int(row.size or 0),
            mbo=int(row.mbo or 0),
            hbo=int(row.hbo or 0),
            without_goals=int(row.without_goals or 0),
        )
        for row in db.session.execute(_running_teams_query(), {"owner_id": user.id})
    ]


def add_team_sums(teams: list[TeamFigures], shown: list[TeamFigures], *, today: date) -> None:
    """Sum the hours and tasks of ``teams`` from the task summary (a few rows per team and
    week; an id list lets PostgreSQL read its pages in one bitmap pass), and for the ``shown``
    teams also their goals by status from the goal summary and the supervision given: one
    query."""
    if not teams:
        return
    found = {
        row.id: row
        for row in db.session.execute(
            _team_sums_query(_dialect()),
            {
                "team_ids": [team.id for team in teams],
                "shown_ids": [team.id for team in shown] or [-1],
                "monday": week_start(today),
            },
        )
    }
    for team in teams:
        row = found.get(team.id)
        team.sums = {key: int(getattr(row, key) or 0) if row else 0 for key in SUMMED}
        team.supervision = int(row.supervision or 0) if row else 0


# The overview's and the signals' statements are built once, with bound parameters, instead of
# on every request: building them took about as long as running them on a small database.


@cache
def _running_teams_query():
    """The running teams of the wijkdocent ``owner_id`` with their current members."""
    mine = and_(Project.owner_id == bindparam("owner_id"), Project.status.in_(RUNNING))
    with_goals = (
        select(LearningGoal.team_id, LearningGoal.student_id)
        .join(Team, Team.id == LearningGoal.team_id)
        .join(Project, Project.id == Team.project_id)
        .where(mine)
        .distinct()
        .subquery()
    )
    members = (
        select(
            TeamMembership.team_id.label("team_id"),
            func.count(TeamMembership.id).label("size"),
            _sum_if(StudentProfile.level == Level.MBO, 1).label("mbo"),
            _sum_if(StudentProfile.level == Level.HBO, 1).label("hbo"),
            _sum_if(with_goals.c.team_id.is_(None), 1).label("without_goals"),
        )
        .join(Team, Team.id == TeamMembership.team_id)
        .join(Project, Project.id == Team.project_id)
        .outerjoin(StudentProfile, StudentProfile.user_id == TeamMembership.student_id)
        .outerjoin(
            with_goals,
            and_(
                with_goals.c.team_id == TeamMembership.team_id,
                with_goals.c.student_id == TeamMembership.student_id,
            ),
        )
        .where(mine, _current_members())
        .group_by(TeamMembership.team_id)
        .subquery()
    )
    return (
        select(
            Team.id,
            Team.name,
            Project.title.label("project"),
            Project.min_mbo,
            Project.min_hbo,
            Project.max_size,
            func.row_number().over(order_by=(Team.name, Team.id)).label("name_order"),
            *(members.c[key] for key in ("size", "mbo", "hbo", "without_goals")),
        )
        .join(Project, Project.id == Team.project_id)
        .outerjoin(members, members.c.team_id == Team.id)
        .where(mine)
        .order_by(Project.title, Team.name, Team.id)
    )


def _dialect() -> str:
    return db.session.get_bind().dialect.name


@cache
def _team_sums_query(dialect: str):
    """Per team of ``team_ids``: hours and tasks (in all and in the week of ``monday``); per
    team of ``shown_ids`` also goals by status and supervision minutes. Each is summed in a
    derived table joined to the teams."""
    this_week = TaskSummary.week == bindparam("monday")
    verified = TaskSummary.status == TaskStatus.VERIFIED
    pending = TaskSummary.status == TaskStatus.PENDING
    minutes = TaskSummary.minutes
    sums = (
        select(
            TaskSummary.team_id.label("team_id"),
            func.coalesce(func.sum(minutes), 0).label("logged"),
            _sum_if(verified, minutes).label("verified"),
            _sum_if(this_week, minutes).label("logged_week"),
            _sum_if(this_week & verified, minutes).label("verified_week"),
            _sum_if(pending, minutes).label("pending"),
            _sum_if(pending, TaskSummary.tasks).label("waiting"),
        )
        .where(in_list(TaskSummary.team_id, "team_ids", dialect))
        .group_by(TaskSummary.team_id)
        .subquery()
    )
    goal_counts = (
        select(
            GoalSummary.team_id.label("team_id"),
            *(
                _sum_if(GoalSummary.status == status, GoalSummary.goals).label(status.value)
                for status in GoalStatus
            ),
        )
        .where(in_list(GoalSummary.team_id, "shown_ids", dialect))
        .group_by(GoalSummary.team_id)
        .subquery()
    )
    supervised = (
        select(
            SupervisionSession.team_id.label("team_id"),
            func.sum(SupervisionSession.minutes).label("minutes"),
        )
        .where(in_list(SupervisionSession.team_id, "shown_ids", dialect))
        .group_by(SupervisionSession.team_id)
        .subquery()
    )
    return (
        select(
            Team.id,
            *(sums.c[key] for key in (*HOUR_KEYS, "pending", "waiting")),
            *(goal_counts.c[status.value] for status in GoalStatus),
            supervised.c.minutes.label("supervision"),
        )
        .outerjoin(sums, sums.c.team_id == Team.id)
        .outerjoin(goal_counts, goal_counts.c.team_id == Team.id)
        .outerjoin(supervised, supervised.c.team_id == Team.id)
        .where(in_list(Team.id, "team_ids", dialect))
    )


def wijkdocent_overview(user, *, today: date, page: int, per_page: int = 20) -> dict:
    """The wijkdocent's running teams a page at a time, each with members by level, hours
    logged and verified (this week and in all), goals by status, tasks waiting and supervision
    given; totals over all their running teams; the students without a learning goal; and the
    signals. From ``running_teams`` and ``add_team_sums``: each row's ``team`` is its
    ``TeamFigures`` (``id``, ``name``, ``project``: the project's title), not a model."""
    figures = running_teams(user)
    teams = ListPage.of(figures, page, per_page)
    add_team_sums(figures, teams.items, today=today)
    rows = []
    for team in teams.items:
        rows.append(
            {
                "team": team,
                "levels": {"mbo": team.mbo, "hbo": team.hbo},
                "hours": {key: team.sums[key] for key in (*HOUR_KEYS, "pending")},
                "goals": {
                    status.value: team.sums[status.value]
                    for status in GoalStatus
                    if team.sums[status.value]
                },
                "waiting": team.sums["waiting"],
                "supervision": team.supervision,
            }
        )
    totals = {key: sum(team.sums[key] for team in figures) for key in HOUR_KEYS}
    totals["teams"] = teams.total
    return {
        "teams": teams,
        "rows": rows,
        "totals": totals,
        "week_start": week_start(today),
        "students_without_goals": sum(team.without_goals for team in figures),
        "signals": wijkdocent_signals(user, today=today, teams=figures),
    }


def wijkdocent_signals(user, *, today: date, teams: list | None = None) -> dict:
    """What needs the wijkdocent's attention across all their running teams: teams below their
    mbo/hbo rules, students with no logged hours for two weeks, goals in review for more than
    seven days, and supervisors with more students than their declared hours allow. ``teams``
    is ``running_teams`` when the caller has it already."""
    if teams is None:
        teams = running_teams(user)
    below_rules = sorted(
        (
            team
            for team in teams
            if team.mbo < team.min_mbo or team.hbo < team.min_hbo or team.size > team.max_size
        ),
        key=lambda team: team.name_order,
    )[:SIGNAL_LIMIT]

    slow = cached(
        "signals",
        f"{user.id}:{today.isoformat()}",
        lambda: _slow_signals(user, today=today, team_ids=[team.id for team in teams]),
    )
    return {
        "below_rules": [
            {
                "team_id": team.id,
                "team": team.name,
                "project": team.project,
                "min_mbo": team.min_mbo,
                "min_hbo": team.min_hbo,
                "max_size": team.max_size,
                "mbo": team.mbo,
                "hbo": team.hbo,
                "size": team.size,
            }
            for team in below_rules
        ],
        **slow,
        "limit": SIGNAL_LIMIT,
    }


def _slow_signals(user, *, today: date, team_ids: list[int]) -> dict:
    """The signals that read the task log and the goals (a few queries over thousands of rows),
    as plain values the figures cache can keep."""
    quiet_since = today - timedelta(days=QUIET_DAYS)
    quiet = db.session.execute(
        _quiet_students_query(_dialect()),
        {"owner_id": user.id, "quiet_since": quiet_since, "today": today, "team_ids": team_ids},
    ).all()
    stuck = db.session.execute(
        _stuck_goals_query(),
        {
            "owner_id": user.id,
            # Counted from ``today`` like the other signals, not from the wall clock.
            "reviewed_before": datetime.combine(
                today - timedelta(days=REVIEW_DAYS), time.min, tzinfo=UTC
            ),
        },
    ).all()
    return {
        "quiet_students": [
            {
                "student_id": sid,
                "student": sname,
                "team_id": tid,
                "team": tname,
                "project": title,
                "last": last,
            }
            for sid, sname, tid, tname, title, last in quiet
        ],
        "stuck_goals": list(stuck),
        "supervisors": supervisor_load(user, today=today),
    }


def wijkdocent_agreements(user, *, today: date) -> dict:
    """``overdue_agreements`` for the dashboard, kept with the slow signals."""
    return cached(
        "signals",
        f"agreements:{user.id}:{today.isoformat()}",
        lambda: overdue_agreements(user, today=today),
    )


@cache
def _quiet_students_query(dialect: str):
    """Current members of the owner's active teams, there at least since ``quiet_since``, who
    have no task dated from then on in the team, with their last task's date."""
    quiet_since = bindparam("quiet_since")
    last_logged = (
        select(func.max(Task.date))
        .join(TaskParticipation, TaskParticipation.task_id == Task.id)
        .where(
            Task.team_id == TeamMembership.team_id,
            TaskParticipation.student_id == TeamMembership.student_id,
        )
        .correlate(TeamMembership)
        .scalar_subquery()
    )
    # Who logged lately, as one set for all the wijkdocent's running teams (the tasks since
    # ``quiet_since``, by the team and date index, with their participants): the database builds
    # it once and looks each member up in it, instead of probing every member's participations.
    logged_lately = (
        select(Task.team_id, TaskParticipation.student_id)
        .join(TaskParticipation, TaskParticipation.task_id == Task.id)
        .where(in_list(Task.team_id, "team_ids", dialect), Task.date >= quiet_since)
    )
    return (
        select(User.id, User.name, Team.id, Team.name, Project.title, last_logged)
        .select_from(TeamMembership)
        .join(Team, Team.id == TeamMembership.team_id)
        .join(Project, Project.id == Team.project_id)
        .join(User, User.id == TeamMembership.student_id)
        .where(
            Project.owner_id == bindparam("owner_id"),
            Project.status == ProjectStatus.ACTIVE,
            # The members of the wijkdocent's teams only, not every membership in the city.
            in_list(TeamMembership.team_id, "team_ids", dialect),
            _current_members(),
            TeamMembership.joined_on <= quiet_since,
            Team.start_date <= quiet_since,
            Team.end_date >= bindparam("today"),
            tuple_(TeamMembership.team_id, TeamMembership.student_id).not_in(logged_lately),
        )
        .order_by(User.name, Team.name)
        .limit(SIGNAL_LIMIT)
    )


@cache
def _stuck_goals_query():
    """The owner's goals in review since before ``reviewed_before``. Only the goal's id, title
    and date and the student's name are shown: no models, so none of the student's profiles
    are joined in."""
    return (
        select(
            LearningGoal.id,
            LearningGoal.title,
            LearningGoal.updated_at,
            User.name.label("student"),
        )
        .join(Team, Team.id == LearningGoal.team_id)
        .join(Project, Project.id == Team.project_id)
        .join(User, User.id == LearningGoal.student_id)
        .where(
            Project.owner_id == bindparam("owner_id"),
            Project.status.in_(RUNNING),
            LearningGoal.status == GoalStatus.REVIEW_REQUESTED,
            LearningGoal.updated_at < bindparam("reviewed_before"),
        )
        .order_by(LearningGoal.updated_at)
        .limit(SIGNAL_LIMIT)
    )


@cache
def _supervisor_load_query():
    """The rows of ``supervisor_load`` for the wijkdocent ``owner_id``, built once."""
    mine = and_(Project.owner_id == bindparam("owner_id"), Project.status.in_(RUNNING))
    theirs = select(Team.supervisor_id).join(Project, Project.id == Team.project_id).where(mine)
    load = (
        select(
            Team.supervisor_id.label("supervisor_id"),
            func.count(distinct(TeamMembership.student_id)).label("students"),
        )
        .join(Project, Project.id == Team.project_id)
        .join(TeamMembership, and_(TeamMembership.team_id == Team.id, _current_members()))
        .where(Project.status.in_(RUNNING), Team.supervisor_id.in_(theirs))
        .group_by(Team.supervisor_id)
        .subquery()
    )
    given = (
        select(
            Team.supervisor_id.label("supervisor_id"),
            func.min(Team.start_date).label("since"),
            func.coalesce(func.sum(SupervisionSession.minutes), 0).label("minutes"),
        )
        .join(Project, Project.id == Team.project_id)
        .outerjoin(
            SupervisionSession,
            and_(
                SupervisionSession.team_id == Team.id,
                SupervisionSession.supervisor_id == Team.supervisor_id,
            ),
        )
        .where(mine)
        .group_by(Team.supervisor_id)
        .subquery()
    )
    return (
        select(
            User.id,
            User.name,
            func.coalesce(SupervisorProfile.supervision_hours_per_week, 0),
            func.coalesce(load.c.students, 0),
            given.c.since,
            given.c.minutes,
        )
        .join(given, given.c.supervisor_id == User.id)
        .outerjoin(load, load.c.supervisor_id == User.id)
        .outerjoin(SupervisorProfile, SupervisorProfile.user_id == User.id)
        .order_by(User.name)
    )


def supervisor_load(user, *, today: date) -> list[dict]:
    """Per supervisor of the wijkdocent's running teams: students supervised in all running
    teams (anyone's), the students their declared hours allow, and supervision given in the
    wijkdocent's teams against declared hours since the first of those teams started."""
    rows = db.session.execute(_supervisor_load_query(), {"owner_id": user.id}).all()
    result = []
    for uid, name, per_week, students, since, minutes in rows:
        weeks = max(1, (today - since).days // 7 + 1) if since and since <= today else 1
        capacity = per_week * STUDENTS_PER_SUPERVISION_HOUR
        result.append(
            {
                "id": uid,
                "name": name,
                "per_week": per_week,
                "students": int(students),
                "capacity": capacity,
                "over": int(students) > capacity,
                "given_minutes": int(minutes),
                "declared_minutes": per_week * 60 * weeks,
            }
        )
    return result


# --- student and supervisor ---------------------------------------------------------------------


def student_progress(student) -> dict:
    """A student's cumulative hours by ISO week, verified and pending apart, against the agreed
    BPV hours; summed per week from the hours summary."""
    rows = db.session.execute(
        select(
            HoursSummary.week,
            _sum_if(HoursSummary.status == TaskStatus.VERIFIED, HoursSummary.minutes),
            _sum_if(HoursSummary.status == TaskStatus.PENDING, HoursSummary.minutes),
        )
        .where(HoursSummary.student_id == student.id)
        .group_by(HoursSummary.week)
    ).all()
    weeks: dict[tuple[int, int], list[int]] = {}
    for day, verified, pending in rows:
        year, week, _ = day.isocalendar()
        bucket = weeks.setdefault((year, week), [0, 0])
        bucket[0] += int(verified)
        bucket[1] += int(pending)
    points = []
    verified_total = pending_total = 0
    for (year, week), (verified, pending) in sorted(weeks.items()):
        verified_total += verified
        pending_total += pending
        points.append(
            {
                "year": year,
                "week": week,
                "verified": verified_total,
                "pending": pending_total,
            }
        )
    profile = student.student_profile
    return {
        "weeks": points,
        "verified": verified_total,
        "pending": pending_total,
        "agreed": (profile.agreed_bpv_hours * 60) if profile else 0,
    }


def student_team_activity(student, limit: int = 8) -> list[Task]:
    """The latest tasks of the student's current teams, whoever logged them."""
    teams = select(TeamMembership.team_id).where(
        TeamMembership.student_id == student.id, _current_members()
    )
    return list(
        db.session.scalars(
            select(Task)
            .where(Task.team_id.in_(teams))
            # Only the team and its project are shown: keep the models' eager loads of people out.
            .options(
                joinedload(Task.team).joinedload(Team.project),
                joinedload(Task.team).lazyload(Team.supervisor),
                joinedload(Task.team).lazyload(Team.memberships),
                lazyload(Task.participations),
                lazyload(Task.author),
                lazyload(Task.verified_by),
            )
            .order_by(Task.date.desc(), Task.id.desc())
            .limit(limit)
        )
    )


def supervision_this_month(user, *, today: date) -> dict:
    """The supervisor's supervision minutes this month, per team and in all."""
    first = today.replace(day=1)
    rows = db.session.execute(
        select(Team.id, Team.name, Project.title, func.sum(SupervisionSession.minutes))
        .join(Team, Team.id == SupervisionSession.team_id)
        .join(Project, Project.id == Team.project_id)
        .where(
            SupervisionSession.supervisor_id == user.id,
            SupervisionSession.date >= first,
        )
        .group_by(Team.id, Team.name, Project.title)
        .order_by(Team.name)
    ).all()
    teams = [
        {"id": tid, "name": name, "project": project, "minutes": int(m)}
        for tid, name, project, m in rows
    ]
    profile = user.supervisor_profile
    return {
        "teams": teams,
        "minutes": sum(t["minutes"] for t in teams),
        "since": first,
        "per_week": profile.supervision_hours_per_week if profile else 0,
    }


# --- neighbourhood ------------------------------------------------------------------------------


def whole_weeks(start: date, end: date) -> tuple[tuple[date, date] | None, list[tuple[date, date]]]:
    """Split a period into the Mondays of the whole weeks inside it (first, last; None when
    there are none) and the days before and after them (at most two stretches of under a
    week), so the summary tables serve the whole weeks and only the edges are summed from
    the tasks themselves."""
    first = start if start.weekday() == 0 else week_start(start) + timedelta(days=7)
    last = week_start(end) if end.weekday() == 6 else week_start(end) - timedelta(days=7)
    if first > last:
        return None, [(start, end)]
    edges = []
    if start < first:
        edges.append((start, first - timedelta(days=1)))
    if end > last + timedelta(days=6):
        edges.append((last + timedelta(days=7), end))
    return (first, last), edges


def neighbourhood_figures(neighbourhood, *, start: date, end: date) -> dict:
    """Counts only, no names: verified activities by category with residents reached, the
    partner organisations involved, and verified student hours split mbo/hbo and
    collective/individual, for tasks dated in the period. The whole weeks of the period come
    from the summary tables, the days at its edges from the tasks: three to six queries."""
    weeks, edges = whole_weeks(start, end)
    in_hood = Project.neighbourhood_id == neighbourhood.id
    parts = []  # (task filter, hours filter, join column) per source
    if weeks:
        parts.append(
            (
                TaskSummary,
                and_(
                    TaskSummary.week.between(*weeks),
                    TaskSummary.status == TaskStatus.VERIFIED,
                ),
                and_(
                    HoursSummary.week.between(*weeks),
                    HoursSummary.status == TaskStatus.VERIFIED,
                ),
            )
        )
    if edges:
        on_days = or_(*(Task.date.between(first, last) for first, last in edges))
        parts.append((Task, and_(on_days, Task.status == TaskStatus.VERIFIED), None))

    by_category: dict[str, list[int]] = {}
    places: set[tuple[int, int, str | None]] = set()
    hours = {lv.value: {"collective": 0, "individual": 0} for lv in Level}
    students: dict[str, set[int]] = {lv.value: set() for lv in Level}
    for source, task_filter, hours_filter in parts:
        summary = source is TaskSummary
        tasks = func.sum(TaskSummary.tasks) if summary else func.count(Task.id)
        residents = TaskSummary.residents_reached if summary else Task.residents_reached
        for category, n, reached in db.session.execute(
            select(source.category, tasks, func.coalesce(func.sum(residents), 0))
            .join(Team, Team.id == source.team_id)
            .join(Project, Project.id == Team.project_id)
            .where(in_hood, task_filter)
            .group_by(source.category)
        ):
            totals = by_category.setdefault(Category(category).value, [0, 0])
            totals[0] += int(n)
            totals[1] += int(reached)
        places.update(
            db.session.execute(
                select(Team.id, Project.id, Organisation.name)
                .select_from(source)
                .join(Team, Team.id == source.team_id)
                .join(Project, Project.id == Team.project_id)
                .outerjoin(Organisation, Organisation.id == Project.partner_id)
                .where(in_hood, task_filter)
                .distinct()
            ).all()
        )
        if summary:
            student, category, minutes = (
                HoursSummary.student_id,
                HoursSummary.category,
                HoursSummary.minutes,
            )
            rows = select(HoursSummary).join(Team, Team.id == HoursSummary.team_id)
            rows = rows.where(hours_filter)
        else:
            student, category, minutes = (
                TaskParticipation.student_id,
                Task.category,
                TaskParticipation.minutes,
            )
            rows = (
                select(TaskParticipation)
                .join(Task, Task.id == TaskParticipation.task_id)
                .join(Team, Team.id == Task.team_id)
                .where(task_filter)
            )
        per_student = (
            rows.with_only_columns(StudentProfile.level, student, category, func.sum(minutes))
            .join(StudentProfile, StudentProfile.user_id == student)
            .group_by(StudentProfile.level, student, category)
        )
        per_student = per_student.join(Project, Project.id == Team.project_id).where(in_hood)
        for level, student_id, kind_of_work, total in db.session.execute(per_student):
            kind = "collective" if Category(kind_of_work).is_collective else "individual"
            hours[Level(level).value][kind] += int(total)
            students[Level(level).value].add(student_id)

    partner_projects: dict[str, set[int]] = {}
    for _team, project, partner in places:
        if partner is not None:
            partner_projects.setdefault(partner, set()).add(project)
    partners = sorted((name, len(ids)) for name, ids in partner_projects.items())
    activity_rows = [
        {"category": c, "tasks": by_category[c][0], "residents": by_category[c][1]}
        for c in (c.value for c in Category)
        if c in by_category
    ]
    return {
        "neighbourhood": {
            "id": neighbourhood.id,
            "name": neighbourhood.name,
            "city": neighbourhood.city,
        },
        "period": {"start": start, "end": end},
        "generated_at": utcnow(),
        "projects": len({project for _team, project, _partner in places}),
        "teams": len({team for team, _project, _partner in places}),
        "tasks": sum(a["tasks"] for a in activity_rows),
        "residents_reached": sum(a["residents"] for a in activity_rows),
        "students": {level: len(ids) for level, ids in students.items()},
        "activities": activity_rows,
        "partners": [{"name": name, "projects": int(n)} for name, n in partners],
        "hours": hours,
    }


def _place_key():
    return func.lower(func.trim(Task.place))


def running_activities(neighbourhood, *, start: date, end: date, page: int, per_page: int = 50):
    """Tasks of the neighbourhood's running projects in the period, grouped by street, place or
    group; and the places that more than one team approached in that period.

    The places and the order of the tasks (ids only) are computed once and cached for up to a
    minute (a neighbourhood of a large city has tens of thousands of tasks in six weeks); each
    page then loads only its own tasks."""
    listing = cached(
        "neighbourhood",
        f"activities:{neighbourhood.id}:{start.isoformat()}:{end.isoformat()}",
        lambda: _activity_listing(neighbourhood, start=start, end=end),
    )
    ids = ListPage.of(listing["ids"], page, per_page)
    wanted = ids.items
    found = {
        task.id: task
        for task in db.session.scalars(
            select(Task)
            .where(Task.id.in_(wanted or [-1]))
            .options(
                joinedload(Task.team).joinedload(Team.project),
                joinedload(Task.team).lazyload(Team.memberships),
                lazyload(Task.participations),
                lazyload(Task.author),
                lazyload(Task.verified_by),
            )
        ).unique()
    }
    # A task changed since the listing was cached may be gone from the page; it returns within
    # the minute.
    items = [found[i] for i in wanted if i in found]
    return {
        "overlaps": listing["overlaps"],
        "shared": {o["place"].strip().lower() for o in listing["overlaps"]},
        "tasks": ListPage(items, ids.page, per_page, ids.total),
    }


def _activity_listing(neighbourhood, *, start: date, end: date) -> dict:
    scope = and_(
        Project.neighbourhood_id == neighbourhood.id,
        Project.status.in_(RUNNING),
        Task.date >= start,
        Task.date <= end,
        Task.status != TaskStatus.RETURNED,
    )
    key = _place_key()
    overlaps = db.session.execute(
        select(
            func.min(Task.place),
            func.count(distinct(Task.team_id)),
            func.count(Task.id),
            func.min(Task.date),
            func.max(Task.date),
        )
        .join(Team, Team.id == Task.team_id)
        .join(Project, Project.id == Team.project_id)
        .where(scope, key != "")
        .group_by(key)
        .having(func.count(distinct(Task.team_id)) > 1)
        .order_by(func.min(Task.place))
    ).all()
    ids = db.session.scalars(
        select(Task.id)
        .join(Team, Team.id == Task.team_id)
        .join(Project, Project.id == Team.project_id)
        .where(scope)
        .order_by(case((key == "", 1), else_=0), key, Task.date.desc(), Task.id.desc())
    ).all()
    return {
        "overlaps": [
            {"place": place, "teams": teams, "tasks": n, "first": first, "last": last}
            for place, teams, n, first, last in overlaps
        ],
        "ids": list(ids),
    }


# --- placements ---------------------------------------------------------------------------------


def placement_schools(user) -> list[Organisation]:
    """The schools whose students have been in the wijkdocent's projects; every school for an
    admin."""
    query = select(Organisation).where(Organisation.kind == OrganisationKind.SCHOOL)
    if user.role != Role.ADMIN:
        query = query.where(
            Organisation.id.in_(
                select(StudentProfile.school_id)
                .join(TeamMembership, TeamMembership.student_id == StudentProfile.user_id)
                .join(Team, Team.id == TeamMembership.team_id)
                .join(Project, Project.id == Team.project_id)
                .where(Project.owner_id == user.id)
            )
        )
    return list(db.session.scalars(query.order_by(Organisation.name)))


def placements(*, school_ids: list[int], page: int, per_page: int = 25) -> dict:
    """Per partner organisation: the levels and years it suits, its supervisors' declared
    hours and the students those hours allow, and places filled in running teams; and the
    students of the given schools who are in no running team, by level and year. The sums are
    cached for up to a minute (``wijklab/caching.py``); the page of organisations is not."""
    hours = (
        select(
            SupervisorProfile.organisation_id.label("organisation_id"),
            func.coalesce(func.sum(SupervisorProfile.supervision_hours_per_week), 0).label("hours"),
            func.count(SupervisorProfile.id).label("supervisors"),
        )
        .join(User, User.id == SupervisorProfile.user_id)
        .where(User.is_active.is_(True))
        .group_by(SupervisorProfile.organisation_id)
        .subquery()
    )
    filled = (
        select(
            Project.partner_id.label("organisation_id"),
            func.count(distinct(TeamMembership.student_id)).label("filled"),
            func.count(distinct(Team.id)).label("teams"),
        )
        .join(Team, Team.project_id == Project.id)
        .join(TeamMembership, and_(TeamMembership.team_id == Team.id, _current_members()))
        .where(Project.status.in_(RUNNING))
        .group_by(Project.partner_id)
        .subquery()
    )
    organisations = paginate_page(
        select(Organisation)
        .where(Organisation.kind == OrganisationKind.PARTNER)
        .order_by(Organisation.name),
        page,
        per_page,
    )
    page_ids = [o.id for o in organisations.items] or [-1]

    def partner_figures() -> dict[int, tuple[int, ...]]:
        return {
            row[0]: tuple(int(v) for v in row[1:])
            for row in db.session.execute(
                select(
                    Organisation.id,
                    func.coalesce(hours.c.hours, 0),
                    func.coalesce(hours.c.supervisors, 0),
                    func.coalesce(filled.c.filled, 0),
                    func.coalesce(filled.c.teams, 0),
                )
                .outerjoin(hours, hours.c.organisation_id == Organisation.id)
                .outerjoin(filled, filled.c.organisation_id == Organisation.id)
                .where(Organisation.id.in_(page_ids))
            )
        }

    figures = cached("placements", "partners:" + ",".join(map(str, page_ids)), partner_figures)
    rows = []
    for organisation in organisations.items:
        declared, supervisors, taken, teams = figures.get(organisation.id, (0, 0, 0, 0))
        capacity = int(declared) * STUDENTS_PER_SUPERVISION_HOUR
        rows.append(
            {
                "organisation": organisation,
                "hours": int(declared),
                "supervisors": int(supervisors),
                "capacity": capacity,
                "filled": int(taken),
                "teams": int(teams),
                "free": max(0, capacity - int(taken)),
            }
        )
    placed = (
        select(TeamMembership.id)
        .join(Team, Team.id == TeamMembership.team_id)
        .join(Project, Project.id == Team.project_id)
        .where(
            TeamMembership.student_id == StudentProfile.user_id,
            _current_members(),
            Project.status.in_(RUNNING),
        )
        .exists()
    )

    def unplaced_counts() -> list[tuple[str, int, int]]:
        return [
            (Level(level).value, int(year), int(count))
            for level, year, count in db.session.execute(
                select(StudentProfile.level, StudentProfile.study_year, func.count())
                .join(User, User.id == StudentProfile.user_id)
                .where(
                    StudentProfile.school_id.in_(school_ids or [-1]),
                    User.is_active.is_(True),
                    User.role == Role.STUDENT,
                    ~placed,
                )
                .group_by(StudentProfile.level, StudentProfile.study_year)
            )
        ]

    unplaced_rows = cached(
        "placements", "unplaced:" + ",".join(map(str, sorted(school_ids))), unplaced_counts
    )
    unplaced = {lv.value: {year: 0 for year in (1, 2, 3, 4)} for lv in Level}
    for level, year, count in unplaced_rows:
        unplaced[Level(level).value][int(year)] = int(count)
    return {
        "organisations": organisations,
        "rows": rows,
        "unplaced": unplaced,
        "unplaced_total": sum(sum(v.values()) for v in unplaced.values()),
    }
