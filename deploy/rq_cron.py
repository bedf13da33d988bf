"""RQ's cron scheduler configuration: the hourly schedules and the five-minute outbox sweep.

Start it beside gunicorn and the worker, with the same environment (WIJKLAB_REDIS_URL and
WIJKLAB_RQ_QUEUE):

    rq worker --url "$WIJKLAB_REDIS_URL" "${WIJKLAB_RQ_QUEUE:-wijklab}"
    rq cron --url "$WIJKLAB_REDIS_URL" deploy/rq_cron.py

The cron scheduler only enqueues; the worker runs the jobs. Every job is idempotent, so a
second scheduler, or a schedule that fires twice, sends nothing twice.
"""

from __future__ import annotations

import os

from rq import cron

from wijklab.activity.jobs import deliver, run_schedules

QUEUE = os.environ.get("WIJKLAB_RQ_QUEUE", "wijklab")

# Minute 0 of every hour: reminders, then the daily (from 07:00) and weekly (Monday from 07:00,
# Amsterdam time) digests that are due, then the outbox.
cron.register(run_schedules, QUEUE, cron="0 * * * *", job_timeout=1800, result_ttl=86400)
# Every five minutes: mail that could not be handed over at once (Redis or SMTP was down).
cron.register(deliver, QUEUE, cron="*/5 * * * *", job_timeout=300, result_ttl=3600)
