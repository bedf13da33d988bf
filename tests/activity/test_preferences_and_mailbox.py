"""Mail preferences per kind with the stated defaults, and the development mailbox."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from tests import factories
from tests.forms import form_state
from wijklab.accounts.tokens import hash_token
from wijklab.activity import outbox, services
from wijklab.activity.models import Delivery, NotificationPreference
from wijklab.extensions import db


def test_defaults_per_role(app):
    supervisor = factories.make_user("supervisor")
    student = factories.make_student()
    wijkdocent = factories.make_user("wijkdocent")

    assert services.preferences(supervisor)["review_requested"] == Delivery.IMMEDIATE
    assert services.preferences(supervisor)["feedback"] == Delivery.WEEKLY
    assert services.preferences(student)["feedback"] == Delivery.IMMEDIATE
    assert services.preferences(student)["goal_returned"] == Delivery.IMMEDIATE
    assert set(services.preferences(wijkdocent).values()) <= {Delivery.DAILY, Delivery.IMMEDIATE}
    assert "review_requested" not in services.preferences(student)


def test_the_page_lists_only_the_users_kinds_with_their_defaults(app, client, login_as):
    student = factories.make_student()
    login_as(student)

    html = client.get("/settings/notifications").get_data(as_text=True)

    assert "E-mailvoorkeuren" in html
    assert "Feedback op een leerdoel" in html
    assert "Een leerdoel wacht op je beoordeling" not in html
    state = form_state(html)
    assert state["kind_feedback"] == ["immediate"]
    assert state["kind_goal_signed_off"] == ["daily"]


def test_choosing_a_delivery_is_stored_and_used(app, client, login_as, mailbox):
    student = factories.make_student()
    login_as(student)
    kinds = {kind.name: "immediate" for kind in services.kinds_for(student)}
    kinds["feedback"] = "off"

    response = client.post(
        "/settings/notifications", data={f"kind_{k}": v for k, v in kinds.items()}
    )

    assert response.status_code == 302
    stored = dict(
        db.session.execute(
            select(NotificationPreference.kind, NotificationPreference.delivery).where(
                NotificationPreference.user_id == student.id
            )
        ).all()
    )
    assert stored["feedback"] == Delivery.OFF
    services.notify(student.id, "feedback", "/goals/1", by="Petra", title="X")
    db.session.commit()
    outbox.deliver_outbox()
    assert mailbox.messages == []


def test_a_forged_choice_changes_nothing(app, client, login_as):
    student = factories.make_student()
    login_as(student)

    response = client.post("/settings/notifications", data={"kind_feedback": "every-minute"})

    assert response.status_code == 422
    assert db.session.scalar(select(NotificationPreference.id)) is None


def test_a_kind_of_another_role_is_ignored(app):
    student = factories.make_student()
    services.set_preferences(student, {"review_requested": Delivery.IMMEDIATE})
    assert db.session.scalar(select(NotificationPreference.id)) is None


def test_preferences_need_login(app, client):
    response = client.get("/settings/notifications")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_the_development_mailbox_lists_eml_files_with_their_links(app, client, tmp_path):
    app.config.update(DEV_MAILBOX=True, MAIL_BACKEND="wijklab.activity.eml", MAIL_DIR=str(tmp_path))
    from wijklab.extensions import mail

    mail.init_app(app)
    try:
        student = factories.make_student(name="Zoë", email="zoe@example.org")
        services.queue_mail(
            student,
            kind="feedback",
            subject="Feedback op ‘Buurtoverleg’",
            template="mail/notification",
            text="Petra gaf feedback.",
            link=services.public_url("/goals/7"),
            action_url=services.public_url("/r/abc"),
        )
        db.session.commit()
        outbox.deliver_outbox()
    finally:
        app.config["MAIL_BACKEND"] = "smtp"
        mail.init_app(app)

    [eml] = list(Path(tmp_path).glob("*.eml"))
    html = client.get("/dev/mail").get_data(as_text=True)
    assert "Wijklab: Feedback op ‘Buurtoverleg’" in html
    assert "https://wijklab.example.org/r/abc" in html
    message = client.get(f"/dev/mail/{eml.name}")
    assert message.status_code == 200
    assert "Petra gaf feedback." in message.get_data(as_text=True)
    assert client.get("/dev/mail/..%2Fsecret_key").status_code == 404
    assert client.get("/dev/mail/not-a-message.eml").status_code == 404


def test_the_development_mailbox_is_closed_outside_development(app, client):
    app.config["DEV_MAILBOX"] = False
    assert client.get("/dev/mail").status_code == 404


def _request_review(supervisor_delivery: Delivery | None):
    from wijklab.accounts.tokens import OneTimeToken
    from wijklab.goals import services as goal_services

    student = factories.make_student()
    team = factories.make_team(members=[student])
    if supervisor_delivery is not None:
        services.set_preferences(team.supervisor, {"review_requested": supervisor_delivery})
    goal = factories.make_goal(team=team, student=student, status="active", title="Overleg")
    goal_services.transition(goal, "request_review", by=student)
    db.session.commit()
    outbox.deliver_outbox()
    return team.supervisor, db.session.scalars(select(OneTimeToken)).all()


def test_a_review_request_mails_the_supervisor_a_one_click_link_by_default(app, mailbox):
    supervisor, tokens = _request_review(None)

    [received] = mailbox.to(supervisor.email)
    [link] = [url for url in received.links() if "/r/" in url]
    [token] = tokens
    assert (token.user_id, token.object_type) == (supervisor.id, "LearningGoal")
    raw = link.split("/r/")[1]
    assert len(raw) == 43  # 256 bits, URL-safe base64
    assert token.token_hash == hash_token(raw) != raw  # only the hash is stored


def test_no_link_is_made_for_a_supervisor_who_reads_the_weekly_overview(app, mailbox):
    supervisor, tokens = _request_review(Delivery.WEEKLY)

    assert mailbox.messages == []
    assert tokens == []
