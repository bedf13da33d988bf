"""The calendar feed: exactly the right events per role, in Europe/Amsterdam, without resident
data, for a live link only, without a cookie, in a fixed number of queries."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from icalendar import Calendar

from tests import factories
from tests.agenda.conftest import RESIDENT, RESIDENT_STREET
from tests.test_query_counts import queries
from wijklab.agenda import services
from wijklab.agenda.models import AgendaFeed
from wijklab.extensions import db, limiter
from wijklab.tasks.models import SchoolVisit, SupervisionSession


def fetch(client, url) -> Calendar:
    response = client.get(url)
    assert response.status_code == 200
    return Calendar.from_ical(response.data)


def uids(calendar: Calendar) -> set[str]:
    return {str(event["UID"]) for event in calendar.events}


def by_uid(calendar: Calendar) -> dict:
    return {str(event["UID"]): event for event in calendar.events}


def test_student_sees_lab_days_supervision_visits_and_own_goal_dates(world, client, feed_url):
    calendar = fetch(client, feed_url(world.student))
    goals = world.goals
    assert uids(calendar) == {
        f"labday-team-{world.team.id}@wijklab",
        f"supervision-{world.session.id}@wijklab",
        f"visit-{world.visit.id}@wijklab",
        f"goal-{goals['active'].id}@wijklab",
        f"goal-{goals['draft'].id}@wijklab",
        f"goal-{goals['review'].id}@wijklab",
    }
    events = by_uid(calendar)
    goal = events[f"goal-{goals['active'].id}@wijklab"]
    assert goal.start == date(2026, 12, 1)
    assert goal.end == date(2026, 12, 2)
    assert str(goal["SUMMARY"]) == f"Streefdatum leerdoel: {goals['active'].title}"
    assert str(goal["URL"]) == f"https://wijklab.example.org/goals/{goals['active'].id}"
    visit = events[f"visit-{world.visit.id}@wijklab"]
    assert visit.start == date(2026, 11, 12)
    assert str(visit["SUMMARY"]) == "Schoolbezoek Dinsdagteam · Samen aan tafel"
    assert str(visit["URL"]) == f"https://wijklab.example.org/teams/{world.team.id}"
    session = events[f"supervision-{world.session.id}@wijklab"]
    assert session.start == date(2026, 11, 10)
    assert str(session["SUMMARY"]) == "Begeleidingsgesprek Dinsdagteam · Samen aan tafel"


def test_lab_days_repeat_weekly_on_the_project_days_between_the_team_dates(world, client, feed_url):
    calendar = fetch(client, feed_url(world.student))
    lab_day = by_uid(calendar)[f"labday-team-{world.team.id}@wijklab"]
    # The team starts on Tuesday 1 September 2026; the project runs on Tuesdays and Thursdays.
    assert lab_day.start == date(2026, 9, 1)
    assert lab_day.end == date(2026, 9, 2)
    rule = lab_day["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"]
    assert rule["BYDAY"] == ["TU", "TH"]
    assert rule["UNTIL"] == [date(2027, 6, 30)]
    assert str(lab_day["SUMMARY"]) == "Labdag Dinsdagteam · Samen aan tafel"


def test_a_series_starts_on_the_first_lab_day_after_the_team_starts(world, client, feed_url):
    world.team.start_date = date(2026, 9, 2)  # a Wednesday: the first lab day is the Thursday
    calendar = fetch(client, feed_url(world.student))
    assert by_uid(calendar)[f"labday-team-{world.team.id}@wijklab"].start == date(2026, 9, 3)


def test_a_project_without_lab_days_gives_no_series(world, client, feed_url):
    world.team.project.weekdays = frozenset()
    calendar = fetch(client, feed_url(world.student))
    assert f"labday-team-{world.team.id}@wijklab" not in uids(calendar)


def test_supervisor_sees_their_teams_sessions_visits_and_goals_to_act_on(world, client, feed_url):
    calendar = fetch(client, feed_url(world.supervisor))
    goals = world.goals
    assert uids(calendar) == {
        f"labday-team-{world.team.id}@wijklab",
        f"supervision-{world.session.id}@wijklab",
        f"visit-{world.visit.id}@wijklab",
        f"goal-{goals['active'].id}@wijklab",
        f"goal-{goals['review'].id}@wijklab",
    }
    goal = by_uid(calendar)[f"goal-{goals['review'].id}@wijklab"]
    assert str(goal["SUMMARY"]) == (
        f"Streefdatum leerdoel van {world.student.name}: {goals['review'].title}"
    )


def test_supervisor_sees_only_their_own_supervision_sessions(world, client, feed_url):
    stand_in = factories.make_supervisor()
    theirs = SupervisionSession(
        team_id=world.team.id, supervisor_id=stand_in.id, date=date(2026, 11, 14), minutes=30
    )
    db.session.add(theirs)
    db.session.flush()
    supervisor_uids = uids(fetch(client, feed_url(world.supervisor)))
    student_uids = uids(fetch(client, feed_url(world.student)))
    assert f"supervision-{theirs.id}@wijklab" not in supervisor_uids
    assert f"supervision-{theirs.id}@wijklab" in student_uids


def test_wijkdocent_sees_lab_days_and_visits_of_their_running_projects(world, client, feed_url):
    calendar = fetch(client, feed_url(world.wijkdocent))
    assert uids(calendar) == {
        f"labday-team-{world.team.id}@wijklab",
        f"visit-{world.visit.id}@wijklab",
    }


def test_admin_gets_an_empty_valid_calendar(world, client, feed_url, admin):
    response = client.get(feed_url(admin))
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.data)
    assert calendar.events == []
    assert str(calendar["VERSION"]) == "2.0"
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Amsterdam"]


def test_a_former_member_no_longer_sees_the_team(world, client, feed_url):
    assert uids(fetch(client, feed_url(world.former))) == set()


def test_nothing_of_other_teams_or_ended_projects_appears(world, client, feed_url):
    foreign = {
        f"labday-team-{world.other_team.id}@wijklab",
        f"supervision-{world.other_session.id}@wijklab",
        f"visit-{world.other_visit.id}@wijklab",
        f"goal-{world.other_goal.id}@wijklab",
        f"labday-team-{world.ended_team.id}@wijklab",
    }
    for user in (world.student, world.supervisor, world.wijkdocent):
        response = client.get(feed_url(user))
        assert not uids(Calendar.from_ical(response.data)) & foreign
        for text in ("Ander team", "Ander project", "Vorig team", "Klaar"):
            assert text not in response.get_data(as_text=True)


def test_the_calendar_is_in_europe_amsterdam_with_its_vtimezone(world, client, feed_url):
    calendar = fetch(client, feed_url(world.supervisor))
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Amsterdam"]
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Amsterdam"
    timezone = calendar.timezones[0]
    # The zone's rules cover the events: summer and winter time in the years the feed spans.
    names = {str(part["TZNAME"]) for part in timezone.subcomponents}
    assert names == {"CET", "CEST"}
    zone = timezone.to_tz(lookup_tzid=False)
    assert datetime(2026, 11, 10, 12, tzinfo=zone).utcoffset().total_seconds() == 3600
    assert datetime(2027, 6, 10, 12, tzinfo=zone).utcoffset().total_seconds() == 7200
    for event in calendar.events:
        # Wijklab keeps dates only: whole days, never a floating or foreign clock time.
        assert type(event.start) is date and type(event.end) is date
        assert event.stamp.tzinfo is not None and event.stamp.utcoffset().total_seconds() == 0


def test_events_hold_no_resident_data(world, client, feed_url):
    for user in (world.student, world.supervisor, world.wijkdocent):
        body = client.get(feed_url(user)).get_data(as_text=True)
        assert RESIDENT not in body
        assert RESIDENT_STREET not in body
        assert "Koffie met" not in body  # not even the task's title
        calendar = Calendar.from_ical(body)
        for event in calendar.events:
            assert "DESCRIPTION" not in event
            assert "LOCATION" not in event
            assert "ATTENDEE" not in event


def test_the_feed_is_plain_calendar_without_cookie_or_cache(world, client, feed_url):
    response = client.get(feed_url(world.student))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "Set-Cookie" not in response.headers
    assert "no-store" in response.headers["Cache-Control"]
    assert "private" in response.headers["Cache-Control"]
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_a_logged_in_browser_opening_the_feed_gets_no_cookie(world, client, login_as, feed_url):
    login_as(world.student)
    url = feed_url(world.student)
    response = client.get(url)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    # The session itself is untouched: the settings page still opens.
    assert client.get("/settings/agenda").status_code == 200


def test_an_unknown_token_is_404(world, client):
    response = client.get("/agenda/onbekend-maar-lang-genoeg-om-echt-te-lijken-abcdefgh.ics")
    assert response.status_code == 404
    assert response.mimetype == "text/plain"
    assert "Set-Cookie" not in response.headers
    assert client.get("/agenda/" + "x" * 500 + ".ics").status_code == 404


def test_a_revoked_token_gets_the_same_404_as_an_unknown_one(world, client, feed_url):
    url = feed_url(world.student)
    assert client.get(url).status_code == 200
    services.revoke_feed(world.student)
    revoked = client.get(url)
    unknown = client.get("/agenda/onbekend.ics")
    assert revoked.status_code == unknown.status_code == 404
    assert revoked.data == unknown.data


def test_the_link_of_a_deactivated_user_is_404(world, client, feed_url):
    url = feed_url(world.student)
    world.student.is_active = False
    assert client.get(url).status_code == 404


def test_the_token_never_reaches_a_log_line(world, client, feed_url, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    url = feed_url(world.student)
    token = url.removeprefix("/agenda/").removesuffix(".ics")
    client.get(url)
    client.get(url[:-10] + "xxxxxx.ics")
    assert token not in caplog.text


def test_last_used_is_written_at_most_once_an_hour(world, client, feed_url, clock):
    url = feed_url(world.student)
    feed = services.live_feed(world.student)
    assert feed.last_used_at is None
    client.get(url)
    db.session.expire_all()
    first = feed.last_used_at
    assert first == clock.moment.astimezone(UTC)
    clock.advance(minutes=30)
    client.get(url)
    db.session.expire_all()
    assert feed.last_used_at == first
    clock.advance(minutes=31)
    client.get(url)
    db.session.expire_all()
    assert feed.last_used_at == clock.moment.astimezone(UTC)


@pytest.fixture
def limited_app(app):
    app.config["AGENDA_FEED_RATE_LIMIT"] = "2 per minute"
    limiter.reset()
    yield app
    limiter.reset()


def test_the_feed_is_rate_limited_per_address(limited_app, world, client, feed_url):
    url = feed_url(world.student)
    assert client.get(url).status_code == 200
    assert client.get("/agenda/onbekend.ics").status_code == 404
    blocked = client.get(url)
    assert blocked.status_code == 429
    assert blocked.mimetype == "text/plain"
    assert "Set-Cookie" not in blocked.headers


def test_the_feed_speaks_the_users_language(world, client, feed_url):
    world.student.locale = "en"
    calendar = fetch(client, feed_url(world.student))
    # Without the English catalogue the text stays Dutch, but it is still a complete calendar.
    assert len(calendar.events) == 6


# --- a fixed number of queries ------------------------------------------------------------------


def grow_supervised_teams(supervisor, n: int) -> None:
    for _ in range(n):
        student = factories.make_student()
        team = factories.make_team(
            project=factories.make_project(
                partner=supervisor.supervisor_profile.organisation, weekdays=frozenset({0})
            ),
            supervisor=supervisor,
            members=[student],
        )
        db.session.add_all(
            [
                SupervisionSession(
                    team_id=team.id,
                    supervisor_id=supervisor.id,
                    date=date(2026, 11, 2),
                    minutes=45,
                ),
                SchoolVisit(
                    team_id=team.id,
                    visitor_id=team.project.owner_id,
                    date=date(2026, 11, 3),
                ),
            ]
        )
        factories.make_goal(
            team=team, student=student, status="active", target_date=date(2026, 12, 5)
        )
    db.session.flush()


def feed_queries(client, url) -> tuple[int, int]:
    client.get(url)  # the first fetch of the hour notes the use
    db.session.expire_all()
    with queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements), len(Calendar.from_ical(response.data).events)


def test_the_feed_runs_the_same_queries_for_one_team_and_for_ten(clock, client, feed_url):
    clock.set(date(2026, 11, 16))
    small_supervisor = factories.make_supervisor()
    large_supervisor = factories.make_supervisor()
    grow_supervised_teams(small_supervisor, 1)
    grow_supervised_teams(large_supervisor, 10)
    small, small_events = feed_queries(client, feed_url(small_supervisor))
    large, large_events = feed_queries(client, feed_url(large_supervisor))
    assert (small_events, large_events) == (4, 40)
    assert small == large, f"{small} queries for one team, {large} for ten"
    assert large <= 5  # the link, and one query for each kind of event


def test_only_the_hash_of_the_token_is_stored(world, feed_url):
    url = feed_url(world.student)
    token = url.removeprefix("/agenda/").removesuffix(".ics")
    feed = db.session.scalars(db.select(AgendaFeed)).one()
    assert token not in feed.token_hash
    assert len(feed.token_hash) == 64
