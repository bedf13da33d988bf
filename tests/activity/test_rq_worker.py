"""Mail through a real RQ worker (``rq worker --burst``) and a real Redis, and what happens when
Redis is down: the action still commits and the mail waits in the outbox."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from tests import factories
from tests.conftest import skip_or_fail
from wijklab import create_app
from wijklab.activity.models import OutboxMessage, OutboxStatus
from wijklab.activity.outbox import deliver_outbox, dispatch, dispatch_if_committed
from wijklab.activity.services import public_url, queue_mail
from wijklab.extensions import db

REDIS_URL = "redis://127.0.0.1:6379/0"
ROOT = Path(__file__).resolve().parents[2]
RQ = str(Path(sys.executable).parent / "rq")


def _redis_or_skip():
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except RedisError as error:
        skip_or_fail(f"Redis is not reachable on 127.0.0.1:6379 ({error})")


@pytest.fixture
def worker_app(tmp_path, _smtp):
    """A separate app on a SQLite file that the worker process can open too."""
    _redis_or_skip()
    controller, mailbox = _smtp
    mailbox.clear()
    queue_name = f"wijklab-test-{uuid.uuid4().hex[:12]}"
    database = f"sqlite:///{tmp_path / 'worker.sqlite'}"
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database,
            "REDIS_URL": REDIS_URL,
            "RQ_QUEUE": queue_name,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": controller.port,
        }
    )
    with app.app_context():
        db.create_all()
        try:
            yield app, mailbox, database, queue_name, controller.port
        finally:
            db.session.remove()
            from redis import Redis

            Redis.from_url(REDIS_URL).delete(f"rq:queue:{queue_name}")
            db.engine.dispose()
    mailbox.clear()


def test_a_real_worker_sends_the_queued_mail(worker_app):
    app, mailbox, database, queue_name, port = worker_app
    user = factories.make_user(role="wijkdocent", email="docent.rq@example.org", name="Marloes")
    queue_mail(
        user,
        kind="test",
        subject="Via de worker",
        template="mail/notification",
        text="Hoi",
        link="https://wijklab.example.org/",
    )
    db.session.commit()
    dispatch()  # enqueues the delivery job on Redis
    assert mailbox.to("docent.rq@example.org") == []

    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", str(ROOT)),
        "WIJKLAB_DATABASE_URL": database,
        "WIJKLAB_MAIL_BACKEND": "smtp",
        "WIJKLAB_MAIL_SERVER": "127.0.0.1",
        "WIJKLAB_MAIL_PORT": str(port),
        "WIJKLAB_REDIS_URL": REDIS_URL,
        "WIJKLAB_RQ_QUEUE": queue_name,
        "WIJKLAB_SECRET_KEY": "worker-test-secret-key",
        "WIJKLAB_PUBLIC_URL": "https://wijklab.example.org",
    }
    result = subprocess.run(
        [RQ, "worker", "--burst", "--url", REDIS_URL, queue_name],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (received,) = mailbox.to("docent.rq@example.org")
    assert "Via de worker" in received.subject
    db.session.expire_all()
    row = db.session.scalar(select(OutboxMessage))
    assert row.status == OutboxStatus.SENT
    assert row.text_body == ""


def test_redis_down_keeps_the_mail_queued_for_a_later_sweep(app, mailbox):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    user = factories.make_user(role="wijkdocent", email="docent.down@example.org")
    queue_mail(
        user, kind="test", subject="Later", template="mail/notification", text="Hoi", link="/"
    )
    db.session.commit()
    dispatch_if_committed()  # what a request does after its commit; must not raise
    db.session.expire_all()
    row = db.session.scalar(select(OutboxMessage))
    assert row is not None and row.status == OutboxStatus.QUEUED
    assert mailbox.to("docent.down@example.org") == []

    assert deliver_outbox()["sent"] == 1
    assert len(mailbox.to("docent.down@example.org")) == 1
    db.session.expire_all()
    assert db.session.scalar(select(OutboxMessage.status)) == OutboxStatus.SENT


def test_the_cron_configuration_schedules_the_hourly_run_and_the_outbox_sweep():
    """deploy/rq_cron.py, loaded the way `rq cron deploy/rq_cron.py` loads it."""
    from pathlib import Path

    from redis import Redis
    from rq.cron import CronScheduler

    path = Path(__file__).resolve().parents[2] / "deploy" / "rq_cron.py"
    scheduler = CronScheduler(connection=Redis.from_url("redis://127.0.0.1:1/0"))
    scheduler.load_config_from_file(str(path))

    jobs = {job.func.__name__: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"run_schedules", "deliver"}
    assert jobs["run_schedules"].cron == "0 * * * *"
    assert jobs["deliver"].cron == "*/5 * * * *"
    assert {job.queue_name for job in jobs.values()} == {"wijklab"}


def test_a_synchronous_queue_runs_the_delivery_job_through_rq(app, mailbox):
    """The job path in one process: RQ with ``is_async=False`` against the real Redis."""
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    try:
        Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except RedisConnectionError:
        skip_or_fail(f"Redis is not reachable at {REDIS_URL}")
    app.config.update(REDIS_URL=REDIS_URL, RQ_QUEUE=f"wijklab-sync-{uuid.uuid4().hex}")
    app.config["RQ_ASYNC"] = False
    user = factories.make_student(email="sync@example.org")
    queue_mail(
        user,
        kind="feedback",
        subject="Via RQ",
        template="mail/notification",
        text="Via RQ",
        link=public_url("/"),
    )
    db.session.commit()

    dispatch()

    [received] = mailbox.to("sync@example.org")
    assert received.subject == "Wijklab: Via RQ"
    db.session.expire_all()
    assert db.session.scalar(select(OutboxMessage.status)) == OutboxStatus.SENT
