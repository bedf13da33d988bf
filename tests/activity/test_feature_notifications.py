"""Who hears of tasks, teams and statements: a returned or verified task reaches its
participants, a task edited back to pending its team's supervisor, a new member the student, an
issued statement the student and the project's wijkdocent; nobody hears of their own act, and
a text is shown in the reader's language."""

from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from tests import factories
from wijklab.activity import services as activity_services
from wijklab.activity.models import Notification, OutboxMessage
from wijklab.extensions import db
from wijklab.projects.models import ProjectStatus
from wijklab.tasks import services as task_services
from wijklab.teams import services as team_services

TODAY = date(2026, 11, 28)
DESCRIPTION = "Met mevrouw Jansen (Dorpsstraat 4) de straat door."
REASON = "Mevrouw Jansen wil niet genoemd worden."


@pytest.fixture(autouse=True)
def fixed_today(clock):
    clock.set(TODAY)


@pytest.fixture
def lab(app, wijkdocent, supervisor):
    """Ana and Bram in a team of the wijkdocent's active project, supervised by Petra, with one
    pending task both took part in; Carla is a student outside the team."""
    project = factories.make_project(
        owner=wijkdocent,
        status=ProjectStatus.ACTIVE,
        partner=supervisor.supervisor_profile.organisation,
        title="Buurtkamer Noord",
    )
    ana = factories.make_student(name="Ana Sousa", email="ana@example.org")
    bram = factories.make_student(name="Bram de Wit", email="bram@example.org", locale="en")
    team = factories.make_team(
        project=project, supervisor=supervisor, members=[ana, bram], name="Team Noord"
    )
    task = factories.make_task(
        team=team, participants=[ana, bram], title="Wijkschouw Transvaal", description=DESCRIPTION
    )
    carla = factories.make_student(name="Carla Mees", email="carla@example.org")
    return {
        "project": project,
        "team": team,
        "task": task,
        "ana": ana,
        "bram": bram,
        "carla": carla,
    }


def inbox(user, kind: str | None = None) -> list[Notification]:
    db.session.rollback()
    query = select(Notification).where(Notification.user_id == user.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query.order_by(Notification.id)))


def text(notification: Notification, locale: str = "nl") -> str:
    with force_locale(locale):
        return activity_services.describe(notification)


# --- tasks -----------------------------------------------------------------------------------


def test_a_returned_task_reaches_each_participant_and_not_the_supervisor(
    client, login_as, lab, supervisor, mailbox
):
    login_as(supervisor)
    task = lab["task"]
    response = client.post(f"/tasks/{task.id}/return", data={"reason": REASON, "version": "1"})
    assert response.status_code == 302
    [for_ana] = inbox(lab["ana"], "task_returned")
    assert text(for_ana) == "Petra de Vries gaf de taak ‘Wijkschouw Transvaal’ terug."
    assert for_ana.link == f"/tasks/{task.id}"
    assert "Jansen" not in for_ana.params
    [for_bram] = inbox(lab["bram"], "task_returned")
    assert text(for_bram, "en")  # renders in English (or Dutch until translated) without error
    assert inbox(supervisor) == []


def test_a_returned_task_is_mailed_at_once_without_description_or_reason(
    client, login_as, lab, supervisor, mailbox
):
    login_as(supervisor)
    task = lab["task"]
    client.post(f"/tasks/{task.id}/return", data={"reason": REASON, "version": "1"})
    [mail] = mailbox.to("ana@example.org")
    assert "Wijkschouw Transvaal" in mail.subject
    assert "Petra de Vries" in mail.text
    assert f"https://wijklab.example.org/tasks/{task.id}" in mail.links()
    for secret in ("Jansen", "Dorpsstraat"):
        assert secret not in mail.text
        assert secret not in mail.html
    # Bram reads English: his mail is rendered too (in English once the catalogue has it).
    [bram_mail] = mailbox.to("bram@example.org")
    assert "Wijkschouw Transvaal" in bram_mail.text


def test_a_verified_task_reaches_the_participants_in_their_daily_overview(
    client, login_as, lab, wijkdocent, mailbox
):
    login_as(wijkdocent)
    assert client.post(f"/tasks/{lab['task'].id}/verify", data={"version": "1"}).status_code == 302
    [for_ana] = inbox(lab["ana"], "task_verified")
    assert text(for_ana) == "Marloes Docent keurde de taak ‘Wijkschouw Transvaal’ goed."
    assert for_ana.mailed_at is None  # waits for the daily overview
    assert len(inbox(lab["bram"], "task_verified")) == 1
    assert inbox(wijkdocent) == []
    assert mailbox.messages == []


def _edit(task, by, title: str) -> None:
    task_services.edit_task(
        task,
        task_services.TaskData(
            date=task.date,
            title=title,
            category=task.category,
            participants=[
                task_services.Participant(p.student_id, p.minutes, p.role)
                for p in task.participations
            ],
        ),
        by=by,
        version=task.version,
        today=TODAY,
    )
    db.session.commit()


def test_a_verified_task_edited_back_to_pending_reaches_the_supervisor(lab, supervisor):
    task = lab["task"]
    task_services.verify_task(task, by=supervisor, on_behalf=False)
    db.session.commit()
    _edit(task, lab["ana"], "Wijkschouw Transvaal-Noord")
    [notification] = inbox(supervisor, "task_back_to_pending")
    assert text(notification) == (
        "Ana Sousa wijzigde de taak ‘Wijkschouw Transvaal-Noord’: die wacht weer op je controle."
    )
    assert notification.link == f"/tasks/{task.id}"
    assert notification.mailed_at is None  # the supervisor's weekly overview
    assert inbox(lab["ana"], "task_back_to_pending") == []


def test_editing_a_pending_task_tells_nobody(lab, supervisor):
    _edit(lab["task"], lab["ana"], "Andere titel")
    assert inbox(supervisor) == []


def test_the_supervisor_is_not_told_of_their_own_edit(lab, supervisor, admin):
    task = lab["task"]
    task_services.verify_task(task, by=admin, on_behalf=True)
    db.session.commit()
    _edit(task, supervisor, "Door Petra gewijzigd")
    assert inbox(supervisor, "task_back_to_pending") == []
    assert db.session.get(type(task), task.id).status.value == "pending"


# --- teams -----------------------------------------------------------------------------------


def test_a_student_added_to_a_team_hears_of_it_at_once(client, login_as, lab, wijkdocent, mailbox):
    login_as(wijkdocent)
    team = lab["team"]
    carla = lab["carla"]
    response = client.post(f"/teams/{team.id}/members", data={"student_id": carla.id})
    assert response.status_code in (302, 303)
    [notification] = inbox(carla, "added_to_team")
    assert text(notification) == (
        "Je bent toegevoegd aan Team Noord van het project ‘Buurtkamer Noord’."
    )
    assert notification.link == f"/teams/{team.id}"
    [mail] = mailbox.to("carla@example.org")
    assert f"https://wijklab.example.org/teams/{team.id}" in mail.links()
    assert inbox(wijkdocent) == []


def test_a_student_who_adds_themselves_is_not_told(lab):
    carla = lab["carla"]
    team_services.add_member(lab["team"], carla, today=TODAY, by=carla)
    db.session.commit()
    assert inbox(carla) == []


def test_students_placed_by_the_team_builder_hear_of_it(app, wijkdocent):
    partner = factories.make_organisation("partner")
    project = factories.make_project(owner=wijkdocent, partner=partner)
    supervisor = factories.make_supervisor(organisation=partner)
    students = [factories.make_student() for _ in range(2)]
    [team] = team_services.accept_proposal(
        project, [[s.id for s in students]], supervisor=supervisor, today=TODAY, by=wijkdocent
    )
    db.session.commit()
    for student in students:
        [notification] = inbox(student, "added_to_team")
        assert notification.link == f"/teams/{team.id}"


# --- statements ------------------------------------------------------------------------------


def test_a_statement_issued_by_the_wijkdocent_reaches_student_and_supervisor(
    lab, supervisor, wijkdocent
):
    ana = lab["ana"]
    statement = factories.make_statement(lab["team"], ana, by=wijkdocent)
    db.session.commit()
    link = f"/statements/{statement.id}"
    [for_ana] = inbox(ana, "statement_issued")
    assert text(for_ana) == (
        f"{wijkdocent.name} gaf een praktijkverklaring uit voor Ana Sousa "
        f"(Team Noord · {lab['team'].project.title})."
    )
    assert for_ana.link == link
    [for_supervisor] = inbox(supervisor, "statement_issued")
    assert for_supervisor.link == link
    # The wijkdocent issued it and is not told; they were told of the request and confirmation.
    assert inbox(wijkdocent, "statement_issued") == []
    assert len(inbox(wijkdocent, "statement_requested")) == 1
    assert len(inbox(wijkdocent, "statement_confirmed")) == 1
    assert len(inbox(supervisor, "statement_requested")) == 1


def test_a_returned_request_reaches_the_student(lab, wijkdocent):
    from wijklab.statements import services as requests

    ana = lab["ana"]
    factories.make_agreement(lab["team"], ana)
    made = requests.request_statement(lab["team"], ana, cutoff=lab["team"].start_date)
    requests.return_request(made, by=wijkdocent, reason="Eerst je uren bijwerken")
    db.session.commit()
    [notification] = inbox(ana, "statement_returned")
    assert notification.link == f"/statements/requests/{made.id}"
    assert "Eerst je uren" not in text(notification)  # the reason stays on the page


def test_an_english_reader_gets_a_rendered_notification(lab, supervisor):
    bram = lab["bram"]
    task_services.return_task(lab["task"], by=supervisor, reason=REASON)
    db.session.commit()
    [notification] = inbox(bram, "task_returned")
    assert "Wijkschouw Transvaal" in text(notification, "en")
    [message] = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.user_id == bram.id)
    ).all()
    assert "Wijkschouw Transvaal" in message.text_body
    assert "Jansen" not in message.text_body
