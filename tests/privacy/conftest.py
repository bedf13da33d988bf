"""A seeded person for the privacy tests: Zoë with a team, tasks (one verified, with her
reflection), a signed-off goal with evidence, feedback from her supervisor and her own reply,
an issued statement, a notification, a mail preference and an open one-time link."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests import factories
from wijklab.accounts.tokens import Purpose, issue_token
from wijklab.activity.models import Delivery, Notification, NotificationPreference
from wijklab.extensions import db
from wijklab.goals.models import Feedback, GoalEvidence, GoalStatus, SignOff
from wijklab.projects.models import ProjectStatus
from wijklab.tasks.models import SupervisionSession, TaskStatus

REFLECTION = "Ik vond het spannend om de bewoners aan te spreken."
GOAL_DESCRIPTION = "Zoë wil zelfstandig een bewonersavond leiden."
EVIDENCE_NOTE = "Hier leidde ik het gesprek."
SUPERVISOR_FEEDBACK = "Zoë sprak de bewoners open en rustig aan."
STUDENT_REPLY = "Dank je, volgende keer bereid ik de agenda beter voor."
SIGN_OFF_STATEMENT = "Zelfstandig voorbereid en geleid."
SUPERVISION_NOTE = "Gesprek met Zoë over haar rol."
TEAMMATE_REFLECTION = "Goede samenwerking."


@pytest.fixture
def person(app, admin, wijkdocent, supervisor, student):
    project = factories.make_project(owner=wijkdocent, status=ProjectStatus.ACTIVE)
    teammate = factories.make_student(name="Ayşe Yılmaz")
    team = factories.make_team(
        project=project, supervisor=supervisor, members=[student, teammate], name="Team Noord"
    )
    task = factories.make_task(
        team=team, participants=[student, teammate], minutes=90, date=date(2026, 10, 5)
    )
    task.participations[0].reflection = REFLECTION
    task.participations[1].reflection = TEAMMATE_REFLECTION
    task.status = TaskStatus.VERIFIED
    task.verified_by = supervisor
    task.verified_at = datetime(2026, 10, 6, 9, tzinfo=UTC)
    goal = factories.make_goal(
        team=team,
        student=student,
        status="signed_off",
        title="Ik leid een bewonersavond",
        description=GOAL_DESCRIPTION,
        success_criteria="De avond verloopt volgens plan.",
    )
    db.session.add_all(
        [
            GoalEvidence(goal=goal, participation=task.participations[0], note=EVIDENCE_NOTE),
            Feedback(
                goal=goal,
                author=supervisor,
                author_role="supervisor",
                rating=4,
                comment=SUPERVISOR_FEEDBACK,
            ),
            Feedback(goal=goal, author=student, author_role="student", comment=STUDENT_REPLY),
            SignOff(goal=goal, signed_by=supervisor, statement=SIGN_OFF_STATEMENT),
            SupervisionSession(
                team_id=team.id,
                supervisor=supervisor,
                date=date(2026, 10, 6),
                minutes=30,
                note=SUPERVISION_NOTE,
            ),
            Notification(user_id=student.id, kind="goal_signed_off", params='{"by": "Petra"}'),
            NotificationPreference(
                user_id=student.id, kind="goal_signed_off", delivery=Delivery.WEEKLY
            ),
        ]
    )
    goal.status = GoalStatus.SIGNED_OFF
    db.session.flush()
    statement = factories.make_statement(
        team,
        student,
        by=wijkdocent,
        verify_url=lambda code: f"https://wijklab.example.org/verify/{code}",
    )
    issue_token(student, Purpose.PASSWORD_RESET)
    db.session.flush()
    return {
        "student": student,
        "teammate": teammate,
        "supervisor": supervisor,
        "wijkdocent": wijkdocent,
        "admin": admin,
        "team": team,
        "task": task,
        "goal": goal,
        "statement": statement,
    }
