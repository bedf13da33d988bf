"""Issue 13: the reviewer corrects one participant's minutes, or removes a participant, with a
reason, instead of returning the whole task; history, audit trail and the student's
notification."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from tests import factories
from wijklab.activity.models import AuditEvent, Notification
from wijklab.activity.services import describe
from wijklab.extensions import db
from wijklab.tasks.models import Task, TaskEvent, TaskParticipation, TaskStatus

TODAY = date(2026, 11, 28)


@pytest.fixture(autouse=True)
def fixed_today(clock):
    clock.set(TODAY)


def html(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def team():
    members = [factories.make_student(name=n) for n in ("Anna Bakker", "Bram Jansen")]
    return factories.make_team(members=members)


@pytest.fixture
def task(team):
    return factories.make_task(team=team, participants=[m.student for m in team.memberships])


def parts(task_id: int) -> dict[int, int]:
    db.session.rollback()
    rows = db.session.execute(
        select(TaskParticipation.student_id, TaskParticipation.minutes).where(
            TaskParticipation.task_id == task_id
        )
    ).all()
    return dict(rows)


def version_of(task_id: int) -> int:
    db.session.rollback()
    return db.session.scalar(select(Task.version).where(Task.id == task_id))


def correct(client, task, participation, **data):
    form = {"minutes": "1u30", "reason": "Bram ging eerder weg.", "version": str(task.version)}
    form.update(data)
    return client.post(f"/tasks/{task.id}/participations/{participation.id}/minutes", data=form)


def remove(client, task, participation, **data):
    form = {"reason": "Bram was er niet bij.", "version": str(task.version)}
    form.update(data)
    return client.post(f"/tasks/{task.id}/participations/{participation.id}/remove", data=form)


def test_supervisor_corrects_one_participants_minutes(client, login_as, team, task):
    anna, bram = (m.student for m in team.memberships)
    bram_part = task.participations[1]
    before = task.version
    login_as(team.supervisor)
    page = html(client.get(f"/tasks/{task.id}"))
    assert f'action="/tasks/{task.id}/participations/{bram_part.id}/minutes"' in page
    response = correct(client, task, bram_part)
    assert response.status_code == 302
    assert parts(task.id) == {anna.id: 120, bram.id: 90}
    assert version_of(task.id) > before
    assert db.session.get(Task, task.id).status == TaskStatus.PENDING
    event = db.session.scalar(select(TaskEvent).where(TaskEvent.action == "participant_corrected"))
    assert json.loads(event.details) == {
        "student_id": bram.id,
        "old_minutes": 120,
        "new_minutes": 90,
        "reason": "Bram ging eerder weg.",
    }
    audit = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "task.participant_corrected")
    )
    details = json.loads(audit.details)
    assert details == {"student_id": bram.id, "old_minutes": 120, "new_minutes": 90}
    assert "eerder" not in audit.details  # no free text in the audit trail


def test_history_shows_the_correction_readably(client, login_as, team, task):
    login_as(team.supervisor)
    correct(client, task, task.participations[1])
    page = html(client.get(f"/tasks/{task.id}"))
    assert "tijd van Bram Jansen aangepast van 2 u naar 1 u 30 min" in page
    assert "Reden: Bram ging eerder weg." in page


def test_student_is_told_without_the_reason(client, login_as, team, task):
    bram = team.memberships[1].student
    login_as(team.supervisor)
    correct(client, task, task.participations[1])
    db.session.rollback()
    notes = db.session.scalars(select(Notification).where(Notification.user_id == bram.id)).all()
    assert [n.kind for n in notes] == ["participation_corrected"]
    assert notes[0].link == f"/tasks/{task.id}"
    text = describe(notes[0])
    assert f"{team.supervisor.name} paste je tijd bij ‘{task.title}’ aan." == text
    assert "eerder" not in notes[0].params
    anna = team.memberships[0].student
    assert (
        db.session.scalar(
            select(func.count(Notification.id)).where(Notification.user_id == anna.id)
        )
        == 0
    )


def test_wijkdocent_removes_a_participant_with_a_reason(client, login_as, team, task):
    anna, bram = (m.student for m in team.memberships)
    login_as(team.project.owner)
    response = remove(client, task, task.participations[1])
    assert response.status_code == 302
    assert parts(task.id) == {anna.id: 120}
    page = html(client.get(f"/tasks/{task.id}"))
    assert "Bram Jansen als deelnemer verwijderd (was 2 u)" in page
    assert "Reden: Bram was er niet bij." in page
    assert (
        db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "task.participant_removed")
        )
        == 1
    )
    assert (
        db.session.scalar(select(Notification.kind).where(Notification.user_id == bram.id))
        == "participation_corrected"
    )


def test_removal_form_asks_for_confirmation(client, login_as, team, task):
    login_as(team.supervisor)
    page = html(client.get(f"/tasks/{task.id}"))
    form = re.search(r'<form[^>]*participations/\d+/remove"[^>]*>', page).group(0)
    assert "data-confirm=" in form


def test_last_participant_cannot_be_removed(client, login_as, team):
    anna = team.memberships[0].student
    task = factories.make_task(team=team, participants=[anna])
    login_as(team.supervisor)
    assert "/remove" not in html(client.get(f"/tasks/{task.id}"))
    response = remove(client, task, task.participations[0])
    assert response.status_code == 303
    assert parts(task.id) == {anna.id: 120}
    assert "Geef de taak dan terug." in html(client.get(f"/tasks/{task.id}"))


@pytest.mark.parametrize("who", ["student", "other_supervisor"])
def test_others_cannot_correct(client, login_as, team, task, who):
    if who == "student":
        user = team.memberships[0].student
    else:
        user = factories.make_team(members=[factories.make_student()]).supervisor
    login_as(user)
    response = correct(client, task, task.participations[1])
    assert response.status_code in (403, 404)
    assert set(parts(task.id).values()) == {120}
    assert db.session.scalar(select(func.count(Notification.id))) == 0


def test_reviewer_who_took_part_cannot_correct(client, login_as, team):
    anna = team.memberships[0].student
    owner = team.project.owner
    task = factories.make_task(team=team, participants=[anna])
    task.participations.append(TaskParticipation(student=owner, minutes=60))
    db.session.flush()
    login_as(owner)
    response = correct(client, task, task.participations[0])
    assert response.status_code == 403
    assert parts(task.id)[anna.id] == 120


def test_participation_of_another_task_is_refused(client, login_as, team, task):
    other = factories.make_task()
    login_as(team.supervisor)
    response = correct(client, task, other.participations[0])
    assert response.status_code == 404
    response = client.post(
        f"/tasks/{task.id}/participations/{other.participations[0].id}/remove",
        data={"reason": "x", "version": str(task.version)},
    )
    assert response.status_code == 404
    assert parts(other.id) == {other.participations[0].student_id: 120}


def test_stale_version_is_refused(client, login_as, team, task):
    login_as(team.supervisor)
    response = correct(client, task, task.participations[1], version=str(task.version - 1 or 99))
    assert response.status_code == 303
    assert set(parts(task.id).values()) == {120}
    assert "intussen gewijzigd" in html(client.get(f"/tasks/{task.id}"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"minutes": "veel"}, "Schrijf de tijd als minuten (90) of uren (1,5 of 1:30)."),
        ({"minutes": "17u"}, "Kies 1 tot en met 960 minuten."),
        ({"minutes": ""}, "Schrijf de tijd als minuten (90) of uren (1,5 of 1:30)."),
        ({"reason": "  "}, "Schrijf waarom je de tijd aanpast."),
    ],
)
def test_bad_time_or_missing_reason_is_refused(client, login_as, team, task, data, message):
    login_as(team.supervisor)
    response = correct(client, task, task.participations[1], **data)
    assert response.status_code == 303
    assert set(parts(task.id).values()) == {120}
    assert message in html(client.get(f"/tasks/{task.id}"))


def test_missing_reason_for_removal_is_refused(client, login_as, team, task):
    login_as(team.supervisor)
    response = remove(client, task, task.participations[1], reason="")
    assert response.status_code == 303
    assert len(parts(task.id)) == 2


def test_missing_version_is_a_bad_request(client, login_as, team, task):
    login_as(team.supervisor)
    response = client.post(
        f"/tasks/{task.id}/participations/{task.participations[1].id}/minutes",
        data={"minutes": "60", "reason": "Korter"},
    )
    assert response.status_code == 400
    assert set(parts(task.id).values()) == {120}


def test_only_pending_tasks_are_corrected(client, login_as, team):
    task = factories.make_task(
        team=team, participants=[m.student for m in team.memberships], status="verified"
    )
    login_as(team.supervisor)
    assert "/minutes" not in html(client.get(f"/tasks/{task.id}"))
    response = correct(client, task, task.participations[1])
    assert response.status_code == 303
    assert set(parts(task.id).values()) == {120}


def test_missing_csrf_is_refused(csrf_app, client, login_as, team, task):
    login_as(team.supervisor)
    response = correct(client, task, task.participations[1])
    assert response.status_code == 400
    assert set(parts(task.id).values()) == {120}
