"""A project with one team and the people around it, for the start agreement tests."""

from __future__ import annotations

from datetime import date

import pytest

from tests import factories
from wijklab.projects.models import ProjectStatus

JOINED = date(2026, 9, 1)  # the factories' project start: every member joined then
EARLY = date(2026, 9, 10)  # nine days after joining
LATE = date(2026, 9, 20)  # nineteen days after joining: more than two weeks

FOCUSES = "Gesprekken voeren met bewoners\nZelf een buurtactiviteit organiseren"


def form_data(**changes) -> dict:
    """A valid agreement form, with ``changes``."""
    data = {
        "weekdays": ["1", "2"],
        "hours_per_week": "12",
        "agreed_bpv_hours": "480",
        "learning_focuses": FOCUSES,
        "supervision_form": "Een gesprek met de werkbegeleider na de bewonersavond",
        "supervision_frequency": "Elke week een half uur",
        "backup_contact": "Jan Bakker (coördinator), 06-12345678",
        "version": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def lab(app, clock, admin, wijkdocent, supervisor):
    """Zoë and Ayşe in "Team Noord" of Marloes's active project (Tuesday to Thursday, 12 hours
    a week), supervised by Petra; around them another wijkdocent's team with its own supervisor
    and student, and a student in no team."""
    clock.set(EARLY)
    zoe = factories.make_student(
        name="Zoë van den Berg",
        available_weekdays=frozenset({0, 1, 2}),
        hours_per_week=16,
        agreed_bpv_hours=400,
    )
    project = factories.make_project(
        owner=wijkdocent,
        title="Buurtkamer Noord",
        status=ProjectStatus.ACTIVE,
        weekdays=frozenset({1, 2, 3}),
        hours_per_week=12,
        summary="Een buurtkamer waar bewoners elkaar ontmoeten.",
        expectations="Je organiseert activiteiten met bewoners.",
        supervision="Elke week een gesprek met de werkbegeleider.",
        partner=factories.make_organisation("partner", name="Buurtwerk Noord"),
    )
    ayse = factories.make_student(name="Ayşe Yılmaz")
    team = factories.make_team(
        project=project, supervisor=supervisor, members=[zoe, ayse], name="Team Noord"
    )
    other_docent = factories.make_user(role="wijkdocent", name="Karin Docent")
    other_supervisor = factories.make_supervisor(name="Henk Jansen")
    other_student = factories.make_student(name="Jesse de Groot")
    other_team = factories.make_team(
        project=factories.make_project(owner=other_docent, status=ProjectStatus.ACTIVE),
        supervisor=other_supervisor,
        members=[other_student],
    )
    return {
        "admin": admin,
        "wijkdocent": wijkdocent,
        "supervisor": supervisor,
        "zoe": zoe,
        "ayse": ayse,
        "other_docent": other_docent,
        "other_supervisor": other_supervisor,
        "other_student": other_student,
        "outsider": factories.make_student(name="Yassine El Amrani"),
        "project": project,
        "team": team,
        "other_team": other_team,
    }


def agreement_url(lab, student="zoe", suffix="") -> str:
    return f"/teams/{lab['team'].id}/students/{lab[student].id}/agreement{suffix}"
