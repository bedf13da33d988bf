"""The neighbourhood figures from the summary tables equal a count of the tasks themselves, for
periods of whole weeks, periods with ragged edges and periods inside one week."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests import factories
from wijklab.extensions import db
from wijklab.reports.services import neighbourhood_figures, whole_weeks
from wijklab.tasks.models import Category, Task, TaskStatus

START = date(2026, 9, 7)  # a Monday


def brute_force(hood, start: date, end: date) -> dict:
    tasks = [
        task
        for task in db.session.scalars(select(Task))
        if task.team.project.neighbourhood_id == hood.id
        and start <= task.date <= end
        and task.status == TaskStatus.VERIFIED
    ]
    hours = {"mbo": {"collective": 0, "individual": 0}, "hbo": {"collective": 0, "individual": 0}}
    students: dict[str, set[int]] = {"mbo": set(), "hbo": set()}
    categories: dict[str, list[int]] = {}
    for task in tasks:
        figures = categories.setdefault(task.category.value, [0, 0])
        figures[0] += 1
        figures[1] += task.residents_reached
        for part in task.participations:
            level = part.student.student_profile.level.value
            kind = "collective" if task.category.is_collective else "individual"
            hours[level][kind] += part.minutes
            students[level].add(part.student_id)
    partners: dict[str, set[int]] = {}
    for task in tasks:
        partners.setdefault(task.team.project.partner.name, set()).add(task.team.project_id)
    return {
        "tasks": len(tasks),
        "teams": len({t.team_id for t in tasks}),
        "projects": len({t.team.project_id for t in tasks}),
        "residents_reached": sum(t.residents_reached for t in tasks),
        "hours": hours,
        "students": {level: len(ids) for level, ids in students.items()},
        "activities": {c: tuple(v) for c, v in categories.items()},
        "partners": sorted((name, len(ids)) for name, ids in partners.items()),
    }


def shown(figures: dict) -> dict:
    return {
        "tasks": figures["tasks"],
        "teams": figures["teams"],
        "projects": figures["projects"],
        "residents_reached": figures["residents_reached"],
        "hours": figures["hours"],
        "students": figures["students"],
        "activities": {a["category"]: (a["tasks"], a["residents"]) for a in figures["activities"]},
        "partners": [(p["name"], p["projects"]) for p in figures["partners"]],
    }


@pytest.fixture
def busy_hood(app):
    rng = random.Random(16)  # noqa: S311  (test data)
    hood = factories.make_neighbourhood()
    elsewhere = factories.make_neighbourhood()
    for where in (hood, hood, elsewhere):
        project = factories.make_project(
            neighbourhood=where,
            partner=factories.make_organisation(neighbourhood=where),
            start_date=START,
            end_date=START + timedelta(weeks=12),
        )
        for _ in range(2):
            members = [factories.make_student(level=rng.choice(["mbo", "hbo"])) for _ in range(3)]
            team = factories.make_team(project=project, members=members)
            for _ in range(25):
                factories.make_task(
                    team=team,
                    participants=rng.sample(members, rng.randint(1, 3)),
                    minutes=rng.randint(15, 240),
                    status=rng.choice(["verified", "verified", "pending", "returned"]),
                    date=START + timedelta(days=rng.randint(0, 80)),
                    category=rng.choice(list(Category)),
                    residents_reached=rng.randint(0, 30),
                )
    return hood


PERIODS = [
    (START, START + timedelta(days=83)),  # whole weeks only
    (START + timedelta(days=3), START + timedelta(days=60)),  # ragged at both ends
    (START + timedelta(days=7), START + timedelta(days=30)),  # ragged at the end
    (START + timedelta(days=9), START + timedelta(days=11)),  # inside one week
    (START - timedelta(days=30), START - timedelta(days=1)),  # before anything happened
]


@pytest.mark.parametrize("period", PERIODS, ids=["whole", "both", "end", "inside", "empty"])
def test_neighbourhood_figures_equal_a_count_of_the_tasks(busy_hood, period):
    start, end = period
    expected = brute_force(busy_hood, start, end)
    assert shown(neighbourhood_figures(busy_hood, start=start, end=end)) == expected
    if period != PERIODS[-1]:
        assert expected["tasks"] > 0  # the period holds data: the comparison means something


def test_whole_weeks_splits_a_period_into_weeks_and_edges():
    monday = date(2026, 11, 2)
    assert whole_weeks(monday, monday + timedelta(days=13)) == (
        (monday, monday + timedelta(days=7)),
        [],
    )
    assert whole_weeks(monday + timedelta(days=2), monday + timedelta(days=15)) == (
        (monday + timedelta(days=7), monday + timedelta(days=7)),
        [
            (monday + timedelta(days=2), monday + timedelta(days=6)),
            (monday + timedelta(days=14), monday + timedelta(days=15)),
        ],
    )
    assert whole_weeks(monday + timedelta(days=1), monday + timedelta(days=5)) == (
        None,
        [(monday + timedelta(days=1), monday + timedelta(days=5))],
    )
