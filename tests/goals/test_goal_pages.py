"""Learning goals through the pages: create and edit, the status moves, evidence, feedback,
who sees what, the overview and the timeline. The rules themselves are tested at the service
level in test_goals.py and the permission matrix in tests/test_routes.py."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import func, select

from tests import factories
from wijklab.activity.models import AuditEvent
from wijklab.extensions import db
from wijklab.goals.loader import load_shipped_frameworks
from wijklab.goals.models import (
    Feedback,
    FrameworkItem,
    GoalEvidence,
    GoalStatus,
    LearningGoal,
    SignOff,
)
from wijklab.projects.models import ProjectStatus


@pytest.fixture
def world(app, wijkdocent, supervisor):
    """An active project of ``wijkdocent`` with one team supervised by ``supervisor``: an mbo
    student, a teammate who is a plain member and a teammate who is peer coach."""
    load_shipped_frameworks()
    db.session.commit()
    project = factories.make_project(owner=wijkdocent, status=ProjectStatus.ACTIVE)
    student = factories.make_student(level="mbo", name="Ayşe Demir")
    teammate = factories.make_student(name="Jesse de Groot")
    coach = factories.make_student(name="Noor Bakker")
    team = factories.make_team(
        project=project, supervisor=supervisor, members=[student, teammate, coach], coach=coach
    )
    return {
        "project": project,
        "team": team,
        "student": student,
        "teammate": teammate,
        "coach": coach,
        "supervisor": supervisor,
        "wijkdocent": wijkdocent,
        "mbo_item": item("B1-K1"),
        "hbo_item": item("SW-K1"),
    }


def item(code: str) -> FrameworkItem:
    return db.session.scalar(select(FrameworkItem).where(FrameworkItem.code == code))


def fresh(goal_id: int) -> LearningGoal:
    """The goal as the database has it now, not as this session remembers it."""
    db.session.expire_all()
    return db.session.get(LearningGoal, goal_id)


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def page(response) -> str:
    return unescape(response.get_data(as_text=True))


def goal_in(world, status: str = "draft", **values) -> LearningGoal:
    return factories.make_goal(
        team=world["team"], student=world["student"], status=status, **values
    )


def goal_data(world, **overrides) -> dict:
    data = {
        "title": "Ik leid een bewonersbijeenkomst",
        "description": "Zelfstandig voorbereiden en leiden.",
        "success_criteria": "Twee bijeenkomsten geleid.",
        "target_date": "2027-03-01",
        "framework_items": [world["mbo_item"].id, world["hbo_item"].id],
    }
    data.update(overrides)
    return data


def move(client, goal: LearningGoal, action: str, version: int | None = None, **fields):
    data = {
        "action": action,
        "version": str(fresh(goal.id).version if version is None else version),
        "statement": "",
        "reason": "",
    }
    data.update(fields)
    return client.post(f"/goals/{goal.id}/transition", data=data)


def verified_participation(world, status: str = "verified", student=None):
    task = factories.make_task(
        team=world["team"], participants=[student or world["student"]], status=status
    )
    return task.participations[0]


def link(client, goal: LearningGoal, participation, note: str = "Zie taak"):
    return client.post(
        f"/goals/{goal.id}/evidence",
        data={"participation_id": str(participation.id), "note": note},
    )


# --- creating a goal ---------------------------------------------------------------------


def test_student_member_creates_a_draft_goal_with_its_framework_items(world, client, login_as):
    login_as(world["student"])
    response = client.post(f"/teams/{world['team'].id}/goals/new", data=goal_data(world))
    goal = db.session.scalar(select(LearningGoal))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/goals/{goal.id}")
    goal = fresh(goal.id)
    assert goal.status == GoalStatus.DRAFT
    assert goal.student_id == world["student"].id
    assert goal.title == "Ik leid een bewonersbijeenkomst"
    assert str(goal.target_date) == "2027-03-01"
    assert sorted(i.code for i in goal.framework_items) == ["B1-K1", "SW-K1"]


def test_new_goal_form_lists_the_students_own_framework_first(world, client, login_as):
    login_as(world["student"])
    response = client.get(f"/teams/{world['team'].id}/goals/new")
    html = page(response)
    assert response.status_code == 200
    assert "B1-K1" in html
    assert html.index("B1-K1") < html.index("SW-K1")


def test_new_goal_form_lists_the_hbo_framework_first_for_an_hbo_student(world, client, login_as):
    hbo_student = factories.make_student(level="hbo")
    team = factories.make_team(project=world["project"], members=[hbo_student])
    login_as(hbo_student)
    response = client.get(f"/teams/{team.id}/goals/new")
    html = page(response)
    assert response.status_code == 200
    assert html.index("SW-K1") < html.index("B1-K1")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "Dit veld is verplicht."),
        ({"title": "   "}, "Dit veld is verplicht."),
        ({"title": "x" * 201}, "200"),
    ],
    ids=["empty", "blank", "too-long"],
)
def test_goal_with_a_bad_title_is_refused_and_not_saved(
    world, client, login_as, overrides, message
):
    login_as(world["student"])
    response = client.post(
        f"/teams/{world['team'].id}/goals/new", data=goal_data(world, **overrides)
    )
    assert response.status_code == 422
    assert message in page(response)
    assert count(LearningGoal) == 0


def test_goal_with_an_unknown_framework_item_is_refused_and_not_saved(world, client, login_as):
    login_as(world["student"])
    response = client.post(
        f"/teams/{world['team'].id}/goals/new", data=goal_data(world, framework_items=["99999"])
    )
    assert response.status_code == 422
    assert count(LearningGoal) == 0


def test_student_outside_the_team_cannot_create_a_goal(world, client, login_as):
    login_as(factories.make_student())
    response = client.post(f"/teams/{world['team'].id}/goals/new", data=goal_data(world))
    assert response.status_code == 403
    assert count(LearningGoal) == 0


def test_no_goal_is_created_in_a_completed_project(world, client, login_as):
    world["project"].status = ProjectStatus.COMPLETED
    db.session.commit()
    login_as(world["student"])
    assert client.get(f"/teams/{world['team'].id}/goals/new").status_code == 403
    response = client.post(f"/teams/{world['team'].id}/goals/new", data=goal_data(world))
    assert response.status_code == 403
    assert count(LearningGoal) == 0


# --- editing -----------------------------------------------------------------------------


def test_edit_form_carries_the_goals_version(world, client, login_as):
    goal = goal_in(world)
    login_as(world["student"])
    response = client.get(f"/goals/{goal.id}/edit")
    assert response.status_code == 200
    assert f'name="version" type="hidden" value="{goal.version}"' in page(response)


def test_student_edits_their_goal(world, client, login_as):
    goal = goal_in(world)
    login_as(world["student"])
    data = goal_data(world, title="Ik voer een huisbezoek uit", version=str(goal.version))
    data["framework_items"] = [world["hbo_item"].id]
    response = client.post(f"/goals/{goal.id}/edit", data=data)
    assert response.status_code == 302
    goal = fresh(goal.id)
    assert goal.title == "Ik voer een huisbezoek uit"
    assert [i.code for i in goal.framework_items] == ["SW-K1"]
    assert goal.version == 2


def test_edit_on_an_old_version_is_refused_and_changes_nothing(world, client, login_as):
    goal = goal_in(world, title="Oorspronkelijk")
    goal.title = "Door iemand anders gewijzigd"
    db.session.commit()
    assert goal.version == 2
    login_as(world["student"])
    response = client.post(
        f"/goals/{goal.id}/edit", data=goal_data(world, title="Mijn wijziging", version="1")
    )
    assert response.status_code == 409
    assert "Laad de pagina opnieuw" in page(response)
    goal = fresh(goal.id)
    assert goal.title == "Door iemand anders gewijzigd"
    assert goal.version == 2


# --- status moves ------------------------------------------------------------------------


def test_student_activates_their_draft_goal(world, client, login_as):
    goal = goal_in(world)
    login_as(world["student"])
    response = move(client, goal, "activate")
    assert response.status_code == 302
    assert fresh(goal.id).status == GoalStatus.ACTIVE


def test_student_requests_review_of_their_active_goal(world, client, login_as):
    goal = goal_in(world, status="active")
    login_as(world["student"])
    response = move(client, goal, "request_review")
    assert response.status_code == 302
    assert fresh(goal.id).status == GoalStatus.REVIEW_REQUESTED


def test_supervisor_signs_off_a_goal_with_verified_evidence(world, client, login_as):
    goal = goal_in(world, status="active")
    login_as(world["student"])
    assert link(client, goal, verified_participation(world)).status_code == 302
    assert move(client, goal, "request_review").status_code == 302
    login_as(world["supervisor"])
    response = move(client, goal, "sign_off", statement="Laat het zelfstandig zien.")
    assert response.status_code == 302
    goal = fresh(goal.id)
    assert goal.status == GoalStatus.SIGNED_OFF
    assert [(s.signed_by_id, s.statement) for s in goal.sign_offs] == [
        (world["supervisor"].id, "Laat het zelfstandig zien.")
    ]


def test_sign_off_without_verified_evidence_is_refused_with_a_message(world, client, login_as):
    goal = goal_in(world, status="review_requested")
    login_as(world["student"])
    link(client, goal, verified_participation(world, status="pending"))
    login_as(world["supervisor"])
    response = move(client, goal, "sign_off", statement="Goed gedaan.")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/goals/{goal.id}")
    follow = client.get(response.headers["Location"])
    assert "Aftekenen kan pas met minstens één goedgekeurde taak" in page(follow)
    assert "flash-error" in page(follow)
    assert fresh(goal.id).status == GoalStatus.REVIEW_REQUESTED
    assert count(SignOff) == 0


def test_sign_off_without_a_statement_is_refused(world, client, login_as):
    goal = goal_in(world, status="active")
    login_as(world["student"])
    link(client, goal, verified_participation(world))
    move(client, goal, "request_review")
    login_as(world["supervisor"])
    response = move(client, goal, "sign_off", statement="  ")
    assert response.status_code == 303
    assert fresh(goal.id).status == GoalStatus.REVIEW_REQUESTED
    assert count(SignOff) == 0


def test_supervisor_returns_a_goal_from_review_with_a_reason(world, client, login_as):
    goal = goal_in(world, status="review_requested")
    login_as(world["supervisor"])
    response = move(client, goal, "return", reason="Voeg eerst bewijs toe.")
    assert response.status_code == 302
    goal = fresh(goal.id)
    assert goal.status == GoalStatus.ACTIVE
    assert [f.comment for f in goal.feedback] == ["Voeg eerst bewijs toe."]


def test_returning_a_goal_without_a_reason_is_refused(world, client, login_as):
    goal = goal_in(world, status="review_requested")
    login_as(world["supervisor"])
    response = move(client, goal, "return", reason="")
    assert response.status_code == 303
    assert "Schrijf waarom" in page(client.get(f"/goals/{goal.id}"))
    assert fresh(goal.id).status == GoalStatus.REVIEW_REQUESTED
    assert count(Feedback) == 0


def signed_off_goal(world, client, login_as) -> LearningGoal:
    goal = goal_in(world, status="active")
    login_as(world["student"])
    link(client, goal, verified_participation(world))
    move(client, goal, "request_review")
    login_as(world["supervisor"])
    move(client, goal, "sign_off", statement="Zelfstandig zichtbaar.")
    assert fresh(goal.id).status == GoalStatus.SIGNED_OFF
    return goal


@pytest.mark.parametrize("who", ["supervisor", "wijkdocent"])
def test_reopened_sign_off_stays_visible_as_revoked(world, client, login_as, who):
    goal = signed_off_goal(world, client, login_as)
    login_as(world[who])
    response = move(client, goal, "reopen", reason="Bewijs bleek niet van deze student.")
    assert response.status_code == 302
    goal = fresh(goal.id)
    assert goal.status == GoalStatus.ACTIVE
    [sign_off] = goal.sign_offs
    assert sign_off.revoked_by_id == world[who].id
    assert sign_off.revoke_reason == "Bewijs bleek niet van deze student."
    html = page(client.get(f"/goals/{goal.id}"))
    assert "ingetrokken" in html
    assert "Zelfstandig zichtbaar." in html
    assert "Bewijs bleek niet van deze student." in html


def test_reopening_without_a_reason_is_refused(world, client, login_as):
    goal = signed_off_goal(world, client, login_as)
    response = move(client, goal, "reopen", reason=" ")
    assert response.status_code == 303
    goal = fresh(goal.id)
    assert goal.status == GoalStatus.SIGNED_OFF
    assert goal.sign_offs[0].revoked_at is None


@pytest.mark.parametrize(
    ("who", "status", "action"),
    [
        ("student", "review_requested", "sign_off"),
        ("student", "review_requested", "return"),
        ("supervisor", "draft", "activate"),
        ("supervisor", "active", "request_review"),
        ("wijkdocent", "review_requested", "sign_off"),
        ("coach", "draft", "activate"),
    ],
)
def test_move_not_allowed_for_the_user_is_forbidden(world, client, login_as, who, status, action):
    goal = goal_in(world, status=status)
    login_as(world[who])
    response = move(client, goal, action, statement="Goed.", reason="Omdat.")
    assert response.status_code == 403
    assert fresh(goal.id).status == GoalStatus(status)
    assert count(AuditEvent) == 0


def test_move_on_a_stale_version_is_refused(world, client, login_as):
    goal = goal_in(world)
    goal.title = "Intussen gewijzigd"
    db.session.commit()
    login_as(world["student"])
    response = move(client, goal, "activate", version=1)
    assert response.status_code == 303
    assert "Dit leerdoel is intussen gewijzigd; bekijk het opnieuw." in page(
        client.get(f"/goals/{goal.id}")
    )
    goal = fresh(goal.id)
    assert goal.status == GoalStatus.DRAFT
    assert goal.version == 2


def test_activate_form_on_the_goal_page_works_with_csrf_protection(
    csrf_app, world, client, login_as
):
    goal = goal_in(world)
    login_as(world["student"])
    html = page(client.get(f"/goals/{goal.id}"))
    form = re.search(r'<form method="post" action="/goals/\d+/transition".*?</form>', html, re.S)
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form.group(0)))
    assert fields["action"] == "activate"
    response = client.post(f"/goals/{goal.id}/transition", data=fields)
    assert response.status_code == 302
    assert fresh(goal.id).status == GoalStatus.ACTIVE


# --- evidence ----------------------------------------------------------------------------


def test_student_links_their_own_participation_as_evidence(world, client, login_as):
    goal = goal_in(world, status="active")
    participation = verified_participation(world)
    login_as(world["student"])
    response = link(client, goal, participation, note="Ik leidde de bijeenkomst.")
    assert response.status_code == 302
    [evidence] = fresh(goal.id).evidence
    assert evidence.participation_id == participation.id
    assert evidence.note == "Ik leidde de bijeenkomst."


def test_evidence_select_offers_only_the_students_own_participations(world, client, login_as):
    goal = goal_in(world, status="active")
    own = verified_participation(world)
    others = verified_participation(world, student=world["teammate"])
    login_as(world["student"])
    html = page(client.get(f"/goals/{goal.id}"))
    assert f'value="{own.id}"' in html
    assert others.task.title not in html


def test_forged_participation_of_another_student_is_refused(world, client, login_as):
    goal = goal_in(world, status="active")
    verified_participation(world)  # so the student has a choice of their own
    others = verified_participation(world, student=world["teammate"])
    login_as(world["student"])
    response = link(client, goal, others)
    assert response.status_code == 403
    assert count(GoalEvidence) == 0


@pytest.mark.parametrize(
    ("task_status", "label"), [("pending", "wacht op controle"), ("verified", "goedgekeurd")]
)
def test_evidence_shows_whether_its_task_is_verified(world, client, login_as, task_status, label):
    goal = goal_in(world, status="active")
    login_as(world["student"])
    link(client, goal, verified_participation(world, status=task_status))
    html = page(client.get(f"/goals/{goal.id}"))
    assert label in html
    other = "goedgekeurd" if label == "wacht op controle" else "wacht op controle"
    assert other not in html


# --- feedback ----------------------------------------------------------------------------


def feedback(client, goal, comment: str, rating: str = ""):
    return client.post(f"/goals/{goal.id}/feedback", data={"comment": comment, "rating": rating})


def test_supervisor_gives_feedback_with_a_rating(world, client, login_as):
    goal = goal_in(world, status="active")
    login_as(world["supervisor"])
    response = feedback(client, goal, "Mooi voorbereid.", "4")
    assert response.status_code == 302
    [entry] = fresh(goal.id).feedback
    assert (entry.author_id, entry.author_role, entry.rating) == (
        world["supervisor"].id,
        "supervisor",
        4,
    )
    assert "zelfstandig zichtbaar" in page(client.get(f"/goals/{goal.id}"))


def test_peer_coach_comments_without_a_rating(world, client, login_as):
    goal = goal_in(world, status="active")
    login_as(world["coach"])
    form = page(client.get(f"/goals/{goal.id}"))
    assert 'name="comment"' in form
    assert 'name="rating"' not in form
    response = feedback(client, goal, "Vraag de bewoners om hun mening.")
    assert response.status_code == 302
    [entry] = fresh(goal.id).feedback
    assert (entry.author_id, entry.rating) == (world["coach"].id, None)


def test_forged_rating_from_a_peer_coach_is_refused(world, client, login_as):
    goal = goal_in(world, status="active")
    login_as(world["coach"])
    response = feedback(client, goal, "Prima.", "5")
    assert response.status_code == 403
    assert count(Feedback) == 0


def test_student_responds_to_feedback(world, client, login_as):
    goal = goal_in(world, status="active")
    login_as(world["supervisor"])
    feedback(client, goal, "Betrek ook de jongeren.", "3")
    login_as(world["student"])
    response = feedback(client, goal, "Dank je, dat doe ik volgende week.")
    assert response.status_code == 302
    entries = fresh(goal.id).feedback
    assert [(e.author_id, e.rating) for e in entries] == [
        (world["supervisor"].id, 3),
        (world["student"].id, None),
    ]


def test_student_cannot_rate_their_own_goal(world, client, login_as):
    goal = goal_in(world, status="active")
    login_as(world["student"])
    response = feedback(client, goal, "Ik vind het goed gaan.", "5")
    assert response.status_code == 403
    assert count(Feedback) == 0


def test_feedback_is_shown_in_order_with_the_authors_role(world, client, login_as):
    goal = goal_in(world, status="active")
    login_as(world["supervisor"])
    feedback(client, goal, "Eerste opmerking van de begeleider.", "2")
    login_as(world["student"])
    feedback(client, goal, "Tweede: antwoord van de student.")
    html = page(client.get(f"/goals/{goal.id}"))
    first = html.index("Eerste opmerking van de begeleider.")
    second = html.index("Tweede: antwoord van de student.")
    assert first < second
    assert "(Werkbegeleider)" in html[:first]
    assert "(Student)" in html[first:second]
    assert count(Feedback) == 2


def test_signed_off_goal_takes_a_comment_but_no_rating(world, client, login_as):
    goal = signed_off_goal(world, client, login_as)
    assert 'name="rating"' not in page(client.get(f"/goals/{goal.id}"))
    assert feedback(client, goal, "Nog één opmerking.").status_code == 302
    response = feedback(client, goal, "Met een cijfer.", "4")
    assert response.status_code == 303
    assert [(e.comment, e.rating) for e in fresh(goal.id).feedback] == [
        ("Nog één opmerking.", None)
    ]


@pytest.mark.parametrize("comment", ["", "   "])
def test_empty_feedback_is_refused(world, client, login_as, comment):
    goal = goal_in(world, status="active")
    login_as(world["supervisor"])
    response = feedback(client, goal, comment, "3")
    assert response.status_code == 303
    assert "Schrijf je feedback" in page(client.get(f"/goals/{goal.id}"))
    assert count(Feedback) == 0


# --- who sees what -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["student", "coach", "supervisor", "wijkdocent"])
def test_goal_page_is_visible_to_the_people_around_the_goal(world, client, login_as, who):
    goal = goal_in(world, title="Ik leid een bewonersbijeenkomst")
    login_as(world[who])
    response = client.get(f"/goals/{goal.id}")
    assert response.status_code == 200
    assert "Ik leid een bewonersbijeenkomst" in page(response)


def test_teammate_who_is_not_peer_coach_does_not_see_the_goal(world, client, login_as):
    goal = goal_in(world)
    login_as(world["teammate"])
    assert client.get(f"/goals/{goal.id}").status_code == 404


def test_supervisor_of_another_team_does_not_see_the_goal(world, client, login_as):
    goal = goal_in(world)
    other_supervisor = factories.make_supervisor()
    factories.make_team(project=world["project"], supervisor=other_supervisor)
    login_as(other_supervisor)
    assert client.get(f"/goals/{goal.id}").status_code == 404


@pytest.mark.parametrize(("who", "sees"), [("student", True), ("coach", True), ("teammate", False)])
def test_team_page_lists_only_the_goals_the_viewer_may_see(world, client, login_as, who, sees):
    goal_in(world, title="Geheim leerdoel van Ayşe")
    login_as(world[who])
    response = client.get(f"/teams/{world['team'].id}")
    assert response.status_code == 200
    assert ("Geheim leerdoel van Ayşe" in page(response)) is sees


def test_team_page_lists_the_goals_for_the_supervisor(world, client, login_as):
    goal_in(world, title="Leerdoel voor de begeleider")
    login_as(world["supervisor"])
    response = client.get(f"/teams/{world['team'].id}")
    assert response.status_code == 200
    assert "Leerdoel voor de begeleider" in page(response)


# --- the overview ------------------------------------------------------------------------


def test_goal_list_shows_a_students_own_goals(world, client, login_as):
    goal_in(world, title="Mijn eigen leerdoel")
    factories.make_goal(team=world["team"], student=world["coach"], title="Doel van de coach")
    login_as(world["student"])
    response = client.get("/goals/")
    html = page(response)
    assert response.status_code == 200
    assert "Mijn eigen leerdoel" in html
    assert "Doel van de coach" not in html


def test_goal_list_shows_a_supervisors_teams_goals_filtered_by_status(world, client, login_as):
    goal_in(world, status="review_requested", title="Wacht op beoordeling")
    goal_in(world, status="active", title="Nog bezig")
    other_team = factories.make_team(project=world["project"], members=[factories.make_student()])
    factories.make_goal(team=other_team, status="review_requested", title="Ander team")
    login_as(world["supervisor"])
    everything = page(client.get("/goals/"))
    assert "Wacht op beoordeling" in everything
    assert "Nog bezig" in everything
    assert "Ander team" not in everything
    response = client.get("/goals/?status=review_requested")
    waiting = page(response)
    assert response.status_code == 200
    assert "Wacht op beoordeling" in waiting
    assert "Nog bezig" not in waiting


def test_goal_list_shows_a_wijkdocents_projects_goals(world, client, login_as):
    goal_in(world, title="In mijn project")
    other_project = factories.make_project(status=ProjectStatus.ACTIVE)
    other_team = factories.make_team(project=other_project, members=[factories.make_student()])
    factories.make_goal(team=other_team, title="In een ander project")
    login_as(world["wijkdocent"])
    response = client.get("/goals/")
    html = page(response)
    assert response.status_code == 200
    assert "In mijn project" in html
    assert "In een ander project" not in html


# --- the timeline ------------------------------------------------------------------------


def test_goal_page_shows_the_timeline_of_audit_events(world, client, login_as):
    login_as(world["student"])
    client.post(f"/teams/{world['team'].id}/goals/new", data=goal_data(world))
    goal = db.session.scalar(select(LearningGoal))
    move(client, goal, "activate")
    link(client, goal, verified_participation(world))
    move(client, goal, "request_review")
    login_as(world["supervisor"])
    move(client, goal, "sign_off", statement="Afgetekend.")
    db.session.expire_all()
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == [
        "goal.created",
        "goal.activate",
        "goal.evidence_added",
        "goal.request_review",
        "goal.sign_off",
    ]
    timeline = page(client.get(f"/goals/{goal.id}")).split("Tijdlijn", 1)[1]
    positions = [
        timeline.index(word)
        for word in (
            "aangemaakt",
            "geactiveerd",
            "bewijs gekoppeld",
            "beoordeling aangevraagd",
            "afgetekend",
        )
    ]
    assert positions == sorted(positions)


def test_no_route_changes_or_deletes_feedback(app):
    """Feedback is append-only: the only route that touches it adds an entry."""
    feedback_rules = [r for r in app.url_map.iter_rules() if "feedback" in r.rule]
    assert [(r.rule, sorted(r.methods - {"HEAD", "OPTIONS"})) for r in feedback_rules] == [
        ("/goals/<int:goal_id>/feedback", ["POST"])
    ]
    changing = {"PUT", "PATCH", "DELETE"}
    assert not any(rule.methods & changing for rule in app.url_map.iter_rules())
