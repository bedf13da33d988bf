"""Run the benchmarks and print figures: wall time per request and SQL queries per page.

python -m benchmarks           # full size, then the page table of issue 16 (benchmarks/RESULTS.md)
python -m benchmarks --quick   # the same with fewer rounds and 3 s of wrk per page
python -m benchmarks --pages   # only the page table (city data set, SQLite and PostgreSQL)
python -m benchmarks --smoke   # tiny data, one round: proves the benchmarks still run
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event

from benchmarks import city, team_builder
from wijklab import create_app
from wijklab.accounts.models import Role, User
from wijklab.accounts.passwords import hash_password
from wijklab.clock import utcnow
from wijklab.extensions import db
from wijklab.neighbourhoods.models import Neighbourhood
from wijklab.organisations.models import Organisation, OrganisationKind

PASSWORD = "benchmark wachtwoord 2026"  # noqa: S105  (a throwaway database)
PAGES = (
    "/",
    "/users",
    "/users?page=50",
    "/users?q=Gebruiker%2012",
    "/organisations/",
    "/neighbourhoods/",
    "/healthz",
)


@contextmanager
def count_queries(engine):
    counter = {"n": 0}

    def before(*_args, **_kwargs):
        counter["n"] += 1

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", before)


def populate(users: int, organisations: int, neighbourhoods: int) -> User:
    password_hash = hash_password(PASSWORD)
    admin = User(
        email="admin@bench.example.org", name="Admin", role=Role.ADMIN, password_hash=password_hash
    )
    db.session.add(admin)
    db.session.add_all(
        Neighbourhood(name=f"Wijk {i}", city="Den Haag" if i % 2 else "Rotterdam")
        for i in range(neighbourhoods)
    )
    db.session.add_all(
        Organisation(
            name=f"Organisatie {i}",
            kind=OrganisationKind.PARTNER if i % 3 else OrganisationKind.SCHOOL,
            city="Den Haag",
        )
        for i in range(organisations)
    )
    roles = [Role.STUDENT, Role.STUDENT, Role.STUDENT, Role.SUPERVISOR, Role.WIJKDOCENT]
    db.session.add_all(
        User(
            email=f"user{i}@bench.example.org",
            name=f"Gebruiker {i}",
            role=roles[i % len(roles)],
            password_hash=password_hash,
        )
        for i in range(users)
    )
    db.session.commit()
    return admin


def measure(client, engine, url: str, rounds: int) -> tuple[float, int]:
    times = []
    queries = 0
    for _ in range(rounds):
        with count_queries(engine) as counter:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = counter["n"]
    return statistics.median(times), queries


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--smoke", action="store_true", help="tiny data, one round")
    parser.add_argument("--quick", action="store_true", help="page table: 5 rounds, 3 s of wrk")
    parser.add_argument("--pages", action="store_true", help="only the page table")
    parser.add_argument("--duration", type=float, help="page table: seconds of wrk per page")
    args = parser.parse_args()
    # Imported late: they build on city, which imports this module.
    from benchmarks import national, pages

    if args.pages:
        pages.run(smoke=args.smoke, quick=args.quick, duration=args.duration)
        return
    sizes = (20, 10, 5) if args.smoke else (5000, 1000, 200)
    rounds = 1 if args.smoke else 20

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        app = create_app(
            {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False}
        )
        with app.app_context():
            db.create_all()
            admin_id = populate(*sizes).get_id()
            engine = db.engine
        # Requests run outside the set-up's app context, each in its own, as in production.
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = admin_id
            session["last_seen"] = utcnow().timestamp()
        print(
            f"wijklab benchmarks: {sizes[0]} users, {sizes[1]} organisations, "
            f"{sizes[2]} neighbourhoods, SQLite, median of {rounds} rounds"
        )
        for page in PAGES:
            ms, queries = measure(client, engine, page, rounds)
            print(f"  GET {page:<28} {ms:8.2f} ms  {queries:3d} SQL queries")
        start = time.perf_counter()
        response = app.test_client().post(
            "/auth/login", data={"email": "admin@bench.example.org", "password": PASSWORD}
        )
        assert response.status_code == 302 and response.headers["Location"] == "/"
        elapsed = (time.perf_counter() - start) * 1000
        print(f"  POST /auth/login (scrypt check)  {elapsed:8.2f} ms")
        engine.dispose()
    team_builder.run(smoke=args.smoke)
    city.run(smoke=args.smoke)
    if not args.smoke and not os.environ.get(city.DATABASE_URL_VARIABLE):
        # The same city figures (pages and exports) on PostgreSQL, in a scratch database.
        if pages.postgres_reachable():
            with (
                tempfile.TemporaryDirectory() as folder,
                pages.scratch_database("postgresql", "wijklab_bench_city", folder) as url,
            ):
                os.environ[city.DATABASE_URL_VARIABLE] = url
                try:
                    city.run(smoke=False)
                finally:
                    del os.environ[city.DATABASE_URL_VARIABLE]
        else:
            print("PostgreSQL is not reachable: the city benchmark ran on SQLite only")
    from benchmarks import digests  # imported late: it builds on city, which imports this module

    digests.run(smoke=args.smoke)
    pages.run(smoke=args.smoke, quick=args.quick, duration=args.duration)
    if args.smoke:
        national.run(smoke=True)  # the COPY loader at tiny size (skipped without PostgreSQL)


if __name__ == "__main__":
    main()
