"""The app's one clock: the current moment and today's date, in Europe/Amsterdam.

Every "now" and "today" in wijklab comes from here, so a test pins time in one place
(``set_source``, or the ``clock`` fixture in tests/conftest.py) instead of patching each module.
Today is the Amsterdam date: just after midnight in the Netherlands it is already the next day,
while UTC still says the day before.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _system_now() -> datetime:
    return datetime.now(UTC)


_source: Callable[[], datetime] = _system_now


def set_source(source: Callable[[], datetime] | None) -> None:
    """Take the time from ``source`` (a function returning an aware datetime); None: the system."""
    global _source
    _source = source or _system_now


def now() -> datetime:
    """The current moment, timezone-aware, in Europe/Amsterdam time."""
    moment = _source()
    if moment.tzinfo is None:
        raise ValueError("the clock's source must return an aware datetime")
    return moment.astimezone(AMSTERDAM)


def utcnow() -> datetime:
    """The current moment, timezone-aware, in UTC (what the database stores)."""
    return now().astimezone(UTC)


def today() -> date:
    """Today's date in the Netherlands."""
    return now().date()
