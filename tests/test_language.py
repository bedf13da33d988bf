"""Every page in both languages: no decimal point in Dutch numbers, no English left in Dutch,
no raw codes of the data model, and "1 student" rather than "1 studenten"."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from flask_babel import refresh

from tests import factories
from tests.test_routes import PROTECTED, fill
from tests.test_routes import objects as objects  # noqa: F401  (the fixture, reused)
from wijklab.accounts.models import Role
from wijklab.extensions import db
from wijklab.goals.models import FrameworkItemKind, GoalStatus
from wijklab.i18n import decimal, table_date, text_date, week
from wijklab.projects.models import ProjectStatus
from wijklab.tasks.models import Category, ParticipationRole, TaskStatus
from wijklab.teams.models import MemberRole, Team

# Downloads are checked by their own tests; these are the pages a person reads.
BINARY = (".pdf", ".json", ".xlsx", "/exports/download")
GET_PAGES = [(u, roles) for m, u, roles, *_ in PROTECTED if m == "GET" and not u.endswith(BINARY)]

# A code of the data model, as stored; never shown as text (labels exist for each).
ENUMS = (
    GoalStatus,
    MemberRole,
    Role,
    TaskStatus,
    Category,
    ParticipationRole,
    ProjectStatus,
    FrameworkItemKind,
)
RAW_CODES = sorted({e.value for enum in ENUMS for e in enum if "_" in e.value})
# English words that give away an untranslated text on a Dutch page.
ENGLISH_TELLS = [
    "the",
    "Submit",
    "Save",
    "Cancel",
    "Invalid",
    "Not a valid",
    "Choose",
    "This field is required",
    "Field must be",
    "Please",
    "Previous",
    "Next",
    "Search",
    "Delete",
    "pending",
    "verified",
    "returned",
    "signed off",
    "Notifications",
    "Dashboard",
]
ONE_WITH_PLURAL = {
    "nl": ["studenten", "taken", "teams", "leerdoelen", "werkbegeleiders", "uren", "projecten"],
    "en": ["students", "tasks", "teams", "goals", "supervisors", "hours", "projects"],
}


def visible_text(page: str) -> str:
    """What a person reads: no scripts, styles, tags (with their attributes) or addresses."""
    page = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<[^>]*>", " ", page)
    text = html.unescape(page)
    text = re.sub(r"\b(?:https?://|www\.)\S+", " ", text)
    text = re.sub(r"\S+@\S+", " ", text)  # e-mail addresses
    return re.sub(r"\s+", " ", text)


# A decimal point: digits, a point, one or two digits, not part of a longer code (1.2.3),
# a date (24.11.2026), a file name or a Dutch thousands group (1.250).
DECIMAL_POINT = re.compile(r"(?<![\w.,/-])\d+\.\d{1,2}(?![\w.,/-])")


def problems(text: str, lang: str) -> list[str]:
    found = []
    if lang == "nl":
        found += [f"decimal point: {m}" for m in DECIMAL_POINT.findall(text)]
        for word in ENGLISH_TELLS:
            if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text):
                found.append(f"English word: {word!r}")
    for code in RAW_CODES:
        if re.search(rf"(?<![\w-]){code}(?![\w-])", text):
            found.append(f"raw code: {code}")
    for noun in ONE_WITH_PLURAL[lang]:
        if re.search(rf"(?<![\d.,]){1} {noun}\b", text):
            found.append(f"plural after one: 1 {noun}")
    return found


@pytest.fixture
def people(objects, wijkdocent, admin, student, supervisor):  # noqa: F811
    """Who opens each page: the role fixtures, and for the team's own pages its member and its
    werkbegeleider. The team gets decimal hours (a 90-minute task) to show."""
    team = db.session.get(Team, objects["team"])
    member = team.memberships[0].student
    factories.make_task(team=team, participants=[member], minutes=90, date=date(2026, 10, 7))
    db.session.commit()
    return {
        "admin": admin,
        "wijkdocent": wijkdocent,
        "student": student,
        "supervisor": supervisor,
        "student_member": member,
        "goal_owner": member,
        "recipient": member,
        "team_supervisor": team.supervisor,
        "member_of_team": member,
        "supervisor_of_team": team.supervisor,
    }


def viewers(roles: set) -> list[str]:
    """The allowed roles, and always the team's own student and werkbegeleider (a page that is
    not theirs answers 403 or 404 and is skipped)."""
    return sorted(roles) + ["member_of_team", "supervisor_of_team"]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_page_reads_as_one_language(client, login_as, objects, people, lang):  # noqa: F811
    failures = []
    for url, roles in GET_PAGES:
        for role in viewers(roles):
            user = people[role]
            user.locale = lang
            db.session.commit()
            login_as(user)
            response = client.get(fill(url, objects))
            if response.status_code in (403, 404):
                continue  # not theirs: the route inventory checks who may see what
            assert response.status_code in (200, 302), (url, role, response.status_code)
            if response.status_code != 200:
                continue
            for problem in problems(visible_text(response.get_data(as_text=True)), lang):
                failures.append(f"{lang} {url} as {role}: {problem}")
    assert not failures, "\n".join(sorted(set(failures)))


def test_the_public_pages_read_as_one_language(client):
    for url in ("/auth/login", "/verify", "/auth/forgot"):
        for lang in ("nl", "en"):
            with client.session_transaction() as session:
                session["locale"] = lang
            response = client.get(url)
            if response.status_code == 404:
                continue
            assert response.status_code == 200, url
            assert problems(visible_text(response.get_data(as_text=True)), lang) == [], url


def test_the_checker_finds_each_kind_of_mistake():
    assert problems("Totaal 5.2 uur", "nl") == ["decimal point: 5.2"]
    assert problems("Totaal 5,2 uur, 1.250 bewoners, 24-11-2026, 10:30", "nl") == []
    assert problems("Klik op Save", "nl") == ["English word: 'Save'"]
    assert problems("Status: review_requested", "nl") == ["raw code: review_requested"]
    assert problems("1 studenten", "nl") == ["plural after one: 1 studenten"]
    assert problems("21 studenten, 1 student", "nl") == []
    assert problems("Total 5.2 hours, 1 student", "en") == []


def test_numbers_dates_and_weeks_follow_the_language(app):
    with app.test_request_context():
        from flask import session

        session["locale"] = "nl"
        assert decimal(5.25) == "5,2" or decimal(5.25) == "5,3"
        assert decimal(1234.5) == "1.234,5"
        assert decimal(3.0) == "3"
        assert text_date(date(2026, 11, 24)) == "24 nov. 2026"
        assert text_date(date(2026, 5, 4)) == "4 mei 2026"
        assert table_date(date(2026, 11, 24)) == "24-11-2026"
        assert week(date(2026, 10, 7)) == "week 41"
        assert week(41) == "week 41"
    with app.test_request_context():
        from flask import session

        session["locale"] = "en"
        refresh()
        assert decimal(1234.5) == "1,234.5"
        assert text_date(date(2026, 11, 24)) == "Nov 24, 2026"
        assert table_date(date(2026, 11, 24)) == "24/11/2026"
