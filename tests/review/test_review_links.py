"""One-click review links: GET shows and changes nothing; one POST decides, once; a link that no
longer works says why on a clear page; no session, no cookie, no token in our logs."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from tests.factories import make_project, make_student, make_supervisor, make_task, make_team
from wijklab.accounts.tokens import OneTimeToken, Purpose, hash_token, issue_token
from wijklab.activity.models import AuditEvent, Notification
from wijklab.extensions import db, limiter
from wijklab.goals.models import Feedback, GoalEvidence, GoalStatus, LearningGoal, SignOff
from wijklab.tasks import services as task_services
from wijklab.tasks.models import ParticipationRole, Task, TaskEvent, TaskStatus
from wijklab.tasks.services import Participant, TaskData


@pytest.fixture
def team(supervisor, wijkdocent):
    project = make_project(owner=wijkdocent, title="Samen in de Schilderswijk")
    members = [make_student(name="Iris Meijer"), make_student(name="Daan Bakker")]
    return make_team(project=project, supervisor=supervisor, members=members, name="Dinsdagteam")


@pytest.fixture
def task(team):
    iris, daan = (m.student for m in team.memberships)
    task = make_task(
        team=team,
        participants=[iris, daan],
        minutes=150,
        title="Buurtsoep koken",
        description="We kookten soep met bewoners.\nVeertien mensen aten mee.",
        residents_reached=14,
    )
    task.participations[0].role = ParticipationRole.LEAD
    db.session.flush()
    return task


@pytest.fixture
def goal(team, task):
    """A goal waiting for review, with one verified task as evidence and one still pending."""
    iris = team.memberships[0].student
    verified = make_task(team=team, participants=[iris], title="Bewonersavond", status="verified")
    goal = LearningGoal(
        team=team,
        student=iris,
        title="Een bewonersbijeenkomst leiden",
        success_criteria="Twee bijeenkomsten zelfstandig geleid.",
        status=GoalStatus.REVIEW_REQUESTED,
    )
    db.session.add(goal)
    goal.evidence.append(GoalEvidence(participation=verified.participations[0], note="Ik zat voor"))
    goal.evidence.append(GoalEvidence(participation=task.participations[0]))
    goal.feedback.append(
        Feedback(
            author=team.project.owner, author_role="wijkdocent", rating=3, comment="Goed op weg"
        )
    )
    db.session.flush()
    return goal


def link_for(obj, user=None) -> str:
    raw = issue_token(
        user or obj.team.supervisor,
        Purpose.REVIEW,
        object_type=type(obj).__name__,
        object_id=obj.id,
        version=obj.version,
    )
    db.session.flush()
    return f"/r/{raw}"


def token_of(url: str) -> OneTimeToken:
    return db.session.scalar(
        select(OneTimeToken).where(OneTimeToken.token_hash == hash_token(url.rsplit("/", 1)[1]))
    )


def database_state() -> dict:
    """Every row of every table: a GET must leave this exactly as it was."""
    db.session.expire_all()
    return {
        table.name: sorted(map(repr, db.session.execute(select(table)).all()))
        for table in db.metadata.sorted_tables
    }


def page(response) -> str:
    return response.get_data(as_text=True)


# --- GET shows, and changes nothing ----------------------------------------------------------


def test_get_shows_the_task_and_changes_nothing(client, task):
    url = link_for(task)
    before = database_state()
    response = client.get(url)
    assert response.status_code == 200
    html = page(response)
    for expected in (
        "Buurtsoep koken",
        "Samen in de Schilderswijk",
        "Dinsdagteam",
        "Bewonersactiviteit",
        "14",
        "Iris Meijer",
        "Daan Bakker",
        "150 minuten",
        "trekker",
        "Veertien mensen aten mee.",
        "Goedkeuren",
        "Teruggeven aan het team",
        "Ik ben niet de juiste persoon",
    ):
        assert expected in html
    assert database_state() == before
    assert token_of(url).used_at is None


def test_get_shows_the_goal_with_evidence_and_latest_feedback(client, goal):
    url = link_for(goal)
    before = database_state()
    response = client.get(url)
    assert response.status_code == 200
    html = page(response)
    for expected in (
        "Een bewonersbijeenkomst leiden",
        "Iris Meijer",
        "Dinsdagteam",
        "Twee bijeenkomsten zelfstandig geleid.",
        "Bewonersavond",
        "goedgekeurd",
        "Buurtsoep koken",
        "wacht op controle",
        "Goed op weg",
        "zichtbaar met begeleiding",
        "Aftekenen",
        "Feedback geven",
    ):
        assert expected in html
    assert database_state() == before


# --- deciding on a task ----------------------------------------------------------------------


def test_approve_verifies_the_task_and_uses_the_link(client, task, supervisor):
    url = link_for(task)
    response = client.post(url, data={"action": "approve"})
    assert response.status_code == 200
    assert "Taak goedgekeurd" in page(response)
    db.session.expire_all()
    assert task.status == TaskStatus.VERIFIED
    assert task.verified_by_id == supervisor.id
    assert task.verified_on_behalf is False
    assert token_of(url).used_at is not None
    assert [e.action for e in task.events].count("verified") == 1


def test_return_with_a_reason_returns_the_task(client, task):
    url = link_for(task)
    response = client.post(
        url, data={"action": "return", "reason": "Het aantal bewoners klopt niet."}
    )
    assert response.status_code == 200
    assert "Taak teruggegeven aan het team" in page(response)
    db.session.expire_all()
    assert task.status == TaskStatus.RETURNED
    assert task.return_reason == "Het aantal bewoners klopt niet."
    assert token_of(url).used_at is not None


def test_return_without_a_reason_is_refused_and_the_link_stays_usable(client, task):
    url = link_for(task)
    response = client.post(url, data={"action": "return", "reason": "  "})
    assert response.status_code == 422
    assert "Schrijf waarom je de taak teruggeeft." in page(response)
    db.session.expire_all()
    assert task.status == TaskStatus.PENDING
    assert token_of(url).used_at is None
    # The same link still works.
    assert client.post(url, data={"action": "approve"}).status_code == 200


def test_a_refused_return_keeps_what_was_typed(client, task):
    url = link_for(task)
    typed = "Te lang " * 130  # over the 1000 characters a reason may have
    response = client.post(url, data={"action": "return", "reason": typed})
    assert response.status_code == 422
    html = page(response)
    assert "De reden mag hoogstens 1000 tekens hebben." in html
    assert typed.strip() in html
    assert 'aria-invalid="true"' in html
    db.session.expire_all()
    assert task.status == TaskStatus.PENDING
    assert token_of(url).used_at is None


def test_supervisor_who_took_part_in_the_task_cannot_approve_it(client, team, supervisor):
    task = make_task(team=team, participants=[team.memberships[0].student, supervisor])
    url = link_for(task)
    response = client.post(url, data={"action": "approve"})
    assert response.status_code == 422
    assert "Je kunt een taak waaraan je zelf meedeed niet goedkeuren." in page(response)
    db.session.expire_all()
    assert task.status == TaskStatus.PENDING
    assert token_of(url).used_at is None


def test_an_action_that_does_not_fit_the_object_changes_nothing(client, task):
    url = link_for(task)
    for action in ("sign_off", "feedback", "", "delete"):
        response = client.post(url, data={"action": action, "statement": "x", "comment": "x"})
        assert response.status_code == 400
    db.session.expire_all()
    assert task.status == TaskStatus.PENDING
    assert token_of(url).used_at is None


# --- deciding on a goal ----------------------------------------------------------------------


def test_sign_off_with_pending_evidence_asks_for_a_confirmation_first(client, goal):
    url = link_for(goal)
    assert "Ik teken toch af" in page(client.get(url))
    response = client.post(url, data={"action": "sign_off", "statement": "Goed geleid."})
    assert response.status_code == 422
    assert "Bevestig dat je toch aftekent" in page(response)
    assert "Goed geleid." in page(response)  # what was typed is kept
    db.session.expire_all()
    assert goal.status == GoalStatus.REVIEW_REQUESTED
    assert token_of(url).used_at is None  # the link still works


def test_sign_off_signs_the_goal_off_with_the_statement(client, goal, supervisor):
    url = link_for(goal)
    response = client.post(
        url,
        data={
            "action": "sign_off",
            "statement": "Twee avonden goed geleid.",
            "confirm": "y",
            "confirm_reason": "De tweede avond zag ik zelf.",
        },
    )
    assert response.status_code == 200
    assert "Leerdoel afgetekend" in page(response)
    db.session.expire_all()
    assert goal.status == GoalStatus.SIGNED_OFF
    sign_off = db.session.scalar(select(SignOff).where(SignOff.goal_id == goal.id))
    assert sign_off.signed_by_id == supervisor.id
    assert sign_off.statement == "Twee avonden goed geleid."
    assert token_of(url).used_at is not None


def test_sign_off_without_verified_evidence_is_refused_and_keeps_the_statement(client, team):
    iris = team.memberships[0].student
    pending = make_task(team=team, participants=[iris])
    goal = LearningGoal(team=team, student=iris, title="Netwerken", status="review_requested")
    db.session.add(goal)
    goal.evidence.append(GoalEvidence(participation=pending.participations[0]))
    db.session.flush()
    url = link_for(goal)
    response = client.post(url, data={"action": "sign_off", "statement": "Mooi gedaan, Iris."})
    assert response.status_code == 422
    html = page(response)
    assert "Aftekenen kan pas met minstens één goedgekeurde taak als bewijs." in html
    assert "Mooi gedaan, Iris." in html
    db.session.expire_all()
    assert goal.status == GoalStatus.REVIEW_REQUESTED
    assert token_of(url).used_at is None


def test_sign_off_without_a_statement_is_refused(client, goal):
    url = link_for(goal)
    response = client.post(url, data={"action": "sign_off", "statement": ""})
    assert response.status_code == 422
    assert "Schrijf een korte verklaring bij het aftekenen" in page(response)
    db.session.expire_all()
    assert goal.status == GoalStatus.REVIEW_REQUESTED
    assert token_of(url).used_at is None


def test_a_supervisor_cannot_sign_off_their_own_goal(client, team, supervisor):
    task = make_task(team=team, participants=[supervisor], status="verified")
    goal = LearningGoal(
        team=team, student=supervisor, title="Eigen doel", status="review_requested"
    )
    db.session.add(goal)
    goal.evidence.append(GoalEvidence(participation=task.participations[0]))
    db.session.flush()
    url = link_for(goal)
    response = client.post(url, data={"action": "sign_off", "statement": "Prima."})
    assert response.status_code == 422
    assert "Je kunt je eigen leerdoel niet aftekenen." in page(response)
    db.session.expire_all()
    assert goal.status == GoalStatus.REVIEW_REQUESTED
    assert token_of(url).used_at is None


def test_return_sends_the_goal_back_with_the_reason(client, goal, supervisor):
    url = link_for(goal)
    response = client.post(url, data={"action": "return", "reason": "Koppel nog een tweede avond."})
    assert response.status_code == 200
    db.session.expire_all()
    assert goal.status == GoalStatus.ACTIVE
    assert goal.feedback[-1].comment == "Koppel nog een tweede avond."
    assert goal.feedback[-1].author_id == supervisor.id
    assert token_of(url).used_at is not None


def test_returning_a_goal_needs_a_reason(client, goal):
    url = link_for(goal)
    response = client.post(url, data={"action": "return", "reason": ""})
    assert response.status_code == 422
    assert "Schrijf waarom" in page(response)
    db.session.expire_all()
    assert goal.status == GoalStatus.REVIEW_REQUESTED


def test_feedback_with_a_rating_is_added(client, goal, supervisor):
    url = link_for(goal)
    response = client.post(
        url, data={"action": "feedback", "comment": "Je leidt al zelfstandig.", "rating": "4"}
    )
    assert response.status_code == 303
    successor = response.headers["Location"]
    assert successor.startswith("/r/") and successor.endswith("?sent=feedback")
    follow = client.get(successor)
    assert follow.status_code == 200
    assert "Feedback verstuurd" in page(follow)
    assert 'value="sign_off"' in page(follow)
    entry = db.session.scalar(
        select(Feedback).where(Feedback.goal_id == goal.id).order_by(Feedback.id.desc()).limit(1)
    )
    assert (entry.author_id, entry.author_role, entry.rating) == (supervisor.id, "supervisor", 4)
    assert entry.comment == "Je leidt al zelfstandig."
    db.session.expire_all()
    assert goal.status == GoalStatus.REVIEW_REQUESTED
    assert token_of(url).used_at is not None
    # the old link is used up; the new one signs off
    assert client.post(url, data={"action": "feedback", "comment": "Nog eens"}).status_code == 409
    signed = client.post(
        successor.split("?")[0],
        data={
            "action": "sign_off",
            "statement": "Zelfstandig gedaan.",
            "confirm": "y",
            "confirm_reason": "De open taak zag ik zelf.",
        },
    )
    assert signed.status_code == 200
    db.session.expire_all()
    assert goal.status == GoalStatus.SIGNED_OFF


def test_feedback_with_a_forged_rating_is_refused(client, goal):
    url = link_for(goal)
    response = client.post(url, data={"action": "feedback", "comment": "Goed", "rating": "9"})
    assert response.status_code == 422
    assert "Kies een beoordeling van 1 tot en met 5." in page(response)
    assert (
        db.session.scalar(select(func.count(Feedback.id)).where(Feedback.goal_id == goal.id)) == 1
    )


# --- a link that no longer works ---------------------------------------------------------------


def test_a_used_link_says_it_was_already_handled(client, task):
    url = link_for(task)
    assert client.post(url, data={"action": "approve"}).status_code == 200
    again = client.post(url, data={"action": "return", "reason": "Toch niet"})
    assert again.status_code == 409
    assert "Dit is al afgehandeld" in page(again)
    shown = client.get(url)
    assert shown.status_code == 409
    assert "Dit is al afgehandeld" in page(shown)
    db.session.expire_all()
    assert task.status == TaskStatus.VERIFIED


def test_a_task_handled_in_the_app_meanwhile_is_already_handled(client, task, supervisor):
    url = link_for(task)
    task_services.verify_task(task, by=supervisor, on_behalf=False)
    db.session.commit()
    before = database_state()
    response = client.get(url)
    assert response.status_code == 409
    assert "Dit is al afgehandeld" in page(response)
    assert client.post(url, data={"action": "approve"}).status_code == 409
    assert database_state() == before


def test_a_goal_no_longer_in_review_is_already_handled(client, goal):
    url = link_for(goal)
    goal.status = GoalStatus.ACTIVE
    db.session.flush()
    response = client.post(url, data={"action": "sign_off", "statement": "Prima"})
    assert response.status_code == 409
    assert "Dit is al afgehandeld" in page(response)
    db.session.expire_all()
    assert goal.status == GoalStatus.ACTIVE
    assert token_of(url).used_at is None


def test_an_expired_link_says_to_open_wijklab(client, task, clock):
    url = link_for(task)
    clock.advance(days=14, seconds=1)
    before = database_state()
    response = client.get(url)
    assert response.status_code == 410
    html = page(response)
    assert "Deze link is verlopen" in html
    assert "Open Wijklab" in html
    assert client.post(url, data={"action": "approve"}).status_code == 410
    assert database_state() == before


def test_a_changed_task_shows_the_new_version_and_refreshes_on_post(client, task, team, supervisor):
    url = link_for(task)
    iris = team.memberships[0].student
    task_services.edit_task(
        task,
        TaskData(
            date=task.date,
            title="Buurtsoep koken en afwassen",
            category=task.category,
            participants=[
                Participant(p.student_id, p.minutes, p.role) for p in task.participations
            ],
            description=task.description,
            residents_reached=20,
        ),
        by=iris,
        version=task.version,
        today=task.date,
    )
    db.session.commit()
    before = database_state()

    shown = client.get(url)
    assert shown.status_code == 409
    html = page(shown)
    assert "Deze taak is gewijzigd; hier is de nieuwe versie" in html
    assert "Buurtsoep koken en afwassen" in html
    assert 'value="approve"' not in html
    # Approving the old version does nothing; neither did showing it.
    assert client.post(url, data={"action": "approve"}).status_code == 409
    assert database_state() == before

    refreshed = client.post(url, data={"action": "refresh"})
    assert refreshed.status_code == 303
    new_url = refreshed.headers["Location"]
    assert new_url.startswith("/r/") and new_url != url
    old, new = token_of(url), token_of(new_url)
    assert old.used_at is not None
    assert new.used_at is None and new.version == task.version and new.user_id == supervisor.id
    assert (
        db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "review.refreshed")
        )
        == 1
    )

    assert client.get(new_url).status_code == 200
    assert client.post(new_url, data={"action": "approve"}).status_code == 200
    db.session.expire_all()
    assert task.status == TaskStatus.VERIFIED


def test_refresh_is_refused_for_a_link_that_did_not_change(client, task):
    url = link_for(task)
    response = client.post(url, data={"action": "refresh"})
    assert response.status_code == 200
    assert token_of(url).used_at is None
    assert db.session.scalar(select(func.count(OneTimeToken.id))) == 1


def test_a_supervisor_moved_off_the_team_is_refused(client, task, team):
    url = link_for(task)
    team.supervisor = make_supervisor(name="Nieuwe Begeleider")
    db.session.flush()
    before = database_state()
    response = client.get(url)
    assert response.status_code == 403
    assert "niet (meer) voor jou" in page(response)
    assert "Buurtsoep koken" not in page(response)
    assert client.post(url, data={"action": "approve"}).status_code == 403
    assert database_state() == before


def test_a_deactivated_supervisor_is_refused(client, task, supervisor):
    url = link_for(task)
    supervisor.is_active = False
    db.session.flush()
    response = client.post(url, data={"action": "approve"})
    assert response.status_code == 403
    db.session.expire_all()
    assert task.status == TaskStatus.PENDING
    assert token_of(url).used_at is None


@pytest.mark.parametrize(
    "mangle",
    [
        lambda raw: raw[:-1] + ("A" if raw[-1] != "A" else "B"),
        lambda raw: raw[:20],
        lambda raw: raw + "x" * 80,
        lambda raw: raw.swapcase(),
    ],
)
def test_a_tampered_link_is_unknown(client, task, mangle):
    raw = link_for(task).rsplit("/", 1)[1]
    response = client.post(f"/r/{mangle(raw)}", data={"action": "approve"})
    assert response.status_code == 404
    assert "Deze link kennen we niet" in page(response)
    db.session.expire_all()
    assert task.status == TaskStatus.PENDING


def test_a_link_of_another_purpose_is_unknown(client, task, supervisor):
    raw = issue_token(supervisor, Purpose.PASSWORD_RESET)
    response = client.get(f"/r/{raw}")
    assert response.status_code == 404
    assert "Deze link kennen we niet" in page(response)


# --- not the right person ------------------------------------------------------------------------


def test_not_the_right_person_passes_it_on_to_the_wijkdocent(
    client, task, supervisor, wijkdocent, mailbox
):
    url = link_for(task)
    response = client.post(url, data={"action": "not_me"})
    assert response.status_code == 200
    assert "Marloes Docent" in page(response)
    assert token_of(url).used_at is not None
    note = db.session.scalar(select(Notification).where(Notification.user_id == wijkdocent.id))
    assert note.kind == "review_redirected"
    assert note.link == f"/tasks/{task.id}"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "review.redirected"))
    assert (event.actor_id, event.object_type, event.object_id) == (supervisor.id, "Task", task.id)
    mails = mailbox.to(wijkdocent.email)
    assert len(mails) == 1 and "Petra de Vries" in mails[0].subject
    db.session.expire_all()
    assert task.status == TaskStatus.PENDING
    assert client.post(url, data={"action": "approve"}).status_code == 409


# --- no session, the right headers, a rate limit, nothing in the logs ---------------------------


def test_no_cookie_and_private_headers_on_every_page(client, task, login_as, supervisor):
    url = link_for(task)
    responses = [
        client.get(url),
        client.post(url, data={"action": "return", "reason": ""}),
        client.get("/r/onbekend"),
    ]
    login_as(supervisor)  # a browser that is logged in gets no new cookie either
    responses += [client.get(url), client.post(url, data={"action": "approve"}), client.get(url)]
    assert [r.status_code for r in responses] == [200, 422, 404, 200, 200, 409]
    for response in responses:
        assert "Set-Cookie" not in response.headers
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cache-Control"] == "no-store"
        assert "noindex" in response.headers["X-Robots-Tag"]
        assert 'name="csrf_token"' not in page(response)


@pytest.fixture
def limited_app(app):
    app.config["REVIEW_LINK_RATE_LIMIT"] = "2 per minute"
    limiter.reset()
    yield app
    limiter.reset()


def test_the_third_request_in_a_minute_from_one_address_gets_429(limited_app, client, task):
    url = link_for(task)
    statuses = [client.get(url).status_code, client.get("/r/onbekend").status_code]
    blocked = client.post(url, data={"action": "approve"})
    assert statuses == [200, 404]
    assert blocked.status_code == 429
    assert "Set-Cookie" not in blocked.headers
    db.session.expire_all()
    assert task.status == TaskStatus.PENDING


def test_the_token_never_reaches_a_log_line(client, task, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)
    url = link_for(task)
    raw = url.rsplit("/", 1)[1]
    client.get(url)
    client.post(url, data={"action": "return", "reason": ""})
    client.get(url[:-2])

    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(task_services, "verify_task", broken)
    crashed = client.post(url, data={"action": "approve"})
    assert crashed.status_code == 500
    monkeypatch.undo()
    assert client.post(url, data={"action": "approve"}).status_code == 200
    client.get(url)
    assert "review link" in caplog.text  # our log lines are there, without the token
    assert raw not in caplog.text
    assert raw[:16] not in caplog.text
    db.session.expire_all()
    assert db.session.get(Task, task.id).status == TaskStatus.VERIFIED
    assert (
        db.session.scalar(select(func.count(TaskEvent.id)).where(TaskEvent.task_id == task.id)) == 1
    )
