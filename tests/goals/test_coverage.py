"""Coverage of the qualification framework (issue 14): the figures on the student and team
pages against hand-computed values, the summary for the practical-training statement with its
cutoff, who may see which page, and a fixed number of queries whatever the amount of data.

The fixture, on the shipped mbo framework (8 werkprocessen: B1-K1-W1..W5, B1-K2-W1..W3):

    goal        team  status            items          sign-off                  rating  evidence
    g_signed    A     signed_off        W1, W2         10 Nov, kept              2, 4    verified
    g_reopened  A     active            W2, W3         revoked                   -       pending
    g_review    A     review_requested  K1 (core task) -                         -       -
    g_late      A     signed_off        W4             20 Dec, kept              -       -
    g_other     B     draft             K2-W1          -                         -       -

Everything the student sees: 5 werkprocessen addressed (W1-W4, K2-W1), 3 covered (W1, W2, W4).
Team A's supervisor sees team A's goals only: 4 addressed, 3 covered; team B's: 1 and 0.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from html import unescape

import pytest
from sqlalchemy import select

from tests import factories
from tests.test_query_counts import count_for
from wijklab.extensions import db
from wijklab.goals.coverage import coverage_summary, student_coverage, team_coverage
from wijklab.goals.loader import load_shipped_frameworks
from wijklab.goals.models import (
    Feedback,
    FrameworkItem,
    GoalEvidence,
    GoalStatus,
    SignOff,
)
from wijklab.projects.models import ProjectStatus
from wijklab.teams.models import TeamMembership

W = "B1-K1-W"


def item(code: str) -> FrameworkItem:
    return db.session.scalar(select(FrameworkItem).where(FrameworkItem.code == code))


def page(response) -> str:
    return unescape(response.get_data(as_text=True))


def goal_with(team, student, status: str, codes: list[str], **values):
    goal = factories.make_goal(team=team, student=student, status=status, **values)
    goal.framework_items = [item(c) for c in codes]
    db.session.flush()
    return goal


def sign(goal, by, on: datetime, revoked: bool = False) -> SignOff:
    sign_off = SignOff(goal=goal, signed_by=by, statement="Goed gedaan.", signed_at=on)
    if revoked:
        sign_off.revoked_by = by
        sign_off.revoked_at = on.replace(day=on.day + 1)
        sign_off.revoke_reason = "Te vroeg afgetekend."
    db.session.add(sign_off)
    db.session.flush()
    return sign_off


def rate(goal, by, rating: int | None, comment: str = "Feedback.") -> Feedback:
    feedback = Feedback(
        goal=goal, author=by, author_role="supervisor", rating=rating, comment=comment
    )
    db.session.add(feedback)
    db.session.flush()
    return feedback


def evidence(goal, task) -> GoalEvidence:
    participation = next(p for p in task.participations if p.student_id == goal.student_id)
    row = GoalEvidence(goal=goal, participation=participation)
    db.session.add(row)
    db.session.flush()
    return row


@pytest.fixture
def world(app, wijkdocent, supervisor):
    load_shipped_frameworks()
    db.session.commit()
    project = factories.make_project(owner=wijkdocent, status=ProjectStatus.ACTIVE)
    student = factories.make_student(level="mbo", name="Ayşe Demir")
    hbo = factories.make_student(level="hbo", name="Iris Meijer")
    former = factories.make_student(level="mbo", name="Jesse de Groot")
    team = factories.make_team(
        project=project, supervisor=supervisor, members=[student, hbo, former], name="Team A"
    )
    next(m for m in team.memberships if m.student_id == former.id).left_on = date(2026, 10, 1)
    other_supervisor = factories.make_supervisor(name="Bram Visser")
    other_team = factories.make_team(
        project=factories.make_project(status=ProjectStatus.ACTIVE),
        supervisor=other_supervisor,
        members=[student],
        name="Team B",
    )
    verified = factories.make_task(
        team=team, participants=[student], minutes=90, status="verified", title="Buurtmaaltijd"
    )
    pending = factories.make_task(team=team, participants=[student], title="Flyers rondbrengen")

    g_signed = goal_with(team, student, "signed_off", [f"{W}1", f"{W}2"], title="Maaltijd")
    sign(g_signed, supervisor, datetime(2026, 11, 10, 12, tzinfo=UTC))
    rate(g_signed, supervisor, 2)
    rate(g_signed, supervisor, 4)
    rate(g_signed, supervisor, None, "Een opmerking zonder beoordeling.")
    evidence(g_signed, verified)

    g_reopened = goal_with(team, student, "active", [f"{W}2", f"{W}3"], title="Heropend doel")
    sign(g_reopened, supervisor, datetime(2026, 11, 5, 12, tzinfo=UTC), revoked=True)
    evidence(g_reopened, pending)

    g_review = goal_with(team, student, "review_requested", ["B1-K1"], title="Kerntaakdoel")
    g_late = goal_with(team, student, "signed_off", [f"{W}4"], title="Laat afgetekend")
    sign(g_late, supervisor, datetime(2026, 12, 20, 12, tzinfo=UTC))
    g_other = goal_with(other_team, student, "draft", ["B1-K2-W1"], title="Doel in team B")

    goal_with(team, former, "draft", [f"{W}1"], title="Doel van oud-lid")
    goal_with(team, hbo, "active", ["SW-K1-C1"], title="Hbo-doel")
    db.session.commit()
    return {
        "team": team,
        "other_team": other_team,
        "student": student,
        "hbo": hbo,
        "former": former,
        "supervisor": supervisor,
        "other_supervisor": other_supervisor,
        "wijkdocent": wijkdocent,
        "g_signed": g_signed,
        "g_reopened": g_reopened,
        "g_review": g_review,
        "g_late": g_late,
        "g_other": g_other,
    }


def rows_by_code(coverage) -> dict:
    return {r.item.code: r for r in coverage.rows}


# --- the builders -----------------------------------------------------------------------------


def test_student_sees_every_own_goal_counted_against_the_werkprocessen(world):
    coverage = student_coverage(world["student"], world["student"])
    assert coverage.framework == "mbo-sociaal-werk-4"
    assert (coverage.total, coverage.addressed, coverage.covered) == (8, 5, 3)
    assert coverage.leaf_kind == "work_process"
    assert [r.item.code for r in coverage.rows] == [
        "B1-K1",
        f"{W}1",
        f"{W}2",
        f"{W}3",
        f"{W}4",
        f"{W}5",
        "B1-K2",
        "B1-K2-W1",
        "B1-K2-W2",
        "B1-K2-W3",
    ]
    rows = rows_by_code(coverage)
    assert [r.depth for r in coverage.rows][:2] == [0, 1]
    assert not rows["B1-K1"].assessable and rows[f"{W}1"].assessable
    # The revoked sign-off does not cover W3; W2 is covered by the other goal.
    assert rows[f"{W}2"].covered and not rows[f"{W}3"].covered
    assert [g.goal.title for g in rows[f"{W}2"].goals] == ["Maaltijd", "Heropend doel"]
    assert [g.goal.title for g in rows["B1-K1"].goals] == ["Kerntaakdoel"]
    assert not rows[f"{W}5"].addressed and not rows["B1-K2-W2"].addressed


def test_goal_rows_carry_status_latest_rating_and_evidence(world):
    rows = rows_by_code(student_coverage(world["student"], world["student"]))
    signed = rows[f"{W}1"].goals[0]
    assert signed.status == GoalStatus.SIGNED_OFF and signed.signed_off
    # The newest rating, not the last feedback (a comment without a rating came after it).
    assert signed.latest_rating == 4
    [proof] = signed.evidence
    assert (proof.title, proof.date, proof.minutes, proof.verified) == (
        "Buurtmaaltijd",
        date(2026, 11, 2),
        90,
        True,
    )
    reopened = rows[f"{W}3"].goals[0]
    assert reopened.status == GoalStatus.ACTIVE and not reopened.signed_off
    assert reopened.latest_rating is None
    assert [(e.title, e.verified) for e in reopened.evidence] == [("Flyers rondbrengen", False)]


def test_supervisor_sees_only_the_goals_of_the_teams_they_supervise(world):
    coverage = student_coverage(world["student"], world["supervisor"])
    assert (coverage.total, coverage.addressed, coverage.covered) == (8, 4, 3)
    assert coverage.only_supervised
    assert not rows_by_code(coverage)["B1-K2-W1"].goals
    other = student_coverage(world["student"], world["other_supervisor"])
    assert (other.addressed, other.covered) == (1, 0)
    assert [g.goal.title for g in rows_by_code(other)["B1-K2-W1"].goals] == ["Doel in team B"]


def test_wijkdocent_sees_all_goals_and_opens_only_those_of_own_projects(world):
    coverage = student_coverage(world["student"], world["wijkdocent"])
    assert (coverage.addressed, coverage.covered) == (5, 3)
    rows = rows_by_code(coverage)
    assert rows[f"{W}1"].goals[0].may_open
    assert not rows["B1-K2-W1"].goals[0].may_open  # team B is another wijkdocent's project


def test_hbo_student_is_measured_against_the_hbo_competences(world):
    coverage = student_coverage(world["hbo"], world["hbo"])
    assert coverage.framework == "hbo-social-work"
    assert (coverage.total, coverage.addressed, coverage.covered) == (11, 1, 0)
    assert coverage.leaf_kind == "competence"


def test_team_matrix_groups_members_by_framework_with_the_best_status(world):
    coverage = team_coverage(world["team"])
    mbo, hbo = coverage.matrices
    assert mbo.framework == "mbo-sociaal-werk-4" and hbo.framework == "hbo-social-work"
    assert [(c.student.name, c.current) for c in mbo.members] == [
        ("Ayşe Demir", True),
        ("Jesse de Groot", False),
    ]
    assert [c.student.name for c in hbo.members] == ["Iris Meijer"]
    cells = {r.item.code: r.cells for r in mbo.rows}
    assert cells[f"{W}1"] == [GoalStatus.SIGNED_OFF, GoalStatus.DRAFT]
    # Signed off beats active (the reopened goal also addresses W2).
    assert cells[f"{W}2"] == [GoalStatus.SIGNED_OFF, None]
    assert cells[f"{W}3"] == [GoalStatus.ACTIVE, None]
    assert cells["B1-K1"] == [GoalStatus.REVIEW_REQUESTED, None]
    # Team B's goal does not show on team A's matrix.
    assert cells["B1-K2-W1"] == [None, None]
    by_code = {r.item.code: r for r in mbo.rows}
    assert (by_code[f"{W}1"].addressed, by_code[f"{W}1"].covered) == (2, 1)
    assert by_code[f"{W}5"].addressed == 0
    ayse, jesse = mbo.members
    assert (ayse.addressed, ayse.covered, jesse.addressed, jesse.covered) == (4, 3, 1, 0)
    assert {r.item.code: r.cells for r in hbo.rows}["SW-K1-C1"] == [GoalStatus.ACTIVE]


def test_summary_counts_sign_offs_up_to_the_cutoff_and_never_a_revoked_one(world):
    summary = coverage_summary(world["student"], world["team"], date(2026, 11, 30))
    assert summary == {
        "framework": "mbo-sociaal-werk-4",
        "framework_title": "Mbo Sociaal werk, niveau 4",
        "total": 8,
        "covered": 2,
        "addressed": 4,
        "covered_items": [
            {"code": f"{W}1", "title": item(f"{W}1").title},
            {"code": f"{W}2", "title": item(f"{W}2").title},
        ],
        "uncovered_codes": [f"{W}3", f"{W}4", f"{W}5", "B1-K2-W1", "B1-K2-W2", "B1-K2-W3"],
    }
    json.dumps(summary)  # plain values only
    later = coverage_summary(world["student"], world["team"], date(2026, 12, 31))
    assert (later["covered"], later["addressed"]) == (3, 4)
    assert [i["code"] for i in later["covered_items"]] == [f"{W}1", f"{W}2", f"{W}4"]


def test_summary_only_counts_goals_of_that_team(world):
    summary = coverage_summary(world["student"], world["other_team"], date(2026, 12, 31))
    assert (summary["total"], summary["addressed"], summary["covered"]) == (8, 1, 0)


def test_summary_cutoff_is_an_amsterdam_date(world):
    # 23:30 UTC on 30 November is already 1 December in Amsterdam.
    world["g_late"].sign_offs[0].signed_at = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    db.session.commit()
    summary = coverage_summary(world["student"], world["team"], date(2026, 11, 30))
    assert summary["covered"] == 2
    summary = coverage_summary(world["student"], world["team"], date(2026, 12, 1))
    assert summary["covered"] == 3


def test_summary_of_a_student_without_goals_lists_every_item_as_uncovered(world):
    summary = coverage_summary(world["former"], world["other_team"], date(2026, 12, 31))
    assert (summary["total"], summary["addressed"], summary["covered"]) == (8, 0, 0)
    assert len(summary["uncovered_codes"]) == 8 and summary["covered_items"] == []


# --- the pages --------------------------------------------------------------------------------


def test_student_page_shows_counts_goals_and_items_without_a_goal(world, client, login_as):
    login_as(world["student"])
    response = client.get(f"/students/{world['student'].id}/coverage")
    assert response.status_code == 200
    html = page(response)
    assert "8 werkprocessen" in html
    assert "5 van 8" in html and "3 van 8" in html
    # W5 and B1-K2-W2/W3 have no goal: marked in text, not only by colour.
    assert html.count("geen leerdoel") == 3
    w5 = html[html.index('id="item-B1-K1-W5"') :]
    assert "geen leerdoel" in w5[: w5.index("</tr>")]
    assert "zelfstandig zichtbaar" in html  # rating 4
    assert "Buurtmaaltijd" in html and "goedgekeurd" in html and "wacht op controle" in html
    assert "Doel in team B" in html


def test_supervisor_page_hides_goals_of_other_teams(world, client, login_as):
    login_as(world["supervisor"])
    response = client.get(f"/students/{world['student'].id}/coverage")
    assert response.status_code == 200
    html = page(response)
    assert "Maaltijd" in html and "Doel in team B" not in html
    assert "alleen de leerdoelen uit de teams die jij begeleidt" in html
    assert "4 van 8" in html


def test_team_page_shows_the_matrix_with_former_members_marked(world, client, login_as):
    login_as(world["supervisor"])
    response = client.get(f"/teams/{world['team'].id}/coverage")
    assert response.status_code == 200
    html = page(response)
    assert "Mbo Sociaal werk, niveau 4" in html and "Hbo Social Work" in html
    assert "Jesse de Groot" in html and "oud-lid" in html
    assert "Doel in team B" not in html
    assert re.search(r'<th scope="col">.*Ayşe Demir', html)
    assert "2 van 2 · 1 afgetekend" in html  # W1: Ayşe signed off, Jesse a draft
    assert f'href="/students/{world["student"].id}/coverage"' in html


def test_pages_link_to_the_coverage_pages(world, client, login_as):
    login_as(world["supervisor"])
    team_page = page(client.get(f"/teams/{world['team'].id}"))
    assert f"/teams/{world['team'].id}/coverage" in team_page
    goal_page = page(client.get(f"/goals/{world['g_signed'].id}"))
    assert f"/students/{world['student'].id}/coverage" in goal_page
    login_as(world["student"])
    assert f"/students/{world['student'].id}/coverage" in page(client.get("/goals/"))
    assert f"/teams/{world['team'].id}/coverage" not in page(
        client.get(f"/teams/{world['team'].id}")
    )


# --- who may see it ---------------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(world, client):
    for url in (
        f"/students/{world['student'].id}/coverage",
        f"/teams/{world['team'].id}/coverage",
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/auth/login")


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("student", 200),
        ("supervisor", 200),
        ("other_supervisor", 200),
        ("wijkdocent", 200),
        ("other_wijkdocent", 200),
        ("admin", 200),
        ("teammate", 404),  # a fellow student (here the hbo teammate) does not see it
        ("stranger_student", 404),
        ("stranger_supervisor", 404),
    ],
)
def test_who_sees_a_students_coverage(world, client, login_as, admin, who, status):
    people = {
        **world,
        "teammate": world["hbo"],
        "admin": admin,
        "other_wijkdocent": factories.make_user(role="wijkdocent"),
        "stranger_student": factories.make_student(),
        "stranger_supervisor": factories.make_supervisor(),
    }
    db.session.commit()
    login_as(people[who])
    assert client.get(f"/students/{world['student'].id}/coverage").status_code == status


def test_coverage_of_someone_who_is_not_a_student_is_not_found(world, client, login_as, admin):
    login_as(admin)
    assert client.get(f"/students/{world['supervisor'].id}/coverage").status_code == 404
    assert client.get("/students/999999/coverage").status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("supervisor", 200),
        ("wijkdocent", 200),
        ("other_wijkdocent", 200),
        ("admin", 200),
        ("student", 403),  # a member knows the team, but this page is not for students
        ("former", 403),
        ("stranger_student", 404),
        ("other_supervisor", 404),
    ],
)
def test_who_sees_a_teams_coverage(world, client, login_as, admin, who, status):
    people = {
        **world,
        "admin": admin,
        "other_wijkdocent": factories.make_user(role="wijkdocent"),
        "stranger_student": factories.make_student(),
    }
    db.session.commit()
    login_as(people[who])
    assert client.get(f"/teams/{world['team'].id}/coverage").status_code == status
    assert client.get("/teams/999999/coverage").status_code == 404


# --- query counts -----------------------------------------------------------------------------


def add_goals(team, student, supervisor, n: int) -> None:
    """``n`` more goals on several items, each signed off, rated and with evidence."""
    codes = [f"{W}1", f"{W}3", f"{W}5", "B1-K2-W2", "B1-K1"]
    for i in range(n):
        goal = goal_with(team, student, "signed_off", codes[: 1 + i % len(codes)])
        sign(goal, supervisor, datetime(2026, 11, 10, 12, tzinfo=UTC))
        rate(goal, supervisor, 1 + i % 5)
        evidence(goal, factories.make_task(team=team, participants=[student], status="verified"))
    db.session.commit()


def test_student_page_runs_a_fixed_number_of_queries(world, client, login_as):
    login_as(world["wijkdocent"])
    url = f"/students/{world['student'].id}/coverage"
    small = count_for(client, url)
    add_goals(world["team"], world["student"], world["supervisor"], 6)
    third = factories.make_team(
        project=factories.make_project(status=ProjectStatus.ACTIVE), members=[world["student"]]
    )
    add_goals(third, world["student"], third.supervisor, 4)
    large = count_for(client, url)
    assert small == large, f"{small} queries with 5 goals, {large} with 15"


def test_team_page_runs_a_fixed_number_of_queries(world, client, login_as):
    login_as(world["wijkdocent"])
    url = f"/teams/{world['team'].id}/coverage"
    small = count_for(client, url)
    team = world["team"]
    for level in ("mbo", "hbo", "mbo", "mbo"):
        newcomer = factories.make_student(level=level)
        db.session.add(TeamMembership(team=team, student=newcomer, joined_on=team.start_date))
        db.session.flush()
        add_goals(team, newcomer, world["supervisor"], 3)
    large = count_for(client, url)
    assert small == large, f"{small} queries for 3 members, {large} for 7"
