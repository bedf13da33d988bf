"""A save that loses a race to another save answers 409 with the reload message, never 500:
the stale-data and unique-constraint errors are handled in one place (the app's error handlers),
with a rollback, and as JSON under /api. Each race is made deterministic here by committing the
other save between the version check and the UPDATE; tests/integrity/test_races.py runs the real
thing against gunicorn."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from tests import factories
from wijklab import create_app
from wijklab.extensions import db
from wijklab.goals import services as goal_services
from wijklab.goals.models import GoalEvidence, GoalStatus, LearningGoal, SignOff
from wijklab.projects.models import ProjectStatus
from wijklab.tasks import services as task_services
from wijklab.tasks.models import Task, TaskEvent, TaskStatus

RELOAD = "Laad de pagina opnieuw"


@pytest.fixture(autouse=True)
def fixed_today(clock):
    clock.set(date(2026, 11, 28))


@pytest.fixture
def team(wijkdocent):
    project = factories.make_project(owner=wijkdocent, status=ProjectStatus.ACTIVE)
    return factories.make_team(project=project, members=[factories.make_student()])


def count(model, *where) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(model.id)).where(*where))


def other_save_commits(model, obj_id: int) -> None:
    """Another request's UPDATE of the same row, behind this session's back (without flushing
    what this request has changed so far)."""
    with db.session.no_autoflush:
        db.session.execute(
            update(model).where(model.id == obj_id).values(version=model.version + 1),
            execution_options={"synchronize_session": False},
        )


def test_goal_edit_that_loses_the_race_gets_409_not_500(client, login_as, team, monkeypatch):
    goal = factories.make_goal(team=team, title="Voor")
    student = goal.student
    version = goal.version
    db.session.commit()
    items = goal_services._items

    def concurrent_edit(ids):
        found = items(ids)
        other_save_commits(LearningGoal, goal.id)
        return found

    monkeypatch.setattr(goal_services, "_items", concurrent_edit)
    login_as(student)
    response = client.post(f"/goals/{goal.id}/edit", data={"title": "Na", "version": str(version)})
    assert response.status_code == 409
    assert RELOAD in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(LearningGoal, goal.id).title == "Voor"


def test_verify_that_loses_the_race_gets_409_and_stores_nothing(
    client, login_as, team, monkeypatch
):
    task = factories.make_task(team=team)
    db.session.commit()
    event = task_services._event

    def concurrent_verify(task_, *args, **kwargs):
        other_save_commits(Task, task_.id)
        return event(task_, *args, **kwargs)

    monkeypatch.setattr(task_services, "_event", concurrent_verify)
    login_as(team.supervisor)
    response = client.post(f"/tasks/{task.id}/verify", data={"version": str(task.version)})
    assert response.status_code == 409
    assert RELOAD in response.get_data(as_text=True)
    assert count(TaskEvent) == 0
    assert db.session.get(Task, task.id).status == TaskStatus.PENDING


def test_sign_off_that_loses_the_race_gets_409_and_stores_nothing(
    client, login_as, team, monkeypatch
):
    goal = factories.make_goal(team=team, status="review_requested")
    done = factories.make_task(team=team, participants=[goal.student], status="verified")
    db.session.add(GoalEvidence(goal=goal, participation=done.participations[0]))
    db.session.commit()
    verified = goal_services.verified_evidence

    def concurrent_sign_off(goal_):
        other_save_commits(LearningGoal, goal_.id)
        return verified(goal_)

    monkeypatch.setattr(goal_services, "verified_evidence", concurrent_sign_off)
    login_as(team.supervisor)
    response = client.post(
        f"/goals/{goal.id}/transition",
        data={"action": "sign_off", "version": str(goal.version), "statement": "Goed."},
    )
    assert response.status_code == 409
    assert RELOAD in response.get_data(as_text=True)
    assert count(SignOff) == 0
    assert db.session.get(LearningGoal, goal.id).status == GoalStatus.REVIEW_REQUESTED


@pytest.fixture
def api_app(tmp_path):
    """A separate app with routes that fail as a lost race does, under /api and elsewhere."""
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/api.sqlite",
            "WTF_CSRF_ENABLED": False,
        }
    )

    def stale():
        raise StaleDataError("UPDATE statement on table 'task' expected to update 1 row(s)")

    def duplicate():
        raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))

    for prefix in ("/api/race", "/race"):
        app.add_url_rule(f"{prefix}/stale", f"{prefix}-stale", stale, methods=["POST"])
        app.add_url_rule(f"{prefix}/duplicate", f"{prefix}-dup", duplicate, methods=["POST"])
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("kind", ["stale", "duplicate"])
def test_lost_race_under_api_answers_json_409(api_app, kind):
    response = api_app.test_client().post(f"/api/race/{kind}")
    assert response.status_code == 409
    assert response.is_json
    assert response.get_json()["error"]


@pytest.mark.parametrize("kind", ["stale", "duplicate"])
def test_lost_race_on_a_page_answers_the_dutch_reload_page(api_app, kind):
    response = api_app.test_client().post(f"/race/{kind}")
    assert response.status_code == 409
    assert response.mimetype == "text/html"
    assert RELOAD in response.get_data(as_text=True)
