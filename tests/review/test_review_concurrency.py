"""Of simultaneous posts to one review link exactly one acts: use_token is one conditional UPDATE
in the same transaction as the decision. Run against a real file database with one connection per
request (the shared test app binds everything to one connection, which would serialise them)."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from tests.factories import make_project, make_student, make_supervisor, make_task, make_team
from wijklab import create_app
from wijklab.accounts.tokens import Purpose, issue_token
from wijklab.extensions import db
from wijklab.tasks.models import Task, TaskEvent, TaskStatus

REQUESTS = 8


def test_of_eight_simultaneous_approvals_exactly_one_acts(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/c.sqlite",
            "WTF_CSRF_ENABLED": False,
            "MAIL_BACKEND": "wijklab.activity.eml",
            "MAIL_DIR": str(tmp_path),
        }
    )
    with app.app_context():
        db.create_all()
        supervisor = make_supervisor(name="Petra de Vries")
        team = make_team(
            project=make_project(), supervisor=supervisor, members=[make_student(name="Iris")]
        )
        task = make_task(team=team)
        raw = issue_token(
            supervisor, Purpose.REVIEW, object_type="Task", object_id=task.id, version=task.version
        )
        task_id = task.id
        db.session.commit()
        db.session.remove()

    barrier = threading.Barrier(REQUESTS)
    results: list[tuple[int, str]] = []
    lock = threading.Lock()

    def approve() -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post(f"/r/{raw}", data={"action": "approve"})
        with lock:
            results.append((response.status_code, response.get_data(as_text=True)))

    threads = [threading.Thread(target=approve) for _ in range(REQUESTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(results) == REQUESTS
    won = [body for status, body in results if status == 200]
    lost = [body for status, body in results if status == 409]
    assert len(won) == 1 and "Taak goedgekeurd" in won[0]
    assert len(lost) == REQUESTS - 1
    assert all("Dit is al afgehandeld" in body for body in lost)
    with app.app_context():
        assert db.session.get(Task, task_id).status == TaskStatus.VERIFIED
        verified = db.session.scalar(
            select(func.count(TaskEvent.id)).where(
                TaskEvent.task_id == task_id, TaskEvent.action == "verified"
            )
        )
        assert verified == 1
        db.session.remove()
        db.engine.dispose()
