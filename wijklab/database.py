"""Declarative base with a naming convention, aware UTC timestamps and shared column types."""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from itertools import chain

from sqlalchemy import (
    Date,
    DateTime,
    Integer,
    MetaData,
    any_,
    bindparam,
    delete,
    event,
    except_,
    func,
    insert,
    inspect,
    literal,
    select,
    tuple_,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, registry
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.types import TypeDecorator

from wijklab.clock import utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class AwareDateTime(TypeDecorator):
    """A timestamp stored in UTC that always comes back timezone-aware, also from SQLite."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use wijklab.clock.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class ChoiceSet(TypeDecorator):
    """A set of values from a fixed, ordered list of choices, stored as a bit mask in an integer.

    A bit mask keeps set overlap a plain SQL expression (``mask & other != 0``) on every database.
    """

    impl = Integer
    cache_ok = True

    def __init__(self, choices: Iterable) -> None:
        super().__init__()
        self.choices = tuple(choices)

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return to_mask(value, self.choices)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return frozenset(c for i, c in enumerate(self.choices) if value & (1 << i))


def to_mask(values: Iterable, choices: tuple) -> int:
    """The bit mask of ``values`` against ``choices``; an unknown value is an error."""
    mask = 0
    for value in values:
        mask |= 1 << choices.index(value)
    return mask


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: AwareDateTime()},
    )


class TimestampMixin:
    """created_at and updated_at, set by the database session, in UTC."""

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def touch(row) -> None:
    """Mark ``row`` as changed now, so it is updated (and its version goes up) even when no other
    column changed and the clock has not moved since the last write."""
    row.updated_at = utcnow()
    flag_modified(row, "updated_at")


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


@event.listens_for(Engine, "connect")
def _sqlite_unicode_lower(dbapi_connection, connection_record) -> None:
    """SQLite's own lower() folds only ASCII ("ZOË" stays "ZOË"): replace it with Python's, so
    case-insensitive search and uniqueness checks (lower(), ILIKE) treat Zoë and ZOË alike, as
    PostgreSQL does."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)


def paginate_page(query, page: int, per_page: int):
    """One page of ``query``; a page past the end shows the last one."""
    from wijklab.extensions import db

    result = db.paginate(query, page=page, per_page=per_page, error_out=False)
    if not result.items and result.total and result.page > result.pages:
        result = db.paginate(query, page=result.pages, per_page=per_page, error_out=False)
    return result


def paginate(query, per_page: int):
    """One page of ``query`` for the ?page= argument; a page past the end shows the last one."""

    from wijklab.inputs import parse_page

    return paginate_page(query, parse_page(), per_page)


@dataclass
class ListPage:
    """One page of a list built in Python (not a query), shaped like a database page for the
    pagination macro: ``items`` is the page, ``total`` the length of the whole list."""

    items: list
    page: int
    per_page: int
    total: int

    @classmethod
    def of(cls, everything: list, page: int, per_page: int) -> ListPage:
        """Page ``page`` of ``everything``; a page past the end shows the last one."""
        last = max(1, math.ceil(len(everything) / per_page))
        page = min(max(page, 1), last)
        start = (page - 1) * per_page
        return cls(everything[start : start + per_page], page, per_page, len(everything))

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


# --- summary tables -----------------------------------------------------------------------------


class week_of(FunctionElement):  # noqa: N801  (an SQL function, named as one)
    """The Monday of a date's ISO week, computed by the database."""

    type = Date()
    name = "week_of"
    inherit_cache = True


@compiles(week_of)
def _week_of_postgresql(element, compiler, **kw) -> str:
    return f"CAST(date_trunc('week', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(week_of, "sqlite")
def _week_of_sqlite(element, compiler, **kw) -> str:
    # 'weekday 0' moves forward to the Sunday (or stays on it); six days back is the Monday.
    return f"date({compiler.process(element.clauses, **kw)}, 'weekday 0', '-6 days')"


KEYS_PER_STATEMENT = 200


@dataclass(frozen=True)
class Summary:
    """A table of sums kept in the same transaction as the rows it sums.

    After every flush, ``touched(session)`` names the keys the flush may have changed (from the
    session's new, dirty and deleted objects and their attribute history), and the summary rows
    of those keys are deleted and selected again from the base tables with ``expected(where)``.
    ``scope(keys)`` gives the two filters for a batch of keys: one on the summary table, one on
    the base tables. The same ``expected(None)`` rebuilds the whole table and checks it.
    """

    name: str
    table: object
    columns: tuple[str, ...]
    expected: Callable
    touched: Callable
    scope: Callable

    def refresh(self, connection: Connection, keys: Iterable) -> None:
        ordered = sorted(keys)
        for start in range(0, len(ordered), KEYS_PER_STATEMENT):
            batch = ordered[start : start + KEYS_PER_STATEMENT]
            summary_filter, base_filter = self.scope(batch)
            connection.execute(delete(self.table).where(summary_filter))
            connection.execute(
                insert(self.table).from_select(self.columns, self.expected(base_filter))
            )

    def rebuild(self, connection: Connection) -> int:
        connection.execute(delete(self.table))
        connection.execute(insert(self.table).from_select(self.columns, self.expected(None)))
        return connection.execute(select(func.count()).select_from(self.table)).scalar_one()

    def differences(self, connection: Connection) -> tuple[int, int]:
        """(rows missing or wrong in the table, rows in the table that should not be there)."""
        stored = select(*(self.table.c[name] for name in self.columns))
        expected = self.expected(None)

        def count(compound) -> int:
            return connection.execute(
                select(func.count()).select_from(compound.subquery())
            ).scalar_one()

        return count(except_(expected, stored)), count(except_(stored, expected))


def in_list(column, name: str, dialect: str):
    """``column`` in the list bound as ``name``. On PostgreSQL one array parameter (``= ANY``):
    the statement's text is the same for any number of ids, so psycopg neither parses nor
    sends a long statement each time (a hundred teams took milliseconds that way); elsewhere
    an expanding ``IN``."""
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=postgresql.ARRAY(Integer)))
    return column.in_(bindparam(name, expanding=True))


def _values(obj, deleted: bool, attribute: str) -> set:
    state = inspect(obj)
    now = state.dict.get(attribute) if deleted else getattr(obj, attribute)
    return {now, *state.attrs[attribute].history.deleted} - {None}


def flushed(session: Session, model: type) -> Iterator[tuple[object, Callable[[str], set]]]:
    """The new, changed and deleted ``model`` objects of this flush, each with ``values(name)``:
    the attribute's value now and before the flush, without None (a deleted object is never
    loaded)."""
    deleted = set(map(id, session.deleted))
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, model):
            yield obj, partial(_values, obj, id(obj) in deleted)


SUMMARIES: list[Summary] = []


def register_summary(summary: Summary) -> None:
    if all(known.name != summary.name for known in SUMMARIES):
        SUMMARIES.append(summary)


@event.listens_for(Session, "after_flush")
def _refresh_summaries(session: Session, _context) -> None:
    found: dict[Callable, set] = {}  # summaries of the same keys ask once
    for summary in SUMMARIES:
        if summary.touched not in found:
            found[summary.touched] = summary.touched(session)
        if keys := found[summary.touched]:
            summary.refresh(session.connection(), keys)


# --- keyset pagination (feeds: newest first, "older"/"newer" links keyed on date and id) ---------
# A page costs one query, with no count, and a deep page is as quick as the first.


@dataclass
class KeysetPage:
    """One page of a feed, newest first: ``older`` and ``newer`` are the cursors of the pages on
    either side (``None`` at either end)."""

    items: list
    older: str | None
    newer: str | None


def _cursor(values: Sequence) -> str:
    return "_".join(v.isoformat() if isinstance(v, date | datetime) else str(v) for v in values)


def parse_cursor(raw: str | None, parsers: Sequence[Callable]) -> tuple | None:
    """A cursor from the URL back as values, or ``None`` for anything that is not one."""
    if not raw or len(raw) > 100:
        return None
    parts = raw.split("_")
    if len(parts) != len(parsers):
        return None
    try:
        values = tuple(parse(part) for parse, part in zip(parsers, parts, strict=True))
    except (TypeError, ValueError):
        return None
    if any(isinstance(v, datetime) and v.tzinfo is None for v in values):
        return None
    return values


def _beyond(columns: Sequence, values: Sequence, older: bool):
    """Rows past ``values`` in the feed's order: one row-value comparison, which SQLite and
    PostgreSQL both answer with a range scan of an index on the columns (an OR of the parts
    makes SQLite scan every row of the user or team)."""
    key = tuple_(*columns)
    start = tuple_(*(literal(v, c.type) for c, v in zip(columns, values, strict=True)))
    return key < start if older else key > start


def keyset_page(
    query,
    columns: Sequence,
    key: Callable,
    parsers: Sequence[Callable],
    per_page: int,
    *,
    before: str | None = None,
    after: str | None = None,
    skip: int = 0,
    rows: bool = False,
) -> KeysetPage:
    """A page of ``query`` newest first by ``columns`` (the last one unique): the page before the
    cursor ``before``, after ``after``, else the first page (``skip`` rows in: old ?page= links).
    ``key(item)`` gives an item's values of ``columns``. A bad or stale cursor gives page one."""
    from wijklab.extensions import db

    fetch = db.session.execute if rows else db.session.scalars

    def run(q) -> list:
        return list(fetch(q.limit(per_page + 1)).unique())

    newest = [c.desc() for c in columns]
    start = parse_cursor(after, parsers)
    if start is not None:
        found = run(query.where(_beyond(columns, start, older=False)).order_by(*columns))
        if found:
            items = found[:per_page][::-1]
            newer = _cursor(key(items[0])) if len(found) > per_page else None
            return KeysetPage(items, _cursor(key(items[-1])), newer)
    start = parse_cursor(before, parsers)
    if start is not None:
        found = run(query.where(_beyond(columns, start, older=True)).order_by(*newest))
        if found:
            items = found[:per_page]
            older = _cursor(key(items[-1])) if len(found) > per_page else None
            return KeysetPage(items, older, _cursor(key(items[0])))
    found = run(query.order_by(*newest).offset(skip)) if skip else []
    if not found:
        skip = 0
        found = run(query.order_by(*newest))
    items = found[:per_page]
    older = _cursor(key(items[-1])) if len(found) > per_page else None
    return KeysetPage(items, older, _cursor(key(items[0])) if skip and items else None)
