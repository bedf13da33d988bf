"""Learning goals at the service level: the status machine (every allowed and every forbidden
move), sign-off rules, evidence, append-only feedback, the optimistic lock and the audit trail.
The pages come with the next slice of issue 5."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests import factories
from wijklab.activity.models import AuditEvent
from wijklab.errors import Conflict, NotAllowed, WijklabError
from wijklab.extensions import db
from wijklab.goals import services
from wijklab.goals.loader import load_shipped_frameworks
from wijklab.goals.models import FrameworkItem, GoalStatus, SignOff
from wijklab.projects.models import ProjectStatus
from wijklab.tasks.models import TaskStatus

ALL_STATUSES = list(GoalStatus)


@pytest.fixture
def setting(app):
    load_shipped_frameworks()
    db.session.commit()
    project = factories.make_project(status=ProjectStatus.ACTIVE)
    student = factories.make_student(name="Ayşe Demir")
    other = factories.make_student(name="Jesse de Groot")
    team = factories.make_team(project=project, members=[student, other])
    item = db.session.scalar(select(FrameworkItem).where(FrameworkItem.code == "B1-K1"))
    return {"team": team, "student": student, "other": other, "item": item}


def new_goal(setting, **overrides):
    data = services.GoalData(
        title="Ik leid een bewonersbijeenkomst",
        description="Zelfstandig een bijeenkomst voorbereiden en leiden.",
        success_criteria="Twee bijeenkomsten geleid, feedback van bewoners verwerkt.",
        framework_item_ids=[setting["item"].id],
    )
    for key, value in overrides.items():
        setattr(data, key, value)
    goal = services.create_goal(setting["team"], setting["student"], data, by=setting["student"])
    db.session.commit()
    return goal


def put_in(goal, status: GoalStatus) -> None:
    goal.status = status
    db.session.commit()


def verified_evidence(setting, goal):
    task = factories.make_task(
        team=setting["team"], participants=[setting["student"]], status="verified"
    )
    services.add_evidence(goal, task.participations[0], by=setting["student"], note="Zie taak")
    db.session.commit()
    return task


def test_a_new_goal_is_a_draft_with_its_framework_items(setting):
    goal = new_goal(setting)
    assert goal.status == GoalStatus.DRAFT
    assert [i.code for i in goal.framework_items] == ["B1-K1"]
    assert db.session.scalar(select(AuditEvent.action)) == "goal.created"


def test_a_goal_needs_a_title_and_known_items(setting):
    with pytest.raises(WijklabError):
        new_goal(setting, title="  ")
    with pytest.raises(WijklabError):
        new_goal(setting, framework_item_ids=[99999])


def test_a_goal_is_for_a_current_member_of_the_team(setting):
    outsider = factories.make_student()
    data = services.GoalData(title="Doel", framework_item_ids=[])
    with pytest.raises(WijklabError):
        services.create_goal(setting["team"], outsider, data, by=outsider)


def test_no_goals_in_a_completed_project(setting):
    setting["team"].project.status = ProjectStatus.COMPLETED
    db.session.commit()
    with pytest.raises(NotAllowed):
        new_goal(setting)


ALLOWED = [(action, source, target) for action, (source, target) in services.TRANSITIONS.items()]


@pytest.mark.parametrize(("action", "source", "target"), ALLOWED)
def test_every_allowed_move(setting, action, source, target):
    goal = new_goal(setting)
    supervisor = setting["team"].supervisor
    if action == "sign_off":
        verified_evidence(setting, goal)
    if action == "reopen":
        goal.sign_offs.append(SignOff(signed_by=supervisor, statement="Goed gedaan"))
    put_in(goal, source)
    by = setting["student"] if action in ("activate", "request_review") else supervisor
    services.transition(
        goal, action, by=by, version=goal.version, statement="Zichtbaar gegroeid", reason="Waarom"
    )
    db.session.commit()
    assert goal.status == target
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.action == f"goal.{action}"
    assert json.loads(event.details)["to"] == target.value


FORBIDDEN = [
    (action, status)
    for action, (source, _target) in services.TRANSITIONS.items()
    for status in ALL_STATUSES
    if status != source
]


@pytest.mark.parametrize(("action", "status"), FORBIDDEN)
def test_every_forbidden_move_is_refused_and_changes_nothing(setting, action, status):
    goal = new_goal(setting)
    verified_evidence(setting, goal)
    put_in(goal, status)
    with pytest.raises(WijklabError):
        services.transition(goal, action, by=setting["team"].supervisor, statement="x", reason="y")
    db.session.rollback()
    assert goal.status == status


def test_sign_off_needs_verified_evidence(setting):
    goal = new_goal(setting)
    pending = factories.make_task(team=setting["team"], participants=[setting["student"]])
    services.add_evidence(goal, pending.participations[0], by=setting["student"])
    put_in(goal, GoalStatus.REVIEW_REQUESTED)
    with pytest.raises(WijklabError, match="goedgekeurde taak"):
        services.transition(goal, "sign_off", by=setting["team"].supervisor, statement="Ja")
    pending.status = TaskStatus.VERIFIED
    db.session.commit()
    services.transition(goal, "sign_off", by=setting["team"].supervisor, statement="Ja")
    assert goal.status == GoalStatus.SIGNED_OFF


def test_sign_off_needs_a_statement(setting):
    goal = new_goal(setting)
    verified_evidence(setting, goal)
    put_in(goal, GoalStatus.REVIEW_REQUESTED)
    with pytest.raises(WijklabError):
        services.transition(goal, "sign_off", by=setting["team"].supervisor, statement="  ")


def test_nobody_signs_off_their_own_goal(setting):
    goal = new_goal(setting)
    verified_evidence(setting, goal)
    put_in(goal, GoalStatus.REVIEW_REQUESTED)
    with pytest.raises(NotAllowed):
        services.transition(goal, "sign_off", by=setting["student"], statement="Zelf")


def test_reopening_revokes_the_sign_off_and_keeps_it_visible(setting):
    goal = new_goal(setting)
    verified_evidence(setting, goal)
    put_in(goal, GoalStatus.REVIEW_REQUESTED)
    supervisor = setting["team"].supervisor
    services.transition(goal, "sign_off", by=supervisor, statement="Voorbeeld voor anderen")
    services.transition(goal, "reopen", by=supervisor, reason="Verkeerde taak als bewijs")
    db.session.commit()
    sign_off = db.session.scalar(select(SignOff))
    assert sign_off.revoked_at is not None and sign_off.revoke_reason == "Verkeerde taak als bewijs"
    assert goal.status == GoalStatus.ACTIVE


def test_returning_a_goal_needs_a_reason_and_leaves_it_as_feedback(setting):
    goal = new_goal(setting)
    put_in(goal, GoalStatus.REVIEW_REQUESTED)
    supervisor = setting["team"].supervisor
    with pytest.raises(WijklabError):
        services.transition(goal, "return", by=supervisor, reason="")
    services.transition(goal, "return", by=supervisor, reason="Maak het meetbaar")
    assert goal.status == GoalStatus.ACTIVE
    assert [f.comment for f in goal.feedback] == ["Maak het meetbaar"]


def test_a_change_on_an_old_version_is_refused(setting):
    goal = new_goal(setting)
    old = goal.version
    services.update_goal(
        goal, services.GoalData(title="Nieuwe titel"), by=setting["student"], version=old
    )
    db.session.commit()
    assert goal.version > old
    with pytest.raises(Conflict):
        services.transition(goal, "activate", by=setting["student"], version=old)


def test_goals_in_review_or_signed_off_are_not_edited(setting):
    goal = new_goal(setting)
    for status in (GoalStatus.REVIEW_REQUESTED, GoalStatus.SIGNED_OFF):
        put_in(goal, status)
        with pytest.raises(NotAllowed):
            services.update_goal(
                goal, services.GoalData(title="Anders"), by=setting["student"], version=None
            )


def test_evidence_only_from_the_students_own_participation_in_the_team(setting):
    goal = new_goal(setting)
    theirs = factories.make_task(team=setting["team"], participants=[setting["other"]])
    with pytest.raises(NotAllowed):
        services.add_evidence(goal, theirs.participations[0], by=setting["student"])
    elsewhere = factories.make_task(participants=[setting["student"]])
    with pytest.raises(WijklabError, match="dit team"):
        services.add_evidence(goal, elsewhere.participations[0], by=setting["student"])
    own = factories.make_task(team=setting["team"], participants=[setting["student"]])
    services.add_evidence(goal, own.participations[0], by=setting["student"])
    with pytest.raises(Conflict):
        services.add_evidence(goal, own.participations[0], by=setting["student"])


def test_feedback_is_appended_and_only_supervisors_rate(setting):
    goal = new_goal(setting)
    supervisor = setting["team"].supervisor
    services.add_feedback(goal, by=supervisor, comment="Mooi begin", rating=3, may_rate=True)
    with pytest.raises(NotAllowed):
        services.add_feedback(
            goal, by=setting["other"], comment="Goed gedaan", rating=4, may_rate=False
        )
    services.add_feedback(
        goal, by=setting["other"], comment="Goed gedaan", rating=None, may_rate=False
    )
    with pytest.raises(WijklabError):
        services.add_feedback(goal, by=supervisor, comment="x", rating=6, may_rate=True)
    db.session.commit()
    assert [(f.author_role, f.rating) for f in goal.feedback] == [
        ("supervisor", 3),
        ("student", None),
    ]


def test_a_signed_off_goal_takes_comments_but_no_rating(setting):
    goal = new_goal(setting)
    put_in(goal, GoalStatus.SIGNED_OFF)
    supervisor = setting["team"].supervisor
    with pytest.raises(WijklabError):
        services.add_feedback(goal, by=supervisor, comment="Top", rating=5, may_rate=True)
    services.add_feedback(goal, by=supervisor, comment="Top", rating=None, may_rate=True)
    assert len(goal.feedback) == 1


def test_who_sees_and_acts_on_a_goal(setting):
    from wijklab.goals import permissions as may

    team = setting["team"]
    coach = factories.make_student(level="hbo", study_year=3)
    from wijklab.teams.models import MemberRole, TeamMembership

    joined = team.start_date
    db.session.add(
        TeamMembership(team=team, student=coach, role=MemberRole.PEER_COACH, joined_on=joined)
    )
    db.session.commit()
    goal = new_goal(setting)
    owner_wijkdocent = team.project.owner
    other_wijkdocent = factories.make_user(role="wijkdocent")
    other_supervisor = factories.make_supervisor()
    expectations = {
        "owner": (setting["student"], True, True, False, False),
        "teammate": (setting["other"], False, False, False, False),
        "peer coach": (coach, True, False, False, False),
        "team supervisor": (team.supervisor, True, False, True, True),
        "other supervisor": (other_supervisor, False, False, False, False),
        "project wijkdocent": (owner_wijkdocent, True, False, True, False),
        "other wijkdocent": (other_wijkdocent, False, False, False, False),
    }
    for who, (user, view, edit, rate, sign) in expectations.items():
        assert may.can_view_goal(user, goal) is view, who
        assert may.can_edit_goal(user, goal) is edit, who
        assert may.can_rate(user, goal) is rate, who
        assert may.can_sign_off(user, goal) is sign, who
