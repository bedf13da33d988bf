"""The national data set on PostgreSQL: 50,000 students in 5,000 teams, 800,000 tasks with
4,000,000 participations, and the other tables in proportion, written by COPY (psycopg 3's
cursor.copy() and write_row) in the same transaction, then ANALYZE; then the page table of
benchmarks/pages.py (single client and under gunicorn + wrk).

python -m benchmarks.national            # make bench-national
python -m benchmarks.national --quick    # 5 rounds, 3 s of wrk per page
python -m benchmarks.national --smoke    # the smoke's tiny data set through the same COPY path

The database (WIJKLAB_BENCH_POSTGRES, default the local server; database wijklab_bench_national)
is created for the run and dropped at its end (--keep leaves it).
"""

from __future__ import annotations

import argparse
import re
import secrets
import tempfile
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import inspect

from benchmarks import pages
from benchmarks.city import SMOKE, Ids, Sizes, _batches
from wijklab.clock import today as amsterdam_today
from wijklab.extensions import db

# students, teams, team size, teams per project, tasks per team, participants per task,
# neighbourhoods, partners, schools, supervisors, wijkdocenten, projects of the measured
# wijkdocent, rounds
NATIONAL = Sizes(50_000, 5_000, 10, 5, 160, 5, 200, 1_000, 100, 2_500, 250, 20, 20)
DATABASE = "wijklab_bench_national"


def _default(column):
    """The Python-side default SQLAlchemy would have filled in for a missing column."""
    default = column.default
    if default is None:
        return None
    if default.is_scalar:
        return default.arg
    if default.is_callable:
        return default.arg(None)
    return None


def copy_insert(model, rows: Iterable[dict]) -> int:
    """Write rows with COPY on the session's own connection (its transaction); each value goes
    through its column type's bind processing (enums, sets, aware timestamps) as with an
    INSERT, and columns a row leaves out get their Python-side default."""
    table = getattr(model, "__table__", model)
    dialect = db.engine.dialect
    connection = db.session.connection().connection.driver_connection
    count = 0
    for batch in _batches(rows, 50_000):
        given = list(batch[0])
        missing = [c for c in table.c if c.name not in batch[0] and c.default is not None]
        columns = given + [c.name for c in missing]
        processors = [table.c[name].type.bind_processor(dialect) for name in columns]
        defaults = [_default(c) for c in missing]
        names = ", ".join(f'"{name}"' for name in columns)
        statement = f'COPY "{table.name}" ({names}) FROM STDIN'
        with connection.cursor() as cursor, cursor.copy(statement) as copy:
            for row in batch:
                values = [row[name] for name in given] + defaults
                copy.write_row(
                    [
                        p(v) if p and v is not None else v
                        for p, v in zip(processors, values, strict=True)
                    ]
                )
        count += len(batch)
    return count


def _ids(sizes: Sizes) -> Ids:
    """The ids build() gives (the admin, the wijkdocenten, the supervisors, then the students;
    the heavy student is the first member of the first team)."""
    return Ids(
        admin=1,
        wijkdocent=2,
        busy_neighbourhood=1,
        heavy_student=2 + sizes.wijkdocenten + sizes.supervisors,
    )


def _reused(url: str, sizes: Sizes, secret: str):
    """An app on the data set a --keep run left: (app, engine, subjects, counts), or None."""
    app = pages.make_app(url, secret)
    with app.app_context():
        engine = db.engine
        if "task_participation" not in inspect(engine).get_table_names():
            engine.dispose()
            return None
        counts = pages.row_counts()
        db.session.remove()
    return app, engine, pages.subjects(app, _ids(sizes)), counts


def run(
    smoke: bool = False,
    quick: bool = False,
    duration: float | None = None,
    keep: bool = False,
    reuse: bool = False,
) -> None:
    sizes = SMOKE if smoke else NATIONAL
    rounds = 0 if smoke else 5 if quick else sizes.rounds
    duration = duration or (1 if smoke else 3 if quick else 10)
    if not pages.postgres_reachable():
        print("wijklab national benchmark: PostgreSQL is not reachable, skipped")
        return
    secret = secrets.token_hex(32)
    name = f"{DATABASE}_smoke" if smoke else DATABASE
    with (
        tempfile.TemporaryDirectory() as folder,
        pages.scratch_database(
            "postgresql", name, folder, keep=keep or reuse, fresh=not reuse
        ) as url,
    ):
        print(f"wijklab national benchmark on PostgreSQL ({name}):")
        again = _reused(url, sizes, secret) if reuse else None
        if again:
            app, engine, found, counts = again
            seconds = None
            loaded = "Reused the data set of an earlier run (--reuse): load time not measured."
            earlier = pages.RESULTS.read_text() if pages.RESULTS.exists() else ""
            if found_time := re.search(r"Loaded by COPY, then ANALYZE, in (\d+) s", earlier):
                loaded = (
                    f"Loaded by COPY, then ANALYZE, in {found_time.group(1)} s (the run that "
                    "built it with --keep), measured again with --reuse."
                )
        else:
            app, engine, found, counts, seconds = pages.built(url, sizes, secret, copy_insert)
            loaded = f"Loaded by COPY, then ANALYZE, in {seconds:.0f} s."
        total = sum(counts.values())
        print(f"  {loaded} ({total:,} rows)")
        try:
            section = pages.measure_dataset(
                "National, PostgreSQL",
                app,
                engine,
                url,
                found,
                counts,
                rounds=rounds,
                duration=duration,
                tenth=None if smoke else {},
                wrk_limit=0 if smoke else None,
                page_limit=2 if smoke else None,
                # The last 16 of 280 days: just under 250,000 of the 4 million
                # participations (the xlsx limit).
                export_query=f"&start={(amsterdam_today() - timedelta(days=16)).isoformat()}",
                extra=[
                    f"{loaded} {total:,} rows. Its tenth is the city data set: see the "
                    "PostgreSQL city table for the tenth-size query counts."
                ],
            )
        finally:
            engine.dispose()
    print("\n".join(section.lines))
    target = (
        Path(tempfile.gettempdir()) / "wijklab-bench-smoke-RESULTS.md" if smoke else pages.RESULTS
    )
    pages.write_section("national-postgresql", section.lines, target)
    print(f"  written to {target}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--smoke", action="store_true", help="tiny data through the COPY path")
    parser.add_argument("--quick", action="store_true", help="5 rounds, 3 s of wrk per page")
    parser.add_argument("--duration", type=float, help="seconds of wrk per page")
    parser.add_argument("--keep", action="store_true", help="leave the database for a rerun")
    parser.add_argument(
        "--reuse", action="store_true", help="measure the database a --keep run left (no load)"
    )
    args = parser.parse_args()
    run(
        smoke=args.smoke,
        quick=args.quick,
        duration=args.duration,
        keep=args.keep,
        reuse=args.reuse,
    )


if __name__ == "__main__":
    main()
