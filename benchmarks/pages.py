"""Every main page of issue 16, each signed in as the role that uses it: SQL queries at full and
at one tenth of the data, single-client p50/p95 server time (Flask test client), HTML size, and
under load (gunicorn, 2 sync workers, wrk -t2 -c8) requests per second as a share of a
hello-world app served the same way in the same run, wrk's p50/p99 and the workers' peak memory;
then the load again with the page cache on (gunicorn with a Redis, as in production; every
request after the first of a page is a hit, as long as nothing is written meanwhile).

python -m benchmarks.pages            # the city data set on SQLite and PostgreSQL (if reachable)
python -m benchmarks.pages --quick    # 5 rounds, 3 s of wrk per page
The table is printed and written to benchmarks/RESULTS.md (one section per data set and database;
the national benchmark writes its own section).
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import re
import secrets
import sqlite3
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, inspect, select
from sqlalchemy.engine import make_url

from benchmarks import load
from benchmarks.city import FULL, SMOKE, TENTH, WEEKS, Ids, Sizes, build, count_queries
from wijklab import create_app
from wijklab.accounts.models import User
from wijklab.clock import today as amsterdam_today
from wijklab.clock import utcnow
from wijklab.extensions import cache, db
from wijklab.goals.models import GoalStatus, LearningGoal
from wijklab.statements.models import Statement
from wijklab.statements.services import display_code, new_code, statement_content
from wijklab.statements.services import fingerprint as content_fingerprint
from wijklab.tasks.models import Task
from wijklab.teams.models import Team, TeamMembership

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
POSTGRES_VARIABLE = "WIJKLAB_BENCH_POSTGRES"  # server URL without a database name
POSTGRES_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432"
REDIS_VARIABLE = "WIJKLAB_BENCH_REDIS"  # the page cache's Redis for the second load run
REDIS_DEFAULT = "redis://127.0.0.1:6379/0"
STATEMENTS_PER_TEAM = 10
EXPORT_URL = "/exports/download?dataset=participations&fmt="


@dataclass(frozen=True)
class Page:
    label: str
    role: str  # admin, wijkdocent, student, supervisor
    url: str


@dataclass
class Figures:
    page: Page
    status: int = 0
    queries: int | None = None
    queries_tenth: int | None = None
    p50_ms: float | None = None
    p95_ms: float | None = None
    html_kb: float | None = None
    load: load.WrkResult | None = None
    cached_load: load.WrkResult | None = None  # the same with the page cache (on Redis)
    note: str = ""


@dataclass
class Subjects:
    """Who signs in and which objects the pages show (found in the built data)."""

    users: dict[str, str]  # role -> the user's session id (Flask-Login's get_id())
    project: int
    team: int
    task: int
    goal: int
    statement: int
    student: int
    neighbourhood: int


@dataclass
class Section:
    title: str
    lines: list[str] = field(default_factory=list)


def page_list(s: Subjects) -> list[Page]:
    end = amsterdam_today()
    period = f"start={(end - timedelta(weeks=WEEKS)).isoformat()}&end={end.isoformat()}"
    hood = f"/reports/neighbourhoods/{s.neighbourhood}"
    return [
        Page("dashboard", "admin", "/"),
        Page("dashboard", "wijkdocent", "/"),
        Page("dashboard", "student", "/"),
        Page("dashboard", "supervisor", "/"),
        Page("projects list", "wijkdocent", "/projects/"),
        Page("project page", "wijkdocent", f"/projects/{s.project}"),
        Page("team page", "supervisor", f"/teams/{s.team}"),
        Page("task page", "supervisor", f"/tasks/{s.task}"),
        Page("waiting list", "supervisor", "/tasks/waiting"),
        Page("goals list", "wijkdocent", "/goals/"),
        Page("review list", "supervisor", "/goals/?status=review_requested"),
        Page("goal page", "student", f"/goals/{s.goal}"),
        Page(f"Cijfers ({WEEKS} weeks)", "wijkdocent", f"{hood}?{period}"),
        Page("lopende activiteiten", "wijkdocent", f"{hood}/activities"),
        Page("placements", "wijkdocent", "/reports/placements"),
        Page("users", "admin", "/users"),
        Page("export form", "admin", "/exports/"),
        Page("export form", "wijkdocent", "/exports/"),
        Page("statement page", "student", f"/statements/{s.statement}"),
        Page("student coverage", "supervisor", f"/students/{s.student}/coverage"),
        Page("team coverage", "supervisor", f"/teams/{s.team}/coverage"),
    ]


# --- the data ------------------------------------------------------------------------------------


def add_statements(team_id: int, issuer_id: int, count: int = STATEMENTS_PER_TEAM) -> list[int]:
    """Issued statements for the team's first members, frozen as the statement service freezes
    them (a handful of rows: the ORM is fine here). Needs a request context."""
    team = db.session.get(Team, team_id)
    issuer = db.session.get(User, issuer_id)
    now = utcnow()
    made = []
    for membership in sorted(team.memberships, key=lambda m: m.id)[:count]:
        student = db.session.get(User, membership.student_id)
        content, basis = statement_content(team, student, amsterdam_today())
        code = new_code()
        content.update(
            code=display_code(code),
            verify_url=f"https://wijklab.example.org/verify/{code}",
            requested_at=now.isoformat(),
            confirmed_by={
                "name": team.supervisor.name if team.supervisor else "",
                "organisation": team.project.partner.name,
            },
            confirmed_at=now.isoformat(),
            issued_by={"name": issuer.name, "role": issuer.role.value},
            issued_at=now.isoformat(),
        )
        statement = Statement(
            code=code,
            student_id=student.id,
            team_id=team.id,
            issued_by_id=issuer.id,
            issued_at=now,
            fingerprint=content_fingerprint(content),
            content=json.dumps(content, ensure_ascii=False),
            cutoff_date=amsterdam_today(),
            confirmed_by_id=team.supervisor_id,
            confirmed_at=now,
            basis=json.dumps(basis),
        )
        db.session.add(statement)
        db.session.flush()
        made.append(statement.id)
    db.session.commit()
    return made


def subjects(app, ids: Ids) -> Subjects:
    """Find the measured objects in the built data and add the statements."""
    with app.test_request_context():
        student = db.session.get(User, ids.heavy_student)
        team_id = db.session.scalar(
            select(TeamMembership.team_id)
            .where(TeamMembership.student_id == ids.heavy_student)
            .order_by(TeamMembership.team_id)
            .limit(1)
        )
        team = db.session.get(Team, team_id)
        task = db.session.scalar(
            select(Task.id).where(Task.team_id == team_id).order_by(Task.date.desc()).limit(1)
        )
        goal = db.session.scalar(
            select(LearningGoal.id)
            .where(
                LearningGoal.student_id == ids.heavy_student,
                LearningGoal.status != GoalStatus.DRAFT,
            )
            .order_by(LearningGoal.id)
            .limit(1)
        )
        statement_ids = add_statements(team_id, ids.admin)
        statement = (
            db.session.scalar(
                select(Statement.id)
                .where(Statement.student_id == ids.heavy_student, Statement.id.in_(statement_ids))
                .limit(1)
            )
            or statement_ids[0]
        )
        users = {
            "admin": db.session.get(User, ids.admin).get_id(),
            "wijkdocent": db.session.get(User, ids.wijkdocent).get_id(),
            "student": student.get_id(),
            "supervisor": db.session.get(User, team.supervisor_id).get_id(),
        }
        found = Subjects(
            users=users,
            project=team.project_id,
            team=team_id,
            task=task,
            goal=goal,
            statement=statement,
            student=ids.heavy_student,
            neighbourhood=ids.busy_neighbourhood,
        )
        db.session.remove()
    return found


def row_counts() -> dict[str, int]:
    return {
        name: db.session.scalar(select(func.count()).select_from(table))
        for name, table in db.metadata.tables.items()
    }


# --- signing in ----------------------------------------------------------------------------------


def session_cookie(app, user_id: str) -> str:
    """A signed session cookie as a browser holds it after a page or two (Flask-Login's id with
    the session token, the idle-timeout clock, the CSRF secret), for wrk's Cookie header."""
    serializer = app.session_interface.get_signing_serializer(app)
    value = serializer.dumps(
        {
            "_user_id": user_id,
            "_fresh": False,
            "_permanent": True,
            "last_seen": time.time(),
            "csrf_token": secrets.token_hex(20),
        }
    )
    return f"{app.config['SESSION_COOKIE_NAME']}={value}"


def test_client(app, user_id: str):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["last_seen"] = utcnow().timestamp()
    return client


# --- measuring -----------------------------------------------------------------------------------


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def count_page_queries(app, engine, pages: list[Page], users: dict[str, str]) -> dict[Page, int]:
    """SQL queries per page (the second request: the first fills the app's own caches), with
    the figures cache emptied first, so a cached figure does not hide its queries."""
    clients = {role: test_client(app, uid) for role, uid in users.items()}
    counts = {}
    for page in pages:
        clients[page.role].get(page.url)
        _forget_figures(app)
        with count_queries(engine) as counter:
            response = clients[page.role].get(page.url)
        counts[page] = counter["n"] if response.status_code == 200 else None
    return counts


def _forget_figures(app) -> None:
    """Empty the figures cache (in this process, it would carry another data set's figures)."""
    with app.app_context():
        cache.clear()


def single_client(app, engine, pages: list[Page], users: dict[str, str], rounds: int):
    clients = {role: test_client(app, uid) for role, uid in users.items()}
    results = []
    for page in pages:
        client = clients[page.role]
        figures = Figures(page)
        _forget_figures(app)
        with count_queries(engine) as counter:
            start = time.perf_counter()
            first = client.get(page.url)  # warms the templates; its status decides the rest
            first_ms = (time.perf_counter() - start) * 1000
        figures.status = first.status_code
        if first.status_code != 200:
            figures.note = f"{first.status_code} {first.headers.get('Location', '')}".strip()
            results.append(figures)
            continue
        figures.html_kb = len(first.get_data()) / 1024
        # rounds=0 (the smoke): the first request's figures stand in, to keep the smoke quick.
        times = [] if rounds else [first_ms]
        # The most any request ran: the first one counts what later ones may take from the
        # figures cache.
        figures.queries = counter["n"]
        # As deploy/gunicorn.conf.py does in a worker: what is loaded by now is left out of the
        # garbage collector's full sweeps.
        gc.freeze()
        for _ in range(rounds):
            with count_queries(engine) as counter:
                start = time.perf_counter()
                client.get(page.url).get_data()
                times.append((time.perf_counter() - start) * 1000)
            figures.queries = max(figures.queries, counter["n"])
        figures.p50_ms = statistics.median(times)
        figures.p95_ms = _percentile(times, 0.95)
        print(
            f"  {page.label} ({page.role}): p50 {figures.p50_ms:.1f} ms, p95 "
            f"{figures.p95_ms:.1f} ms, {figures.queries} SQL, {figures.html_kb:.0f} KB"
        )
        results.append(figures)
    return results


def load_test(
    app,
    url: str,
    results: list[Figures],
    users: dict[str, str],
    duration: float,
    limit: int | None = None,
    preload: bool = False,
    exports: list | None = None,
    export_query: str = "",
) -> load.WrkResult | None:
    """Serve the benchmark database with gunicorn and run wrk per page (the first ``limit`` pages
    that answered 200); returns the hello-world figures of the same run. Without a limit, the
    admin's full participation export (CSV and xlsx) is downloaded once through gunicorn too
    and its figures appended to ``exports``."""
    exports = exports if exports is not None else []
    if limit == 0:
        return None
    if load.wrk_path() is None:
        print("  wrk is not installed (apt-get install wrk): no load test")
        return None
    with load.Gunicorn("benchmarks.hello:app", preload=preload) as hello_server:
        hello = load.run_wrk(hello_server, "/", None, duration)
    print(
        f"  hello world under gunicorn: {hello.requests_per_second:8.0f} req/s "
        f"p50 {hello.p50_ms:6.2f} ms p99 {hello.p99_ms:6.2f} ms"
    )
    env = {
        "WIJKLAB_DATABASE_URL": url,
        "WIJKLAB_SECRET_KEY": app.config["SECRET_KEY"],
        "WIJKLAB_ENV": "development",
    }
    todo = [f for f in results if f.status == 200][:limit]
    with load.Gunicorn("wijklab:create_app()", env, preload=preload) as server:
        _load_pages(app, server, todo, users, duration, cached=False)
    redis_url = os.environ.get(REDIS_VARIABLE, REDIS_DEFAULT)
    if redis_reachable(redis_url):
        # The production set-up: a Redis every worker shares, so whole pages are kept too.
        cached_env = {**env, "WIJKLAB_REDIS_URL": redis_url}
        with load.Gunicorn("wijklab:create_app()", cached_env, preload=preload) as server:
            _load_pages(app, server, todo, users, duration, cached=True)
    else:
        print(f"  Redis is not reachable at {redis_url}: no load test with the page cache")
    if limit is None:
        # Fresh workers: the export's peak is then not the memory every page before it left.
        with load.Gunicorn("wijklab:create_app()", env) as server:
            cookie = session_cookie(app, users["admin"])
            server.get("/", cookie)  # each worker's first request loads the app's lazy parts
            server.get("/", cookie)
            for fmt in ("csv", "xlsx"):
                done = load.download(server, EXPORT_URL + fmt + export_query, cookie)
                if fmt == "xlsx" and done.status == 200 and exports and exports[-1].status == 200:
                    done.rows = exports[-1].rows  # the same rows as the CSV just read
                print(f"  export through gunicorn: {done}")
                exports.append(done)
                server.wait_idle()
    return hello


def _load_pages(app, server, todo: list[Figures], users, duration: float, *, cached: bool):
    for figures in todo:
        cookie = session_cookie(app, users[figures.page.role])
        status, location, body = server.get(figures.page.url, cookie)
        if status != 200 or b'name="password"' in body:
            figures.note = f"gunicorn: {status} {location}".strip()
            continue
        server.get(figures.page.url, cookie)  # the second worker's first request
        try:
            result = load.run_wrk(server, figures.page.url, cookie, duration)
        except (ValueError, subprocess.SubprocessError) as error:
            figures.note = f"wrk failed: {str(error).splitlines()[0]}"
            continue
        if result.errors:
            figures.note = f"{result.errors} errors under load"
        if cached:
            figures.cached_load = result
        else:
            figures.load = result
        print(
            f"  {figures.page.label} ({figures.page.role}) under load"
            f"{' with the page cache' if cached else ''}: "
            f"{result.requests_per_second:.1f} req/s, p50 {result.p50_ms:.0f} ms, "
            f"p99 {result.p99_ms:.0f} ms, worker peak {result.peak_rss_mb:.0f} MB"
        )


def redis_reachable(url: str) -> bool:
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        return bool(Redis.from_url(url, socket_connect_timeout=1).ping())
    except (RedisError, OSError):
        return False


# --- the table -----------------------------------------------------------------------------------


def _cell(value, fmt: str) -> str:
    return "–" if value is None else format(value, fmt)


def table(results: list[Figures], hello: load.WrkResult | None) -> list[str]:
    lines = [
        "| page | as | SQL full / tenth | p50 ms | p95 ms | HTML KB | req/s | of hello | "
        "wrk p50 ms | wrk p99 ms | worker peak MB | req/s page cache | of hello | note |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]

    def share_of_hello(result) -> str:
        if not (result and hello):
            return "–"
        return f"{100 * result.requests_per_second / hello.requests_per_second:.1f} %"

    for f in results:
        lines.append(
            f"| {f.page.label} | {f.page.role} | {_cell(f.queries, 'd')} / "
            f"{_cell(f.queries_tenth, 'd')} | {_cell(f.p50_ms, '.1f')} | "
            f"{_cell(f.p95_ms, '.1f')} | {_cell(f.html_kb, '.0f')} | "
            f"{_cell(f.load and f.load.requests_per_second, '.1f')} | "
            f"{share_of_hello(f.load)} | "
            f"{_cell(f.load and f.load.p50_ms, '.1f')} | "
            f"{_cell(f.load and f.load.p99_ms, '.1f')} | "
            f"{_cell(f.load and f.load.peak_rss_mb, '.0f')} | "
            f"{_cell(f.cached_load and f.cached_load.requests_per_second, '.1f')} | "
            f"{share_of_hello(f.cached_load)} | {f.note} |"
        )
    if hello:
        lines.append(
            f"| hello world | – | – | – | – | – | {hello.requests_per_second:.0f} | 100 % | "
            f"{hello.p50_ms:.2f} | {hello.p99_ms:.2f} | {hello.peak_rss_mb:.0f} | – | – | |"
        )
    return lines


def machine() -> str:
    cpu = "?"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists() and (
        found := re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
    ):
        cpu = found.group(1).strip()
    memory = "?"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists() and (
        found := re.search(r"^MemTotal:\s+(\d+) kB", meminfo.read_text(), re.MULTILINE)
    ):
        memory = f"{int(found.group(1)) / 2**20:.1f} GB RAM"
    postgres = "not reachable"
    try:
        done = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", "SHOW server_version"],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        postgres = done.stdout.strip().split()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        pass
    wrk = load.wrk_path() or "not installed"
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory}, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, PostgreSQL {postgres}, wrk: {wrk}, "
        f"gunicorn {load.WORKERS} sync workers, wrk -t{load.THREADS} -c{load.CONNECTIONS}"
    )


def write_section(name: str, lines: list[str], path: Path = RESULTS) -> None:
    """Replace (or add) one named section of RESULTS.md, keeping the others."""
    begin, end = f"<!-- begin {name} -->", f"<!-- end {name} -->"
    text = path.read_text() if path.exists() else ""
    if not text:
        text = (
            "# Benchmark results (issue 16)\n\n"
            "Written by `make bench` (city) and `make bench-national`; see benchmarks/pages.py.\n"
        )
    block = "\n".join([begin, *lines, end])
    if begin in text and end in text:
        before, rest = text.split(begin, 1)
        after = rest.split(end, 1)[1]
        text = before + block + after
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text)


# --- running -------------------------------------------------------------------------------------


@contextmanager
def scratch_database(kind: str, name: str, folder: str, keep: bool = False, fresh: bool = True):
    """A database URL: a SQLite file in ``folder``, or a fresh PostgreSQL database (created,
    then dropped at the end unless ``keep``; ``fresh=False`` keeps one that exists)."""
    if kind == "sqlite":
        yield f"sqlite:///{Path(folder) / (name + '.sqlite')}"
        return
    server = os.environ.get(POSTGRES_VARIABLE, POSTGRES_DEFAULT)
    admin_url = make_url(server).set(database="postgres")
    import psycopg

    dsn = admin_url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if fresh or not exists:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        if not keep:
            with psycopg.connect(dsn, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_reachable() -> bool:
    try:
        import psycopg

        server = make_url(os.environ.get(POSTGRES_VARIABLE, POSTGRES_DEFAULT))
        dsn = server.set(drivername="postgresql", database="postgres").render_as_string(
            hide_password=False
        )
        with psycopg.connect(dsn, connect_timeout=3):
            return True
    except Exception:  # noqa: BLE001  (any failure means: no PostgreSQL here)
        return False


def make_app(url: str, secret: str):
    return create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,
            "SECRET_KEY": secret,
        }
    )


def built(url: str, sizes: Sizes, secret: str, insert: Callable | None = None):
    """An app on a freshly built data set: (app, engine, subjects, row counts, seconds)."""
    app = make_app(url, secret)
    with app.app_context():
        engine = db.engine
        if inspect(engine).get_table_names():
            raise SystemExit(f"{url} must be an empty scratch database")
        db.create_all()
        start = time.perf_counter()
        ids, _counts = build(sizes, insert=insert)
        seconds = time.perf_counter() - start
        counts = row_counts()
        db.session.remove()
    return app, engine, subjects(app, ids), counts, seconds


def measure_dataset(
    title: str,
    app,
    engine,
    url: str,
    found: Subjects,
    counts: dict[str, int],
    *,
    rounds: int,
    duration: float,
    tenth: dict[str, int | None] | None,
    wrk_limit: int | None = None,
    page_limit: int | None = None,
    extra: list[str] | None = None,
    export_query: str = "",
) -> Section:
    pages = page_list(found)[:page_limit]
    results = single_client(app, engine, pages, found.users, rounds)
    for figures in results:
        # Without a tenth-size count (the smoke), the column repeats the one data set's count.
        figures.queries_tenth = figures.queries if tenth is None else tenth.get(_key(figures.page))
    # The smoke (wrk_limit) starts gunicorn with --preload: quicker, and it only proves the code.
    downloads: list[load.Download] = []
    hello = load_test(
        app,
        url,
        results,
        found.users,
        duration,
        limit=wrk_limit,
        preload=wrk_limit is not None,
        exports=downloads,
        export_query=export_query,
    )
    sizes = ", ".join(f"{n:,} {name}" for name, n in sorted(counts.items()) if n)
    section = Section(title)
    section.lines = [
        f"## {title}",
        "",
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {machine()}.",
        "",
        f"Data: {sizes}. Single client: {rounds or 1} rounds per page (Flask test client); load: "
        f"wrk {duration:g} s per page.",
        *(extra or []),
        "",
        *table(results, hello),
    ]
    if downloads:
        section.lines += [
            "",
            f"Exports through gunicorn (admin, participations, "
            f"{export_query.strip('&') or 'all of them'}; one download each; a negative status: "
            "the download was cut off):",
            "",
            "| export | status | rows | seconds | rows/s | first byte s | MB | worker MB before "
            "| worker peak MB |",
            "|---|---|---|---|---|---|---|---|---|",
            *(
                f"| {d.label} | {d.status} | {d.rows} | {d.seconds:.2f} | {d.rows_per_second:.0f} "
                f"| {d.first_byte:.2f} | {d.megabytes:.1f} | {d.start_rss_mb:.0f} "
                f"| {d.peak_rss_mb:.0f} |"
                for d in downloads
            ),
        ]
    for figures in results:
        if figures.status != 200:
            print(f"  PAGE FAILED: {figures.page.label} as {figures.page.role}: {figures.note}")
    return section


def _key(page: Page) -> str:
    return f"{page.label}|{page.role}"


def tenth_queries(kind: str, sizes: Sizes, folder: str, secret: str) -> dict[str, int | None]:
    with scratch_database(kind, f"wijklab_bench_city_tenth_{kind}", folder) as url:
        app, engine, found, _counts, _seconds = built(url, sizes, secret)
        try:
            counts = count_page_queries(app, engine, page_list(found), found.users)
        finally:
            engine.dispose()
    return {_key(page): n for page, n in counts.items()}


def run(smoke: bool = False, quick: bool = False, duration: float | None = None) -> None:
    """The city data set on SQLite and (when reachable) PostgreSQL."""
    full, tenth = (SMOKE, SMOKE) if smoke else (FULL, TENTH)
    rounds = 0 if smoke else 5 if quick else 20
    duration = duration or (1 if smoke else 3 if quick else 10)
    kinds = ["sqlite"]
    if not smoke and postgres_reachable():
        kinds.append("postgresql")
    elif not smoke:
        print("  PostgreSQL is not reachable: the city pages run on SQLite only")
    secret = secrets.token_hex(32)
    sections = []
    with tempfile.TemporaryDirectory() as folder:
        for kind in kinds:
            print(f"wijklab page table, city data set on {kind}:")
            start = time.perf_counter()
            # The smoke counts its one tiny data set twice instead: it proves the code, not sizes.
            queries_tenth = None if smoke else tenth_queries(kind, tenth, folder, secret)
            if queries_tenth is not None:
                print(f"  one tenth built and counted in {time.perf_counter() - start:.1f} s")
            with scratch_database(kind, f"wijklab_bench_city_{kind}", folder) as url:
                app, engine, found, counts, seconds = built(url, full, secret)
                print(f"  full size built in {seconds:.1f} s")
                try:
                    section = measure_dataset(
                        f"City, {'SQLite' if kind == 'sqlite' else 'PostgreSQL'}",
                        app,
                        engine,
                        url,
                        found,
                        counts,
                        rounds=rounds,
                        duration=duration,
                        tenth=queries_tenth,
                        wrk_limit=1 if smoke else None,
                        extra=[f"Built with bulk inserts in {seconds:.0f} s."],
                    )
                finally:
                    engine.dispose()
            print("\n".join(section.lines))
            sections.append((kind, section))
    target = Path(tempfile.gettempdir()) / "wijklab-bench-smoke-RESULTS.md" if smoke else RESULTS
    for kind, section in sections:
        write_section(f"city-{kind}", section.lines, target)
    print(f"  written to {target}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--smoke", action="store_true", help="tiny data, one round, 1 s of wrk")
    parser.add_argument("--quick", action="store_true", help="5 rounds, 3 s of wrk per page")
    parser.add_argument("--duration", type=float, help="seconds of wrk per page")
    args = parser.parse_args()
    run(smoke=args.smoke, quick=args.quick, duration=args.duration)


if __name__ == "__main__":
    main()
