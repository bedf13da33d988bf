"""Every role's dashboard runs at most twelve queries, the same number whatever the amount of
data (issue 16): one unit of data against ten."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests import factories
from tests.reports.test_figures import TODAY, grow_lab, pinned_today  # noqa: F401
from tests.test_query_counts import count_for
from wijklab.extensions import db
from wijklab.projects.models import ProjectStatus
from wijklab.teams.models import Team, TeamMembership

CEILING = 12


def grow_world(wijkdocent, supervisor, student, hood, units: int) -> None:
    """``units`` more teams of every kind for each role: the wijkdocent's, teams the
    supervisor supervises, tasks and goals in the student's team, and teams elsewhere."""
    grow_lab(wijkdocent, hood, teams=units)
    project = factories.make_project(
        owner=wijkdocent, neighbourhood=hood, status=ProjectStatus.ACTIVE
    )
    own_team = db.session.scalar(
        select(Team).join(TeamMembership).where(TeamMembership.student_id == student.id)
    ) or factories.make_team(project=project, supervisor=supervisor, members=[student])
    for i in range(units):
        members = [factories.make_student() for _ in range(3)]
        team = factories.make_team(project=project, supervisor=supervisor, members=members)
        factories.make_task(team=team, participants=members, date=TODAY - timedelta(days=i))
        factories.make_goal(team=team, student=members[0], status="review_requested")
        factories.make_task(team=own_team, participants=[student], date=TODAY - timedelta(days=i))
        factories.make_task(
            team=own_team,
            participants=[student, *members[:1]],
            status="returned",
            return_reason="Graag de minuten per deelnemer.",
            date=TODAY - timedelta(days=i),
        )
        factories.make_goal(team=own_team, student=student, status="active")


@pytest.mark.parametrize("role", ["admin", "wijkdocent", "supervisor", "student"])
def test_dashboard_queries_do_not_grow_with_the_data(
    client,
    login_as,
    admin,
    wijkdocent,
    pinned_today,  # noqa: F811
    role,
):
    hood = factories.make_neighbourhood()
    supervisor = factories.make_supervisor()
    student = factories.make_student()
    user = {"admin": admin, "wijkdocent": wijkdocent, "supervisor": supervisor, "student": student}[
        role
    ]
    login_as(user)
    grow_world(wijkdocent, supervisor, student, hood, 1)
    small = count_for(client, "/")
    grow_world(wijkdocent, supervisor, student, hood, 9)
    large = count_for(client, "/")
    assert small == large, f"{role}: {small} queries with one unit of data, {large} with ten"
    assert large <= CEILING, f"{role}: {large} queries"
