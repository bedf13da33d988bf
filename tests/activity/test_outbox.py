"""The mail outbox: written in the transaction of the event, sent after commit over real SMTP,
nothing sent for a rolled-back action, retried when the server refuses, never sent twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests import factories
from tests.mail import free_port
from wijklab import clock as app_clock
from wijklab.activity import outbox, services
from wijklab.activity.models import Notification, OutboxMessage, OutboxStatus
from wijklab.extensions import db, mail


def queue_one(user, **context):
    return services.queue_mail(
        user,
        kind="feedback",
        subject="Feedback op je leerdoel",
        template="mail/notification",
        text="Petra gaf feedback op ‘Buurtoverleg leiden’.",
        link=services.public_url("/goals/1"),
        action_url=None,
        **context,
    )


def rows() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_a_committed_message_is_sent_over_smtp_and_its_body_is_not_kept(app, mailbox):
    user = factories.make_student(name="Zoë de Vries", email="zoe@example.org")
    queue_one(user)
    db.session.commit()

    counts = outbox.deliver_outbox()

    assert counts == {"sent": 1, "retry": 0, "failed": 0}
    [received] = mailbox.messages
    assert received.recipients == ["zoe@example.org"]
    assert received.subject == "Wijklab: Feedback op je leerdoel"
    assert "Hallo Zoë de Vries," in received.text
    assert "https://wijklab.example.org/goals/1" in received.links()
    assert "Zoë de Vries" in received.html
    [row] = rows()
    assert row.status == OutboxStatus.SENT
    assert row.sent_at is not None
    assert row.text_body == "" and row.html_body == ""


def test_nothing_is_mailed_for_a_rolled_back_action(app, mailbox):
    user = factories.make_student()
    db.session.commit()
    queue_one(user)
    db.session.rollback()

    assert outbox.deliver_outbox()["sent"] == 0
    assert mailbox.messages == []
    assert rows() == []


def test_a_view_that_commits_sends_its_mail_after_the_commit(app, client, login_as, mailbox):
    student = factories.make_student(email="ayse@example.org")
    team = factories.make_team(members=[student])
    goal = factories.make_goal(team=team, student=student, title="Buurtoverleg leiden")
    supervisor = team.supervisor
    login_as(supervisor)

    response = client.post(
        f"/goals/{goal.id}/feedback", data={"comment": "Mooi gedaan.", "rating": ""}
    )

    assert response.status_code in (302, 303)
    [received] = mailbox.to("ayse@example.org")
    assert "Buurtoverleg leiden" in received.text
    assert [r.status for r in rows()] == [OutboxStatus.SENT]


def test_a_refusing_server_keeps_the_message_queued_with_a_later_attempt(app, mailbox, clock):
    clock.set(app_clock.now())
    user = factories.make_student()
    queue_one(user)
    db.session.commit()
    mailbox.refuse = True

    counts = outbox.deliver_outbox()

    assert counts == {"sent": 0, "retry": 1, "failed": 0}
    [row] = rows()
    assert row.status == OutboxStatus.QUEUED
    assert row.attempts == 1
    assert row.next_attempt_at > app_clock.utcnow()
    assert "451" in row.last_error
    assert row.text_body != ""  # kept until it went out

    mailbox.refuse = False
    assert outbox.deliver_outbox()["sent"] == 0  # not due yet
    clock.advance(minutes=2)
    assert outbox.deliver_outbox()["sent"] == 1
    assert len(mailbox.messages) == 1
    assert rows()[0].status == OutboxStatus.SENT


def test_a_server_that_is_down_loses_nothing(app, mailbox):
    user = factories.make_student()
    queue_one(user)
    db.session.commit()
    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = free_port()  # nothing listens there
    mail.init_app(app)
    try:
        counts = outbox.deliver_outbox()
    finally:
        app.config["MAIL_PORT"] = port
        mail.init_app(app)
    assert counts["retry"] == 1
    [row] = rows()
    assert row.status == OutboxStatus.QUEUED
    assert "ConnectionRefusedError" in row.last_error
    assert mailbox.messages == []


def test_after_the_last_attempt_a_message_is_marked_failed(app, mailbox, clock):
    clock.set(app_clock.now())
    user = factories.make_student()
    message = queue_one(user)
    message.attempts = outbox.MAX_ATTEMPTS - 1
    db.session.commit()
    mailbox.refuse = True

    assert outbox.deliver_outbox() == {"sent": 0, "retry": 0, "failed": 1}
    assert rows()[0].status == OutboxStatus.FAILED
    clock.advance(days=2)
    assert outbox.deliver_outbox() == {"sent": 0, "retry": 0, "failed": 0}


def test_two_senders_never_send_one_row_twice(app, mailbox):
    user = factories.make_student()
    message = queue_one(user)
    db.session.commit()

    first = outbox.claim(message.id)
    second = outbox.claim(message.id)

    assert first is not None
    assert second is None
    assert outbox.deliver_outbox()["sent"] == 0  # claimed by the first sender
    assert mailbox.messages == []


def test_a_sender_that_crashed_after_claiming_is_taken_over_later(app, mailbox, clock):
    clock.set(app_clock.now())
    user = factories.make_student()
    message = queue_one(user)
    db.session.commit()
    assert outbox.claim(message.id) is not None  # ... and the process dies here

    assert outbox.deliver_outbox()["sent"] == 0
    clock.advance(minutes=11)
    assert outbox.deliver_outbox()["sent"] == 1
    assert len(mailbox.messages) == 1


def test_a_dedupe_key_queues_one_message(app):
    user = factories.make_student()
    assert queue_one(user, dedupe_key="digest:weekly:1:2026-49") is not None
    db.session.flush()
    assert queue_one(user, dedupe_key="digest:weekly:1:2026-49") is None
    assert len(rows()) == 1


def test_mail_is_written_in_the_recipients_language(app, mailbox):
    student = factories.make_student(locale="en", name="Yassine", email="yassine@example.org")
    team = factories.make_team(members=[student])
    goal = factories.make_goal(team=team, student=student, title="Lead a meeting")
    services.set_preferences(student, {"feedback": services.Delivery.IMMEDIATE})
    services.notify(student.id, "feedback", f"/goals/{goal.id}", by="Petra", title=goal.title)
    db.session.commit()

    outbox.deliver_outbox()

    [received] = mailbox.to("yassine@example.org")
    assert received.text.startswith("Hello Yassine,")
    assert "Petra gave feedback on ‘Lead a meeting’." in received.text
    assert "Hallo" not in received.text


@pytest.mark.parametrize("delivery", ["daily", "weekly", "off"])
def test_only_immediate_delivery_mails_at_once(app, mailbox, delivery):
    student = factories.make_student()
    services.set_preferences(student, {"feedback": services.Delivery(delivery)})
    notification = services.notify(student.id, "feedback", "/goals/1", by="Petra", title="X")
    db.session.commit()

    outbox.deliver_outbox()

    assert mailbox.messages == []
    assert notification.mailed_at is None
    assert db.session.scalar(select(Notification.id)) == notification.id


def test_a_deactivated_user_is_not_notified(app):
    student = factories.make_student(is_active=False)
    assert services.notify(student.id, "feedback", "/goals/1", by="Petra", title="X") is None
    assert rows() == []


def test_an_unknown_kind_is_a_programming_error(app):
    student = factories.make_student()
    with pytest.raises(KeyError):
        services.notify(student.id, "no_such_kind", "/", by="x")


def test_backoff_grows_and_is_capped():
    assert outbox._backoff(1) == timedelta(minutes=1)
    assert outbox._backoff(3) == timedelta(minutes=4)
    assert outbox._backoff(30) == timedelta(hours=6)


def test_a_failed_message_tells_every_active_admin_once_with_a_link_to_the_recipient(
    app, client, login_as, mailbox, clock
):
    clock.set(app_clock.now())
    admin = factories.make_user("admin", name="Anna Admin")
    other_admin = factories.make_user("admin")
    gone_admin = factories.make_user("admin", is_active=False)
    wijkdocent = factories.make_user("wijkdocent")
    user = factories.make_student(name="Zoë de Vries", email="zoe@example.org")
    message = queue_one(user)
    message.attempts = outbox.MAX_ATTEMPTS - 2
    db.session.commit()
    mailbox.refuse = True

    assert outbox.deliver_outbox() == {"sent": 0, "retry": 1, "failed": 0}
    assert (
        db.session.scalars(select(Notification).where(Notification.kind == "mail_failed")).all()
        == []
    )
    clock.advance(days=1)
    assert outbox.deliver_outbox() == {"sent": 0, "retry": 0, "failed": 1}
    clock.advance(days=2)
    outbox.deliver_outbox()

    told = db.session.scalars(select(Notification).where(Notification.kind == "mail_failed")).all()
    assert sorted(n.user_id for n in told) == sorted([admin.id, other_admin.id])
    assert {n.link for n in told} == {f"/users/{user.id}/edit"}
    assert gone_admin.id not in {n.user_id for n in told} and wijkdocent.id not in {
        n.user_id for n in told
    }
    text = services.describe(told[0])
    assert "Zoë de Vries" in text and "8 pogingen" in text
    assert "Buurtoverleg" not in text and "Feedback op je leerdoel" not in text
    # Admins read it in the app; nothing is mailed about it by default.
    assert mailbox.messages == []
    mailbox.refuse = False
    login_as(admin)
    page = client.get("/notifications")
    assert page.status_code == 200
    assert "Zoë de Vries" in page.text, page.text
    [mine] = [n for n in told if n.user_id == admin.id]
    opened = client.post(f"/notifications/{mine.id}/read")
    assert opened.status_code == 302
    assert opened.headers["Location"].endswith(f"/users/{user.id}/edit")


def test_a_failed_mail_about_a_failed_mail_is_not_reported_again(app, mailbox, clock):
    clock.set(app_clock.now())
    admin = factories.make_user("admin")
    message = services.queue_mail(
        admin,
        kind=outbox.MAIL_FAILED,
        subject="Een mail kon niet worden bezorgd",
        template="mail/notification",
        text="Een mail kon niet worden bezorgd.",
        link=services.public_url("/audit"),
        action_url=None,
    )
    message.attempts = outbox.MAX_ATTEMPTS - 1
    db.session.commit()
    mailbox.refuse = True

    assert outbox.deliver_outbox() == {"sent": 0, "retry": 0, "failed": 1}
    assert (
        db.session.scalars(select(Notification).where(Notification.kind == "mail_failed")).all()
        == []
    )
