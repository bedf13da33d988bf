"""The calendar of one user: lab days, supervision sessions, school visits and goal target dates.

Wijklab keeps dates, not clock times, for all four, so every event is an all-day event (a lab
day a weekly recurring one); the calendar names Europe/Amsterdam as its zone, with the VTIMEZONE,
so a client shows it in Dutch time. Events carry a title, a date and a link to the page in
Wijklab, nothing else: no task descriptions, session notes, places or who was present (resident
data stays in Wijklab). Four queries at most, of plain columns, whatever the amount of data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar, Event, Timezone
from sqlalchemy import select

from wijklab import clock
from wijklab.accounts.models import User
from wijklab.activity.services import locale_of, public_url
from wijklab.agenda.permissions import calendar_goals, calendar_supervision, calendar_teams
from wijklab.extensions import db
from wijklab.goals.models import LearningGoal
from wijklab.projects.models import Project
from wijklab.tasks.models import SchoolVisit, SupervisionSession
from wijklab.teams.models import Team

TIMEZONE = "Europe/Amsterdam"
# Past events older than this stay out of the feed: it is for planning, not an archive.
HISTORY = dt.timedelta(days=365)
# The VTIMEZONE covers this long after today (lab days run at most a school year ahead).
FUTURE = dt.timedelta(days=3 * 365)
ICAL_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")  # Python's weekday() order, as Project
UID_DOMAIN = "wijklab"


@dataclass(frozen=True)
class CalendarEntry:
    """One event of the feed, in plain values."""

    uid: str
    summary: str
    start: dt.date
    url: str
    weekdays: tuple[str, ...] = ()  # a weekly series on these days ...
    until: dt.date | None = None  # ... up to and including this date


def _team_label(name: str, project_title: str) -> str:
    return f"{name} · {project_title}"


def _first_lab_day(start: dt.date, end: dt.date, weekdays) -> dt.date | None:
    """The first day from ``start`` on a lab weekday (a series starts on an occurrence)."""
    for offset in range(7):
        day = start + dt.timedelta(days=offset)
        if day > end:
            return None
        if day.weekday() in weekdays:
            return day
    return None


def _lab_days(user, since: dt.date) -> list[CalendarEntry]:
    rows = db.session.execute(
        select(Team.id, Team.name, Team.start_date, Team.end_date, Project.title, Project.weekdays)
        .join(Project, Project.id == Team.project_id)
        .where(calendar_teams(user), Team.end_date >= since)
        .order_by(Team.id)
    )
    entries = []
    for team_id, name, start, end, title, weekdays in rows:
        first = _first_lab_day(start, end, weekdays or ())
        if first is None:
            continue
        entries.append(
            CalendarEntry(
                uid=f"labday-team-{team_id}@{UID_DOMAIN}",
                summary=_("Labdag %(team)s", team=_team_label(name, title)),
                start=first,
                url=public_url(url_for("teams.detail", team_id=team_id)),
                weekdays=tuple(ICAL_DAYS[d] for d in sorted(weekdays)),
                until=end,
            )
        )
    return entries


def _supervision(user, since: dt.date) -> list[CalendarEntry]:
    return _team_days(
        SupervisionSession,
        calendar_supervision(user),
        since,
        "supervision",
        lambda team: _("Begeleidingsgesprek %(team)s", team=team),
    )


def _visits(user, since: dt.date) -> list[CalendarEntry]:
    return _team_days(
        SchoolVisit,
        calendar_teams(user),
        since,
        "visit",
        lambda team: _("Schoolbezoek %(team)s", team=team),
    )


def _team_days(model, scope, since: dt.date, kind: str, summary) -> list[CalendarEntry]:
    """One all-day event per row of ``model`` (a team's dated session or visit) in ``scope``."""
    rows = db.session.execute(
        select(model.id, model.date, Team.id, Team.name, Project.title)
        .join(Team, Team.id == model.team_id)
        .join(Project, Project.id == Team.project_id)
        .where(scope, model.date >= since)
        .order_by(model.date, model.id)
    )
    return [
        CalendarEntry(
            uid=f"{kind}-{row_id}@{UID_DOMAIN}",
            summary=summary(_team_label(name, title)),
            start=day,
            url=public_url(url_for("teams.detail", team_id=team_id)),
        )
        for row_id, day, team_id, name, title in rows
    ]


def _goal_dates(user, since: dt.date) -> list[CalendarEntry]:
    rows = db.session.execute(
        select(
            LearningGoal.id,
            LearningGoal.title,
            LearningGoal.target_date,
            LearningGoal.student_id,
            User.name,
        )
        .join(Team, Team.id == LearningGoal.team_id)
        .join(Project, Project.id == Team.project_id)
        .join(User, User.id == LearningGoal.student_id)
        .where(
            calendar_goals(user),
            LearningGoal.target_date.is_not(None),
            LearningGoal.target_date >= since,
        )
        .order_by(LearningGoal.target_date, LearningGoal.id)
    )
    entries = []
    for goal_id, title, day, student_id, student_name in rows:
        if student_id == user.id:
            summary = _("Streefdatum leerdoel: %(goal)s", goal=title)
        else:
            summary = _(
                "Streefdatum leerdoel van %(student)s: %(goal)s", student=student_name, goal=title
            )
        entries.append(
            CalendarEntry(
                uid=f"goal-{goal_id}@{UID_DOMAIN}",
                summary=summary,
                start=day,
                url=public_url(url_for("goals.detail", goal_id=goal_id)),
            )
        )
    return entries


def entries_for(user) -> list[CalendarEntry]:
    """Everything in the user's calendar (texts in the current locale)."""
    since = clock.today() - HISTORY
    return [
        *_lab_days(user, since),
        *_supervision(user, since),
        *_visits(user, since),
        *_goal_dates(user, since),
    ]


def _event(entry: CalendarEntry, stamp: dt.datetime) -> Event:
    event = Event.new(
        uid=entry.uid,
        stamp=stamp,
        start=entry.start,
        end=entry.start + dt.timedelta(days=1),
        summary=entry.summary,
        url=entry.url,
    )
    if entry.weekdays:
        event.add("rrule", {"freq": "weekly", "byday": list(entry.weekdays), "until": entry.until})
    # Someone who shares their calendar shares "busy", not what the event is.
    event.add("class", "PRIVATE")
    return event


def build_calendar(user) -> bytes:
    """The user's calendar as an iCalendar document, in the user's language."""
    with force_locale(locale_of(user)):
        return _build(user)


def _build(user) -> bytes:
    entries = entries_for(user)
    today = clock.today()
    calendar = Calendar.new(
        name="Wijklab",
        description=_("Labdagen, begeleiding, schoolbezoeken en streefdatums uit Wijklab."),
        prodid="-//Wijklab//Agenda//NL",
        calscale="GREGORIAN",
        method="PUBLISH",
        uid=f"agenda-{user.id}@{UID_DOMAIN}",
        refresh_interval=dt.timedelta(hours=1),
    )
    # What Outlook and Google read instead of the RFC 7986 properties above.
    calendar.add("x-wr-timezone", TIMEZONE)
    calendar.add("x-published-ttl", "PT1H")
    first = min([today - HISTORY, *(e.start for e in entries)])
    last = max([today + FUTURE, *(e.until or e.start for e in entries)])
    calendar.add_component(
        Timezone.from_tzid(TIMEZONE, first_date=first, last_date=last + dt.timedelta(days=1))
    )
    stamp = clock.utcnow().replace(microsecond=0)
    for entry in entries:
        calendar.add_component(_event(entry, stamp))
    return calendar.to_ical()
