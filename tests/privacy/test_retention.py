"""``flask retention``: a dry run lists who would be anonymised and changes nothing; a real run
anonymises them once; a second run finds nobody."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from tests import factories
from tests.conftest import as_its_own_unit_of_work
from tests.privacy.conftest import REFLECTION
from wijklab.accounts.models import User
from wijklab.activity.models import AuditEvent
from wijklab.extensions import db
from wijklab.tasks.models import TaskParticipation


def run(app, *args):
    with as_its_own_unit_of_work():
        return app.test_cli_runner().invoke(args=["retention", *args])


def anonymised() -> list[int]:
    return list(
        db.session.scalars(select(User.id).where(User.anonymised_at.is_not(None)).order_by(User.id))
    )


def retention_events() -> int:
    return db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "privacy.erased")
    )


def test_nothing_is_due_within_the_retention_period(person, app, clock):
    clock.set(date(2033, 1, 1))  # six years after the statement and the last task
    result = run(app, "--dry-run")
    assert result.exit_code == 0
    assert "0 student(en) zouden geanonimiseerd worden" in result.output
    assert anonymised() == []


def test_dry_run_lists_and_changes_nothing(person, app, clock):
    clock.set(date(2034, 6, 1))  # more than seven years after everything
    sid, teammate = person["student"].id, person["teammate"].id
    result = run(app, "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"gebruiker {sid}:" in result.output and f"gebruiker {teammate}:" in result.output
    assert "Proefdraai: 2 student(en)" in result.output
    assert "Zoë" not in result.output  # ids only, no names in logs
    db.session.expire_all()
    assert anonymised() == []
    assert retention_events() == 0
    assert (
        db.session.scalar(
            select(TaskParticipation.reflection).where(TaskParticipation.student_id == sid)
        )
        == REFLECTION
    )


def test_real_run_anonymises_then_changes_nothing(person, app, clock):
    clock.set(date(2034, 6, 1))
    sid, teammate = person["student"].id, person["teammate"].id
    first = run(app)
    assert first.exit_code == 0, first.output
    assert "2 student(en) geanonimiseerd." in first.output
    db.session.expire_all()
    assert anonymised() == [sid, teammate]
    user = db.session.get(User, sid)
    assert user.name == f"Verwijderde gebruiker {sid}" and not user.is_active
    assert (
        db.session.scalar(
            select(TaskParticipation.reflection).where(TaskParticipation.student_id == sid)
        )
        == ""
    )
    assert retention_events() == 2
    stamp = user.anonymised_at
    second = run(app)
    assert second.exit_code == 0
    assert "0 student(en) geanonimiseerd." in second.output
    db.session.expire_all()
    assert retention_events() == 2
    assert db.session.get(User, sid).anonymised_at == stamp


def test_the_schools_own_retention_period_applies(person, app, clock):
    school = person["student"].student_profile.school
    school.retention_years = 10
    db.session.commit()
    clock.set(date(2034, 6, 1))  # past seven years, not past ten
    result = run(app)
    assert result.exit_code == 0
    assert anonymised() == [person["teammate"].id]


def test_a_later_statement_keeps_the_student(person, app, clock):
    """The statement's keep period runs from its issue: a statement issued in 2030 keeps the
    student until 2037, even though their work ended in 2026."""
    from wijklab.statements.models import Statement

    statement = db.session.get(Statement, person["statement"].id)
    clock.set(date(2030, 3, 1))
    statement.issued_at = clock.moment
    db.session.commit()
    clock.set(date(2034, 6, 1))
    result = run(app, "--dry-run")
    assert f"gebruiker {person['student'].id}:" not in result.output
    assert f"gebruiker {person['teammate'].id}:" in result.output


def test_only_students_are_due(app, clock):
    factories.make_user(role="supervisor")
    factories.make_user(role="wijkdocent")
    clock.set(date(2040, 1, 1))
    result = run(app, "--dry-run")
    assert result.exit_code == 0
    assert "Proefdraai: 0 student(en)" in result.output
