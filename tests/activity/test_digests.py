"""The daily and weekly digests: due from 07:00 Amsterdam (weekly on Mondays), once per period,
in the recipient's language, listing unmailed notifications and what waits for a supervisor,
with one-click review links; a constant number of queries per supervisor."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlparse

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import event, select

from tests import factories
from tests.test_cli import run
from wijklab.accounts.tokens import Purpose, find_token
from wijklab.activity.models import Delivery, Notification, NotificationPreference, OutboxMessage
from wijklab.activity.outbox import deliver_outbox
from wijklab.activity.schedules import due_digests, run_due_schedules, send_digests
from wijklab.activity.services import notify
from wijklab.clock import AMSTERDAM
from wijklab.extensions import db
from wijklab.projects.models import ProjectStatus

MONDAY_7 = datetime(2026, 11, 9, 7, 0, tzinfo=AMSTERDAM)
SUNDAY_7 = datetime(2026, 11, 8, 7, 0, tzinfo=AMSTERDAM)


def make_waiting_team(supervisor=None, tasks: int = 1, goals: int = 1):
    project = factories.make_project(status=ProjectStatus.ACTIVE)
    students = [factories.make_student(name="Ayşe Yılmaz"), factories.make_student()]
    team = factories.make_team(project=project, supervisor=supervisor, members=students)
    made = [
        factories.make_task(
            team=team,
            participants=students,
            minutes=90,
            title=f"Bewonersavond {i}",
            description="Geheime beschrijving",
            date=date(2026, 11, 2),
        )
        for i in range(tasks)
    ]
    for i in range(goals):
        factories.make_goal(
            team=team, student=students[0], status="review_requested", title=f"Doel {i}"
        )
    return team, made


def digests(kind: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        )
    )


def test_due_digests_follow_the_amsterdam_clock(app):
    assert due_digests(MONDAY_7) == [Delivery.DAILY, Delivery.WEEKLY]
    assert due_digests(MONDAY_7.replace(hour=6, minute=59)) == []
    assert due_digests(SUNDAY_7) == [Delivery.DAILY]
    # 06:30 UTC on a winter Monday is 07:30 in Amsterdam.
    assert Delivery.WEEKLY in due_digests(datetime.fromisoformat("2026-11-09T06:30:00+00:00"))


def test_weekly_digest_goes_out_on_monday_not_sunday(app, mailbox):
    team, (task,) = make_waiting_team()
    assert send_digests(SUNDAY_7) == {"daily": 0}
    assert digests("digest_weekly") == []
    assert send_digests(MONDAY_7)["weekly"] == 1
    (message,) = digests("digest_weekly")
    assert message.user_id == team.supervisor_id
    assert message.dedupe_key == f"digest:weekly:{team.supervisor_id}:2026-46"


def test_weekly_digest_lists_waiting_work_with_working_review_links(app, mailbox):
    team, (task,) = make_waiting_team()
    send_digests(MONDAY_7)
    db.session.commit()
    assert deliver_outbox()["sent"] == 1
    (mail,) = mailbox.to(team.supervisor.email)
    assert "weekoverzicht" in mail.subject
    assert "02-11-2026" in mail.text and team.name in mail.text
    assert "Bewonersavond 0" in mail.text
    assert "Ayşe Yılmaz (90 min)" in mail.text
    assert "Doel 0" in mail.text
    assert "Geheime beschrijving" not in mail.text + mail.html
    review_links = [link for link in mail.links() if "/r/" in link]
    assert len(review_links) == 2
    tokens = [
        find_token(urlparse(link).path.rsplit("/", 1)[1], Purpose.REVIEW) for link in review_links
    ]
    assert {(t.object_type, t.user_id) for t in tokens} == {
        ("Task", team.supervisor_id),
        ("LearningGoal", team.supervisor_id),
    }
    task_token = next(t for t in tokens if t.object_type == "Task")
    assert (task_token.object_id, task_token.version) == (task.id, task.version)
    assert f"https://wijklab.example.org/tasks/{task.id}" in mail.links()


def test_digest_is_sent_once_per_period(app, mailbox):
    make_waiting_team()
    assert send_digests(MONDAY_7)["weekly"] == 1
    assert send_digests(MONDAY_7.replace(hour=9))["weekly"] == 0
    assert len(digests("digest_weekly")) == 1
    # The next Monday is a new period.
    assert send_digests(datetime(2026, 11, 16, 7, tzinfo=AMSTERDAM))["weekly"] == 1


def test_daily_digest_lists_unmailed_notifications_and_marks_them_mailed(app, wijkdocent, mailbox):
    notify(wijkdocent.id, "task_escalated", "/tasks/1", title="Buurtschouw", team="Team A", days=14)
    already = notify(wijkdocent.id, "goal_escalated", "/goals/2", title="X", student="Y", days=14)
    already.mailed_at = MONDAY_7
    db.session.flush()
    assert send_digests(SUNDAY_7) == {"daily": 1}
    db.session.commit()
    deliver_outbox()
    (mail,) = mailbox.to(wijkdocent.email)
    assert "dagoverzicht" in mail.subject
    assert "Buurtschouw" in mail.text
    assert "https://wijklab.example.org/tasks/1" in mail.links()
    assert "/goals/2" not in mail.text
    db.session.expire_all()
    assert all(n.mailed_at is not None for n in db.session.scalars(select(Notification)))
    assert send_digests(SUNDAY_7.replace(hour=20)) == {"daily": 0}


def test_an_empty_digest_sends_nothing(app, wijkdocent, supervisor):
    assert send_digests(MONDAY_7) == {"daily": 0, "weekly": 0}
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_a_user_who_turned_the_overview_off_gets_no_weekly_list(app):
    team, _tasks = make_waiting_team()
    db.session.add(
        NotificationPreference(
            user_id=team.supervisor_id, kind="digest_overview", delivery=Delivery.OFF
        )
    )
    db.session.flush()
    assert send_digests(MONDAY_7)["weekly"] == 0


def test_digest_in_english_for_an_english_user(app, mailbox):
    supervisor = factories.make_supervisor(locale="en")
    make_waiting_team(supervisor=supervisor)
    send_digests(MONDAY_7)
    db.session.commit()
    deliver_outbox()
    (mail,) = mailbox.to(supervisor.email)
    with force_locale("en"):
        greeting = gettext("Hallo %(name)s,", name=supervisor.name)
        heading = gettext("Taken die wachten op je controle")
    assert mail.text.startswith(greeting)  # "Hello ..." once the catalogue has it
    assert heading in mail.text
    assert "/r/" in mail.text


def test_run_due_schedules_sends_reminders_and_digests(app, clock):
    clock.set(datetime(2026, 11, 2, 7, tzinfo=AMSTERDAM))
    make_waiting_team()
    clock.set(MONDAY_7)
    result = run_due_schedules()
    assert result["reminders"] >= 1  # the task logged on 2 November waits seven days
    assert result["digests"]["weekly"] == 1


@pytest.fixture
def count_queries():
    def counting(work):
        counter = {"n": 0}

        def before(*_args, **_kwargs):
            counter["n"] += 1

        engine = db.session.get_bind()
        event.listen(engine, "before_cursor_execute", before)
        try:
            work()
        finally:
            event.remove(engine, "before_cursor_execute", before)
        return counter["n"]

    return counting


def test_queries_do_not_grow_with_waiting_work(app, count_queries):
    teams = [make_waiting_team(tasks=1, goals=1)[0] for _ in range(2)]
    little = count_queries(lambda: send_digests(MONDAY_7, force=Delivery.WEEKLY))
    for team in teams:
        students = [m.student for m in team.memberships]
        for i in range(4):
            factories.make_task(team=team, participants=students, date=date(2026, 11, 3 + i))
            factories.make_goal(team=team, student=students[1], status="review_requested")
    next_monday = datetime(2026, 11, 16, 7, tzinfo=AMSTERDAM)
    much = count_queries(lambda: send_digests(next_monday, force=Delivery.WEEKLY))
    assert len(digests("digest_weekly")) == 4
    assert much == little


def test_queries_per_supervisor_are_constant(app, count_queries):
    def measure(supervisors: int, when: datetime) -> int:
        for n in range(supervisors):
            make_waiting_team(tasks=1 + n % 3, goals=1 + n % 2)
        return count_queries(lambda: send_digests(when, force=Delivery.WEEKLY))

    two = measure(2, MONDAY_7)
    db.session.execute(NotificationPreference.__table__.delete())
    # Four more supervisors (six in all); the first two already had this week's digest.
    six = measure(4, datetime(2026, 11, 16, 7, tzinfo=AMSTERDAM))
    assert len(digests("digest_weekly")) == 2 + 6
    per_supervisor = (six - two) / 4
    assert per_supervisor == int(per_supervisor)
    assert per_supervisor <= 4
    assert two <= 2 * per_supervisor + 15


def test_send_digests_command(app, mailbox):
    team, _tasks = make_waiting_team()
    result = run(app, "send-digests", "--now", "2026-11-09T07:00", "--force", "weekly")
    assert result.exit_code == 0, result.output
    assert "Weekoverzichten: 1 verstuurd." in result.output
    assert len(mailbox.to(team.supervisor.email)) == 1
    again = run(app, "send-digests", "--now", "2026-11-09T08:00")
    assert again.exit_code == 0
    assert "Weekoverzichten: 0 verstuurd." in again.output


def test_send_digests_command_refuses_bad_options(app):
    result = run(app, "send-digests", "--force", "monthly")
    assert result.exit_code == 2
    assert "monthly" in result.output
    result = run(app, "send-digests", "--now", "9 november")
    assert result.exit_code == 2


def test_send_mail_command_delivers_the_outbox(app, wijkdocent, mailbox):
    notify(wijkdocent.id, "task_escalated", "/tasks/1", title="Buurtschouw", team="Team A", days=14)
    send_digests(SUNDAY_7)
    result = run(app, "send-mail")
    assert result.exit_code == 0, result.output
    assert "E-mail: 1 verstuurd" in result.output
    assert len(mailbox.to(wijkdocent.email)) == 1
