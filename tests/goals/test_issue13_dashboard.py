"""Issue 13: peer coaching as its own kind of work on the project page, and a student's
dashboard greeting that changes once there is data."""

from __future__ import annotations

import re
from html import unescape

import pytest

from tests import factories
from wijklab.extensions import db
from wijklab.projects.models import ProjectStatus
from wijklab.tasks.forms import CATEGORY_LABELS
from wijklab.tasks.models import Category


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


@pytest.fixture
def world(app, wijkdocent, supervisor):
    project = factories.make_project(owner=wijkdocent, status=ProjectStatus.ACTIVE)
    student = factories.make_student()
    coach = factories.make_student()
    team = factories.make_team(
        project=project, supervisor=supervisor, members=[student, coach], coach=coach
    )
    return {
        "project": project,
        "team": team,
        "student": student,
        "coach": coach,
        "supervisor": supervisor,
        "wijkdocent": wijkdocent,
    }


def test_peer_coaching_is_a_kind_of_work():
    assert Category.PEER_COACHING.value == "peer_coaching"
    assert str(CATEGORY_LABELS[Category.PEER_COACHING]) == "Peercoaching"


def test_project_page_shows_peer_coaching_time_per_team(client, login_as, world):
    team = world["team"]
    factories.make_task(
        team=team,
        participants=[world["coach"]],
        minutes=90,
        category=Category.PEER_COACHING,
        status="verified",
    )
    factories.make_task(
        team=team, participants=[world["coach"]], minutes=30, category=Category.PEER_COACHING
    )
    factories.make_task(
        team=team,
        participants=[world["coach"]],
        minutes=600,
        category=Category.PEER_COACHING,
        status="returned",
    )
    factories.make_task(team=team, participants=[world["student"]], minutes=240)
    db.session.commit()
    for viewer in (world["supervisor"], world["wijkdocent"]):
        login_as(viewer)
        html = text(client.get(f"/projects/{world['project'].id}"))
        section = html.split("<h2>Peercoaching</h2>", 1)[1].split("</table>", 1)[0]
        assert team.name in section
        assert "1,5" in section and "0,5" in section  # approved and waiting, in hours
        # The returned task (10 hours) does not count: no "10,0", "10,5" or "11,5" anywhere.
        assert not re.search(r"(?<![\d,])1[01],[05]", section), section


def test_project_page_without_peer_coaching_has_no_block(client, login_as, world):
    login_as(world["wijkdocent"])
    assert "<h2>Peercoaching</h2>" not in text(client.get(f"/projects/{world['project'].id}"))


def test_greeting_for_a_new_student(client, login_as, app):
    student = factories.make_student(name="Sem Visser")
    db.session.commit()
    login_as(student)
    html = text(client.get("/"))
    assert "Welkom, Sem Visser" in html
    assert "Dit staat er voor je klaar" not in html


def test_greeting_changes_once_there_is_data(client, login_as, world):
    student = world["student"]
    factories.make_goal(team=world["team"], student=student, status="active")
    factories.make_goal(team=world["team"], student=student, status="active")
    factories.make_task(team=world["team"], participants=[student], minutes=90)
    db.session.commit()
    login_as(student)
    html = text(client.get("/"))
    assert "Hallo, " in html and "Welkom, " not in html.split("</h1>", 1)[0]
    assert "Dit staat er voor je klaar" in html
    assert "2 actieve leerdoelen om aan te werken" in html
    assert "1,5 uur wacht op controle" in html


def test_greeting_of_peer_coach_counts_waiting_goals(client, login_as, world):
    goal = factories.make_goal(team=world["team"], student=world["student"], status="active")
    db.session.commit()
    login_as(world["student"])
    assert client.post(f"/goals/{goal.id}/ask-peer-coach").status_code == 302
    login_as(world["coach"])
    html = text(client.get("/"))
    assert "1 leerdoel wacht op je feedback als peercoach" in html
