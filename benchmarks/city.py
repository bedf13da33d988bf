"""Time the dashboards, neighbourhood reports and exports at city scale.

run(smoke=False): 5,000 students in 500 teams of 10, 50,000 tasks with 250,000 participations,
about 10,000 learning goals and 20,000 supervision sessions over the last 40 weeks; pages are
the median of 5 rounds. Each export is streamed once for its time, its first byte and the
process's resident memory, and once more under tracemalloc for the peak of Python's heap (every
CSV, but only the smallest xlsx: tracemalloc slows openpyxl about fivefold). run(smoke=True): 50
students, 5 teams, 500 participations, one round, every status checked: proves the benchmark
still runs.

The data goes into a SQLite file in a temporary folder, or into the database that
WIJKLAB_BENCH_DATABASE_URL names (an empty scratch PostgreSQL database: the tables are created,
filled, analysed and dropped again). Rows are written with bulk Core inserts in batches, never
as ORM objects one by one.
"""

from __future__ import annotations

import os
import random
import resource
import sqlite3
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from itertools import islice
from pathlib import Path

from sqlalchemy import func, inspect, select, text, update

from benchmarks.__main__ import count_queries, measure
from wijklab import create_app
from wijklab.accounts.models import Level, Role, StudentProfile, SupervisorProfile, User
from wijklab.agreements.models import StartAgreement
from wijklab.clock import today as amsterdam_today
from wijklab.clock import utcnow
from wijklab.database import SUMMARIES
from wijklab.exports import views as export_views
from wijklab.exports.services import ExportFilter, participation_query, participation_rows
from wijklab.extensions import db
from wijklab.goals.loader import load_shipped_frameworks
from wijklab.goals.models import (
    Feedback,
    FrameworkItem,
    GoalStatus,
    LearningGoal,
    SignOff,
    goal_framework_item,
)
from wijklab.neighbourhoods.models import Neighbourhood
from wijklab.organisations.models import Organisation, OrganisationKind
from wijklab.projects.models import Project, ProjectStatus
from wijklab.tasks.models import (
    Category,
    ParticipationRole,
    SupervisionSession,
    Task,
    TaskParticipation,
    TaskStatus,
)
from wijklab.teams.models import MemberRole, Team, TeamMembership

# The xlsx row limit, read where the app keeps it (it grows as the xlsx writer streams); None:
# no limit, every xlsx export is measured.
XLSX_MAX_ROWS: int | None = getattr(export_views, "XLSX_MAX_ROWS", None)
DATABASE_URL_VARIABLE = "WIJKLAB_BENCH_DATABASE_URL"
BATCH = 10_000
WEEKS = 40
TOKEN = "city-benchmark-session"  # noqa: S105  (a throwaway database)
PASSWORD_HASH = "scrypt:not-a-real-hash"  # noqa: S105  (nobody signs in with a password here)
PLACES = (
    "Hoogstraat",
    "Kerkplein",
    "Marktplein",
    "Buurthuis De Linde",
    "Speeltuin Zonnebloem",
    "Bibliotheek Centrum",
    "Jan Steenstraat",
    "Moskee Al Fourkaan",
    "Schoolplein De Regenboog",
    "Seniorenflat Rozenhof",
    "Vrouwengroep Dinsdag",
    "Voedselbank",
    " hoogstraat ",  # the same street typed differently: the activity list folds case and spaces
    "",
)
STREETS = ("Bewonersavond", "Huisbezoek", "Inloopochtend", "Buurtschouw", "Overleg", "Enquête")
LABEL_WIDTH = 52


@dataclass(frozen=True)
class Sizes:
    students: int
    teams: int
    team_size: int
    teams_per_project: int
    tasks_per_team: int
    participants: int
    neighbourhoods: int
    partners: int
    schools: int
    supervisors: int
    wijkdocenten: int
    measured_projects: int  # owned by the measured wijkdocent
    rounds: int

    @property
    def tasks(self) -> int:
        return self.teams * self.tasks_per_team

    @property
    def participations(self) -> int:
        return self.tasks * self.participants

    @property
    def projects(self) -> int:
        return self.teams // self.teams_per_project


FULL = Sizes(5000, 500, 10, 5, 100, 5, 20, 100, 10, 250, 25, 20, 5)
SMOKE = Sizes(50, 5, 10, 1, 20, 5, 2, 3, 2, 5, 2, 1, 1)
# One tenth of FULL: the page table compares each page's SQL queries at both sizes.
TENTH = Sizes(500, 50, 10, 5, 100, 5, 20, 10, 10, 25, 5, 2, 5)


@dataclass
class Ids:
    """The keys the measurements need; every id is given explicitly when the rows are built."""

    admin: int
    wijkdocent: int
    busy_neighbourhood: int
    heavy_student: int


# --- building the data --------------------------------------------------------------------------


def _batches(rows: Iterable[dict], size: int = BATCH) -> Iterator[list[dict]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _insert(model, rows: Iterable[dict]) -> int:
    """Bulk Core inserts in batches; the column types (enums, ChoiceSet, aware timestamps)
    convert the Python values as they do for the ORM."""
    table = getattr(model, "__table__", model)  # a model or a plain Table (association)
    count = 0
    for batch in _batches(rows):
        db.session.execute(table.insert(), batch)
        count += len(batch)
    return count


def _at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, clock(hour), tzinfo=UTC)


def build(sizes: Sizes, insert=None) -> tuple[Ids, dict[str, int]]:
    """Fill the database; returns the ids to measure with and the row count per table.
    ``insert(model_or_table, rows)`` writes the rows (default: bulk Core inserts; the national
    benchmark passes PostgreSQL COPY)."""
    insert = insert or _insert
    rng = random.Random(2026)  # noqa: S311  (fixed data, not security)
    now = utcnow()
    today = amsterdam_today()
    first_day = today - timedelta(weeks=WEEKS)
    counts: dict[str, int] = {}

    counts["neighbourhood"] = insert(
        Neighbourhood,
        (
            {
                "id": n,
                "name": f"Wijk {n}",
                "city": "Den Haag",
                "description": "",
                "created_at": now,
                "updated_at": now,
            }
            for n in range(1, sizes.neighbourhoods + 1)
        ),
    )
    schools = list(range(1, sizes.schools + 1))
    partners = list(range(sizes.schools + 1, sizes.schools + sizes.partners + 1))
    counts["organisation"] = insert(
        Organisation,
        (
            {
                "id": o,
                "name": f"{'School' if o in schools else 'Partner'} {o}",
                "kind": OrganisationKind.SCHOOL if o in schools else OrganisationKind.PARTNER,
                "city": "Den Haag",
                "neighbourhood_id": None if o in schools else 1 + o % sizes.neighbourhoods,
                "is_recognised_training_company": o % 2 == 0,
                "suitable_levels": frozenset({"mbo", "hbo"}),
                "suitable_years": frozenset({2, 3, 4}),
                "created_at": now,
                "updated_at": now,
            }
            for o in schools + partners
        ),
    )

    next_id = iter(range(1, 10**9))
    admin = next(next_id)
    wijkdocenten = [next(next_id) for _ in range(sizes.wijkdocenten)]
    supervisors = [next(next_id) for _ in range(sizes.supervisors)]
    students = [next(next_id) for _ in range(sizes.students)]
    roles = (
        [(admin, Role.ADMIN)]
        + [(u, Role.WIJKDOCENT) for u in wijkdocenten]
        + [(u, Role.SUPERVISOR) for u in supervisors]
        + [(u, Role.STUDENT) for u in students]
    )
    counts["user"] = insert(
        User,
        (
            {
                "id": uid,
                "email": f"{role.value}{uid}@bench.example.org",
                "name": f"{role.value.capitalize()} {uid:05d}",
                "password_hash": PASSWORD_HASH,
                "role": role,
                "is_active": True,
                "locale": None,
                "session_token": TOKEN,
                "created_at": now,
                "updated_at": now,
            }
            for uid, role in roles
        ),
    )
    counts["supervisor_profile"] = insert(
        SupervisorProfile,
        (
            {
                "id": i,
                "user_id": uid,
                "organisation_id": partners[i % len(partners)],
                "job_title": "Opbouwwerker",
                "supervision_hours_per_week": 2 + i % 6,
            }
            for i, uid in enumerate(supervisors, 1)
        ),
    )

    # Team t holds students t*10 .. t*10+9; a few teams break the mbo/hbo rules (a signal).
    def level(index: int) -> Level:
        team, member = divmod(index, sizes.team_size)
        return Level.MBO if member % 3 == 0 and team % 50 != 13 else Level.HBO

    counts["student_profile"] = insert(
        StudentProfile,
        (
            {
                "id": i + 1,
                "user_id": uid,
                "level": level(i),
                "school_id": schools[i % len(schools)],
                "programme": "Social Work",
                "study_year": 1 + (i * 7) % 4,
                "crebo": "25477" if level(i) == Level.MBO else None,
                "available_weekdays": frozenset({0, 1, 2}),
                "hours_per_week": 16,
                "agreed_bpv_hours": 400,
            }
            for i, uid in enumerate(students)
        ),
    )

    # The measured wijkdocent owns the first projects; a quarter of all projects lie in the
    # first neighbourhood, so its report sums the most rows.
    projects = []
    for p in range(sizes.projects):
        measured = p < sizes.measured_projects
        projects.append(
            {
                "id": p + 1,
                "title": f"Wijkproject {p + 1:03d}",
                "neighbourhood_id": 1 if p % 4 == 0 else 2 + p % (sizes.neighbourhoods - 1),
                "partner_id": partners[p % len(partners)],
                "owner_id": wijkdocenten[0]
                if measured
                else wijkdocenten[1 + p % (len(wijkdocenten) - 1)],
                "summary": "Samen met bewoners werken aan een prettige buurt.",
                "hours_per_week": 8,
                "start_date": first_day,
                "end_date": today + timedelta(weeks=10),
                "status": ProjectStatus.COMPLETED
                if not measured and p % 10 == 9
                else ProjectStatus.ACTIVE,
                "weekdays": frozenset({1, 3}),
                "min_mbo": 2,
                "min_hbo": 2,
                "max_size": sizes.team_size,
                "created_at": now,
                "updated_at": now,
            }
        )
    counts["project"] = insert(Project, projects)

    supervisors_of: dict[int, list[int]] = {}
    for i, uid in enumerate(supervisors, 1):
        supervisors_of.setdefault(partners[i % len(partners)], []).append(uid)
    teams = []
    for t in range(sizes.teams):
        project = projects[t // sizes.teams_per_project]
        pool = supervisors_of.get(project["partner_id"]) or supervisors
        teams.append(
            {
                "id": t + 1,
                "project_id": project["id"],
                "name": f"Team {t + 1:03d}",
                "supervisor_id": pool[t % len(pool)],
                "start_date": first_day,
                "end_date": project["end_date"],
                "handover_note": "",
                "created_at": now,
                "updated_at": now,
            }
        )
    counts["team"] = insert(Team, teams)
    members = {
        t["id"]: students[i * sizes.team_size : (i + 1) * sizes.team_size]
        for i, t in enumerate(teams)
    }
    counts["team_membership"] = insert(
        TeamMembership,
        (
            {
                "id": (team_id - 1) * sizes.team_size + m + 1,
                "team_id": team_id,
                "student_id": uid,
                "role": MemberRole.PEER_COACH if m == 1 else MemberRole.MEMBER,
                "joined_on": first_day,
                # Every fiftieth team lost its last member half-way.
                "left_on": first_day + timedelta(weeks=WEEKS // 2)
                if m == sizes.team_size - 1 and team_id % 50 == 0
                else None,
            }
            for team_id, uids in members.items()
            for m, uid in enumerate(uids)
        ),
    )

    # Tasks and their participations are made together and written in batches: 250,000 dicts
    # are never in memory at once, so the exports' maxrss below is not the build's.
    supervisor_of = {t["id"]: t["supervisor_id"] for t in teams}
    categories = list(Category)
    task_batch: list[dict] = []
    participation_batch: list[dict] = []
    counts["task"] = counts["task_participation"] = 0
    participation_id = 0

    def flush() -> None:
        counts["task"] += insert(Task, task_batch)
        counts["task_participation"] += insert(TaskParticipation, participation_batch)
        task_batch.clear()
        participation_batch.clear()

    for task_index in range(sizes.tasks):
        team_id = 1 + task_index // sizes.tasks_per_team
        team_members = members[team_id]
        day = first_day + timedelta(days=rng.randrange(WEEKS * 7 + 1))
        draw = rng.random()
        recent = (today - day).days < 14
        if draw < (0.5 if recent else 0.05):
            status = TaskStatus.PENDING
        elif draw < (0.55 if recent else 0.1):
            status = TaskStatus.RETURNED
        else:
            status = TaskStatus.VERIFIED
        place = rng.choice(PLACES)
        # The team's first member takes part in every task: the student with many tasks.
        participants = [team_members[0], *rng.sample(team_members[1:], sizes.participants - 1)]
        verified = status == TaskStatus.VERIFIED
        task_batch.append(
            {
                "id": task_index + 1,
                "team_id": team_id,
                "author_id": rng.choice(participants),
                "date": day,
                "title": f"{rng.choice(STREETS)} {place.strip() or 'in de wijk'} {task_index + 1}",
                "description": "Wat we deden, met wie, en wat het opleverde voor de buurt.",
                "category": rng.choice(categories),
                "residents_reached": rng.randrange(0, 60),
                "partners_involved": "",
                "place": place,
                "status": status,
                "verified_by_id": supervisor_of[team_id] if verified else None,
                "verified_at": _at(day + timedelta(days=2)) if verified else None,
                "verified_on_behalf": verified and task_index % 20 == 0,
                "return_reason": "Vul de minuten aan." if status == TaskStatus.RETURNED else "",
                "version": 1,
                "created_at": _at(day, 18),
                "updated_at": _at(day, 18),
            }
        )
        for position, uid in enumerate(participants):
            participation_id += 1
            participation_batch.append(
                {
                    "id": participation_id,
                    "task_id": task_index + 1,
                    "student_id": uid,
                    "minutes": rng.randrange(30, 241, 15),
                    "role": ParticipationRole.LEAD
                    if position == 0
                    else rng.choice((ParticipationRole.CO_ORGANISER, ParticipationRole.SUPPORT)),
                    # Reflections are unique text, as real ones are.
                    "reflection": f"Bij taak {task_index + 1} leerde ik doorvragen "
                    f"naar wat bewoners zelf willen ({participation_id})."
                    if participation_id % 5 < 2
                    else "",
                }
            )
        if len(participation_batch) >= BATCH:
            flush()
    flush()

    counts["supervision_session"] = insert(
        SupervisionSession,
        (
            {
                "id": (t["id"] - 1) * WEEKS + week + 1,
                "team_id": t["id"],
                "supervisor_id": t["supervisor_id"],
                "date": first_day + timedelta(weeks=week, days=2),
                "minutes": 30 + 15 * (week % 5),
                "note": "",
                "created_at": _at(first_day + timedelta(weeks=week, days=2)),
            }
            for t in teams
            for week in range(WEEKS)
        ),
    )

    def goals() -> Iterator[dict]:
        goal_id = 0
        statuses = list(GoalStatus)
        for team_id, uids in members.items():
            for m, uid in enumerate(uids):
                index = (team_id - 1) * sizes.team_size + m
                if index % 10 == 9:  # a tenth of the students has no goal yet (a signal)
                    continue
                for g in range(2 + (index % 4 == 0)):
                    goal_id += 1
                    status = statuses[(index + g) % len(statuses)]
                    changed = now - timedelta(days=(goal_id % 21))
                    yield {
                        "id": goal_id,
                        "student_id": uid,
                        "team_id": team_id,
                        "title": f"Ik voer een huisbezoek zelfstandig uit ({goal_id})",
                        "description": "",
                        "success_criteria": "Mijn werkbegeleider ziet het twee keer.",
                        "target_date": today + timedelta(weeks=6),
                        "status": status,
                        "version": 1,
                        "created_at": changed - timedelta(days=30),
                        "updated_at": changed,
                    }

    made_goals: list[tuple[int, int, int, GoalStatus]] = []

    def kept(rows: Iterator[dict]) -> Iterator[dict]:
        for row in rows:
            made_goals.append((row["id"], row["team_id"], row["student_id"], row["status"]))
            yield row

    counts["learning_goal"] = insert(LearningGoal, kept(goals()))
    _goal_extras(insert, counts, made_goals, teams, members, now, first_day)
    # Bulk inserts pass the ORM by, so the summary tables are filled the way migration 0015 and
    # `flask check-summaries --fix` fill them: one INSERT ... SELECT per table.
    for summary in SUMMARIES:
        counts[summary.name] = summary.rebuild(db.session.connection())

    if db.engine.dialect.name == "postgresql":
        # The ids were given: move every sequence past them, then let the planner see the data
        # (autovacuum would analyse it soon after such a load in production, too).
        for table in db.metadata.sorted_tables:
            if "id" in table.c and table.c.id.autoincrement is not False and table.c.id.primary_key:
                db.session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "  # noqa: S608
                        f'(SELECT coalesce(max(id), 0) + 1 FROM "{table.name}"), false)'
                    )
                )
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
    ids = Ids(
        admin=admin,
        wijkdocent=wijkdocenten[0],
        busy_neighbourhood=1,
        heavy_student=members[1][0],
    )
    return ids, counts


def _goal_extras(insert, counts, goals, teams, members, now: datetime, first_day: date) -> None:
    """What the goal, review, coverage and statement pages show besides the goals: the shipped
    frameworks (two items per goal), feedback from the supervisor and a fellow student on every
    goal past its draft, sign-offs of the signed-off goals, and a start agreement per member."""
    load_shipped_frameworks()
    db.session.flush()
    items = list(
        db.session.scalars(
            select(FrameworkItem.id)
            .where(FrameworkItem.parent_id.is_not(None))
            .order_by(FrameworkItem.id)
        )
    )
    supervisor_of = {t["id"]: t["supervisor_id"] for t in teams}
    counts["goal_framework_item"] = insert(
        goal_framework_item,
        (
            {"goal_id": goal_id, "framework_item_id": item}
            for goal_id, *_rest in goals
            for item in dict.fromkeys(
                (items[goal_id % len(items)], items[(goal_id * 7 + 3) % len(items)])
            )
        ),
    )

    def feedback() -> Iterator[dict]:
        feedback_id = 0
        for goal_id, team_id, student_id, status in goals:
            if status == GoalStatus.DRAFT:
                continue
            peers = members[team_id]
            peer = peers[(peers.index(student_id) + 1) % len(peers)]
            for author, role in ((supervisor_of[team_id], "supervisor"), (peer, "student")):
                feedback_id += 1
                yield {
                    "id": feedback_id,
                    "goal_id": goal_id,
                    "author_id": author,
                    "author_role": role,
                    "rating": 1 + feedback_id % 5,
                    "comment": f"Je vraagt goed door; let op je verslaglegging ({feedback_id}).",
                    "in_reply_to_id": None,
                    "created_at": now - timedelta(days=goal_id % 30),
                }

    counts["feedback"] = insert(Feedback, feedback())
    counts["sign_off"] = insert(
        SignOff,
        (
            {
                "id": n,
                "goal_id": goal_id,
                "signed_by_id": supervisor_of[team_id],
                "signed_at": now - timedelta(days=goal_id % 20),
                "statement": "Zelfstandig uitgevoerd, twee keer gezien.",
                "revoked_by_id": None,
                "revoked_at": None,
                "revoke_reason": "",
            }
            for n, (goal_id, team_id, _student, _status) in enumerate(
                (g for g in goals if g[3] == GoalStatus.SIGNED_OFF), 1
            )
        ),
    )
    counts["start_agreement"] = insert(
        StartAgreement,
        (
            {
                "id": n,
                "team_id": team_id,
                "student_id": student_id,
                "weekdays": frozenset({1, 3}),
                "hours_per_week": 16,
                "agreed_bpv_hours": 400,
                "learning_focuses": "Huisbezoeken en bewonersavonden.",
                "supervision_form": "",
                "supervision_frequency": "",
                "backup_contact": "",
                "brief": "{}",
                "version": 1,
                "created_at": _at(first_day),
                "updated_at": _at(first_day),
                "updated_by_id": None,
                "accepted_at": None,
                "accepted_content": None,
            }
            for n, (team_id, student_id) in enumerate(
                ((t, s) for t, uids in members.items() for s in uids), 1
            )
        ),
    )


# --- measuring ----------------------------------------------------------------------------------


class _BufferedClient:
    """measure() times client.get(); reading the body inside it puts a streamed download (the
    report's xlsx) in the time as well."""

    def __init__(self, client) -> None:
        self.client = client

    def get(self, url: str):
        return self.client.get(url, buffered=True)


def _signed_in(app, user_id: str) -> _BufferedClient:
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["last_seen"] = utcnow().timestamp()
    return _BufferedClient(client)


def _page(client, engine, label: str, url: str, rounds: int) -> None:
    ms, queries = measure(client, engine, url, rounds)
    print(f"  {label:<{LABEL_WIDTH}} {ms:9.2f} ms  {queries:3d} SQL queries")


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _rss() -> int:
    statm = Path("/proc/self/statm")
    return int(statm.read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") if statm.exists() else 0


class _RssPeak:
    """The process's resident memory, sampled in a thread every 5 ms: its peak above the level
    at the start. Unlike tracemalloc it also sees C allocations (SQLite, psycopg, zlib) and
    costs next to nothing, so it can watch the timed run."""

    def __enter__(self) -> _RssPeak:
        self.start = self.peak = _rss()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._done.wait(0.005):
            self.peak = max(self.peak, _rss())

    def __exit__(self, *_exc) -> None:
        self._done.set()
        self._thread.join()
        self.peak = max(self.peak, _rss())

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.start) / 2**20


def _stream(client, engine, url: str) -> tuple[int, int, int, float, float]:
    """Read a streamed download chunk by chunk: bytes, lines, SQL queries, seconds to the first
    chunk and seconds in all."""
    size = lines = 0
    first = None
    with count_queries(engine) as counter:
        start = time.perf_counter()
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        try:
            for chunk in response.response:
                if first is None:
                    first = time.perf_counter() - start
                size += len(chunk)
                lines += chunk.count(b"\n")
        finally:
            response.close()
        elapsed = time.perf_counter() - start
    return size, lines, counter["n"], first or elapsed, elapsed


def _export(client, engine, label: str, url: str, rows: int, *, trace: bool) -> None:
    """Stream once for the time, the resident memory and maxrss; with ``trace``, once more under
    tracemalloc (which slows the xlsx writer about fivefold) for the peak of Python's heap."""
    before = _maxrss_mb()
    with _RssPeak() as rss:
        size, lines, queries, first, seconds = _stream(client, engine, url)
    after = _maxrss_mb()
    if "fmt=csv" in url:
        # No line breaks inside the generated values: one line per row plus the header.
        assert lines == rows + 1, (url, lines, rows)
    traced = "     -"
    if trace:
        tracemalloc.start()
        try:
            _stream(client, engine, url)
            traced = f"{tracemalloc.get_traced_memory()[1] / 2**20:6.1f}"
        finally:
            tracemalloc.stop()
    print(
        f"  {label:<{LABEL_WIDTH}} {rows:7d} rows {seconds:7.2f} s {rows / seconds:7.0f} rows/s "
        f"1st byte {first:6.2f} s {size / 2**20:6.1f} MB {queries:2d} SQL  "
        f"rss +{rss.growth_mb:5.1f} MB  maxrss {before:4.0f} -> {after:4.0f} MB  "
        f"tracemalloc peak {traced} MB"
    )


def _participations(where=None) -> int:
    query = (
        select(func.count(TaskParticipation.id))
        .join(Task, Task.id == TaskParticipation.task_id)
        .join(Team, Team.id == Task.team_id)
        .join(Project, Project.id == Team.project_id)
    )
    return db.session.scalar(query if where is None else query.where(where))


def _materialised(app, admin_id: int, filters: ExportFilter, label: str) -> None:
    """For comparison: the same export rows held in a list, as an export must not do."""
    with app.test_request_context():
        admin = db.session.get(User, admin_id)
        before = _maxrss_mb()
        with _RssPeak() as rss:
            start = time.perf_counter()
            rows = list(participation_rows(participation_query(admin, filters)))
            seconds = time.perf_counter() - start
        after = _maxrss_mb()
        count = len(rows)
        del rows
        tracemalloc.start()
        try:
            list(participation_rows(participation_query(admin, filters)))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        db.session.remove()
    print(
        f"  {label:<{LABEL_WIDTH}} {count:7d} rows {seconds:7.2f} s {count / seconds:7.0f} rows/s "
        f"{'':36}rss +{rss.growth_mb:5.1f} MB  maxrss {before:4.0f} -> {after:4.0f} MB  "
        f"tracemalloc peak {peak / 2**20:6.1f} MB"
    )


def _database_label(engine) -> str:
    if engine.dialect.name == "sqlite":
        return f"SQLite {sqlite3.sqlite_version} (file)"
    version = ".".join(str(part) for part in engine.dialect.server_version_info[:2])
    return f"PostgreSQL {version} (analysed)"


def run(smoke: bool) -> None:
    sizes = SMOKE if smoke else FULL
    url = os.environ.get(DATABASE_URL_VARIABLE)
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "TESTING": True,
                "SQLALCHEMY_DATABASE_URI": url or f"sqlite:///{Path(folder) / 'city.sqlite'}",
                "WTF_CSRF_ENABLED": False,
            }
        )
        with app.app_context():
            engine = db.engine
            if url and inspect(engine).get_table_names():
                raise SystemExit(f"{DATABASE_URL_VARIABLE} must name an empty scratch database")
            db.create_all()
        try:
            _measure(app, engine, sizes, smoke)
        finally:
            if url:
                with app.app_context():
                    db.drop_all()
            engine.dispose()


def _measure(app, engine, sizes: Sizes, smoke: bool) -> None:
    with app.app_context():
        start = time.perf_counter()
        ids, counts = build(sizes)
        built = time.perf_counter() - start
        admin_id = db.session.get(User, ids.admin).get_id()
        wijkdocent_id = db.session.get(User, ids.wijkdocent).get_id()
        student_id = db.session.get(User, ids.heavy_student).get_id()
        measured_teams = db.session.scalar(
            select(func.count(Team.id))
            .join(Project, Project.id == Team.project_id)
            .where(Project.owner_id == ids.wijkdocent, Project.status == ProjectStatus.ACTIVE)
        )
        heavy_tasks = db.session.scalar(
            select(func.count(TaskParticipation.id)).where(
                TaskParticipation.student_id == ids.heavy_student
            )
        )
        end = amsterdam_today()
        start_day = end - timedelta(weeks=WEEKS)
        # A period holding about 40% of the participations: the 100,000-row export.
        period_start = end - timedelta(days=round(WEEKS * 7 * 0.4))
        rows_all = _participations()
        rows_wijkdocent = _participations(Project.owner_id == ids.wijkdocent)
        rows_period = _participations(Task.date >= period_start)
        db.session.remove()
    # Requests run outside the set-up's app context, each in its own, as in production.

    rounds = sizes.rounds
    print(
        f"wijklab city benchmarks: {sizes.students} students, {sizes.teams} teams, "
        f"{counts['task']} tasks, {counts['task_participation']} participations, "
        f"{counts['learning_goal']} goals, {_database_label(engine)}, "
        f"median of {rounds} rounds"
    )
    label = f"build the data ({sum(counts.values())} rows, bulk inserts)"
    print(f"  {label:<{LABEL_WIDTH}} {built:9.2f} s")
    hood = ids.busy_neighbourhood

    wijkdocent = _signed_in(app, wijkdocent_id)
    admin = _signed_in(app, admin_id)
    student = _signed_in(app, student_id)
    period = f"start={start_day.isoformat()}&end={end.isoformat()}"
    report = f"/reports/neighbourhoods/{hood}"
    _page(wijkdocent, engine, f"GET / (wijkdocent, {measured_teams} teams)", "/", rounds)
    _page(wijkdocent, engine, "GET / (wijkdocent) ?page=5", "/?page=5", rounds)
    _page(wijkdocent, engine, f"GET {report}?start..end ({WEEKS} wk)", f"{report}?{period}", rounds)
    _page(wijkdocent, engine, f"GET {report}/activities", f"{report}/activities", rounds)
    _page(
        wijkdocent,
        engine,
        f"GET {report}/activities?weeks=26",
        f"{report}/activities?weeks=26",
        rounds,
    )
    _page(wijkdocent, engine, "GET /reports/placements (wijkdocent)", "/reports/placements", rounds)
    _page(admin, engine, "GET /reports/placements (admin)", "/reports/placements", rounds)
    _page(wijkdocent, engine, f"GET {report}/report.pdf", f"{report}/report.pdf?{period}", rounds)
    _page(wijkdocent, engine, f"GET {report}/report.xlsx", f"{report}/report.xlsx?{period}", rounds)
    _page(student, engine, f"GET / (student, {heavy_tasks} tasks)", "/", rounds)
    _page(wijkdocent, engine, "GET /exports/ (wijkdocent: form)", "/exports/", rounds)
    _page(admin, engine, "GET /exports/ (admin: form)", "/exports/", rounds)

    download = "/exports/download?dataset=participations&fmt="
    since = f"&start={period_start.isoformat()}"
    exports = (
        (admin, "admin, everything", "", rows_all),
        (wijkdocent, f"wijkdocent, {measured_teams} teams", "", rows_wijkdocent),
        (admin, f"admin, since {period_start.isoformat()}", since, rows_period),
    )
    for client, who, query, rows in exports:
        for fmt in ("csv", "xlsx"):
            # An xlsx export runs minutes under tracemalloc: trace the smallest one only.
            trace = smoke or fmt == "csv" or client is wijkdocent
            label = f"export {fmt} ({who})"
            if fmt == "xlsx" and XLSX_MAX_ROWS is not None and rows > XLSX_MAX_ROWS:
                # Refused with a message pointing to CSV: openpyxl would take minutes.
                start = time.perf_counter()
                refused = client.client.get(download + fmt + query)
                assert refused.status_code == 400, refused.status_code
                ms = (time.perf_counter() - start) * 1000
                print(f"  {label:<52} {rows:6d} rows   refused (over {XLSX_MAX_ROWS}) {ms:8.2f} ms")
                continue
            _export(client.client, engine, label, download + fmt + query, rows, trace=trace)
    _materialised(
        app,
        ids.admin,
        ExportFilter(start=period_start),
        f"the same rows held in a list (since {period_start.isoformat()})",
    )

    # The measured wijkdocent takes over every project: one UPDATE, then the same pages.
    with app.app_context():
        db.session.execute(update(Project).values(owner_id=ids.wijkdocent))
        db.session.commit()
        all_teams = db.session.scalar(
            select(func.count(Team.id))
            .join(Project, Project.id == Team.project_id)
            .where(Project.status == ProjectStatus.ACTIVE)
        )
        db.session.remove()
    _page(wijkdocent, engine, f"GET / (wijkdocent owning all, {all_teams} teams)", "/", rounds)
    _page(
        wijkdocent,
        engine,
        "GET /reports/placements (wijkdocent owning all)",
        "/reports/placements",
        rounds,
    )
    _page(wijkdocent, engine, "GET /exports/ (wijkdocent owning all: form)", "/exports/", rounds)


if __name__ == "__main__":
    run(smoke=False)
