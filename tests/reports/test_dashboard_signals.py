"""The wijkdocent's overview and signals come from one list of running teams (issue: a fast
dashboard at city scale): the teams below their rules are listed by team name across projects,
and the page, the totals and the students without goals cover the right teams."""

from __future__ import annotations

from datetime import date

from tests import factories
from wijklab.extensions import db
from wijklab.projects.models import ProjectStatus
from wijklab.reports.services import wijkdocent_overview, wijkdocent_signals

TODAY = date(2027, 1, 13)


def test_teams_below_their_rules_are_listed_by_team_name_across_projects(app, wijkdocent):
    # Project titles in the opposite order of the team names: the signal follows the names.
    first = factories.make_project(
        owner=wijkdocent, title="B project", status=ProjectStatus.ACTIVE, min_mbo=2, min_hbo=0
    )
    second = factories.make_project(
        owner=wijkdocent, title="A project", status=ProjectStatus.ACTIVE, min_mbo=2, min_hbo=0
    )
    factories.make_team(project=first, name="Alfa", members=[factories.make_student("mbo")])
    factories.make_team(project=second, name="Bravo", members=[factories.make_student("hbo")])
    full = factories.make_team(
        project=second,
        name="Charlie",
        members=[factories.make_student("mbo"), factories.make_student("mbo")],
    )
    db.session.commit()

    signals = wijkdocent_signals(wijkdocent, today=TODAY)

    assert [(t["team"], t["project"], t["mbo"], t["size"]) for t in signals["below_rules"]] == [
        ("Alfa", "B project", 1, 1),
        ("Bravo", "A project", 0, 1),
    ]
    assert full.id not in [t["team_id"] for t in signals["below_rules"]]


def test_overview_pages_teams_but_totals_and_students_without_goals_cover_them_all(app, wijkdocent):
    project = factories.make_project(owner=wijkdocent, status=ProjectStatus.ACTIVE)
    teams = [
        factories.make_team(project=project, name=f"Team {n:02}", members=[student])
        for n, student in enumerate(factories.make_student() for _ in range(3))
    ]
    factories.make_goal(team=teams[0], student=teams[0].memberships[0].student)
    db.session.commit()

    overview = wijkdocent_overview(wijkdocent, today=TODAY, page=2, per_page=2)

    assert [row["team"].name for row in overview["rows"]] == ["Team 02"]
    assert overview["teams"].total == 3
    assert overview["totals"]["teams"] == 3
    assert overview["students_without_goals"] == 2
