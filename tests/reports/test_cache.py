"""Neighbourhood figures and placements are cached for a minute at most, forgotten by the
committed writes that change them, shared between workers on Redis, and never fail a page
when the cache is down."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from redis import Redis
from redis.exceptions import RedisError

from tests import factories
from tests.conftest import skip_or_fail
from tests.test_query_counts import count_for
from wijklab import create_app
from wijklab.caching import cached, forget
from wijklab.extensions import db
from wijklab.goals.models import GoalStatus
from wijklab.tasks import services as tasks
from wijklab.tasks.waiting import waiting_count

REDIS_URL = "redis://127.0.0.1:6379/0"
PERIOD = "start=2026-10-05&end=2026-11-29"


@pytest.fixture
def hood_with_work(app):
    hood = factories.make_neighbourhood()
    partner = factories.make_organisation(neighbourhood=hood)
    project = factories.make_project(
        neighbourhood=hood, partner=partner, start_date=date(2026, 9, 1)
    )
    team = factories.make_team(project=project, members=[factories.make_student()])
    factories.make_task(team=team, minutes=60, status="verified", date=date(2026, 11, 3))
    pending = factories.make_task(team=team, minutes=90, status="pending", date=date(2026, 11, 4))
    db.session.commit()
    return hood, pending


def test_cijfers_come_from_the_cache_until_a_committed_write(
    client, login_as, wijkdocent, hood_with_work
):
    hood, pending = hood_with_work
    login_as(wijkdocent)
    url = f"/reports/neighbourhoods/{hood.id}?{PERIOD}"
    first = count_for(client, url, cold=False)
    again = count_for(client, url, cold=False)
    assert again < first  # the figures' own queries are not run again
    assert "1,0" in client.get(url).get_data(as_text=True)  # one verified hour

    tasks.verify_task(pending, by=pending.team.supervisor, on_behalf=False)
    db.session.commit()
    assert count_for(client, url, cold=False) == first  # counted afresh after the commit
    html = client.get(url).get_data(as_text=True)
    assert "2,5" in html  # 60 + 90 verified minutes


def test_placements_are_forgotten_when_a_supervisor_declares_other_hours(
    client, login_as, admin, app
):
    partner = factories.make_organisation(name="Buurtwerk Zoë")
    supervisor = factories.make_supervisor(organisation=partner)
    supervisor.supervisor_profile.supervision_hours_per_week = 2
    db.session.commit()
    login_as(admin)
    first = count_for(client, "/reports/placements", cold=False)
    from_cache = count_for(client, "/reports/placements", cold=False)
    assert from_cache < first
    supervisor.supervisor_profile.supervision_hours_per_week = 7
    db.session.commit()
    assert (
        count_for(client, "/reports/placements", cold=False) > from_cache
    )  # the sums counted afresh
    assert "14" in client.get("/reports/placements").get_data(as_text=True)  # 7 hours, 2 each


def _redis_or_skip() -> None:
    try:
        Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except (RedisError, OSError) as error:
        skip_or_fail(f"Redis is not reachable at {REDIS_URL} ({error})")


def test_workers_share_the_cache_on_redis():
    _redis_or_skip()
    area, key = f"test-{uuid.uuid4().hex}", "figures"
    worker_one = create_app({"TESTING": True, "REDIS_URL": REDIS_URL})
    worker_two = create_app({"TESTING": True, "REDIS_URL": REDIS_URL})
    with worker_one.app_context():
        assert cached(area, key, lambda: {"uren": 41}) == {"uren": 41}
    with worker_two.app_context():
        assert cached(area, key, lambda: {"uren": 42}) == {"uren": 41}
        forget(area)
    with worker_one.app_context():
        assert cached(area, key, lambda: {"uren": 43}) == {"uren": 43}


def test_a_cache_that_is_down_only_costs_the_recount(caplog):
    app = create_app({"TESTING": True, "REDIS_URL": "redis://127.0.0.1:1/0"})
    calls = []
    with app.app_context():
        for _ in range(2):
            assert cached("neighbourhood", "x", lambda: calls.append(1) or "vers") == "vers"
        forget("neighbourhood")
    assert len(calls) == 2
    assert "figures cache unavailable" in caplog.text


def test_the_admins_waiting_count_is_cached_until_a_task_or_goal_changes(
    client, login_as, admin, hood_with_work
):
    _hood, pending = hood_with_work
    login_as(admin)
    first = count_for(client, "/users", cold=False)
    assert (
        count_for(client, "/users", cold=False) == first - 1
    )  # the country-wide count comes from the cache
    assert waiting_count(admin) == 1
    tasks.verify_task(pending, by=pending.team.supervisor, on_behalf=False)
    db.session.commit()
    assert waiting_count(admin) == 0  # counted afresh after the commit
    factories.make_goal(team=pending.team, status="review_requested")
    db.session.commit()
    assert waiting_count(admin) == 1


def test_the_wijkdocents_slow_signals_are_kept_until_a_goal_changes(
    client, login_as, wijkdocent, clock
):
    clock.set(date(2026, 11, 30))
    project = factories.make_project(owner=wijkdocent, status="active")
    team = factories.make_team(project=project, members=[factories.make_student(name="Zoë")])
    goal = factories.make_goal(team=team, status="review_requested", title="Buurtkrant maken")
    goal.updated_at = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)  # three weeks in review
    db.session.commit()
    login_as(wijkdocent)
    first = count_for(client, "/", cold=True)
    assert "Buurtkrant maken" in client.get("/").get_data(as_text=True)
    assert count_for(client, "/", cold=False) < first  # the slow signals came from the cache

    goal.status = GoalStatus.SIGNED_OFF
    db.session.commit()
    assert count_for(client, "/", cold=False) == first  # counted afresh after the commit
    assert "Buurtkrant maken" not in client.get("/").get_data(as_text=True)
