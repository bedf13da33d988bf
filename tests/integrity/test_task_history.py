"""Personal data removed from a task description does not stay readable in the task's history:
the history records that the description changed, not its old or new text."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from tests import factories
from wijklab.extensions import db
from wijklab.projects.models import ProjectStatus
from wijklab.tasks import services
from wijklab.tasks.models import Task, TaskEvent

TODAY = date(2026, 11, 28)
PHONE = "06-12345678"
EMAIL = "jan.bewoner@example.org"


@pytest.fixture(autouse=True)
def fixed_today(clock):
    clock.set(TODAY)


@pytest.fixture
def task(wijkdocent):
    project = factories.make_project(owner=wijkdocent, status=ProjectStatus.ACTIVE)
    student = factories.make_student(name="Ana Jansen")
    team = factories.make_team(project=project, members=[student])
    task = factories.make_task(
        team=team,
        participants=[student],
        title="Huisbezoek",
        description=f"Meneer Jansen terugbellen op {PHONE} of mailen naar {EMAIL}.",
    )
    db.session.commit()
    return task


def edit_form(task: Task, version: int, **overrides) -> dict:
    data = {
        "date": task.date.isoformat(),
        "title": task.title,
        "category": task.category.value,
        "description": task.description,
        "residents_reached": str(task.residents_reached),
        "partners_involved": task.partners_involved,
        "version": str(version),
    }
    for p in task.participations:
        data[f"take_{p.student_id}"] = "y"
        data[f"minutes_{p.student_id}"] = str(p.minutes)
        data[f"role_{p.student_id}"] = p.role.value
    data.update(overrides)
    return data


def test_removed_phone_and_email_are_not_kept_in_the_history(client, login_as, task):
    author = task.author
    login_as(author)
    response = client.post(
        f"/tasks/{task.id}/edit",
        data=edit_form(task, task.version, description="Meneer terugbellen.", title="Bezoek"),
    )
    assert response.status_code == 302
    db.session.rollback()
    stored = " ".join(
        e.details for e in db.session.scalars(select(TaskEvent).where(TaskEvent.task_id == task.id))
    )
    assert PHONE not in stored
    assert EMAIL not in stored
    [edited] = db.session.scalars(select(TaskEvent).where(TaskEvent.action == "edited")).all()
    details = json.loads(edited.details)
    assert "description" in details  # that it changed is kept
    assert details["title"] == ["Huisbezoek", "Bezoek"]  # other fields keep before and after
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert PHONE not in page
    assert EMAIL not in page
    assert "beschrijving: gewijzigd" in page
    assert "titel: Huisbezoek → Bezoek" in page


def test_history_of_an_older_edit_does_not_show_the_description_text(app, task):
    """Events written before this rule kept the texts: the page no longer shows them."""
    event = TaskEvent(
        task_id=task.id,
        action="edited",
        details=json.dumps({"description": [f"bel {PHONE}", "bel later"]}),
    )
    db.session.add(event)
    db.session.flush()
    changes = services.event_changes(event)
    assert len(changes) == 1
    assert PHONE not in " ".join(str(part) for part in changes[0] if part is not None)
