"""On a phone (360 px): the demo supervisor gets a real mail with a one-click review link for a
pending task, opens it without logging in, approves, and the same link then says it was handled."""

from __future__ import annotations

import email
import re
from email import policy
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from wijklab.accounts.models import User
from wijklab.accounts.tokens import Purpose, issue_token
from wijklab.activity.outbox import deliver_outbox
from wijklab.activity.services import public_url, queue_mail
from wijklab.extensions import db
from wijklab.tasks.models import Task, TaskParticipation, TaskStatus
from wijklab.teams.models import Team

pytestmark = pytest.mark.e2e

SUPERVISOR = "p.devries@demussen.example.org"
LINK = re.compile(r"https?://\S+/r/[A-Za-z0-9_-]+")


@pytest.fixture(scope="module")
def browser_context_args(browser_context_args):
    """axe-core is injected as an inline script, which the app's CSP rightly blocks."""
    return {**browser_context_args, "bypass_csp": True}


def mail_review_link(app) -> tuple[str, str]:
    """In the live app: queue a real mail with a review link for one of the supervisor's pending
    tasks, deliver it to MAIL_DIR, and read the link back from the .eml file."""
    with app.app_context():
        supervisor = db.session.scalar(select(User).where(User.email == SUPERVISOR))
        task = db.session.scalar(
            select(Task)
            .join(Team, Team.id == Task.team_id)
            .where(
                Team.supervisor_id == supervisor.id,
                Task.status == TaskStatus.PENDING,
                ~Task.participations.any(TaskParticipation.student_id == supervisor.id),
            )
            .order_by(Task.id)
            .limit(1)
        )
        assert task is not None, "the demo data has no pending task for the supervisor"
        title = task.title
        raw = issue_token(
            supervisor, Purpose.REVIEW, object_type="Task", object_id=task.id, version=task.version
        )
        subject = f"Taak ‘{title}’ wacht op je controle"
        queue_mail(
            supervisor,
            kind="task_waiting",
            subject=subject,
            template="mail/notification",
            text=subject,
            link=public_url(f"/tasks/{task.id}"),
            action_url=public_url(f"/r/{raw}"),
        )
        db.session.commit()
        assert deliver_outbox()["sent"] >= 1
        folder = Path(app.config["MAIL_DIR"])
        db.session.remove()
    for path in sorted(folder.glob("*.eml"), reverse=True):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if SUPERVISOR in message["To"] and raw in path.read_text(errors="replace"):
            body = message.get_body(preferencelist=("plain",)).get_content()
            return LINK.search(body).group(0), title
    raise AssertionError("no mail with the review link in MAIL_DIR")


def test_supervisor_approves_a_task_from_the_mail_on_a_phone(
    page, base_url, live_app, screenshot, console_errors, check_axe
):
    url, title = mail_review_link(live_app)
    assert url.startswith(f"{base_url}/r/")
    page.set_viewport_size({"width": 360, "height": 780})

    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("button", name="Goedkeuren")).to_be_visible()
    expect(page.get_by_label("Reden om terug te geven")).to_be_visible()
    # No log-in, no menu: the page stands on its own.
    expect(page.get_by_role("navigation")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "review-link-360")
    check_axe(page, "the review link's page at 360 px")

    page.get_by_role("button", name="Goedkeuren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Taak goedgekeurd")
    screenshot(page, "review-link-approved-360")

    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Dit is al afgehandeld")
    assert page.context.cookies() == []
    # The handled page answers 409, which Chromium reports as a failed resource; nothing else.
    assert [e for e in console_errors if "status of 409" not in e] == []

    with live_app.app_context():
        task = db.session.scalar(select(Task).where(Task.title == title))
        assert task.status == TaskStatus.VERIFIED
        db.session.remove()
