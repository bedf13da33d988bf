"""The app's one clock: Amsterdam time, today's Dutch date, and pinned in one place in tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from wijklab import clock as app_clock
from wijklab.clock import AMSTERDAM


def test_today_is_the_amsterdam_date_just_after_midnight_in_winter(clock):
    clock.set(datetime(2026, 11, 27, 23, 30, tzinfo=UTC))  # 00:30 in Amsterdam (UTC+1)
    assert app_clock.today() == date(2026, 11, 28)
    assert app_clock.utcnow().date() == date(2026, 11, 27)


def test_today_is_the_amsterdam_date_just_after_midnight_in_summer(clock):
    clock.set(datetime(2026, 6, 30, 22, 30, tzinfo=UTC))  # 00:30 in Amsterdam (UTC+2)
    assert app_clock.today() == date(2026, 7, 1)


def test_now_is_aware_amsterdam_time_and_utcnow_the_same_moment_in_utc(clock):
    moment = clock.set(datetime(2027, 3, 28, 1, 30, tzinfo=UTC))  # after the switch to summer
    assert app_clock.now().utcoffset() == timedelta(hours=2)
    assert app_clock.now().tzinfo == AMSTERDAM
    assert app_clock.utcnow().tzinfo == UTC
    assert app_clock.now() == app_clock.utcnow() == moment


def test_a_date_pins_noon_in_amsterdam(clock):
    clock.set(date(2027, 1, 13))
    assert app_clock.now() == datetime(2027, 1, 13, 12, tzinfo=AMSTERDAM)
    assert app_clock.today() == date(2027, 1, 13)


def test_the_clock_moves_only_when_the_test_moves_it(clock):
    clock.set(datetime(2026, 12, 1, 9, tzinfo=AMSTERDAM))
    first = app_clock.utcnow()
    assert app_clock.utcnow() == first
    clock.advance(hours=15)
    assert app_clock.today() == date(2026, 12, 2)
    assert app_clock.utcnow() - first == timedelta(hours=15)


def test_model_defaults_use_the_app_clock(app, clock):
    from tests import factories

    clock.set(datetime(2026, 10, 5, 8, tzinfo=AMSTERDAM))
    user = factories.make_user()
    assert user.created_at == datetime(2026, 10, 5, 6, tzinfo=UTC)


def test_without_a_pinned_clock_the_system_time_is_used():
    before = datetime.now(UTC)
    now = app_clock.utcnow()
    assert before <= now <= datetime.now(UTC)


def test_a_source_without_a_time_zone_is_refused():
    app_clock.set_source(lambda: datetime(2026, 12, 1, 9))
    try:
        with pytest.raises(ValueError, match="aware"):
            app_clock.now()
    finally:
        app_clock.set_source(None)
