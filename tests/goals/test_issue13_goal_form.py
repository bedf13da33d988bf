"""Issue 13: the goal form groups framework items by framework and core task, the student's own
framework open, searchable without JavaScript, and keeps what was ticked after a failed submit."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from tests import factories
from tests.forms import form_state
from wijklab.extensions import db
from wijklab.goals.loader import load_shipped_frameworks
from wijklab.goals.models import FrameworkItem, LearningGoal
from wijklab.projects.models import ProjectStatus


def item(code: str) -> FrameworkItem:
    return db.session.scalar(select(FrameworkItem).where(FrameworkItem.code == code))


@pytest.fixture
def world(app, wijkdocent, supervisor):
    load_shipped_frameworks()
    db.session.commit()
    project = factories.make_project(owner=wijkdocent, status=ProjectStatus.ACTIVE)
    student = factories.make_student(level="mbo")
    hbo_student = factories.make_student(level="hbo")
    team = factories.make_team(
        project=project, supervisor=supervisor, members=[student, hbo_student]
    )
    return {"team": team, "student": student, "hbo_student": hbo_student}


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def details_blocks(html: str) -> list[str]:
    return re.findall(r"<details[^>]*>.*?</details>", html, re.S)


def test_items_are_grouped_under_framework_and_core_task(client, login_as, world):
    login_as(world["student"])
    html = text(client.get(f"/teams/{world['team'].id}/goals/new"))
    blocks = details_blocks(html)
    assert len(blocks) == 2
    mbo, hbo = blocks
    # The own (mbo) framework comes first and is open; the hbo one is folded.
    assert "Mbo Sociaal werk" in mbo and re.match(r"<details[^>]*\bopen\b", mbo)
    assert "Hbo Social Work" in hbo and not re.match(r"<details[^>]*\bopen\b", hbo)
    # A work process is listed under its core task.
    group = re.search(r"data-item-group>(.*?)</div>", mbo, re.S).group(1)
    assert "B1-K1" in group and "B1-K1-W1" in group and "B1-K2-W1" not in group
    assert "SW-K1-C1" in hbo


def test_hbo_student_sees_own_framework_open(client, login_as, world):
    login_as(world["hbo_student"])
    blocks = details_blocks(text(client.get(f"/teams/{world['team'].id}/goals/new")))
    assert "Hbo Social Work" in blocks[0] and re.match(r"<details[^>]*\bopen\b", blocks[0])
    assert not re.match(r"<details[^>]*\bopen\b", blocks[1])


def test_search_without_javascript_filters_and_keeps_input(client, login_as, world):
    login_as(world["student"])
    ticked = item("SW-K1-C1")
    response = client.post(
        f"/teams/{world['team'].id}/goals/new",
        data={
            "title": "Ik leid een bijeenkomst",
            "description": "Met de buurt.",
            "framework_items": [ticked.id],
            "items_q": "plan van aanpak",
            "find_items": "1",
        },
    )
    assert response.status_code == 200
    assert db.session.scalar(select(LearningGoal)) is None  # searching saves nothing
    html = text(response)
    assert "B1-K1-W2" in html  # "Stelt samen met mensen een plan van aanpak op"
    assert "B1-K1-W1" not in html
    state = form_state(html)
    assert state["title"] == ["Ik leid een bijeenkomst"]
    assert [v.strip() for v in state["description"]] == ["Met de buurt."]
    # The ticked item of the other framework stays on the page and stays ticked.
    assert state["framework_items"] == [str(ticked.id)]
    assert state["items_q"] == ["plan van aanpak"]


def test_search_by_code_opens_matching_framework(client, login_as, world):
    login_as(world["student"])
    html = text(client.get(f"/teams/{world['team'].id}/goals/new?items_q=sw-k2"))
    mbo, hbo = details_blocks(html)
    assert re.match(r"<details[^>]*\bopen\b", hbo) and "SW-K2" in hbo
    assert "B1-K1" not in mbo


def test_failed_submit_keeps_ticked_items(client, login_as, world):
    login_as(world["student"])
    a, b = item("B1-K1-W3"), item("SW-K2")
    response = client.post(
        f"/teams/{world['team'].id}/goals/new",
        data={"title": "", "framework_items": [a.id, b.id]},
    )
    assert response.status_code == 422
    assert db.session.scalar(select(LearningGoal)) is None
    state = form_state(text(response))
    assert sorted(state["framework_items"]) == sorted([str(a.id), str(b.id)])


def test_edit_search_keeps_goal_unchanged(client, login_as, world):
    goal = factories.make_goal(team=world["team"], student=world["student"], title="Oud")
    db.session.commit()
    login_as(world["student"])
    response = client.post(
        f"/goals/{goal.id}/edit",
        data={"title": "Nieuw", "version": str(goal.version), "find_items": "1", "items_q": "x"},
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(LearningGoal, goal.id).title == "Oud"
    assert form_state(text(response))["title"] == ["Nieuw"]


def test_script_is_same_origin_and_page_has_no_inline_script(client, login_as, world):
    login_as(world["student"])
    html = text(client.get(f"/teams/{world['team'].id}/goals/new"))
    assert '<script src="/static/js/goal-items.js" defer></script>' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    response = client.get("/static/js/goal-items.js")
    assert response.status_code == 200
    response.close()
