"""The team page and the pages around it do not grow with the data (issue 16): at most 12 SQL
queries, the same count with ten times the data, under 100 KB of HTML; feeds page by cursors
("Ouder"/"Nieuwer" keyed on date and id), and nothing is lost or shown twice between pages."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from tests import factories
from tests.test_query_counts import queries
from wijklab.accounts.tokens import Purpose, issue_token
from wijklab.activity.models import AuditEvent, Notification
from wijklab.extensions import db
from wijklab.goals.models import Feedback, GoalEvidence
from wijklab.tasks.models import SchoolVisit, SupervisionSession

MAX_QUERIES = 12
MAX_BYTES = 100_000


def measure(client, url: str) -> tuple[int, int]:
    """The page's SQL queries and its size in bytes (after a first request, which also commits
    what the test made)."""
    client.get(url)
    db.session.expire_all()
    with queries() as statements:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(statements), len(response.data)


class Lab:
    """A project with one team of four and its work; ``grow(n)`` adds n tasks (each with every
    member), n pieces of evidence and feedback, n supervision sessions, school visits,
    notifications and audit events, and n goals in another team of the same supervisor."""

    def __init__(self, wijkdocent, admin):
        self.admin = admin
        partner = factories.make_organisation()
        self.supervisor = factories.make_supervisor(organisation=partner)
        self.project = factories.make_project(owner=wijkdocent, partner=partner)
        self.students = [factories.make_student() for _ in range(4)]
        self.team = factories.make_team(
            project=self.project,
            supervisor=self.supervisor,
            members=self.students,
            coach=self.students[1],
        )
        self.student = self.students[0]
        self.first_task = factories.make_task(team=self.team, participants=self.students)
        self.goal = factories.make_goal(team=self.team, student=self.student, status="active")
        self.day = date(2026, 9, 2)

    def grow(self, n: int) -> None:
        for i in range(n):
            self.day += timedelta(days=1)
            task = factories.make_task(
                team=self.team,
                participants=self.students,
                status="verified",
                date=self.day,
            )
            db.session.add(GoalEvidence(goal=self.goal, participation=task.participations[0]))
            db.session.add(
                Feedback(
                    goal=self.goal,
                    author=self.supervisor,
                    author_role="supervisor",
                    comment="Goed gedaan",
                )
            )
            db.session.add(
                SupervisionSession(
                    team_id=self.team.id,
                    supervisor=self.supervisor,
                    date=self.day,
                    minutes=60,
                )
            )
            if i % 3 == 0:
                db.session.add(
                    SchoolVisit(team_id=self.team.id, visitor=self.project.owner, date=self.day)
                )
            for user in (self.student, self.admin, self.project.owner):
                db.session.add(Notification(user_id=user.id, kind="unknown", link="/"))
            db.session.add(
                AuditEvent(
                    actor_id=self.supervisor.id,
                    action="task.verified",
                    object_type="Task",
                    object_id=task.id,
                )
            )
            other = factories.make_team(
                project=self.project,
                supervisor=self.supervisor,
                members=[factories.make_student()],
            )
            factories.make_goal(team=other, status="review_requested")
        db.session.flush()

    def team_tasks(self) -> list:
        from wijklab.tasks.models import Task

        return list(db.session.scalars(db.select(Task).where(Task.team_id == self.team.id)))

    def review_link(self) -> str:
        raw = issue_token(
            self.supervisor,
            Purpose.REVIEW,
            object_type="LearningGoal",
            object_id=self.goal.id,
            version=self.goal.version,
        )
        db.session.flush()
        return f"/r/{raw}"


@pytest.fixture
def lab(wijkdocent, admin):
    return Lab(wijkdocent, admin)


# Each page with who looks at it: (name, viewer, url).
PAGES = [
    (
        "team page (wijkdocent, with the add-member search)",
        "wijkdocent",
        "/teams/{team}",
    ),
    ("team page (member)", "student", "/teams/{team}"),
    ("task page (supervisor)", "supervisor", "/tasks/{task}"),
    ("goals list (supervisor)", "supervisor", "/goals/"),
    (
        "goals waiting for review (supervisor)",
        "supervisor",
        "/goals/?status=review_requested",
    ),
    ("goal page (supervisor)", "supervisor", "/goals/{goal}"),
    ("goal page (the student)", "student", "/goals/{goal}"),
    (
        "statement page (wijkdocent)",
        "wijkdocent",
        "/statements/teams/{team}/students/{student}",
    ),
    ("student coverage (supervisor)", "supervisor", "/students/{student}/coverage"),
    ("team coverage (wijkdocent)", "wijkdocent", "/teams/{team}/coverage"),
    ("notifications (student)", "student", "/notifications"),
    ("audit trail (admin)", "admin", "/audit"),
]


def _url(lab: Lab, url: str) -> str:
    return url.format(
        team=lab.team.id,
        task=lab.first_task.id,
        goal=lab.goal.id,
        student=lab.student.id,
    )


def _viewer(lab: Lab, who: str):
    return {
        "wijkdocent": lab.project.owner,
        "student": lab.student,
        "supervisor": lab.supervisor,
        "admin": lab.admin,
    }[who]


@pytest.mark.parametrize(("name", "who", "url"), PAGES, ids=[p[0] for p in PAGES])
def test_page_runs_the_same_few_queries_with_ten_times_the_data(
    client, login_as, lab, name, who, url
):
    login_as(_viewer(lab, who))
    lab.grow(2)
    small, _ = measure(client, _url(lab, url))
    lab.grow(18)
    large, size = measure(client, _url(lab, url))
    assert small == large, f"{name}: {small} queries with little data, {large} with ten times"
    assert large <= MAX_QUERIES, f"{name}: {large} queries"
    assert size < MAX_BYTES, f"{name}: {size} bytes"


def test_review_page_runs_the_same_few_queries_with_ten_times_the_data(client, lab):
    lab.goal.status = lab.goal.status.REVIEW_REQUESTED
    lab.grow(2)
    small, _ = measure(client, lab.review_link())
    lab.grow(18)
    large, size = measure(client, lab.review_link())
    assert small == large
    assert large <= MAX_QUERIES
    assert size < MAX_BYTES


def test_team_page_of_a_busy_team_stays_small(client, login_as, lab):
    login_as(lab.project.owner)
    lab.grow(60)
    count, size = measure(client, f"/teams/{lab.team.id}")
    assert count <= MAX_QUERIES
    assert size < 60_000


# --- keyset pagination -------------------------------------------------------------------------


def _ids(response, pattern: str) -> list[int]:
    return [int(i) for i in re.findall(pattern, response.get_data(as_text=True))]


def _link(response, label: str, containing: str = "") -> str | None:
    """The href of the (first) pagination link with this label, unescaped."""
    for href in re.findall(r'<a href="([^"]+)" rel="(?:prev|next)">' + label + "<", response.text):
        if containing in href:
            return href.replace("&amp;", "&")
    return None


NOTIFICATION = r"/notifications/(\d+)/read"


def _notifications(user, n: int, same_time_every: int = 3) -> list[int]:
    """n notifications, several sharing a timestamp (the id breaks the tie)."""
    start = datetime(2026, 11, 1, 9, tzinfo=UTC)
    made = []
    for i in range(n):
        at = start + timedelta(minutes=i // same_time_every)
        made.append(Notification(user_id=user.id, kind="unknown", link="/", created_at=at))
    db.session.add_all(made)
    db.session.flush()
    return [m.id for m in sorted(made, key=lambda m: (m.created_at, m.id), reverse=True)]


def test_notifications_page_older_and_newer_lose_and_repeat_nothing(client, login_as, student):
    expected = _notifications(student, 55)
    login_as(student)
    first = client.get("/notifications")
    assert first.status_code == 200
    assert _link(first, "Nieuwer") is None
    seen = [_ids(first, NOTIFICATION)]
    response = first
    while (older := _link(response, "Ouder")) is not None:
        response = client.get(older)
        assert response.status_code == 200
        seen.append(_ids(response, NOTIFICATION))
    assert [i for page in seen for i in page] == expected
    assert len(seen) == 3  # 25 + 25 + 5
    # Back from the last page: "Nieuwer" gives exactly the pages before, in order.
    for page in reversed(seen[:-1]):
        response = client.get(_link(response, "Nieuwer"))
        assert _ids(response, NOTIFICATION) == page
    assert _link(response, "Nieuwer") is None
    assert db.session.query(Notification).count() == 55


@pytest.mark.parametrize(
    "cursor",
    [
        "before=nonsense",
        "before=2026-11-01T09:00:00_",
        "after=2026-13-01T09:00:00%2B00:00_5",
        "before=2026-11-01T09:00:00_5",  # no time zone
        "after=" + "9" * 200,
        "before=2026-11-01T09:00:00%2B00:00_1_2",
        "after=2099-01-01T00:00:00%2B00:00_1",  # nothing newer: page one
        "page=999",
    ],
)
def test_a_bad_cursor_gives_page_one(client, login_as, student, cursor):
    expected = _notifications(student, 30)
    login_as(student)
    response = client.get(f"/notifications?{cursor}")
    assert response.status_code == 200
    assert _ids(response, NOTIFICATION) == expected[:25]


def test_team_feed_pages_by_cursor_and_old_page_links_still_work(client, login_as, lab):
    lab.grow(24)
    login_as(lab.student)
    expected = [f"/tasks/{t.id}" for t in sorted(lab.team_tasks(), key=lambda t: (t.date, t.id))]
    expected.reverse()
    pattern = r'<h3><a href="(/tasks/\d+)">'
    response = client.get(f"/teams/{lab.team.id}")
    pages = [re.findall(pattern, response.text)]
    while (older := _link(response, "Ouder", containing="#activity")) is not None:
        assert older.endswith("#activity")
        response = client.get(older)
        pages.append(re.findall(pattern, response.text))
    assert [len(p) for p in pages] == [10, 10, 5]
    assert [u for p in pages for u in p] == expected
    second = client.get(f"/teams/{lab.team.id}?page=2")
    assert re.findall(pattern, second.text) == pages[1]
    newer = client.get(_link(second, "Nieuwer", containing="#activity"))
    assert re.findall(pattern, newer.text) == pages[0]


def test_team_timeline_shows_ten_and_pages_on(client, login_as, lab):
    lab.grow(12)  # 12 sessions and 4 visits
    login_as(lab.project.owner)
    response = client.get(f"/teams/{lab.team.id}")
    items = re.findall(r"(begeleiding door|schoolbezoek van) ", response.text)
    assert len(items) == 10
    older = _link(response, "Ouder", containing="timeline_before=")
    assert older.endswith("#timeline")
    rest = client.get(older)
    more = re.findall(r"(begeleiding door|schoolbezoek van) ", rest.text)
    assert len(more) == 6
    assert items.count("schoolbezoek van") + more.count("schoolbezoek van") == 4
    assert db.session.query(SupervisionSession).count() == 12


def test_statement_page_runs_the_same_queries_with_more_issued_statements(client, login_as, lab):
    from wijklab.statements.models import Statement

    owner = lab.project.owner
    factories.make_statement(lab.team, lab.student, by=owner)
    login_as(owner)
    url = f"/statements/teams/{lab.team.id}/students/{lab.student.id}"
    small, _ = measure(client, url)
    for _ in range(4):
        factories.make_statement(lab.team, lab.student, by=owner)
    large, size = measure(client, url)
    assert small == large
    assert size < MAX_BYTES
    page = client.get(url).text
    assert page.count("er is een nieuwere praktijkverklaring") == 4
    assert db.session.query(Statement).count() == 5
