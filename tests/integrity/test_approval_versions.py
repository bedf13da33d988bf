"""Approval is tied to what the supervisor saw: every verify, return, bulk verify, sign-off and
bulk sign-off carries the version the decision was made on, and a changed task or goal is
refused with a message while nothing happens (for the bulk actions: nothing at all)."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
from sqlalchemy import func, select

from tests import factories
from wijklab.errors import Conflict
from wijklab.extensions import db
from wijklab.goals import services as goal_services
from wijklab.goals.models import (
    Feedback,
    GoalEvidence,
    GoalStatus,
    LearningGoal,
    SignOff,
)
from wijklab.projects.models import ProjectStatus
from wijklab.tasks import services as task_services
from wijklab.tasks.models import Task, TaskEvent, TaskStatus

TODAY = date(2026, 11, 28)
DAY = date(2026, 11, 2)
TASK_CHANGED = "Deze taak is intussen gewijzigd; bekijk hem opnieuw."
GOAL_CHANGED = "Dit leerdoel is intussen gewijzigd; bekijk het opnieuw."


@pytest.fixture(autouse=True)
def fixed_today(clock):
    clock.set(TODAY)


@pytest.fixture
def project(wijkdocent):
    return factories.make_project(owner=wijkdocent, status=ProjectStatus.ACTIVE)


@pytest.fixture
def boss(project):
    return factories.make_supervisor(organisation=project.partner, name="Henk Begeleider")


@pytest.fixture
def ana():
    return factories.make_student(name="Ana Jansen")


@pytest.fixture
def bram():
    return factories.make_student(name="Bram de Wit")


@pytest.fixture
def chris():
    return factories.make_student(name="Chris Bakker")


@pytest.fixture
def team(project, boss, ana, bram, chris):
    return factories.make_team(project=project, supervisor=boss, members=[ana, bram, chris])


@pytest.fixture
def task(team, ana, bram):
    """480 minutes, as the supervisor sees it on the page."""
    return factories.make_task(team=team, participants=[ana, bram], minutes=240, date=DAY)


def reload(model, obj_id: int):
    db.session.rollback()
    return db.session.get(model, obj_id)


def count(model, *where) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(model.id)).where(*where))


def page(response) -> str:
    return unescape(response.get_data(as_text=True))


def flashed(client, response) -> str:
    return page(client.get(response.headers["Location"]))


def hidden_version(html: str, action: str) -> str:
    """The version in the form that posts to ``action``."""
    form = re.search(rf'<form[^>]*action="{re.escape(action)}".*?</form>', html, re.DOTALL)
    assert form is not None, f"no form for {action}"
    return re.search(r'name="version" value="(\d+)"', form.group(0)).group(1)


def member_raises_to_2700_minutes(task: Task, ana, bram, chris) -> None:
    """A member's edit lands between the supervisor's look and the supervisor's click."""
    data = task_services.TaskData(
        date=task.date,
        title=task.title,
        category=task.category,
        participants=[task_services.Participant(s.id, 900) for s in (ana, bram, chris)],
    )
    task_services.edit_task(task, data, by=ana, version=task.version, today=TODAY)
    db.session.commit()


# --- tasks -----------------------------------------------------------------------------------


def test_task_page_carries_the_version_in_verify_and_return(client, login_as, task, boss):
    login_as(boss)
    html = page(client.get(f"/tasks/{task.id}"))
    assert hidden_version(html, f"/tasks/{task.id}/verify") == str(task.version)
    assert hidden_version(html, f"/tasks/{task.id}/return") == str(task.version)
    assert reload(Task, task.id).status == TaskStatus.PENDING


def test_verify_of_a_task_changed_since_it_was_seen_is_refused(
    client, login_as, task, boss, ana, bram, chris
):
    login_as(boss)
    seen = hidden_version(page(client.get(f"/tasks/{task.id}")), f"/tasks/{task.id}/verify")
    member_raises_to_2700_minutes(reload(Task, task.id), ana, bram, chris)
    response = client.post(f"/tasks/{task.id}/verify", data={"version": seen})
    assert response.status_code == 303
    assert TASK_CHANGED in flashed(client, response)
    task = reload(Task, task.id)
    assert task.status == TaskStatus.PENDING
    assert task.total_minutes == 2700
    assert task.verified_by_id is None
    assert count(TaskEvent, TaskEvent.action == "verified") == 0


def test_verify_on_the_version_seen_approves(client, login_as, task, boss):
    login_as(boss)
    seen = hidden_version(page(client.get(f"/tasks/{task.id}")), f"/tasks/{task.id}/verify")
    response = client.post(f"/tasks/{task.id}/verify", data={"version": seen})
    assert response.status_code == 302
    task = reload(Task, task.id)
    assert task.status == TaskStatus.VERIFIED
    assert task.verified_by_id == boss.id


@pytest.mark.parametrize("version", [None, "", "abc", "²", "-1", "9" * 50])
def test_verify_without_a_usable_version_changes_nothing(client, login_as, task, boss, version):
    login_as(boss)
    data = {} if version is None else {"version": version}
    response = client.post(f"/tasks/{task.id}/verify", data=data)
    assert response.status_code == 400
    assert reload(Task, task.id).status == TaskStatus.PENDING
    assert count(TaskEvent) == 0


def test_return_of_a_task_changed_since_it_was_seen_is_refused(
    client, login_as, task, boss, ana, bram, chris
):
    login_as(boss)
    seen = hidden_version(page(client.get(f"/tasks/{task.id}")), f"/tasks/{task.id}/return")
    member_raises_to_2700_minutes(reload(Task, task.id), ana, bram, chris)
    response = client.post(
        f"/tasks/{task.id}/return", data={"version": seen, "reason": "Splits dit."}
    )
    assert response.status_code == 303
    assert TASK_CHANGED in flashed(client, response)
    task = reload(Task, task.id)
    assert task.status == TaskStatus.PENDING
    assert task.return_reason == ""
    assert count(TaskEvent, TaskEvent.action == "returned") == 0


def test_services_refuse_a_decision_on_an_older_version(app, task, boss, ana, bram, chris):
    old = task.version
    member_raises_to_2700_minutes(task, ana, bram, chris)
    task = reload(Task, task.id)
    with pytest.raises(Conflict):
        task_services.verify_task(task, by=boss, on_behalf=False, version=old)
    with pytest.raises(Conflict):
        task_services.return_task(task, by=boss, reason="Nee.", version=old)
    assert reload(Task, task.id).status == TaskStatus.PENDING
    assert count(TaskEvent, TaskEvent.action.in_(["verified", "returned"])) == 0


def test_waiting_list_carries_each_tasks_version(client, login_as, task, boss):
    login_as(boss)
    html = page(client.get("/tasks/waiting"))
    assert f'name="version_{task.id}" value="{task.version}"' in html


def test_bulk_verify_with_one_changed_task_verifies_none(
    client, login_as, team, task, boss, ana, bram, chris
):
    other = factories.make_task(team=team, participants=[chris], date=date(2026, 11, 3))
    db.session.commit()
    login_as(boss)
    html = page(client.get("/tasks/waiting"))
    versions = dict(re.findall(r'name="(version_\d+)" value="(\d+)"', html))
    member_raises_to_2700_minutes(reload(Task, task.id), ana, bram, chris)
    response = client.post(
        "/tasks/verify", data={"task_id": [str(task.id), str(other.id)], **versions}
    )
    assert response.status_code == 303
    assert "intussen gewijzigd" in flashed(client, response)
    assert reload(Task, task.id).status == TaskStatus.PENDING
    assert reload(Task, other.id).status == TaskStatus.PENDING
    assert count(TaskEvent, TaskEvent.action == "verified") == 0


def test_bulk_verify_on_the_versions_seen_verifies_all(client, login_as, team, task, boss, chris):
    other = factories.make_task(team=team, participants=[chris], date=date(2026, 11, 3))
    db.session.commit()
    login_as(boss)
    versions = dict(
        re.findall(r'name="(version_\d+)" value="(\d+)"', page(client.get("/tasks/waiting")))
    )
    response = client.post(
        "/tasks/verify", data={"task_id": [str(task.id), str(other.id)], **versions}
    )
    assert response.status_code == 302
    assert reload(Task, task.id).status == TaskStatus.VERIFIED
    assert reload(Task, other.id).status == TaskStatus.VERIFIED
    assert count(TaskEvent, TaskEvent.action == "verified") == 2


@pytest.mark.parametrize(
    "data",
    [
        {"task_id": "TASK"},  # no version
        {"task_id": "TASK", "version_TASK": "²"},
        {"task_id": "²", "version_TASK": "1"},
        {"task_id": "9" * 5000, "version_TASK": "1"},
        {"task_id": "-1", "version_TASK": "1"},
    ],
)
def test_bulk_verify_with_malformed_ids_or_versions_changes_nothing(
    client, login_as, task, boss, data
):
    login_as(boss)
    data = {
        k.replace("TASK", str(task.id)): v.replace("TASK", str(task.id)) for k, v in data.items()
    }
    response = client.post("/tasks/verify", data=data)
    assert response.status_code in (303, 400)
    assert reload(Task, task.id).status == TaskStatus.PENDING
    assert count(TaskEvent) == 0


# --- goals -----------------------------------------------------------------------------------


def goal_in_review(team, student) -> LearningGoal:
    goal = factories.make_goal(team=team, student=student, status="review_requested")
    done = factories.make_task(team=team, participants=[student], status="verified", date=DAY)
    db.session.add(GoalEvidence(goal=goal, participation=done.participations[0]))
    db.session.commit()
    return goal


def student_changes(goal: LearningGoal) -> None:
    """Something changes the goal in the meantime (here: the student adds evidence)."""
    extra = factories.make_task(
        team=goal.team, participants=[goal.student], date=date(2026, 11, 4), title="Extra"
    )
    goal_services.add_evidence(goal, extra.participations[0], by=goal.student)
    db.session.commit()


def test_adding_evidence_changes_the_goals_version(app, team, ana):
    goal = goal_in_review(team, ana)
    before = goal.version
    student_changes(goal)
    assert reload(LearningGoal, goal.id).version == before + 1


def test_sign_off_of_a_goal_changed_since_it_was_seen_is_refused(client, login_as, team, boss, ana):
    goal = goal_in_review(team, ana)
    login_as(boss)
    seen = hidden_version(page(client.get(f"/goals/{goal.id}")), f"/goals/{goal.id}/transition")
    student_changes(reload(LearningGoal, goal.id))
    response = client.post(
        f"/goals/{goal.id}/transition",
        data={"action": "sign_off", "version": seen, "statement": "Goed gedaan."},
    )
    assert response.status_code == 303
    assert GOAL_CHANGED in flashed(client, response)
    assert reload(LearningGoal, goal.id).status == GoalStatus.REVIEW_REQUESTED
    assert count(SignOff) == 0


def test_goal_return_on_an_older_version_is_refused(client, login_as, team, boss, ana):
    goal = goal_in_review(team, ana)
    seen = goal.version
    student_changes(goal)
    login_as(boss)
    response = client.post(
        f"/goals/{goal.id}/transition",
        data={"action": "return", "version": str(seen), "reason": "Nog niet."},
    )
    assert response.status_code == 303
    assert GOAL_CHANGED in flashed(client, response)
    assert reload(LearningGoal, goal.id).status == GoalStatus.REVIEW_REQUESTED
    assert count(Feedback) == 0


def test_review_list_carries_each_goals_version(client, login_as, team, boss, ana):
    goal = goal_in_review(team, ana)
    login_as(boss)
    html = page(client.get("/goals/?status=review_requested"))
    assert f'name="version_{goal.id}" value="{goal.version}"' in html


def test_bulk_sign_off_with_one_changed_goal_signs_off_none(client, login_as, team, boss, ana):
    first, second = goal_in_review(team, ana), goal_in_review(team, ana)
    login_as(boss)
    html = page(client.get("/goals/?status=review_requested"))
    versions = dict(re.findall(r'name="(version_\d+)" value="(\d+)"', html))
    assert len(versions) == 2
    student_changes(reload(LearningGoal, second.id))
    response = client.post(
        "/goals/sign-off",
        data={"goal_id": [str(first.id), str(second.id)], "statement": "Goed", **versions},
    )
    assert response.status_code == 303
    assert "intussen gewijzigd" in flashed(client, response)
    assert reload(LearningGoal, first.id).status == GoalStatus.REVIEW_REQUESTED
    assert reload(LearningGoal, second.id).status == GoalStatus.REVIEW_REQUESTED
    assert count(SignOff) == 0


def test_bulk_sign_off_without_versions_signs_off_none(client, login_as, team, boss, ana):
    goal = goal_in_review(team, ana)
    login_as(boss)
    response = client.post("/goals/sign-off", data={"goal_id": [str(goal.id)], "statement": "Goed"})
    assert response.status_code in (303, 400)
    assert reload(LearningGoal, goal.id).status == GoalStatus.REVIEW_REQUESTED
    assert count(SignOff) == 0


def test_bulk_sign_off_on_the_versions_seen_signs_off_all(client, login_as, team, boss, ana):
    first, second = goal_in_review(team, ana), goal_in_review(team, ana)
    login_as(boss)
    html = page(client.get("/goals/?status=review_requested"))
    versions = dict(re.findall(r'name="(version_\d+)" value="(\d+)"', html))
    response = client.post(
        "/goals/sign-off",
        data={"goal_id": [str(first.id), str(second.id)], "statement": "Goed", **versions},
    )
    assert response.status_code == 302
    assert reload(LearningGoal, first.id).status == GoalStatus.SIGNED_OFF
    assert reload(LearningGoal, second.id).status == GoalStatus.SIGNED_OFF
    assert count(SignOff) == 2
