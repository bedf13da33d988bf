"""A small world for the calendar feeds: one running project with a team (a current and a former
member), its supervision, visit and goals, and a second project of someone else whose events no
one here may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from tests import factories
from wijklab.agenda import services
from wijklab.extensions import db
from wijklab.projects.models import ProjectStatus
from wijklab.tasks.models import SchoolVisit, SupervisionSession

TODAY = date(2026, 11, 16)
RESIDENT = "Mevrouw Jansen"
RESIDENT_STREET = "Kerkstraat 12"


@dataclass
class World:
    wijkdocent: object
    supervisor: object
    student: object
    former: object
    team: object
    session: object
    visit: object
    goals: dict
    other_team: object
    other_session: object
    other_visit: object
    other_goal: object
    ended_team: object


@pytest.fixture
def world(app, clock, wijkdocent, supervisor, student) -> World:
    clock.set(TODAY)
    partner = supervisor.supervisor_profile.organisation
    project = factories.make_project(
        owner=wijkdocent,
        partner=partner,
        title="Samen aan tafel",
        status=ProjectStatus.ACTIVE,
        weekdays=frozenset({1, 3}),
    )
    former = factories.make_student(name="Oud Lid")
    team = factories.make_team(
        project=project, supervisor=supervisor, members=[student, former], name="Dinsdagteam"
    )
    team.membership_of(former).left_on = date(2026, 10, 1)
    # Resident data in every free-text field the feed could be tempted to use.
    factories.make_task(
        team=team,
        participants=[student],
        title=f"Koffie met {RESIDENT}",
        description=f"{RESIDENT} van de {RESIDENT_STREET} wil hulp met haar post.",
        place=RESIDENT_STREET,
    )
    session = SupervisionSession(
        team_id=team.id,
        supervisor_id=supervisor.id,
        date=date(2026, 11, 10),
        minutes=60,
        note=f"Besproken: de situatie van {RESIDENT}.",
    )
    visit = SchoolVisit(
        team_id=team.id,
        visitor_id=wijkdocent.id,
        date=date(2026, 11, 12),
        present=f"Dinsdagteam en {RESIDENT}",
        note=f"Op bezoek bij {RESIDENT_STREET}.",
    )
    db.session.add_all([session, visit])
    goals = {
        "active": factories.make_goal(
            team=team, student=student, status="active", target_date=date(2026, 12, 1)
        ),
        "draft": factories.make_goal(
            team=team, student=student, status="draft", target_date=date(2027, 1, 15)
        ),
        "review": factories.make_goal(
            team=team, student=student, status="review_requested", target_date=date(2026, 11, 20)
        ),
        "signed_off": factories.make_goal(
            team=team, student=student, status="signed_off", target_date=date(2026, 10, 1)
        ),
        "no_date": factories.make_goal(team=team, student=student, status="active"),
        "long_ago": factories.make_goal(
            team=team, student=student, status="active", target_date=date(2025, 1, 1)
        ),
    }

    # Someone else's project, supervisor and student in the same city.
    other_supervisor = factories.make_supervisor()
    other_student = factories.make_student(name="Ander Teamlid")
    other_team = factories.make_team(
        project=factories.make_project(status=ProjectStatus.ACTIVE, title="Ander project"),
        supervisor=other_supervisor,
        members=[other_student],
        name="Ander team",
    )
    other_session = SupervisionSession(
        team_id=other_team.id,
        supervisor_id=other_supervisor.id,
        date=date(2026, 11, 11),
        minutes=30,
    )
    other_visit = SchoolVisit(
        team_id=other_team.id, visitor_id=other_team.project.owner_id, date=date(2026, 11, 13)
    )
    db.session.add_all([other_session, other_visit])
    other_goal = factories.make_goal(
        team=other_team, student=other_student, status="active", target_date=date(2026, 12, 2)
    )

    # A completed project of the same people: no longer in anyone's calendar.
    ended_team = factories.make_team(
        project=factories.make_project(
            owner=wijkdocent, partner=partner, status=ProjectStatus.COMPLETED, title="Klaar"
        ),
        supervisor=supervisor,
        members=[student],
        name="Vorig team",
    )
    db.session.add(
        SchoolVisit(team_id=ended_team.id, visitor_id=wijkdocent.id, date=date(2026, 11, 3))
    )
    db.session.flush()
    return World(
        wijkdocent=wijkdocent,
        supervisor=supervisor,
        student=student,
        former=former,
        team=team,
        session=session,
        visit=visit,
        goals=goals,
        other_team=other_team,
        other_session=other_session,
        other_visit=other_visit,
        other_goal=other_goal,
        ended_team=ended_team,
    )


@pytest.fixture
def feed_url():
    """Make a live link for ``user`` and give its feed's path."""

    def make(user) -> str:
        _feed, raw = services.issue_feed(user)
        db.session.flush()
        return f"/agenda/{raw}.ics"

    return make
