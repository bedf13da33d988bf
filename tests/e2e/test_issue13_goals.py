"""Issue 13 in the browser: the grouped, searchable framework items on the goal form at 360 and
1280 px, and axe-core on every goal page, dashboard block and project page changed for it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from wijklab.extensions import db
from wijklab.goals.models import GoalStatus, LearningGoal
from wijklab.projects.models import Project, ProjectStatus
from wijklab.teams.models import MemberRole, Team, TeamMembership

pytestmark = pytest.mark.e2e

STUDENT = "ayse.demir@student.example.org"
SUPERVISOR = "p.devries@demussen.example.org"


@pytest.fixture
def browser_context_args(browser_context_args):
    """axe-core is injected as an inline script, which the page's CSP refuses."""
    return {**browser_context_args, "bypass_csp": True}


@pytest.mark.parametrize("width", [360, 1280])
def test_goal_form_groups_and_filters_items(page, log_in, check_axe, screenshot, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, STUDENT, path="/teams/1/goals/new")
    own, other = page.locator("details.framework").all()
    expect(own).to_have_attribute("open", "")
    assert other.get_attribute("open") is None
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    check_axe(page, f"goal form at {width}px")
    search = page.get_by_label("Zoek op code of woord")
    search.fill("plan van aanpak")
    expect(page.get_by_label("B1-K1-W2", exact=False)).to_be_visible()
    expect(page.locator('li.framework-item:has-text("B1-K1-W1")')).to_be_hidden()
    search.fill("SW-K2")
    expect(other).to_have_attribute("open", "")
    expect(page.locator('p.framework-head:has-text("SW-K2")')).to_be_visible()
    screenshot(page, f"issue13-goal-form-{width}")
    # Without the script, "Zoeken" filters on the server and keeps what was ticked.
    page.get_by_label("SW-K2", exact=False).first.check()
    page.get_by_role("button", name="Zoeken").click()
    expect(page.get_by_label("SW-K2", exact=False).first).to_be_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _first(live_app, query):
    with live_app.app_context():
        value = db.session.scalar(query)
        db.session.remove()
        return value


def test_changed_goal_pages_pass_axe(page, live_app, log_in, check_axe):
    page.set_viewport_size({"width": 360, "height": 900})
    goal_id = _first(
        live_app,
        # A running project and a current peercoach: other tests move goals along, and an
        # active goal of a completed project's team shows on no peercoach's dashboard.
        select(LearningGoal.id)
        .join(TeamMembership, TeamMembership.team_id == LearningGoal.team_id)
        .join(Team, Team.id == LearningGoal.team_id)
        .join(Project, Project.id == Team.project_id)
        .where(
            LearningGoal.status == GoalStatus.ACTIVE,
            Project.status == ProjectStatus.ACTIVE,
            TeamMembership.role == MemberRole.PEER_COACH,
            TeamMembership.left_on.is_(None),
            TeamMembership.student_id != LearningGoal.student_id,
        )
        .order_by(LearningGoal.id),
    )
    with live_app.app_context():
        goal = db.session.get(LearningGoal, goal_id)
        owner = goal.student.email
        coach = next(
            m.student.email
            for m in goal.team.memberships
            if m.role == MemberRole.PEER_COACH and m.left_on is None
        )
        db.session.remove()
    log_in(page, owner, path=f"/goals/{goal_id}")
    check_axe(page, "own goal page")
    ask = page.get_by_role("button", name="Peercoach om feedback vragen")
    if ask.count():
        ask.click()
        expect(page.get_by_text("Je peercoach is om feedback gevraagd.")).to_be_visible()
    page.context.clear_cookies()
    log_in(page, coach, path="/")
    expect(page.get_by_role("heading", name="Jij bent peercoach")).to_be_visible()
    check_axe(page, "peer coach dashboard")
    page.context.clear_cookies()
    log_in(page, SUPERVISOR, path="/goals/?status=review_requested")
    check_axe(page, "bulk sign-off list")
    log_in(page, SUPERVISOR, path="/projects/1")
    check_axe(page, "project page")
