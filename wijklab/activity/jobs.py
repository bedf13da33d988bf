"""Jobs on RQ: sending the outbox and running the schedules (digests, reminders).

A worker (``rq worker --url $WIJKLAB_REDIS_URL wijklab``) imports this module; each job builds
the app once per worker process from the environment, like gunicorn does. The schedules are
registered for RQ's cron scheduler in ``deploy/rq_cron.py``; every job is idempotent, so a
schedule that fires twice sends nothing twice.
"""

from __future__ import annotations

from functools import cache

from flask import current_app, has_app_context
from redis import Redis
from rq import Queue, Retry

# RQ retries a delivery whose messages could not all be sent (an SMTP server that is down);
# each message also keeps its own backoff in the outbox.
DELIVERY_RETRY = Retry(max=5, interval=[30, 120, 600, 1800, 3600])


class DeliveryIncomplete(RuntimeError):
    """Some messages stay queued for a later attempt."""


def queue(app=None) -> Queue:
    app = app or current_app
    connection = Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=5)
    # RQ_ASYNC off (unit tests) runs each job at once, in this process, through RQ itself.
    return Queue(
        app.config["RQ_QUEUE"], connection=connection, is_async=app.config.get("RQ_ASYNC", True)
    )


def enqueue_delivery() -> None:
    """Ask a worker to send the outbox (raises when Redis cannot be reached)."""
    queue().enqueue(deliver, retry=DELIVERY_RETRY, job_timeout=300, result_ttl=3600)


@cache
def _app():
    from wijklab import create_app

    return create_app()


def _run(work):
    if has_app_context():  # a synchronous queue runs the job inside the caller's app
        return work()
    app = _app()
    with app.app_context():
        try:
            return work()
        finally:
            from wijklab.extensions import db

            db.session.remove()


def deliver() -> dict[str, int]:
    """Send every due message; fail (so RQ retries) when some are left for later."""
    from wijklab.activity.outbox import deliver_outbox

    counts = _run(deliver_outbox)
    if counts["retry"]:
        raise DeliveryIncomplete(f"{counts['retry']} messages wait for a later attempt")
    return counts


def run_schedules() -> dict:
    """The hourly schedule: reminders, then the daily and weekly digests that are due, then the
    outbox. Running it twice in an hour sends nothing twice."""
    from wijklab.activity.outbox import deliver_outbox
    from wijklab.activity.schedules import run_due_schedules

    def work():
        from wijklab.extensions import db

        result = run_due_schedules()
        db.session.commit()
        result["mail"] = deliver_outbox()
        return result

    return _run(work)
