"""The builder's proposal fields ``name_<n>`` and ``coach_<n>`` cannot be forged."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests import factories
from wijklab.extensions import db
from wijklab.teams.models import MemberRole, Team, TeamMembership


@pytest.fixture
def project(wijkdocent):
    return factories.make_project(owner=wijkdocent, min_mbo=1, min_hbo=1, max_size=4)


def accept_data(project, teams: list[list], **extra) -> dict:
    supervisor = factories.make_supervisor(organisation=project.partner)
    ids = [s.id for members in teams for s in members]
    data = {
        "teams": str(len(teams)),
        "students": ",".join(map(str, ids)),
        "action": "accept",
        "supervisor_id": str(supervisor.id),
    }
    for number, members in enumerate(teams, start=1):
        data |= {f"team_{s.id}": str(number) for s in members}
    return data | extra


def two_teams():
    return [
        [factories.make_student("mbo", 3), factories.make_student("hbo", 3)],
        [factories.make_student("mbo", 3), factories.make_student("hbo", 3)],
    ]


def team_count() -> int:
    return db.session.scalar(select(func.count(Team.id)))


@pytest.mark.parametrize("mark", ["other_team", "abc", "1" * 40, "-3"])
def test_a_forged_coach_mark_is_not_accepted(client, login_as, wijkdocent, project, mark):
    teams = two_teams()
    forged = str(teams[1][0].id) if mark == "other_team" else mark
    login_as(wijkdocent)
    response = client.post(
        f"/projects/{project.id}/builder", data=accept_data(project, teams, coach_1=forged)
    )
    assert response.status_code == 302
    first = db.session.scalar(select(Team).order_by(Team.id))
    coaches = [m for m in first.memberships if m.role == MemberRole.PEER_COACH]
    assert len(coaches) == 1
    assert coaches[0].student_id in {s.id for s in teams[0]}
    # The student of the other team is no coach in the first team, nor twice a member.
    other = teams[1][0].id
    assert (
        db.session.scalar(
            select(func.count(TeamMembership.id)).where(TeamMembership.student_id == other)
        )
        == 1
    )


@pytest.mark.parametrize(
    ("names", "message"),
    [
        ({"name_1": "x" * 81}, "Een teamnaam mag hoogstens 80 tekens hebben."),
        ({"name_1": "Dinsdagteam", "name_2": "dinsdagteam"}, "komt al voor in dit project"),
    ],
)
def test_bad_team_names_are_refused(client, login_as, wijkdocent, project, names, message):
    login_as(wijkdocent)
    response = client.post(
        f"/projects/{project.id}/builder", data=accept_data(project, two_teams(), **names)
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert team_count() == 0


def test_a_name_already_in_the_project_is_refused(client, login_as, wijkdocent, project):
    factories.make_team(project=project, name="Dinsdagteam")
    login_as(wijkdocent)
    response = client.post(
        f"/projects/{project.id}/builder",
        data=accept_data(project, two_teams(), name_1="DINSDAGTEAM"),
    )
    assert response.status_code == 422
    assert "komt al voor in dit project" in response.get_data(as_text=True)
    assert team_count() == 1
